"""Every form refuses a post that lacks its CSRF token, and changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from resourcecentre.news.models import Component
from resourcecentre.responses.links import link_token
from resourcecentre.responses.models import Response

pytestmark = pytest.mark.django_db

# Views that take posts without our token, each for a stated reason.
EXEMPT = {
    # Checked inside the view once the upload size guard is in place (responses/views.py).
    "resourcecentre.responses.views.respond",
    # RFC 8058 one-click unsubscribe and the mail provider's callback (alerts/views.py).
    "resourcecentre.alerts.views.unsubscribe",
    "resourcecentre.alerts.views.bounce_webhook",
}


def _views(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_view_skips_the_csrf_check_without_a_stated_reason():
    exempt = {
        f"{callback.__module__}.{callback.__name__}": route
        for route, callback in _views()
        if getattr(callback, "csrf_exempt", False)
    }
    # The JSON API authenticates by key, not by cookie, so it needs no CSRF token.
    unexplained = {
        name: route for name, route in exempt.items() if name not in EXEMPT and "api/" not in route
    }
    assert unexplained == {}


def test_the_company_response_form_refuses_a_post_without_its_token(invitation):
    response = Client(enforce_csrf_checks=True).post(
        f"/en/respond/{link_token(invitation)}/", {"body": "forged", "version": 0, "action": "submit"}
    )
    assert response.status_code == 403
    assert not Response.objects.filter(body="forged").exists()


def test_admin_login_refuses_a_post_without_its_token(db):
    get_user_model().objects.create_superuser("boss", "boss@example.org", "pw-boss-1234")
    client = Client(enforce_csrf_checks=True)
    assert client.post("/admin/login/", {"username": "boss", "password": "pw-boss-1234"}).status_code == 403
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/admin/snippets/news/component/add/",
        "/admin/snippets/news/story/add/",
        "/admin/snippets/companies/company/add/",
        "/admin/users/add/",
        "/admin/news/add-from-url/",
        "/admin/2fa/verify/",
        "/admin/logout/",
    ],
)
def test_admin_forms_refuse_a_post_without_their_token(url, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = (Component.objects.count(), get_user_model().objects.count())
    response = client.post(url, {"title": "Forged", "username": "forged", "url": "https://example.org/"})
    assert response.status_code == 403, url
    assert (Component.objects.count(), get_user_model().objects.count()) == before
