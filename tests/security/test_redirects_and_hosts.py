from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "http://127.0.0.1:8000@evil.example/",
    " https://evil.example/",
    "%2F%2Fevil.example",
]


def _lands_on_site(location: str) -> bool:
    """Where a browser would go from a page of this site, normalising backslashes as it does."""
    followed = urlsplit(urljoin("http://testserver/en/", location.replace("\\", "/")))
    return followed.scheme == "http" and followed.netloc == "testserver"


@pytest.mark.parametrize("target", OFF_SITE)
def test_hiding_the_banner_never_sends_a_reader_off_site(client, target):
    response = client.get("/site-message/hide/", {"version": "abc", "next": target})
    assert response.status_code == 302
    assert _lands_on_site(response["Location"])


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_admin_login_never_sends_an_editor_off_site(client, admin_user, target):
    admin_user.set_password("pw-admin-1234")
    admin_user.save()
    response = client.post(
        f"/admin/login/?next={target}",
        {"username": admin_user.username, "password": "pw-admin-1234", "next": target},
    )
    assert response.status_code == 302
    assert _lands_on_site(response["Location"])


@pytest.mark.parametrize(
    "host", ["evil.example", "resourcecentre.example.evil.example", "127.0.0.1:8000@evil.example"]
)
def test_a_forged_host_header_is_refused(client, host):
    assert client.get("/en/", HTTP_HOST=host).status_code == 400


def test_a_forwarded_host_is_not_believed(client):
    response = client.get("/en/", HTTP_X_FORWARDED_HOST="evil.example")
    assert response.status_code == 200
    assert b"evil.example" not in response.content


def test_password_reset_links_never_point_at_the_requests_host(client, admin_user, mailoutbox, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver", "other.example"]
    Client().post("/admin/password_reset/", {"email": admin_user.email}, HTTP_HOST="other.example")
    assert len(mailoutbox) == 1
    assert "other.example" not in mailoutbox[0].body
