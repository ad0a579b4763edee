"""The company's side over HTTP: its private page, uploads, and the e-mails through real SMTP."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from resourcecentre.responses import links, services
from resourcecentre.responses.models import Invitation, Status

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _url(invitation: Invitation) -> str:
    return f"/en/respond/{links.link_token(invitation)}/"


def _post(client, invitation, action="save", body="Our answer.", version=0, **files):
    return client.post(_url(invitation), {"body": body, "version": version, "action": action, **files})


def _respond_path(language: str = "en") -> str:
    """The response page's path up to its token; its section name is translated per language."""
    with translation.override(language):
        return reverse("responses:respond", kwargs={"token": "TOKEN"}).removesuffix("TOKEN/")


def _link_from(message, language: str = "en") -> str:
    """The e-mail's link to the response page in `language`."""
    match = re.search(rf"http://\S+{re.escape(_respond_path(language))}\S+/", message.get_content())
    assert match, f"no link to the {language} response page in the e-mail"
    return match[0]


def test_the_page_shows_the_allegation_and_the_story_and_is_private(client, invitation, story):
    response = client.get(_url(invitation))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Workers at two supplier mines say overtime went unpaid" in page
    assert story.headline in page
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert 'name="robots" content="noindex' in page


def test_a_draft_is_kept_for_the_next_visit(client, invitation):
    response = _post(client, invitation, body="Draft: we are checking payroll records.")
    assert response.status_code == 302
    page = client.get(_url(invitation)).content.decode()
    assert "Draft: we are checking payroll records." in page
    assert "Your draft is saved" in page
    assert Invitation.objects.get(pk=invitation.pk).status == Status.REQUESTED


def test_submitting_closes_the_form(client, invitation):
    _post(client, invitation, action="submit", body="All overtime was paid.")
    page = client.get(_url(invitation)).content.decode()
    assert "We received your response" in page and "All overtime was paid." in page
    assert 'name="action" value="submit"' not in page


def test_a_flood_of_posts_is_refused_with_retry_after_and_the_draft_kept(client, invitation, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "respond": "3/m"}
    for n in range(3):
        assert _post(client, invitation, body=f"Draft {n}", version=n).status_code == 302
    refused = _post(client, invitation, body="One too many", version=3)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "try again" in refused.content.decode()
    assert client.get(_url(invitation)).status_code == 200  # reading is not limited
    assert "Draft 2" in client.get(_url(invitation)).content.decode()


def test_an_empty_submission_is_refused_with_a_message(client, invitation):
    response = _post(client, invitation, action="submit", body="   ")
    assert response.status_code == 200  # not 400: Django would log the private path
    assert "Write your response before submitting it" in response.content.decode()


def test_a_second_tab_gets_its_text_back(client, invitation):
    _post(client, invitation, action="submit", body="From tab one.")
    response = _post(client, invitation, action="submit", body="From tab two, longer.")
    page = response.content.decode()
    assert response.status_code == 200  # not 400: Django would log the private path
    assert "already submitted" in page
    assert "From tab two, longer." in page  # shown back, to copy: nothing lost
    assert services.current_response(invitation).body == "From tab one."


def test_a_stale_draft_tab_is_told_and_keeps_its_text(client, invitation):
    _post(client, invitation, body="Tab one draft")
    response = _post(client, invitation, body="Tab two draft", version=0)
    page = response.content.decode()
    assert "saved in another window" in page and "Tab two draft" in page
    assert services.current_response(invitation).body == "Tab one draft"
    # Saving again from that window is now a deliberate overwrite.
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    assert _post(client, invitation, body="Tab two draft", version=version).status_code == 302
    assert services.current_response(invitation).body == "Tab two draft"


def test_script_in_a_response_is_shown_as_text_and_published_clean(client, invitation, editor):
    _post(client, invitation, action="submit", body='We reject this.<script>alert("x")</script>')
    page = client.get(_url(invitation)).content.decode()
    assert '<script>alert("x")</script>' not in page
    component = services.response_publish(invitation=invitation, user=editor)
    assert "<script" not in component.excerpt and "We reject this." in component.excerpt


@pytest.mark.parametrize(
    ("token", "status", "message"),
    [
        ("not-a-token", 404, "This link is not valid"),
        ("WzEsImFiYyJd:1vPRjm:forgedsignatureforgedsignatureforgedsig", 404, "This link is not valid"),
    ],
)
def test_broken_links_get_a_clear_page(client, db, token, status, message):
    response = client.get(f"/en/respond/{token}/")
    assert response.status_code == status
    assert message in response.content.decode()


def test_an_expired_link_says_so_and_accepts_nothing(client, invitation, settings):
    url = _url(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        deadline=timezone.now() - datetime.timedelta(days=settings.RESPONSE_GRACE_DAYS + 1)
    )
    response = client.post(url, {"body": "Too late", "version": 0, "action": "submit"})
    assert response.status_code == 410
    assert "This link expired" in response.content.decode()
    assert services.current_response(invitation).body == ""


def test_a_withdrawn_link_says_so(client, invitation, editor):
    url = _url(invitation)
    services.invitation_withdraw(invitation=invitation, user=editor)
    response = client.get(url)
    assert response.status_code == 410
    assert "replaced or withdrawn" in response.content.decode()


def test_the_form_needs_its_csrf_token(invitation):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        _url(invitation), {"body": "x", "version": 0, "action": "save"}
    )
    assert response.status_code == 403


# Uploads ---------------------------------------------------------------------------------------


def test_a_pdf_is_attached_and_kept_private(client, invitation, editor):
    response = _post(client, invitation, action="submit", attachment=SimpleUploadedFile("reply.pdf", PDF))
    assert response.status_code == 302
    stored = services.current_response(invitation)
    assert stored.attachment.read() == PDF
    assert "/media/" not in stored.attachment.path  # not under the public media directory
    component = services.response_publish(invitation=invitation, user=editor)
    assert component.url.endswith(".pdf") and "/documents/" in component.url


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "not a PDF"),
        ("report.pdf", b"MZ\x90\x00 an executable", "not a PDF"),
        ("bomb.pdf", _zip_bomb(), "not a PDF"),
        ("page.html", b"<!DOCTYPE html><html></html>", "not a PDF"),
        ("cut.pdf", b"%PDF-1.7\n1 0 obj <<>> endobj\n", "incomplete or damaged"),
        ("empty.pdf", b"", "The submitted file is empty"),
    ],
)
def test_a_file_that_is_not_a_sound_pdf_is_refused_and_the_text_kept(
    client, invitation, name, content, message
):
    response = _post(
        client,
        invitation,
        action="submit",
        body="Text to keep.",
        attachment=SimpleUploadedFile(name, content),
    )
    page = response.content.decode()
    assert response.status_code == 200  # not 400: Django would log the private path
    assert message in page
    assert "Text to keep." in page
    assert Invitation.objects.get(pk=invitation.pk).status == Status.REQUESTED


def test_a_file_over_the_limit_is_refused_without_losing_the_text(client, invitation, settings):
    settings.RESPONSE_ATTACHMENT_MAX_BYTES = 100_000
    big = PDF[:-6] + b"0" * 300_000 + b"\n%%EOF\n"
    response = _post(
        client,
        invitation,
        action="save",
        body="Please keep me.",
        attachment=SimpleUploadedFile("big.pdf", big),
    )
    page = response.content.decode()
    assert response.status_code == 200  # not 400: Django would log the private path
    assert "larger than" in page and "Please keep me." in page
    assert not services.current_response(invitation).attachment


# E-mails through a real SMTP server --------------------------------------------------------------


def test_invitation_reminder_and_acknowledgement_arrive_with_working_links(
    client, smtp_server, run_tasks, story, kestrel, editor
):
    request = services.response_request_open(
        story=story,
        allegation="Overtime went unpaid.",
        deadline=timezone.now() + datetime.timedelta(days=7),
        contacts={kestrel: ["press@kestrel.example", "legal@kestrel.example"]},
        user=editor,
    )
    run_tasks()
    [invitation_mail] = smtp_server.messages
    assert sorted(invitation_mail["To"].split(", ")) == ["legal@kestrel.example", "press@kestrel.example"]
    assert invitation_mail["Reply-To"] == "editor@newsroom.example"
    assert story.headline in invitation_mail["Subject"]
    body = invitation_mail.get_content()
    assert "Overtime went unpaid." in body and story.get_absolute_url() in body
    link = _link_from(invitation_mail)
    assert client.get(link.removeprefix("http://127.0.0.1:8000")).status_code == 200

    invitation = request.invitations.get()
    services.reminders_send(now=invitation.deadline - datetime.timedelta(days=1))
    run_tasks()
    reminder = smtp_server.messages[1]
    assert reminder["Subject"].startswith("Reminder")
    assert _link_from(reminder) == link

    _post(client, invitation, action="submit", body="Here is our answer.")
    run_tasks()
    acknowledgement = smtp_server.messages[2]
    assert "We received your response" in acknowledgement.get_content().replace("\n", " ")
    assert _link_from(acknowledgement) == link


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("fr", "Invitation à répondre", "Merci de répondre avant le"),
        ("es", "Invitación a responder", "Por favor, responda antes del"),
    ],
)
def test_all_three_e_mails_go_in_the_company_language(
    client, smtp_server, run_tasks, story, kestrel, language, subject, phrase
):
    kestrel.language = language
    kestrel.save()
    request = services.response_request_open(
        story=story,
        allegation="Les heures supplémentaires n'ont pas été payées.",
        deadline=timezone.now() + datetime.timedelta(days=7),
        contacts={kestrel: ["a@kestrel.example"]},
    )
    run_tasks()
    invitation = request.invitations.get()
    services.reminders_send(now=invitation.deadline - datetime.timedelta(days=1))
    run_tasks()
    _post(client, invitation, action="submit", body="Réponse.")
    run_tasks()
    invitation_mail, reminder, receipt = smtp_server.messages
    assert all(m["Content-Language"] == language for m in smtp_server.messages)
    assert str(invitation_mail["Subject"]).strip().startswith(subject)
    assert phrase in invitation_mail.get_content()
    assert "Dear" not in reminder.get_content() and "Dear" not in receipt.get_content()
    # The site's pages are offered in the company's language, so the link opens that page.
    _link_from(invitation_mail, language)


def test_the_link_follows_the_company_language_where_the_site_has_it(
    smtp_server, run_tasks, story, kestrel, settings
):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    kestrel.language = "fr"
    kestrel.save()
    services.response_request_open(
        story=story,
        allegation="x",
        deadline=services.default_deadline(),
        contacts={kestrel: ["a@kestrel.example"]},
    )
    run_tasks()
    [message] = smtp_server.messages
    _link_from(message, "fr")


def test_a_language_without_translated_e_mails_falls_back_to_english(smtp_server, run_tasks, story, kestrel):
    # Italian is a content language with neither e-mail nor interface translations.
    kestrel.language = "it"
    kestrel.save()
    services.response_request_open(
        story=story,
        allegation="x",
        deadline=services.default_deadline(),
        contacts={kestrel: ["a@kestrel.example"]},
    )
    run_tasks()
    [message] = smtp_server.messages
    assert message["Content-Language"] == "en" and message.get_content().startswith("Dear Kestrel Mining,")
    _link_from(message, "en")


def test_an_invitation_withdrawn_before_its_e_mail_went_is_not_sent(
    smtp_server, run_tasks, story, kestrel, editor
):
    request = services.response_request_open(
        story=story,
        allegation="x",
        deadline=services.default_deadline(),
        contacts={kestrel: ["a@kestrel.example"]},
    )
    services.invitation_withdraw(invitation=request.invitations.get(), user=editor)
    run_tasks()
    assert smtp_server.messages == []


def test_each_e_mail_sent_is_in_the_audit_log(smtp_server, run_tasks, invitation):
    from wagtail.models import ModelLogEntry

    run_tasks()
    entry = ModelLogEntry.objects.for_instance(invitation).get(action="responses.email_sent")
    assert entry.data == {"kind": "invitation", "to": ["press@kestrel.example"]}
