from django.core.management.base import BaseCommand, CommandError, CommandParser

from resourcecentre.lib.progress import ProgressBar
from resourcecentre.opendata.queries import dump_name
from resourcecentre.opendata.services import DumpInProgress, dump_enqueue_if_due, dump_write, utc_today


class Command(BaseCommand):
    help = (
        "Write today's dump of everything published (JSON Lines, gzip) unless it exists; "
        "--enqueue queues it on the task worker instead (run every minute: it queues once a day)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--force", action="store_true", help="write today's dump again even if it exists")
        mode.add_argument("--enqueue", action="store_true", help="queue the dump task if today's dump is due")

    def handle(self, *args, force: bool, enqueue: bool, **options) -> None:
        if enqueue:
            queued = dump_enqueue_if_due()
            self.stdout.write("Queued today's dump." if queued else "Nothing to queue.")
            return
        bar = ProgressBar(self.stderr._out)
        try:
            info = dump_write(force=force, progress=bar.update)
        except DumpInProgress as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        if info is None:
            self.stdout.write(f"{dump_name(utc_today())} exists already; --force writes it again.")
            return
        counts = ", ".join(f"{count:,} {kind}" for kind, count in info.counts.items())
        self.stdout.write(
            f"Wrote {info.name}: {info.rows:,} records ({counts}), {info.size / 1e6:,.1f} MB, "
            f"sha256 {info.sha256}, in {info.seconds:.1f} s."
        )
