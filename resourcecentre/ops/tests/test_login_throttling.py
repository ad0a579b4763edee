import pytest
from axes.models import AccessAttempt
from wagtail.models import ModelLogEntry

from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)


def test_five_wrong_passwords_lock_the_account_out_even_for_the_right_one(client, editor, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "editor", "password": f"guess {attempt}"})
        assert response.status_code in (200, 429)
    locked = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert locked.status_code == 429
    assert client.get("/admin/").status_code == 302
    assert AccessAttempt.objects.get(username="editor").failures_since_start >= settings.AXES_FAILURE_LIMIT


def test_the_lock_out_is_per_address_so_an_attacker_cannot_lock_the_editor_out(client, editor, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(
            "/admin/login/", {"username": "editor", "password": f"x{attempt}"}, REMOTE_ADDR="203.0.113.7"
        )
    response = client.post(
        "/admin/login/", {"username": "editor", "password": PASSWORD}, REMOTE_ADDR="198.51.100.2"
    )
    assert response.status_code == 302


def test_many_login_posts_from_one_address_are_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/m"}
    codes = [
        client.post("/admin/login/", {"username": f"user{n}", "password": "x"}).status_code for n in range(5)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_publishing_from_the_admin_is_written_to_the_audit_log(client, editor):
    client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    component = ComponentFactory(title="Draft about a refinery", live=False)
    revision = component.save_revision(user=editor, log_action=True)
    revision.publish(user=editor)
    actions = set(ModelLogEntry.objects.filter(object_id=str(component.pk)).values_list("action", flat=True))
    assert "wagtail.publish" in actions
    assert ModelLogEntry.objects.filter(object_id=str(component.pk), user=editor).exists()
