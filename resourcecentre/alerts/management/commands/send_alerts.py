from django.conf import settings
from django.core.management.base import BaseCommand

from resourcecentre.alerts import services
from resourcecentre.alerts.tasks import send_digests


class Command(BaseCommand):
    help = (
        "Compose the digests of every period that has ended and queue the Weekly Updates that "
        "are published, then send them through the task queue (or here, with --foreground). "
        "Run it every minute; running it again never sends anything twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--foreground", action="store_true", help="send in this process, not via tasks")
        parser.add_argument("--batch-size", type=int, default=None, help="messages per SMTP connection")
        parser.add_argument("--tasks", type=int, default=2, help="sending tasks to queue (parallel workers)")

    def handle(self, *args, foreground: bool, batch_size: int | None, tasks: int, **options):
        composed = services.digests_compose()
        queued = services.weekly_updates_queue()
        pending = services.pending_count()
        summary = f"composed {composed or 'nothing'}, weekly updates queued {queued}, pending {pending}"
        if foreground:
            sent = services.digests_send(batch_size=batch_size)
            summary += (
                f"; sent {sent.sent}, failed {sent.failed}, retrying {sent.retrying}, "
                f"cancelled {sent.cancelled}"
            )
        elif pending:
            wanted = max(1, tasks) - _sending_tasks_waiting()
            for _ in range(wanted):
                send_digests.enqueue()
            summary += f"; {max(0, wanted)} sending tasks queued"
        self.stdout.write(summary)


def _sending_tasks_waiting() -> int:
    """Sending tasks already queued or running (with the database queue; other backends cannot
    be asked, and an extra task only finds nothing to claim)."""
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return 0
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=send_digests.module_path, status__in=["READY", "RUNNING"]
    ).count()
