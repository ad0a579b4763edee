from django_tasks import task

from . import services
from .emails import send_invitation_email
from .models import Invitation


@task()
def send_email(invitation_id: int, kind: str) -> list[str]:
    """Send one of the mechanism's e-mails, if it still makes sense when the task runs (an
    invitation withdrawn or answered meanwhile gets no invitation or reminder); a retried task
    sends it again (at least once). Each e-mail sent is written to the audit log."""
    invitation = Invitation.objects.select_related("company", "request__story", "request__opened_by").get(
        pk=invitation_id
    )
    response = services.current_response(invitation)
    still_asking = services.can_answer(invitation, response)
    if (kind == "acknowledgement" and response.submitted_at is None) or (
        kind != "acknowledgement" and not still_asking
    ):
        return []
    recipients = send_invitation_email(invitation, response, kind)
    if recipients:
        services.email_sent_log(invitation=invitation, kind=kind, recipients=recipients)
    return recipients
