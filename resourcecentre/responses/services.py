"""Every step of the company response mechanism.

The admin views, the company's page, the deadline task and the management command all call
these functions; each step checks that it is allowed, changes the status under a row lock,
writes the audit log and queues the e-mails it implies.
"""

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.log_actions import log

from resourcecentre.companies.models import Company, CompanyContact
from resourcecentre.lib.html import html_from_input, sanitize_html
from resourcecentre.news.models import Component, ComponentType, Source, Story, StoryComponent

from .models import OPEN_STATUSES, Invitation, Response, ResponseRequest, Status

LINK_SALT = "resourcecentre.responses.link"
OFF_RECORD = "off-record"
# What an editor may record by hand: the outcome, and the status it gives.
RECORDABLE = {
    Status.DECLINED.value: Status.DECLINED,
    Status.NO_RESPONSE.value: Status.NO_RESPONSE,
    Status.CONTACT_NOT_FOUND.value: Status.CONTACT_NOT_FOUND,
    OFF_RECORD: Status.RESPONDED,
}


class LinkError(Exception):
    """A company's link that cannot be used; the message says why and what to do."""

    def __init__(self, message: str, status: int = 410) -> None:
        super().__init__(message)
        self.status = status


class NotAllowed(Exception):
    """A step that the invitation's state does not allow; the message says why."""


class Overtaken(Exception):
    """The company's form was overtaken by a save or a submission from another tab."""

    def __init__(self, message: str, response: Response) -> None:
        super().__init__(message)
        self.response = response


def default_deadline(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=settings.RESPONSE_DEADLINE_DAYS)


def link_expires_at(invitation: Invitation) -> datetime.datetime:
    return invitation.deadline + datetime.timedelta(days=settings.RESPONSE_GRACE_DAYS)


def _new_nonce() -> str:
    return secrets.token_urlsafe(32)


# Links ---------------------------------------------------------------------------------------


def link_token(invitation: Invitation) -> str:
    """The signed part of the company's private link: this invitation, this nonce."""
    return signing.dumps([invitation.pk, invitation.nonce], salt=LINK_SALT)


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link opens, or LinkError saying why it does not open."""
    try:
        pk, nonce = signing.loads(token, salt=LINK_SALT)
        pk, nonce = int(pk), str(nonce)
    except (signing.BadSignature, TypeError, ValueError):
        raise LinkError(
            _("This link is not valid. Check that you copied the whole address from the e-mail."), 404
        ) from None
    invitation = Invitation.objects.select_related("company", "request__story").filter(pk=pk).first()
    if invitation is None or not constant_time_compare(invitation.nonce, nonce):
        raise LinkError(
            _("This link has been replaced or withdrawn. Use the link in the most recent e-mail from us.")
        )
    if invitation.status == Status.WITHDRAWN:
        raise LinkError(_("This request for a response has been withdrawn. You do not need to respond."))
    expires = link_expires_at(invitation)
    if timezone.now() > expires:
        raise LinkError(
            _("This link expired on %(date)s (UTC). Write to us if you still wish to respond.")
            % {"date": date_format(expires, "DATETIME_FORMAT")}
        )
    return invitation


# Opening a request -------------------------------------------------------------------------


def set_contacts(company: Company, emails: list[str]) -> None:
    """Keep `emails` as the company's contacts, in order, for this and later requests."""
    emails = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    CompanyContact.objects.filter(company=company).exclude(email__in=emails).delete()
    for order, email in enumerate(emails):
        CompanyContact.objects.update_or_create(company=company, email=email, defaults={"sort_order": order})


def contact_emails(company: Company) -> list[str]:
    return list(company.contacts.order_by("sort_order").values_list("email", flat=True))


@transaction.atomic
def open_request(
    *,
    story: Story,
    allegation: str,
    deadline: datetime.datetime,
    contacts: dict[Company, list[str]],
    user=None,
) -> ResponseRequest:
    """Put `allegation` to each company of `contacts` and e-mail each an invitation.

    The addresses are kept on the company for the next request. A company without any address
    is recorded as "contact not found", for the editor to complete later.
    """
    if deadline <= timezone.now():
        raise NotAllowed(_("The deadline must be in the future."))
    request = ResponseRequest.objects.create(story=story, allegation=allegation.strip(), opened_by=user)
    for company, emails in contacts.items():
        set_contacts(company, emails)
        has_contact = company.contacts.exists()
        invitation = Invitation.objects.create(
            request=request,
            company=company,
            deadline=deadline,
            nonce=_new_nonce(),
            status=Status.REQUESTED if has_contact else Status.CONTACT_NOT_FOUND,
        )
        Response.objects.create(invitation=invitation, round=1)
        _log(invitation, "responses.invite", user, deadline=deadline.isoformat())
        if has_contact:
            _send(invitation, "invitation")
        else:
            _log(invitation, "responses.contact_not_found", user)
    return request


def add_contacts_and_invite(invitation: Invitation, emails: list[str], user=None) -> None:
    """Complete a "contact not found" invitation with addresses and send it."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status != Status.CONTACT_NOT_FOUND:
            raise NotAllowed(_("Only an invitation without a contact can be sent this way."))
        set_contacts(invitation.company, emails)
        if not invitation.company.contacts.exists():
            raise NotAllowed(_("Give at least one e-mail address."))
        _reopen(invitation, max(invitation.deadline, default_deadline()), user)


# The company's side ----------------------------------------------------------------------------


def current_response(invitation: Invitation) -> Response:
    return invitation.responses.get(round=invitation.round)


def can_answer(invitation: Invitation, response: Response) -> bool:
    """Whether the company may still write: the round is unanswered and its link alive.

    A late answer (after the deadline, within the grace period) is accepted and replaces the
    recorded non-response.
    """
    return response.submitted_at is None and invitation.status in (*OPEN_STATUSES, Status.NO_RESPONSE)


def save_draft(invitation: Invitation, *, body: str, attachment=None, version: int) -> Response:
    """Keep the company's unfinished response; `version` is the one its form was showing."""
    with transaction.atomic():
        invitation, response = _answerable(invitation, version)
        response.body = body
        if attachment is not None:
            response.attachment.save(attachment.name, attachment, save=False)
        response.version += 1
        response.saved_at = timezone.now()
        response.save()
        _log(invitation, "responses.draft", None, round=response.round)
    return response


def submit(
    invitation: Invitation, *, body: str, attachment=None, declines: bool = False, version: int
) -> Response:
    """The company's answer for this round: a response, or that it declines to respond."""
    with transaction.atomic():
        invitation, response = _answerable(invitation, version)
        response.body = body
        if attachment is not None:
            response.attachment.save(attachment.name, attachment, save=False)
        response.declines = declines
        response.version += 1
        response.saved_at = response.submitted_at = timezone.now()
        response.save()
        invitation.status = Status.DECLINED if declines else Status.RESPONDED
        invitation.save(update_fields=["status", "updated_at"])
        _withdraw_proposed_non_response(invitation)
        _log(invitation, "responses.decline" if declines else "responses.submit", None, round=response.round)
        _send(invitation, "acknowledgement")
    return response


def _answerable(invitation: Invitation, version: int) -> tuple[Invitation, Response]:
    invitation = _locked(invitation)
    response = current_response(invitation)
    if response.submitted_at is not None:
        raise Overtaken(
            _("Your response was already submitted on %(date)s; this copy was not sent.")
            % {"date": date_format(response.submitted_at, "DATETIME_FORMAT")},
            response,
        )
    if not can_answer(invitation, response):
        raise NotAllowed(_("This request is closed: it no longer accepts responses."))
    if version != response.version:
        raise Overtaken(
            _("Your response was saved in another window since this one opened; this copy was not saved."),
            response,
        )
    return invitation, response


# The editor's side -----------------------------------------------------------------------------


def publish_response(invitation: Invitation, user=None) -> Component:
    """Publish the company's latest submitted response as a component of the story."""
    with transaction.atomic():
        invitation = _locked(invitation)
        response = (
            invitation.responses.filter(submitted_at__isnull=False, declines=False).order_by("-round").first()
        )
        if invitation.status != Status.RESPONDED or response is None:
            raise NotAllowed(_("There is no submitted response to publish."))
        if response.component_id is not None:
            raise NotAllowed(_("This response is already published."))
        company = invitation.company
        component = Component(
            title=_("Response from %(company)s") % {"company": company.name}
            + (_(" (round %(round)s)") % {"round": response.round} if response.round > 1 else ""),
            type=ComponentType.objects.get(slug="company-response"),
            date=timezone.localdate(response.submitted_at),
            source=Source.objects.get_or_create(name=company.name, defaults={"website": company.website})[0],
            excerpt=html_from_input(response.body),
            url=_publish_attachment(response, company) if response.attachment else "",
            language=company.language or invitation.request.story.language,
        )
        _add_to_story(component, invitation, user)
        response.component = component
        response.save(update_fields=["component"])
        invitation.response_component = component
        invitation.off_record = False
        invitation.save(update_fields=["response_component", "off_record", "updated_at"])
        _log(invitation, "responses.publish", user, component=component.pk)
    return component


def record_outcome(invitation: Invitation, outcome: str, user=None) -> None:
    """Record by hand what the company did: declined, no response, responded off the record
    (answered, but not for publication), or that no contact could be found."""
    if outcome not in RECORDABLE:
        raise NotAllowed(_("That outcome cannot be recorded by hand."))
    status = RECORDABLE[outcome]
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status == Status.WITHDRAWN:
            raise NotAllowed(_("Re-open the withdrawn request first."))
        invitation.status = status
        invitation.off_record = outcome == OFF_RECORD
        invitation.save(update_fields=["status", "off_record", "updated_at"])
        if status == Status.NO_RESPONSE:
            _propose_non_response(invitation)
        elif status != Status.CONTACT_NOT_FOUND:
            _withdraw_proposed_non_response(invitation)
        _log(invitation, "responses.record", user, outcome=outcome)


def withdraw(invitation: Invitation, user=None) -> None:
    """Stop asking: the company's link stops working at once."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status == Status.WITHDRAWN:
            raise NotAllowed(_("This invitation is already withdrawn."))
        invitation.status = Status.WITHDRAWN
        invitation.nonce = _new_nonce()
        invitation.save(update_fields=["status", "nonce", "updated_at"])
        _withdraw_proposed_non_response(invitation)
        _log(invitation, "responses.withdraw", user)


def reopen(invitation: Invitation, deadline: datetime.datetime, user=None) -> None:
    """Ask again with a new deadline and a new link; links sent before stop working."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.is_open:
            raise NotAllowed(_("This invitation is still open."))
        if deadline <= timezone.now():
            raise NotAllowed(_("The deadline must be in the future."))
        if not invitation.company.contacts.exists():
            raise NotAllowed(_("Add a contact address for the company first."))
        _reopen(invitation, deadline, user)


def _reopen(invitation: Invitation, deadline: datetime.datetime, user) -> None:
    response = current_response(invitation)
    if response.submitted_at is not None:
        # The answer stays on record; the company writes a new one in a new round.
        invitation.round += 1
        Response.objects.create(invitation=invitation, round=invitation.round)
    invitation.status = Status.REQUESTED
    invitation.deadline = deadline
    invitation.nonce = _new_nonce()
    invitation.invited_at = timezone.now()
    invitation.reminded_at = None
    invitation.save()
    _withdraw_proposed_non_response(invitation)
    _log(invitation, "responses.reopen", user, deadline=deadline.isoformat())
    _send(invitation, "invitation")


def add_rejoinder(
    invitation: Invitation, *, text: str, author: str, deadline: datetime.datetime, user=None
) -> Component:
    """Publish the rejoinder of those who raised the allegation, and invite the company to
    reply to it: a new round of the same request, with the same link."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status != Status.RESPONDED or invitation.response_component_id is None:
            raise NotAllowed(_("A rejoinder answers a published response; publish the response first."))
        if deadline <= timezone.now():
            raise NotAllowed(_("The deadline must be in the future."))
        component = Component(
            title=_("Rejoinder to the response from %(company)s") % {"company": invitation.company.name},
            type=ComponentType.objects.get(slug="rejoinder"),
            author=author.strip()[:255],
            excerpt=html_from_input(text),
            language=invitation.request.story.language,
        )
        _add_to_story(component, invitation, user)
        invitation.round += 1
        Response.objects.create(invitation=invitation, round=invitation.round, rejoinder=component)
        invitation.status = Status.REQUESTED
        invitation.deadline = deadline
        invitation.invited_at = timezone.now()
        invitation.reminded_at = None
        invitation.save()
        _log(invitation, "responses.rejoinder", user, component=component.pk, round=invitation.round)
        _send(invitation, "invitation")
    return component


def publish_non_response(invitation: Invitation, user=None) -> Component:
    with transaction.atomic():
        invitation = _locked(invitation)
        component = invitation.non_response_component
        if invitation.status != Status.NO_RESPONSE or component is None:
            raise NotAllowed(_("There is no proposed non-response to publish."))
        component.save_revision(user=user).publish(user=user)
        _log(invitation, "responses.publish_non_response", user, component=component.pk)
    return component


# Deadlines --------------------------------------------------------------------------------------


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind every company that has not answered and whose deadline is near. Returns how many."""
    now = now or timezone.now()
    due = Invitation.objects.filter(
        status=Status.REQUESTED,
        reminded_at__isnull=True,
        deadline__gt=now,
        deadline__lte=now + datetime.timedelta(days=settings.RESPONSE_REMINDER_DAYS),
    )
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(pk=pk)
            if invitation.status != Status.REQUESTED or invitation.reminded_at is not None:
                continue  # another worker got there first
            invitation.status = Status.REMINDED
            invitation.reminded_at = now
            invitation.save(update_fields=["status", "reminded_at", "updated_at"])
            _log(invitation, "responses.remind", None)
            _send(invitation, "reminder")
            sent += 1
    return sent


def close_overdue(now: datetime.datetime | None = None) -> int:
    """Record "no response" where the deadline passed unanswered, and propose the
    non-response component to the editors. Returns how many."""
    now = now or timezone.now()
    closed = 0
    for pk in Invitation.objects.filter(status__in=OPEN_STATUSES, deadline__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(pk=pk)
            if invitation.status not in OPEN_STATUSES or invitation.deadline > now:
                continue
            invitation.status = Status.NO_RESPONSE
            invitation.save(update_fields=["status", "updated_at"])
            _propose_non_response(invitation)
            _log(invitation, "responses.deadline_passed", None)
            closed += 1
    return closed


# Helpers ------------------------------------------------------------------------------------------


def _locked(invitation: Invitation) -> Invitation:
    # Lock the invitation only: the optional components are outer joins PostgreSQL cannot lock.
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("company", "request__story", "response_component", "non_response_component")
        .get(pk=invitation.pk)
    )


def _add_to_story(component: Component, invitation: Invitation, user) -> None:
    """Save and publish `component`, tagged with the company and the story's subjects, on the story."""
    story = invitation.request.story
    component.save()
    component.companies.set([invitation.company])
    component.countries.set(story.countries.all())
    component.regions.set(story.regions.all())
    component.issues.set(story.issues.all())
    component.sectors.set(story.sectors.all())
    component.save()
    if component.live:
        component.save_revision(user=user).publish(user=user)
    StoryComponent.objects.create(story=story, component=component)


def _propose_non_response(invitation: Invitation) -> None:
    """A draft "<Company> did not respond to: <allegation>" on the story, for an editor to publish."""
    if invitation.non_response_component_id is not None:
        return
    company, request = invitation.company, invitation.request
    component = Component(
        title=(
            _("%(company)s did not respond to: %(allegation)s")
            % {"company": company.name, "allegation": " ".join(request.allegation.split())}
        )[:500],
        type=ComponentType.objects.get(slug="company-non-response"),
        excerpt=sanitize_html(
            "<p>"
            + _("%(company)s was invited to respond on %(invited)s and had not responded by %(deadline)s.")
            % {
                "company": company.name,
                "invited": date_format(invitation.invited_at, "DATE_FORMAT"),
                "deadline": date_format(invitation.deadline, "DATE_FORMAT"),
            }
            + "</p>"
        ),
        language=request.story.language,
        live=False,
    )
    _add_to_story(component, invitation, None)
    component.save_revision()
    invitation.non_response_component = component
    invitation.save(update_fields=["non_response_component", "updated_at"])


def _withdraw_proposed_non_response(invitation: Invitation) -> None:
    """The company answered after all: drop the proposal unless an editor already published it."""
    component = invitation.non_response_component
    if component is not None and not component.live:
        invitation.non_response_component = None
        invitation.save(update_fields=["non_response_component", "updated_at"])
        component.delete()


def _publish_attachment(response: Response, company: Company) -> str:
    """Copy the private attachment into a public Wagtail document; return its address."""
    Document = get_document_model()
    with response.attachment.open("rb") as source:
        document = Document(title=_("Response from %(company)s") % {"company": company.name})
        document.file.save(
            f"response-{response.invitation_id}-{response.round}.pdf", ContentFile(source.read())
        )
    return settings.SITE_URL + document.url


def _log(invitation: Invitation, action: str, user, **data) -> None:
    log(invitation, action, user=user, data=data, title=str(invitation))


def _send(invitation: Invitation, kind: str) -> None:
    from .tasks import send_email

    pk = invitation.pk
    transaction.on_commit(lambda: send_email.enqueue(pk, kind))
