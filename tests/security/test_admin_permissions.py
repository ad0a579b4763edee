"""A user who may open the admin but holds no other permission can change nothing."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from wagtail.snippets.models import get_snippet_models

from tests.factories import CompanyFactory, ComponentFactory, SiteMessageFactory, StoryFactory

pytestmark = pytest.mark.django_db

# Models whose rows record activity rather than content (sessions, logins, logs).
ACTIVITY = {
    "sessions",
    "axes",
    "admin",
    "wagtailadmin",
    "wagtailcore.modellogentry",
    "wagtailusers.userprofile",
}


def _counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label not in ACTIVITY and model._meta.label_lower not in ACTIVITY
    }


@pytest.fixture
def content(db):
    component = ComponentFactory()
    return [component, StoryFactory(components=[component]), CompanyFactory(), SiteMessageFactory()]


def _snippet_urls(content) -> list[str]:
    instances = {type(obj): obj for obj in content}
    urls = []
    for model in get_snippet_models():
        viewset = model.snippet_viewset
        urls.append(reverse(viewset.get_url_name("add")))
        instance = instances.get(model) or model.objects.first()
        if instance is not None:
            for action in ("edit", "delete"):
                urls.append(reverse(viewset.get_url_name(action), args=[instance.pk]))
    return urls


def test_every_snippet_action_is_refused_to_an_editor_without_permission(outsider, content):
    client = Client()
    client.force_login(outsider)
    before = _counts()
    urls = _snippet_urls(content)
    assert any("/news/component/" in url for url in urls) and any(
        "/companies/company/" in url for url in urls
    )
    for url in urls:
        assert client.get(url).status_code in (302, 403), url
        assert client.post(url, {"title": "Taken over", "name": "Taken over"}).status_code in (302, 403), url
    assert _counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/",
        "/admin/users/add/",
        "/admin/groups/",
        "/admin/news/add-from-url/",
        "/admin/responses/",
        "/admin/settings/",
        "/admin/documents/",
        "/admin/images/",
    ],
)
def test_admin_sections_are_refused_to_an_editor_without_permission(outsider, url):
    client = Client()
    client.force_login(outsider)
    before = _counts()
    assert client.get(url).status_code in (302, 403, 404), url
    assert client.post(url, {"username": "x", "url": "https://example.org/"}).status_code in (
        302,
        403,
        404,
        405,
    ), url
    assert _counts() == before
