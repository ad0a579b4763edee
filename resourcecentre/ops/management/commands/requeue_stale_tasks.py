import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from resourcecentre.ops.queue import tasks_requeue_stale


class Command(BaseCommand):
    help = "Put tasks left running by a dead worker back in the queue (run it every few minutes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--minutes",
            type=float,
            default=None,
            help="how long a task must have been running (default TASK_STALE_MINUTES)",
        )

    def handle(self, *args, minutes: float | None, **options) -> None:
        minutes = settings.TASK_STALE_MINUTES if minutes is None else minutes
        requeued = tasks_requeue_stale(older_than=datetime.timedelta(minutes=minutes))
        if requeued or options["verbosity"] > 1:
            self.stdout.write(f"Requeued {len(requeued)} task(s) running for over {minutes:g} minutes")
