from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from resourcecentre.alerts import services
from resourcecentre.alerts.models import Suppression


class Command(BaseCommand):
    help = "Record a bounce (or, with --complaint, a spam complaint): nothing more is sent to ADDRESS."

    def add_arguments(self, parser):
        parser.add_argument("address")
        parser.add_argument("--complaint", action="store_true")

    def handle(self, *args, address: str, complaint: bool, **options):
        try:
            validate_email(address.strip())
        except ValidationError:
            raise CommandError(f"{address!r} is not an e-mail address") from None
        reason = Suppression.Reason.COMPLAINT if complaint else Suppression.Reason.BOUNCE
        new = services.suppression_record(email=address, reason=reason)
        self.stdout.write(
            f"{'Suppressed' if new else 'Already suppressed'} ({reason}): nothing more goes to it."
        )
