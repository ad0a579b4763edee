from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from resourcecentre.ops.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Replace the database, media and private files with an archive's, then rebuild the search index."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing everything")
        parser.add_argument("--no-rebuild", action="store_true", help="leave the search index for later")

    def handle(self, *args, archive: Path, yes: bool, no_rebuild: bool, **options) -> None:
        if not archive.is_file():
            raise CommandError(f"No such archive: {archive}")
        if not yes and input(f"Replace this site's database and files with {archive}? [y/N] ").lower() != "y":
            raise CommandError("Nothing restored.")
        try:
            manifest = backup_restore(archive=archive, rebuild_index=not no_rebuild)
        except BackupError as error:
            raise CommandError(str(error)) from error
        index = "left as it was" if no_rebuild else "rebuilt"
        self.stdout.write(
            f"Restored the backup of {manifest['created']} ({manifest['engine']}); search index {index}."
        )
