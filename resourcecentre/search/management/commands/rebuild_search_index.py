import time

from django.core.management.base import BaseCommand

from resourcecentre.lib.progress import ProgressBar
from resourcecentre.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild this host's search index from the database and swap it in when complete."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        bar = ProgressBar(self.stderr._out)
        total = search_index_rebuild(progress=bar.update)
        bar.close()
        self.stdout.write(f"Indexed {total:,} items in {time.monotonic() - started:.1f} s.")
