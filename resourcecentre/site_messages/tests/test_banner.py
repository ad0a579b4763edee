import datetime

import pytest
from django.utils import timezone

from resourcecentre.site_messages.queries import HIDDEN_COOKIE
from tests.factories import SiteMessageFactory

pytestmark = pytest.mark.django_db


def test_an_active_message_shows_on_every_public_page(client):
    SiteMessageFactory(title="We are updating the platform")
    for url in ("/en/", "/en/latest-news/", "/en/countries/kenya/"):
        html = client.get(url).content.decode()
        assert "We are updating the platform" in html, url
        assert "Hide Message" in html and "Find Out More" in html


def test_hiding_the_message_is_remembered_until_it_changes(client):
    message = SiteMessageFactory()
    response = client.get("/site-message/hide/", {"version": message.version, "next": "/en/latest-news/"})
    assert response.status_code == 302 and response["Location"] == "/en/latest-news/"
    assert response.cookies[HIDDEN_COOKIE].value == message.version
    assert "Updating the Resource Centre" not in client.get("/en/").content.decode()
    message.body = "<p>New details about the update.</p>"
    message.save()
    assert "New details about the update." in client.get("/en/").content.decode()


def test_hiding_never_redirects_off_the_site(client):
    message = SiteMessageFactory()
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get("/site-message/hide/", {"version": message.version, "next": target})
        assert response["Location"] == "/", target


def test_messages_outside_their_window_or_audience_do_not_show(client, django_user_model):
    now = timezone.now()
    SiteMessageFactory(title="Expired notice", ends_at=now - datetime.timedelta(hours=1))
    SiteMessageFactory(title="Future notice", starts_at=now + datetime.timedelta(days=1))
    SiteMessageFactory(title="Editors only", audience="editors")
    html = client.get("/en/").content.decode()
    assert "Expired notice" not in html and "Future notice" not in html and "Editors only" not in html
    client.force_login(django_user_model.objects.create_user("ed"))
    assert "Editors only" in client.get("/en/").content.decode()


def test_message_bodies_are_sanitised(client):
    SiteMessageFactory(body='<p>Read <a href="javascript:alert(1)">this</a><script>alert(2)</script></p>')
    html = client.get("/en/").content.decode()
    assert "javascript:" not in html and "alert(2)" not in html
