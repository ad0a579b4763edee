"""Every transition of an invitation, and the illegal ones, through the services."""

import datetime

import lxml.html
import pytest
from django.core import signing
from django.utils import timezone
from django.utils.translation import override
from wagtail.models import ModelLogEntry

from resourcecentre.companies.models import CompanyContact
from resourcecentre.lib.languages import format_local_date
from resourcecentre.news.models import Component
from resourcecentre.responses import links, services
from resourcecentre.responses.models import Invitation, Status
from tests.factories import CompanyFactory
from tests.languages import page, said


def _reload(invitation: Invitation) -> Invitation:
    return Invitation.objects.get(pk=invitation.pk)


def test_opening_a_request_keeps_contacts_for_next_time(story, kestrel, editor):
    other = CompanyFactory(name="Heron Textiles")
    request = services.response_request_open(
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
        services.response_request_open(
            story=story,
            allegation="x",
            deadline=timezone.now() - datetime.timedelta(hours=1),
            contacts={kestrel: ["a@b.example"]},
        )


def test_link_opens_its_invitation_only(invitation):
    assert links.invitation_for_token(links.link_token(invitation)) == invitation


def test_a_tampered_link_is_refused(invitation):
    token = links.link_token(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(links.LinkError, match="not valid") as error:
        links.invitation_for_token(tampered)
    assert error.value.status == 404


def test_a_link_forged_for_another_company_is_refused(invitation, story):
    """Changing the invitation number in the payload breaks the signature; a link signed for
    another invitation carries that invitation's own secret, not this one's."""
    other = services.response_request_open(
        story=story,
        allegation="x",
        deadline=services.default_deadline(),
        contacts={CompanyFactory(name="Heron Textiles"): ["a@heron.example"]},
    ).invitations.get()
    # This company's link with the other invitation's number put in: the signature breaks.
    value, signature = links.link_token(invitation).rsplit(":", 1)
    other_value = links.link_token(other).rsplit(":", 1)[0]
    with pytest.raises(links.LinkError, match="not valid"):
        links.invitation_for_token(f"{other_value}:{signature}")
    # Even validly signed, this company's secret does not open the other invitation.
    signed = signing.Signer(salt=links.LINK_SALT).sign_object([other.pk, invitation.nonce])
    with pytest.raises(links.LinkError, match="replaced or withdrawn"):
        links.invitation_for_token(signed)
    wrong_salt = signing.Signer(salt="another purpose").sign_object([other.pk, other.nonce])
    with pytest.raises(links.LinkError, match="not valid"):
        links.invitation_for_token(wrong_salt)


def test_a_link_expires_after_the_deadline_and_grace(invitation, settings):
    settings.RESPONSE_GRACE_DAYS = 3
    token = links.link_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(deadline=timezone.now() - datetime.timedelta(days=2))
    assert links.invitation_for_token(token)  # within the grace period
    Invitation.objects.filter(pk=invitation.pk).update(deadline=timezone.now() - datetime.timedelta(days=4))
    with pytest.raises(links.LinkError, match="expired") as error:
        links.invitation_for_token(token)
    assert error.value.status == 410


def test_an_old_link_stops_working_after_withdrawal_and_reopening(invitation, editor):
    old = links.link_token(invitation)
    services.invitation_withdraw(invitation=invitation, user=editor)
    with pytest.raises(links.LinkError, match="replaced or withdrawn"):
        links.invitation_for_token(old)
    services.invitation_reopen(invitation=invitation, deadline=services.default_deadline(), user=editor)
    invitation = _reload(invitation)
    assert invitation.status == Status.REQUESTED
    with pytest.raises(links.LinkError):
        links.invitation_for_token(old)
    assert links.invitation_for_token(links.link_token(invitation)) == invitation


def test_draft_then_submit(invitation):
    draft = services.response_draft_save(invitation=invitation, body="First thoughts", version=0)
    assert draft.version == 1 and draft.submitted_at is None
    assert _reload(invitation).status == Status.REQUESTED
    response = services.response_submit(invitation=invitation, body="Our full response.", version=1)
    assert response.submitted_at is not None
    assert _reload(invitation).status == Status.RESPONDED


def test_declining_is_recorded(invitation):
    services.response_submit(
        invitation=invitation, body="We do not comment on audits.", declines=True, version=0
    )
    assert _reload(invitation).status == Status.DECLINED


def test_a_second_tab_cannot_submit_again(invitation):
    services.response_submit(invitation=invitation, body="Sent from tab one.", version=0)
    with pytest.raises(services.Overtaken, match="already submitted") as error:
        services.response_submit(invitation=invitation, body="Sent from tab two.", version=0)
    assert error.value.response.body == "Sent from tab one."
    assert services.current_response(invitation).body == "Sent from tab one."


def test_a_stale_draft_does_not_overwrite_a_newer_one(invitation):
    services.response_draft_save(invitation=invitation, body="Saved in tab one", version=0)
    with pytest.raises(services.Overtaken, match="another window"):
        services.response_draft_save(invitation=invitation, body="Saved in tab two", version=0)
    assert services.current_response(invitation).body == "Saved in tab one"


def test_no_answer_after_withdrawal(invitation, editor):
    services.invitation_withdraw(invitation=invitation, user=editor)
    with pytest.raises(services.NotAllowed):
        services.response_submit(invitation=_reload(invitation), body="Late", version=0)


def test_publishing_puts_the_response_on_the_story(invitation, editor, story):
    services.response_submit(
        invitation=invitation,
        body="We pay all overtime.\n\n<script>alert(1)</script>Audits agree.",
        version=0,
    )
    component = services.response_publish(invitation=invitation, user=editor)
    assert component.live and component.type.slug == "company-response"
    assert component.title == "Response from Kestrel Mining"
    assert "<script" not in component.excerpt and "We pay all overtime." in component.excerpt
    assert list(component.companies.all()) == [invitation.company]
    assert story.story_components.filter(component=component).exists()
    with pytest.raises(services.NotAllowed, match="already published"):
        services.response_publish(invitation=invitation, user=editor)


def test_a_declined_answer_cannot_be_published(invitation, editor):
    services.response_submit(invitation=invitation, body="", declines=True, version=0)
    with pytest.raises(services.NotAllowed):
        services.response_publish(invitation=invitation, user=editor)


def test_editor_records_outcomes(invitation, editor):
    services.invitation_outcome_record(invitation=invitation, outcome=services.OFF_RECORD, user=editor)
    invitation = _reload(invitation)
    assert (invitation.status, invitation.off_record) == (Status.RESPONDED, True)
    services.invitation_outcome_record(invitation=invitation, outcome="declined", user=editor)
    assert _reload(invitation).status == Status.DECLINED
    with pytest.raises(services.NotAllowed):
        services.invitation_outcome_record(invitation=invitation, outcome="withdrawn", user=editor)


def test_reminders_go_once_when_the_deadline_is_near(invitation, settings):
    settings.RESPONSE_REMINDER_DAYS = 2
    assert services.reminders_send() == 0  # a week away
    soon = invitation.deadline - datetime.timedelta(days=1)
    assert services.reminders_send(now=soon) == 1
    assert services.reminders_send(now=soon) == 0
    invitation = _reload(invitation)
    assert invitation.status == Status.REMINDED and invitation.reminded_at == soon


def test_no_reminder_after_an_answer(invitation):
    services.response_submit(invitation=invitation, body="Answer", version=0)
    assert services.reminders_send(now=invitation.deadline - datetime.timedelta(hours=1)) == 0


def test_a_passed_deadline_proposes_a_non_response(invitation, story, editor):
    assert services.deadlines_close(now=invitation.deadline + datetime.timedelta(minutes=1)) == 1
    invitation = _reload(invitation)
    assert invitation.status == Status.NO_RESPONSE
    proposal = invitation.non_response_component
    assert proposal.title == (
        "Kestrel Mining did not respond to: "
        "Workers at two supplier mines say overtime went unpaid for six months."
    )
    assert not proposal.live and proposal.type.slug == "company-non-response"
    assert story.story_components.filter(component=proposal).exists()
    services.non_response_publish(invitation=invitation, user=editor)
    proposal.refresh_from_db()
    assert proposal.live


def test_a_late_answer_within_grace_replaces_the_proposal(invitation):
    services.deadlines_close(now=invitation.deadline + datetime.timedelta(minutes=1))
    invitation = _reload(invitation)
    proposal_pk = invitation.non_response_component_id
    services.response_submit(invitation=invitation, body="Sorry for the delay.", version=0)
    invitation = _reload(invitation)
    assert invitation.status == Status.RESPONDED and invitation.non_response_component is None
    assert not Component.objects.filter(pk=proposal_pk).exists()


def test_a_rejoinder_opens_a_new_round_with_the_same_link(invitation, editor, story):
    token = links.link_token(invitation)
    services.response_submit(invitation=invitation, body="We deny it.", version=0)
    services.response_publish(invitation=invitation, user=editor)
    rejoinder = services.rejoinder_add(
        invitation=invitation,
        text="The union has payslips showing otherwise.",
        author="Miners' Union",
        deadline=services.default_deadline(),
        user=editor,
    )
    assert rejoinder.live and rejoinder.type.slug == "rejoinder"
    assert story.story_components.filter(component=rejoinder).exists()
    invitation = links.invitation_for_token(token)
    # The company has responded to the allegation; the rejoinder round does not change that.
    assert (invitation.round, invitation.status) == (2, Status.RESPONDED)
    assert services.current_response(invitation).rejoinder == rejoinder
    services.response_submit(invitation=invitation, body="The payslips are forged.", version=0)
    second = services.response_publish(invitation=invitation, user=editor)
    assert second.title == "Response from Kestrel Mining (round 2)"


def test_a_rejoinder_needs_a_published_response(invitation, editor):
    with pytest.raises(services.NotAllowed):
        services.rejoinder_add(
            invitation=invitation, text="x", author="y", deadline=services.default_deadline(), user=editor
        )


def test_reopening_a_declined_invitation_starts_a_new_round(invitation, editor):
    with pytest.raises(services.NotAllowed, match="still open"):
        services.invitation_reopen(invitation=invitation, deadline=services.default_deadline(), user=editor)
    services.response_submit(invitation=invitation, body="We decline for now.", declines=True, version=0)
    services.invitation_reopen(
        invitation=_reload(invitation), deadline=services.default_deadline(), user=editor
    )
    invitation = _reload(invitation)
    assert invitation.round == 2 and invitation.status == Status.REQUESTED
    assert services.current_response(invitation).body == ""
    assert invitation.responses.get(round=1).body == "We decline for now."  # kept on record


def test_a_responded_invitation_is_asked_again_through_a_rejoinder_not_reopened(invitation, editor):
    services.response_submit(invitation=invitation, body="Our answer.", version=0)
    with pytest.raises(services.NotAllowed, match="rejoinder"):
        services.invitation_reopen(invitation=invitation, deadline=services.default_deadline(), user=editor)


def test_silence_on_a_rejoinder_is_not_a_non_response(invitation, editor):
    services.response_submit(invitation=invitation, body="We deny it.", version=0)
    services.response_publish(invitation=invitation, user=editor)
    services.rejoinder_add(
        invitation=invitation,
        text="Payslips say otherwise.",
        author="Union",
        deadline=services.default_deadline(),
    )
    invitation = _reload(invitation)
    assert services.deadlines_close(now=invitation.deadline + datetime.timedelta(minutes=1)) == 0
    invitation = _reload(invitation)
    assert invitation.status == Status.RESPONDED and invitation.non_response_component is None


def test_a_rejoinder_round_is_reminded_too(invitation, editor, settings):
    settings.RESPONSE_REMINDER_DAYS = 2
    services.response_submit(invitation=invitation, body="We deny it.", version=0)
    services.response_publish(invitation=invitation, user=editor)
    services.rejoinder_add(
        invitation=invitation,
        text="Payslips.",
        author="Union",
        deadline=timezone.now() + datetime.timedelta(days=7),
    )
    invitation = _reload(invitation)
    assert services.reminders_send(now=invitation.deadline - datetime.timedelta(days=1)) == 1
    assert _reload(invitation).status == Status.RESPONDED


def test_no_reminder_for_a_request_made_inside_the_reminder_window(story, kestrel, settings):
    settings.RESPONSE_REMINDER_DAYS = 2
    request = services.response_request_open(
        story=story,
        allegation="x",
        deadline=timezone.now() + datetime.timedelta(days=1),
        contacts={kestrel: ["a@k.example"]},
    )
    assert services.reminders_send(now=request.invitations.get().deadline - datetime.timedelta(hours=12)) == 0


def test_a_second_request_to_a_company_still_asked_is_refused(invitation, story, kestrel):
    with pytest.raises(
        services.NotAllowed, match="Already waiting for an answer about this story: Kestrel Mining"
    ):
        services.response_request_open(
            story=story,
            allegation="again",
            deadline=services.default_deadline(),
            contacts={kestrel: ["a@k.example"]},
        )


def test_no_outcome_or_withdrawal_over_a_published_response(invitation, editor):
    services.response_submit(invitation=invitation, body="Our answer.", version=0)
    services.response_publish(invitation=invitation, user=editor)
    with pytest.raises(services.NotAllowed, match="published"):
        services.invitation_outcome_record(invitation=invitation, outcome="no-response", user=editor)
    with pytest.raises(services.NotAllowed, match="published"):
        services.invitation_withdraw(invitation=invitation, user=editor)
    assert _reload(invitation).non_response_component is None


def test_an_answer_after_a_published_non_response_takes_the_notice_off_the_site(invitation, editor):
    services.deadlines_close(now=invitation.deadline + datetime.timedelta(minutes=1))
    notice = services.non_response_publish(invitation=_reload(invitation), user=editor)
    services.response_submit(invitation=_reload(invitation), body="Sorry, late.", version=0)
    notice.refresh_from_db()
    assert not notice.live and _reload(invitation).status == Status.RESPONDED


def test_reopening_after_off_the_record_lets_a_new_answer_be_published(invitation, editor):
    services.invitation_outcome_record(invitation=invitation, outcome="declined", user=editor)
    services.invitation_outcome_record(invitation=invitation, outcome=services.OFF_RECORD, user=editor)
    services.invitation_outcome_record(invitation=invitation, outcome="no-response", user=editor)
    services.invitation_reopen(
        invitation=_reload(invitation), deadline=services.default_deadline(), user=editor
    )
    services.response_submit(invitation=_reload(invitation), body="On the record now.", version=0)
    assert _reload(invitation).off_record is False
    assert services.response_publish(invitation=_reload(invitation), user=editor).live


def test_contact_not_found_can_be_completed(story, editor):
    invitation = services.response_request_open(
        story=story, allegation="x", deadline=services.default_deadline(), contacts={CompanyFactory(): []}
    ).invitations.get()
    with pytest.raises(services.NotAllowed):
        services.invitation_contacts_add(invitation=invitation, emails=[], user=editor)
    services.invitation_contacts_add(invitation=invitation, emails=["info@company.example"], user=editor)
    assert _reload(invitation).status == Status.REQUESTED


def test_every_step_is_audited(invitation, editor):
    services.response_draft_save(invitation=invitation, body="d", version=0)
    services.response_submit(invitation=invitation, body="r", version=1)
    services.response_publish(invitation=invitation, user=editor)
    entries = list(ModelLogEntry.objects.for_instance(invitation).order_by("timestamp", "id"))
    assert [e.action for e in entries] == [
        "responses.invite",
        "responses.draft",
        "responses.submit",
        "responses.publish",
    ]
    assert entries[0].user == editor and entries[2].user is None and entries[3].user == editor


@pytest.mark.parametrize("language", ["en", "es", "ja", "ar"])
def test_a_published_response_is_listed_in_one_sentence_of_the_readers_language(
    invitation, editor, story, kestrel, client, language
):
    """The translator orders the response, its date and the story it answers (Japanese puts the
    date in brackets, Arabic its own comma); the invitation date reads the same way."""
    services.response_submit(invitation=invitation, body="We deny it.", version=0)
    response = services.response_publish(invitation=invitation, user=editor)
    with override(language):
        company_page = lxml.html.fromstring(page(client, kestrel.get_absolute_url()))
        story_page = lxml.html.fromstring(page(client, story.get_absolute_url()))
        response_url, story_url = response.get_absolute_url(), story.get_absolute_url()
    [listed] = company_page.xpath("//li[a[@href=$url]]", url=response_url)
    assert listed.text_content() == said(
        language,
        "%(response)s, %(date)s – on %(story)s",
        response=response.title,
        date=format_local_date(response.date, language),
        story=story.headline,
    )
    [story_link] = listed.xpath("a[@href=$url]", url=story_url)
    assert (story_link.get("lang"), story_link.get("dir")) == ("en", "ltr")
    [invited] = story_page.xpath("//*[@class='story-responses__date']")
    opened = invitation.request.opened_at
    assert invited.text_content() == said(
        language, "Invited %(date)s", date=format_local_date(opened, language)
    )
    assert invited.xpath("time/@datetime") == [opened.strftime("%Y-%m-%d")]
