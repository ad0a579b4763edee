import time

from django.core.management.base import BaseCommand

from resourcecentre.search.services import search_index_sync


class Command(BaseCommand):
    help = (
        "Apply pending changes to this host's search index. The task worker does this after "
        "every publish; with several web hosts, run it with --follow on each of them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--follow", action="store_true", help="keep applying changes as they come")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between checks")

    def handle(self, *args, follow: bool, interval: float, **options) -> None:
        while True:
            applied = search_index_sync()
            if applied or not follow:
                self.stdout.write(f"Applied {applied:,} changes.")
            if not follow:
                return
            time.sleep(interval)
