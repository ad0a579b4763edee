from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from resourcecentre.ingest.opml import OPMLError, import_opml


class Command(BaseCommand):
    help = "Import the monitored feeds from an OPML file; importing the same file again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="an OPML file, as feed readers export")

    def handle(self, *args, file: Path, **options: object) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            summary = import_opml(data)
        except OPMLError as error:
            raise CommandError(str(error)) from error
        for line in summary.skipped + summary.warnings:
            self.stderr.write(line)
        self.stdout.write(f"Feeds: {summary}.")
