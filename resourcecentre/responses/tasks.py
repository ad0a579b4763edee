from django_tasks import task

from .emails import send_invitation_email
from .models import Invitation


@task()
def send_email(invitation_id: int, kind: str) -> int:
    """Send one of the mechanism's e-mails; a retried task sends it again (at least once)."""
    invitation = Invitation.objects.select_related("company", "request__story", "request__opened_by").get(
        pk=invitation_id
    )
    return send_invitation_email(invitation, kind)
