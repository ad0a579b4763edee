from django.core.management.base import BaseCommand

from resourcecentre.responses import services


class Command(BaseCommand):
    help = "Send the reminders that are due and record the deadlines that passed unanswered."

    def handle(self, *args, **options) -> None:
        reminded = services.reminders_send()
        closed = services.deadlines_close()
        self.stdout.write(f"{reminded} reminded, {closed} recorded as no response")
