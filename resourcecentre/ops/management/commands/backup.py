from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resourcecentre.ops.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write an archive of the database, media and private files (the search index is rebuilt on restore)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", type=Path, help="the archive to write (default: BACKUP_DIR/<time>.tar.gz)"
        )

    def handle(self, *args, output: Path | None = None, **options) -> None:
        try:
            path = backup_create(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written: {path} ({path.stat().st_size / 1_000_000:.1f} MB)")
