from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from resourcecentre.ingest.models import Feed
from resourcecentre.ingest.opml import export_opml


class Command(BaseCommand):
    help = "Export the monitored feeds as OPML, which import_sources reads back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="write to this file instead of the standard output")

    def handle(self, *args, output: Path | None, **options: object) -> None:
        data = export_opml()
        if output is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        output.write_bytes(data)
        self.stderr.write(f"Wrote {Feed.objects.count()} feeds to {output}.")
