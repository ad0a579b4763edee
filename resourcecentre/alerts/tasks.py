from django_tasks import task

from . import services
from .emails import confirmation_message
from .models import Alert


@task()
def send_confirmation(alert_id: int) -> bool:
    """Send the double opt-in e-mail, if the alert still waits for it when the task runs (a
    retried task sends it again: at least once; the link in either copy works)."""
    alert = Alert.objects.select_related("subscriber").filter(pk=alert_id, confirmed_at__isnull=True).first()
    if alert is None or services.is_suppressed(alert.subscriber.email):
        return False
    confirmation_message(alert).send()
    return True


@task()
def send_digests() -> int:
    """Send queued digests and Weekly Updates in batches until none is left."""
    return services.digests_send().sent
