"""Every transition of an invitation, and the illegal ones, through the services."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone
from wagtail.models import ModelLogEntry

from resourcecentre.companies.models import CompanyContact
from resourcecentre.news.models import Component
from resourcecentre.responses import services
from resourcecentre.responses.models import Invitation, Status
from tests.factories import CompanyFactory


def _reload(invitation: Invitation) -> Invitation:
    return Invitation.objects.get(pk=invitation.pk)


def test_opening_a_request_keeps_contacts_for_next_time(story, kestrel, editor):
    other = CompanyFactory(name="Heron Textiles")
    request = services.open_request(
        story=story,
        allegation="Unpaid overtime.",
        deadline=services.default_deadline(),
        contacts={kestrel: ["Press@Kestrel.example", "legal@kestrel.example"], other: []},
        user=editor,
    )
    statuses = dict(request.invitations.values_list("company__name", "status"))
    assert statuses == {"Kestrel Mining": Status.REQUESTED, "Heron Textiles": Status.CONTACT_NOT_FOUND}
    assert services.contact_emails(kestrel) == ["press@kestrel.example", "legal@kestrel.example"]
    # The next request offers the same addresses.
    assert list(CompanyContact.objects.filter(company=kestrel).values_list("email", flat=True)) == [
        "press@kestrel.example",
        "legal@kestrel.example",
    ]


def test_the_default_deadline_is_configurable(settings):
    settings.RESPONSE_DEADLINE_DAYS = 14
    now = timezone.now()
    assert services.default_deadline(now) - now == datetime.timedelta(days=14)


def test_a_deadline_in_the_past_is_refused(story, kestrel):
    with pytest.raises(services.NotAllowed, match="future"):
        services.open_request(
            story=story,
            allegation="x",
            deadline=timezone.now() - datetime.timedelta(hours=1),
            contacts={kestrel: ["a@b.example"]},
        )


def test_link_opens_its_invitation_only(invitation):
    assert services.invitation_for_token(services.link_token(invitation)) == invitation


def test_a_tampered_link_is_refused(invitation):
    token = services.link_token(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(services.LinkError, match="not valid") as error:
        services.invitation_for_token(tampered)
    assert error.value.status == 404


def test_a_link_forged_for_another_company_is_refused(invitation, story):
    """Changing the invitation number in the payload breaks the signature; a link signed for
    another invitation carries that invitation's own secret, not this one's."""
    other = services.open_request(
        story=story,
        allegation="x",
        deadline=services.default_deadline(),
        contacts={CompanyFactory(name="Heron Textiles"): ["a@heron.example"]},
    ).invitations.get()
    forged = signing.dumps([other.pk, invitation.nonce], salt=services.LINK_SALT[:-1])
    with pytest.raises(services.LinkError):
        services.invitation_for_token(forged)
    mixed = signing.dumps([other.pk, invitation.nonce], salt="wrong")
    with pytest.raises(services.LinkError):
        services.invitation_for_token(mixed)


def test_a_link_expires_after_the_deadline_and_grace(invitation, settings):
    settings.RESPONSE_GRACE_DAYS = 3
    token = services.link_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(deadline=timezone.now() - datetime.timedelta(days=2))
    assert services.invitation_for_token(token)  # within the grace period
    Invitation.objects.filter(pk=invitation.pk).update(deadline=timezone.now() - datetime.timedelta(days=4))
    with pytest.raises(services.LinkError, match="expired") as error:
        services.invitation_for_token(token)
    assert error.value.status == 410


def test_an_old_link_stops_working_after_withdrawal_and_reopening(invitation, editor):
    old = services.link_token(invitation)
    services.withdraw(invitation, editor)
    with pytest.raises(services.LinkError, match="replaced or withdrawn"):
        services.invitation_for_token(old)
    services.reopen(invitation, services.default_deadline(), editor)
    invitation = _reload(invitation)
    assert invitation.status == Status.REQUESTED
    with pytest.raises(services.LinkError):
        services.invitation_for_token(old)
    assert services.invitation_for_token(services.link_token(invitation)) == invitation


def test_draft_then_submit(invitation):
    draft = services.save_draft(invitation, body="First thoughts", version=0)
    assert draft.version == 1 and draft.submitted_at is None
    assert _reload(invitation).status == Status.REQUESTED
    response = services.submit(invitation, body="Our full response.", version=1)
    assert response.submitted_at is not None
    assert _reload(invitation).status == Status.RESPONDED


def test_declining_is_recorded(invitation):
    services.submit(invitation, body="We do not comment on audits.", declines=True, version=0)
    assert _reload(invitation).status == Status.DECLINED


def test_a_second_tab_cannot_submit_again(invitation):
    services.submit(invitation, body="Sent from tab one.", version=0)
    with pytest.raises(services.Overtaken, match="already submitted") as error:
        services.submit(invitation, body="Sent from tab two.", version=0)
    assert error.value.response.body == "Sent from tab one."
    assert services.current_response(invitation).body == "Sent from tab one."


def test_a_stale_draft_does_not_overwrite_a_newer_one(invitation):
    services.save_draft(invitation, body="Saved in tab one", version=0)
    with pytest.raises(services.Overtaken, match="another window"):
        services.save_draft(invitation, body="Saved in tab two", version=0)
    assert services.current_response(invitation).body == "Saved in tab one"


def test_no_answer_after_withdrawal(invitation, editor):
    services.withdraw(invitation, editor)
    with pytest.raises(services.NotAllowed):
        services.submit(_reload(invitation), body="Late", version=0)


def test_publishing_puts_the_response_on_the_story(invitation, editor, story):
    services.submit(
        invitation, body="We pay all overtime.\n\n<script>alert(1)</script>Audits agree.", version=0
    )
    component = services.publish_response(invitation, editor)
    assert component.live and component.type.slug == "company-response"
    assert component.title == "Response from Kestrel Mining"
    assert "<script" not in component.excerpt and "We pay all overtime." in component.excerpt
    assert list(component.companies.all()) == [invitation.company]
    assert story.story_components.filter(component=component).exists()
    with pytest.raises(services.NotAllowed, match="already published"):
        services.publish_response(invitation, editor)


def test_a_declined_answer_cannot_be_published(invitation, editor):
    services.submit(invitation, body="", declines=True, version=0)
    with pytest.raises(services.NotAllowed):
        services.publish_response(invitation, editor)


def test_editor_records_outcomes(invitation, editor):
    services.record_outcome(invitation, services.OFF_RECORD, editor)
    invitation = _reload(invitation)
    assert (invitation.status, invitation.off_record) == (Status.RESPONDED, True)
    services.record_outcome(invitation, "declined", editor)
    assert _reload(invitation).status == Status.DECLINED
    with pytest.raises(services.NotAllowed):
        services.record_outcome(invitation, "withdrawn", editor)


def test_reminders_go_once_when_the_deadline_is_near(invitation, settings):
    settings.RESPONSE_REMINDER_DAYS = 2
    assert services.send_reminders() == 0  # a week away
    soon = invitation.deadline - datetime.timedelta(days=1)
    assert services.send_reminders(soon) == 1
    assert services.send_reminders(soon) == 0
    invitation = _reload(invitation)
    assert invitation.status == Status.REMINDED and invitation.reminded_at == soon


def test_no_reminder_after_an_answer(invitation):
    services.submit(invitation, body="Answer", version=0)
    assert services.send_reminders(invitation.deadline - datetime.timedelta(hours=1)) == 0


def test_a_passed_deadline_proposes_a_non_response(invitation, story, editor):
    assert services.close_overdue(invitation.deadline + datetime.timedelta(minutes=1)) == 1
    invitation = _reload(invitation)
    assert invitation.status == Status.NO_RESPONSE
    proposal = invitation.non_response_component
    assert proposal.title == (
        "Kestrel Mining did not respond to: "
        "Workers at two supplier mines say overtime went unpaid for six months."
    )
    assert not proposal.live and proposal.type.slug == "company-non-response"
    assert story.story_components.filter(component=proposal).exists()
    services.publish_non_response(invitation, editor)
    proposal.refresh_from_db()
    assert proposal.live


def test_a_late_answer_within_grace_replaces_the_proposal(invitation):
    services.close_overdue(invitation.deadline + datetime.timedelta(minutes=1))
    invitation = _reload(invitation)
    proposal_pk = invitation.non_response_component_id
    services.submit(invitation, body="Sorry for the delay.", version=0)
    invitation = _reload(invitation)
    assert invitation.status == Status.RESPONDED and invitation.non_response_component is None
    assert not Component.objects.filter(pk=proposal_pk).exists()


def test_a_rejoinder_opens_a_new_round_with_the_same_link(invitation, editor, story):
    token = services.link_token(invitation)
    services.submit(invitation, body="We deny it.", version=0)
    services.publish_response(invitation, editor)
    rejoinder = services.add_rejoinder(
        invitation,
        text="The union has payslips showing otherwise.",
        author="Miners' Union",
        deadline=services.default_deadline(),
        user=editor,
    )
    assert rejoinder.live and rejoinder.type.slug == "rejoinder"
    assert story.story_components.filter(component=rejoinder).exists()
    invitation = services.invitation_for_token(token)
    assert (invitation.round, invitation.status) == (2, Status.REQUESTED)
    assert services.current_response(invitation).rejoinder == rejoinder
    services.submit(invitation, body="The payslips are forged.", version=0)
    second = services.publish_response(invitation, editor)
    assert second.title == "Response from Kestrel Mining (round 2)"


def test_a_rejoinder_needs_a_published_response(invitation, editor):
    with pytest.raises(services.NotAllowed):
        services.add_rejoinder(
            invitation, text="x", author="y", deadline=services.default_deadline(), user=editor
        )


def test_reopening_an_answered_invitation_starts_a_new_round(invitation, editor):
    with pytest.raises(services.NotAllowed, match="still open"):
        services.reopen(invitation, services.default_deadline(), editor)
    services.submit(invitation, body="Round one", version=0)
    services.reopen(_reload(invitation), services.default_deadline(), editor)
    invitation = _reload(invitation)
    assert invitation.round == 2 and services.current_response(invitation).body == ""
    assert invitation.responses.get(round=1).body == "Round one"  # kept on record


def test_contact_not_found_can_be_completed(story, editor):
    invitation = services.open_request(
        story=story, allegation="x", deadline=services.default_deadline(), contacts={CompanyFactory(): []}
    ).invitations.get()
    with pytest.raises(services.NotAllowed):
        services.add_contacts_and_invite(invitation, [], editor)
    services.add_contacts_and_invite(invitation, ["info@company.example"], editor)
    assert _reload(invitation).status == Status.REQUESTED


def test_every_step_is_audited(invitation, editor):
    services.save_draft(invitation, body="d", version=0)
    services.submit(invitation, body="r", version=1)
    services.publish_response(invitation, editor)
    entries = list(ModelLogEntry.objects.for_instance(invitation).order_by("timestamp", "id"))
    assert [e.action for e in entries] == [
        "responses.invite",
        "responses.draft",
        "responses.submit",
        "responses.publish",
    ]
    assert entries[0].user == editor and entries[2].user is None and entries[3].user == editor
