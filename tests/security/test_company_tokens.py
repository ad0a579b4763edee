"""A company's private link opens its own invitation and nothing else."""

import json
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from resourcecentre.responses import services
from resourcecentre.responses.links import link_token
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def rival(story, editor):
    import datetime

    from django.utils import timezone

    other = CompanyFactory(name="Osprey Metals")
    request = services.response_request_open(
        story=story,
        allegation="A secret allegation meant only for Osprey Metals.",
        deadline=timezone.now() + datetime.timedelta(days=7),
        contacts={other: ["press@osprey.example"]},
        user=editor,
    )
    return request.invitations.get()


def test_one_companys_link_never_shows_another_companys_request(client, invitation, rival):
    page = client.get(f"/en/respond/{link_token(invitation)}/").content.decode()
    assert "Kestrel Mining" in page
    assert "Osprey" not in page and "meant only for Osprey" not in page


def test_a_token_edited_to_name_another_invitation_is_refused(client, invitation, rival):
    payload, signature = link_token(invitation).rsplit(":", 1)
    # The payload is readable (signed, not encrypted): name the rival's invitation, keep the
    # signature, and try the rival's nonce as well as our own.
    forged_payloads = [
        signing.b64_encode(json.dumps([rival.pk, nonce], separators=(",", ":")).encode()).decode()
        for nonce in (invitation.nonce, rival.nonce)
    ]
    assert json.loads(signing.b64_decode(payload.encode()))[0] == invitation.pk
    for forged_payload in forged_payloads:
        forged = f"{forged_payload}:{signature}"
        response = client.get(f"/en/respond/{forged}/")
        assert "meant only for Osprey" not in response.content.decode()
        assert response.status_code in (400, 403, 404, 410)
    response = client.get(f"/en/respond/{forged}/")
    assert "meant only for Osprey" not in response.content.decode()
    assert response.status_code in (400, 403, 404, 410)


@pytest.mark.parametrize("token", ["", "x" * 5000, "../../admin/", "%00", "1:abc:def"])
def test_broken_tokens_get_no_request_at_all(client, rival, token):
    response = client.get(f"/en/respond/{token}/")
    assert "meant only for Osprey" not in response.content.decode()


@pytest.mark.parametrize(
    "name", ["../../../../etc/cron.d/evil.pdf", "..\\..\\evil.pdf", "/etc/passwd.pdf", "evil\x00.pdf"]
)
def test_an_attachment_name_cannot_climb_out_of_the_private_folder(invitation, name):
    url = f"/en/respond/{link_token(invitation)}/"
    Client().post(
        url, {"body": "Answer", "version": 0, "action": "submit", "attachment": SimpleUploadedFile(name, PDF)}
    )
    stored = services.current_response(invitation).attachment
    assert stored, "the PDF was refused"
    try:
        root = Path(stored.storage.location).resolve()
        assert Path(stored.path).resolve().is_relative_to(root / "responses"), stored.path
        assert ".." not in stored.name and "\x00" not in stored.name
    finally:
        stored.delete(save=False)
