"""The editors' side in the Wagtail admin, over HTTP."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from resourcecentre.responses import services
from resourcecentre.responses.models import Invitation, ResponseRequest, Status
from tests.factories import CompanyFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _deadline() -> str:
    return (timezone.now() + datetime.timedelta(days=10)).strftime("%Y-%m-%d %H:%M")


def test_an_editor_opens_a_request_for_the_story_companies(client, editor, story, kestrel):
    story.companies.set([kestrel])
    story.save()
    client.force_login(editor)
    page = client.get(f"/admin/responses/new/?story={story.pk}").content.decode()
    assert "Invite Kestrel Mining" in page
    response = client.post(
        f"/admin/responses/new/?story={story.pk}",
        {
            "allegation": "Overtime went unpaid.",
            "deadline": _deadline(),
            f"invite_{kestrel.pk}": "on",
            f"emails_{kestrel.pk}": "press@kestrel.example; legal@kestrel.example",
        },
    )
    request = ResponseRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/responses/{request.pk}/")
    assert request.opened_by == editor
    assert services.contact_emails(kestrel) == ["press@kestrel.example", "legal@kestrel.example"]
    # The next request offers the kept addresses.
    assert (
        "press@kestrel.example, legal@kestrel.example"
        in client.get(f"/admin/responses/new/?story={story.pk}").content.decode()
    )


def test_a_bad_address_is_named_and_nothing_is_sent(client, editor, story, kestrel):
    story.companies.set([kestrel])
    story.save()
    client.force_login(editor)
    response = client.post(
        f"/admin/responses/new/?story={story.pk}",
        {
            "allegation": "x",
            "deadline": _deadline(),
            f"invite_{kestrel.pk}": "on",
            f"emails_{kestrel.pk}": "press@",
        },
    )
    assert response.status_code == 200
    assert "“press@” is not an e-mail address." in response.content.decode()
    assert not ResponseRequest.objects.exists()


def test_the_request_page_shows_the_response_and_publishes_it(client, editor, invitation):
    services.response_submit(
        invitation=invitation,
        body="We pay all overtime.",
        attachment=SimpleUploadedFile("r.pdf", PDF),
        version=0,
    )
    client.force_login(editor)
    page = client.get(f"/admin/responses/{invitation.request_id}/").content.decode()
    assert "We pay all overtime." in page and "Publish the response on the story" in page
    assert "Response submitted by the company" in page  # the audit trail
    response = client.post(f"/admin/responses/invitations/{invitation.pk}/", {"action": "publish"})
    assert response.status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).response_component.live


def test_an_illegal_step_is_explained_not_done(client, editor, invitation):
    client.force_login(editor)
    response = client.post(
        f"/admin/responses/invitations/{invitation.pk}/", {"action": "publish"}, follow=True
    )
    assert "There is no submitted response to publish." in response.content.decode()
    response = client.post(
        f"/admin/responses/invitations/{invitation.pk}/", {"action": "nonsense"}, follow=True
    )
    assert "incomplete" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).status == Status.REQUESTED


def test_editor_withdraws_and_reopens(client, editor, invitation):
    client.force_login(editor)
    client.post(f"/admin/responses/invitations/{invitation.pk}/", {"action": "withdraw"})
    assert Invitation.objects.get(pk=invitation.pk).status == Status.WITHDRAWN
    client.post(
        f"/admin/responses/invitations/{invitation.pk}/",
        {
            "action": "reopen",
            "deadline": (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert Invitation.objects.get(pk=invitation.pk).status == Status.REQUESTED


def test_attachments_are_for_editors_only(client, editor, invitation):
    response = services.response_submit(
        invitation=invitation, body="See PDF", attachment=SimpleUploadedFile("r.pdf", PDF), version=0
    )
    url = f"/admin/responses/attachments/{response.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    reader = get_user_model().objects.create_user("reader", "r@example.org", "pw-reader-1")
    reader.is_staff = False
    reader.save()
    client.force_login(reader)
    assert client.get(url).status_code in (302, 403)
    client.force_login(editor)
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize("path", ["/admin/responses/", "/admin/responses/new/"])
def test_admin_pages_need_the_permission(client, path, db):
    user = get_user_model().objects.create_user("someone", "s@example.org", "pw-someone-1")
    client.force_login(user)
    assert client.get(path).status_code in (302, 403)


def test_the_index_filters_by_status(client, editor, invitation, story):
    other = services.response_request_open(
        story=story,
        allegation="x",
        deadline=services.default_deadline(),
        contacts={CompanyFactory(name="Heron"): []},
    )
    client.force_login(editor)
    page = client.get("/admin/responses/", {"status": "contact-not-found"}).content.decode()
    assert f"/admin/responses/{other.pk}/" in page
    assert f"/admin/responses/{invitation.request_id}/" not in page
