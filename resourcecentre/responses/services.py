"""Every step of the company response mechanism.

The admin views, the company's page, the e-mail task and the deadline command call these
functions. Each step locks the invitation, checks that the step is allowed (`NotAllowed` says
why not), changes the status, writes Wagtail's audit log and queues the e-mails it implies.

`Invitation.status` is the outcome of the request, what the response rate counts. Rounds after
a rejoinder do not change it: a company that answered the allegation has responded, whether or
not it replies to the rejoinder.

    requested/reminded ── company answers ──▶ responded ── rejoinder ──▶ (new round, still responded)
                       ── company declines ─▶ declined
                       ── deadline passes ──▶ no response (+ a proposed non-response notice)
    no address ─▶ contact not found;  editor ─▶ withdrawn (the link dies)
    declined / no response / contact not found / withdrawn ── re-open ──▶ requested (new link)
"""

import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.log_actions import log

from resourcecentre.companies.models import Company, CompanyContact
from resourcecentre.lib.html import html_from_input
from resourcecentre.lib.tokens import new_nonce
from resourcecentre.news.models import Component, ComponentType, Source, Story, StoryComponent

from .models import OPEN_STATUSES, Invitation, Response, ResponseRequest, Status

User = AbstractBaseUser | None

OFF_RECORD = "off-record"
# What an editor may record by hand: the outcome, and the status it gives.
RECORDABLE = {
    Status.DECLINED.value: Status.DECLINED,
    Status.NO_RESPONSE.value: Status.NO_RESPONSE,
    Status.CONTACT_NOT_FOUND.value: Status.CONTACT_NOT_FOUND,
    OFF_RECORD: Status.RESPONDED,
}
REOPENABLE = (Status.DECLINED, Status.NO_RESPONSE, Status.CONTACT_NOT_FOUND, Status.WITHDRAWN)


class NotAllowed(Exception):
    """A step that the invitation's state does not allow; the message says why."""


class Overtaken(Exception):
    """The company's form was overtaken by a save or a submission from another tab."""

    def __init__(self, message: str, response: Response) -> None:
        super().__init__(message)
        self.response = response


def default_deadline(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=settings.RESPONSE_DEADLINE_DAYS)


def contact_emails(company: Company) -> list[str]:
    return list(company.contacts.order_by("sort_order").values_list("email", flat=True))


def current_response(invitation: Invitation) -> Response:
    return invitation.responses.get(round=invitation.round)


def can_answer(invitation: Invitation, response: Response) -> bool:
    """Whether the company may still write in this round (the link itself checks the dates).

    A late answer (after the deadline, within the grace period) is accepted and replaces the
    recorded non-response; a rejoinder round is answerable while the company has responded.
    """
    if response.submitted_at is not None:
        return False
    if response.rejoinder_id is not None:
        return invitation.status == Status.RESPONDED
    return invitation.status in (*OPEN_STATUSES, Status.NO_RESPONSE)


# Opening a request -------------------------------------------------------------------------


def company_contacts_set(*, company: Company, emails: list[str], user: User = None) -> None:
    """Keep `emails` as the company's contacts, in order, for this and later requests."""
    emails = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    if emails == contact_emails(company):
        return
    CompanyContact.objects.filter(company=company).exclude(email__in=emails).delete()
    for order, email in enumerate(emails):
        CompanyContact.objects.update_or_create(company=company, email=email, defaults={"sort_order": order})
    log(company, "responses.contacts", user=user, data={"emails": emails}, title=company.name)


@transaction.atomic
def response_request_open(
    *,
    story: Story,
    allegation: str,
    deadline: datetime.datetime,
    contacts: dict[Company, list[str]],
    user: User = None,
) -> ResponseRequest:
    """Put `allegation` to each company of `contacts` and e-mail each an invitation.

    The addresses are kept on the company for the next request. A company without any address
    is recorded as "contact not found", for the editor to complete later. A company already
    asked about this story and not yet answered is refused, so a double click sends nothing twice.
    """
    if deadline <= timezone.now():
        raise NotAllowed(_("The deadline must be in the future."))
    pending = Invitation.objects.filter(request__story=story, company__in=contacts, status__in=OPEN_STATUSES)
    if pending.exists():
        names = ", ".join(sorted(pending.values_list("company__name", flat=True)))
        raise NotAllowed(_("Already waiting for an answer about this story: %(names)s.") % {"names": names})
    request = ResponseRequest.objects.create(story=story, allegation=allegation.strip(), opened_by=user)
    for company, emails in contacts.items():
        company_contacts_set(company=company, emails=emails, user=user)
        has_contact = company.contacts.exists()
        invitation = Invitation.objects.create(
            request=request,
            company=company,
            deadline=deadline,
            nonce=new_nonce(),
            status=Status.REQUESTED if has_contact else Status.CONTACT_NOT_FOUND,
        )
        Response.objects.create(invitation=invitation, round=1)
        if has_contact:
            _log(invitation, "responses.invite", user, deadline=deadline.isoformat())
            _send(invitation, "invitation")
        else:
            _log(invitation, "responses.contact_not_found", user)
    return request


def invitation_contacts_add(*, invitation: Invitation, emails: list[str], user: User = None) -> None:
    """Complete a "contact not found" invitation with addresses and send it."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status != Status.CONTACT_NOT_FOUND:
            raise NotAllowed(_("Only an invitation without a contact can be sent this way."))
        company_contacts_set(company=invitation.company, emails=emails, user=user)
        if not invitation.company.contacts.exists():
            raise NotAllowed(_("Give at least one e-mail address."))
        _reopen(invitation, max(invitation.deadline, default_deadline()), user)


# The company's side ----------------------------------------------------------------------------


def response_draft_save(
    *, invitation: Invitation, body: str, attachment: UploadedFile | None = None, version: int
) -> Response:
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


def response_submit(
    *,
    invitation: Invitation,
    body: str,
    attachment: UploadedFile | None = None,
    declines: bool = False,
    version: int,
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
        if response.rejoinder_id is None:
            invitation.status = Status.DECLINED if declines else Status.RESPONDED
            invitation.off_record = False
            invitation.save(update_fields=["status", "off_record", "updated_at"])
            _withdraw_non_response(invitation)
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


def response_publish(*, invitation: Invitation, user: User = None) -> Component:
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
        if response.round > 1:
            title = _("Response from %(company)s (round %(round)s)") % {
                "company": company.name,
                "round": response.round,
            }
        else:
            title = _("Response from %(company)s") % {"company": company.name}
        component = Component(
            title=title,
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


def invitation_outcome_record(*, invitation: Invitation, outcome: str, user: User = None) -> None:
    """Record by hand what the company did: declined, no response, responded off the record
    (answered, but not for publication), or that no contact could be found."""
    if outcome not in RECORDABLE:
        raise NotAllowed(_("That outcome cannot be recorded by hand."))
    status = RECORDABLE[outcome]
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status == Status.WITHDRAWN:
            raise NotAllowed(_("Re-open the withdrawn request first."))
        _refuse_over_a_published_response(invitation)
        invitation.status = status
        invitation.off_record = outcome == OFF_RECORD
        invitation.save(update_fields=["status", "off_record", "updated_at"])
        if status == Status.NO_RESPONSE:
            _propose_non_response(invitation)
        elif status != Status.CONTACT_NOT_FOUND:
            _withdraw_non_response(invitation)
        _log(invitation, "responses.record", user, outcome=outcome)


def invitation_withdraw(*, invitation: Invitation, user: User = None) -> None:
    """Stop asking: the company's link stops working at once."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status == Status.WITHDRAWN:
            raise NotAllowed(_("This invitation is already withdrawn."))
        _refuse_over_a_published_response(invitation)
        invitation.status = Status.WITHDRAWN
        invitation.nonce = new_nonce()
        invitation.save(update_fields=["status", "nonce", "updated_at"])
        _withdraw_non_response(invitation)
        _log(invitation, "responses.withdraw", user)


def invitation_reopen(*, invitation: Invitation, deadline: datetime.datetime, user: User = None) -> None:
    """Ask again with a new deadline and a new link; links sent before stop working."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.is_open:
            raise NotAllowed(_("This invitation is still open."))
        if invitation.status not in REOPENABLE:
            raise NotAllowed(_("The company has responded; add a rejoinder to ask it again."))
        if deadline <= timezone.now():
            raise NotAllowed(_("The deadline must be in the future."))
        if not invitation.company.contacts.exists():
            raise NotAllowed(_("Add a contact address for the company first."))
        _reopen(invitation, deadline, user)


def _reopen(invitation: Invitation, deadline: datetime.datetime, user: User) -> None:
    response = current_response(invitation)
    if response.submitted_at is not None:
        # The answer stays on record; the company writes a new one in a new round.
        invitation.round += 1
        Response.objects.create(invitation=invitation, round=invitation.round)
    invitation.status = Status.REQUESTED
    invitation.off_record = False
    invitation.deadline = deadline
    invitation.nonce = new_nonce()
    invitation.invited_at = timezone.now()
    invitation.reminded_at = None
    invitation.save()
    _withdraw_non_response(invitation)
    _log(invitation, "responses.reopen", user, deadline=deadline.isoformat())
    _send(invitation, "invitation")


def rejoinder_add(
    *, invitation: Invitation, text: str, author: str, deadline: datetime.datetime, user: User = None
) -> Component:
    """Publish the rejoinder of those who raised the allegation, and invite the company to
    reply to it: a new round of the same request, with the same link."""
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status != Status.RESPONDED or invitation.response_component_id is None:
            raise NotAllowed(_("A rejoinder answers a published response; publish the response first."))
        if current_response(invitation).submitted_at is None:
            raise NotAllowed(_("The company has not yet replied to the last rejoinder."))
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
        invitation.deadline = deadline
        invitation.invited_at = timezone.now()
        invitation.reminded_at = None
        invitation.save()
        _log(invitation, "responses.rejoinder", user, component=component.pk, round=invitation.round)
        _send(invitation, "invitation")
    return component


def non_response_publish(*, invitation: Invitation, user: User = None) -> Component:
    """Publish the proposed "<Company> did not respond to: …" notice on the story."""
    with transaction.atomic():
        invitation = _locked(invitation)
        component = invitation.non_response_component
        if invitation.status != Status.NO_RESPONSE or component is None:
            raise NotAllowed(_("There is no proposed non-response to publish."))
        component.save_revision(user=user).publish(user=user)
        _log(invitation, "responses.publish_non_response", user, component=component.pk)
    return component


# Deadlines --------------------------------------------------------------------------------------


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind every company whose round is unanswered and whose deadline is near. Returns how
    many. A request made inside the reminder window (a short deadline) gets no reminder."""
    now = now or timezone.now()
    window = datetime.timedelta(days=settings.RESPONSE_REMINDER_DAYS)
    due = Invitation.objects.filter(
        status__in=(Status.REQUESTED, Status.RESPONDED),
        reminded_at__isnull=True,
        deadline__gt=now,
        deadline__lte=now + window,
        invited_at__lt=F("deadline") - window,
    )
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().get(pk=pk)
            if invitation.reminded_at is not None or not can_answer(invitation, current_response(invitation)):
                continue  # answered meanwhile, or another worker got there first
            if invitation.status == Status.REQUESTED:
                invitation.status = Status.REMINDED
            invitation.reminded_at = now
            invitation.save(update_fields=["status", "reminded_at", "updated_at"])
            _log(invitation, "responses.remind", None, round=invitation.round)
            _send(invitation, "reminder")
            sent += 1
    return sent


def deadlines_close(*, now: datetime.datetime | None = None) -> int:
    """Record "no response" where the deadline passed unanswered, and propose the
    non-response notice to the editors. Returns how many."""
    now = now or timezone.now()
    closed = 0
    overdue = Invitation.objects.filter(status__in=OPEN_STATUSES, deadline__lte=now)
    for pk in overdue.values_list("pk", flat=True):
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


def email_sent_log(*, invitation: Invitation, kind: str, recipients: list[str]) -> None:
    """Record in the audit log which e-mail went to whom."""
    _log(invitation, "responses.email_sent", None, kind=kind, to=recipients)


# Helpers ------------------------------------------------------------------------------------------


def _locked(invitation: Invitation) -> Invitation:
    # Lock the invitation only: the optional components are outer joins PostgreSQL cannot lock.
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("company", "request__story", "response_component", "non_response_component")
        .get(pk=invitation.pk)
    )


def _refuse_over_a_published_response(invitation: Invitation) -> None:
    component = invitation.response_component
    if component is not None and component.live:
        raise NotAllowed(
            _("A response from the company is published; unpublish it first if it must not count.")
        )


def _add_to_story(component: Component, invitation: Invitation, user: User) -> None:
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
    notice = _("%(company)s was invited to respond on %(invited)s and had not responded by %(deadline)s.") % {
        "company": company.name,
        "invited": date_format(invitation.invited_at, "DATE_FORMAT"),
        "deadline": date_format(invitation.deadline, "DATE_FORMAT"),
    }
    component = Component(
        title=(
            _("%(company)s did not respond to: %(allegation)s")
            % {"company": company.name, "allegation": " ".join(request.allegation.split())}
        )[:500],
        type=ComponentType.objects.get(slug="company-non-response"),
        excerpt=html_from_input(notice),
        language=request.story.language,
        live=False,
    )
    _add_to_story(component, invitation, None)
    component.save_revision()
    invitation.non_response_component = component
    invitation.save(update_fields=["non_response_component", "updated_at"])


def _withdraw_non_response(invitation: Invitation) -> None:
    """The company answered after all (or the request was withdrawn): drop the proposed
    notice, and take a published one off the site, so "did not respond" never stands beside
    a response."""
    component = invitation.non_response_component
    if component is None:
        return
    invitation.non_response_component = None
    invitation.save(update_fields=["non_response_component", "updated_at"])
    if component.live:
        component.unpublish()
        _log(invitation, "responses.unpublish_non_response", None, component=component.pk)
    else:
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


def _log(invitation: Invitation, action: str, user: User, **data) -> None:
    log(invitation, action, user=user, data=data, title=str(invitation))


def _send(invitation: Invitation, kind: str) -> None:
    from .tasks import send_email

    pk = invitation.pk
    transaction.on_commit(lambda: send_email.enqueue(pk, kind))
