import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from resourcecentre.api.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "pw"))
    return client


def test_an_editor_issues_a_key_that_is_shown_once_and_works(admin_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "1/m"}
    response = admin_client.post(
        reverse("api_admin:create"),
        {"name": "University mirror", "owner": "data@uni.example", "rate": "100/m"},
    )
    assert response.status_code == 200
    key = re.search(r'value="(rc_[A-Za-z0-9_-]+)"', response.content.decode()).group(1)
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    listing = admin_client.get(reverse("api_admin:index")).content.decode()
    assert "University mirror" in listing and key[:8] in listing and key not in listing
    api_key = ApiKey.objects.get(name="University mirror")
    assert (api_key.owner, api_key.rate, api_key.created_by.username) == (
        "data@uni.example",
        "100/m",
        "admin",
    )
    statuses = [admin_client.get("/api/v1/stories", HTTP_X_API_KEY=key).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


def test_a_bad_rate_is_explained_and_nothing_is_issued(admin_client):
    response = admin_client.post(reverse("api_admin:create"), {"name": "Broken", "rate": "fast"})
    assert "Write it like 600/m" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_revoking_a_key_shows_it_revoked(admin_client):
    admin_client.post(reverse("api_admin:create"), {"name": "Old", "rate": "600/m"})
    api_key = ApiKey.objects.get()
    response = admin_client.post(reverse("api_admin:revoke", args=[api_key.pk]), follow=True)
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert "Revoked" in response.content.decode()


def test_editors_without_the_permission_cannot_see_or_issue_keys(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", "e@example.org", "pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    # Wagtail's admin turns the refusal into a redirect to the dashboard with a message.
    refused = client.get(reverse("api_admin:index"))
    assert refused.status_code in (302, 403) and "API keys" not in refused.content.decode()
    assert client.post(reverse("api_admin:create"), {"name": "x", "rate": "600/m"}).status_code in (302, 403)
    assert not ApiKey.objects.exists()
    group = Group.objects.create(name="Data")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="api"))
    editor.groups.add(group)
    assert client.get(reverse("api_admin:index")).status_code == 200
