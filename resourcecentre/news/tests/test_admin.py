import datetime
import functools
import http.server
import json
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Revision

from resourcecentre.news.models import Component, ComponentType, Story
from tests.factories import ComponentFactory, StoryFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="a-long-test-password")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def article_server():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FIXTURES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _draftail(text: str) -> str:
    """What the admin's rich-text editor posts for one paragraph of text."""
    block = {
        "key": "a",
        "type": "unstyled",
        "text": text,
        "depth": 0,
        "inlineStyleRanges": [],
        "entityRanges": [],
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


def _component_form(**overrides):
    data = {
        "title": "Miners strike over unsafe shafts",
        "type": ComponentType.objects.get(slug="article").pk,
        "date": "2024-05-02",
        "language": "en",
        "author": "Lerato Dube",
        "excerpt": _draftail("... the shafts were [not] inspected ..."),
        "url": "https://news.example/strike",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
        "translations-MIN_NUM_FORMS": "0",
        "translations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_an_editor_saves_a_draft_then_publishes_it(client, editor):
    client.force_login(editor)
    response = client.post("/admin/snippets/news/component/add/", _component_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    component = Component.objects.get(title="Miners strike over unsafe shafts")
    assert not component.live
    assert client.get(component.get_absolute_url()).status_code == 404

    publish = _component_form(**{"action-publish": "action-publish"})
    response = client.post(f"/admin/snippets/news/component/edit/{component.pk}/", publish)
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.live
    page = client.get(component.get_absolute_url()).content.decode()
    assert "... the shafts were [not] inspected ..." in page
    assert component.revisions.count() == 2


def test_a_draft_edit_leaves_the_published_version_in_place(client, editor):
    client.force_login(editor)
    client.post(
        "/admin/snippets/news/component/add/", _component_form(**{"action-publish": "action-publish"})
    )
    component = Component.objects.get(title="Miners strike over unsafe shafts")
    client.post(
        f"/admin/snippets/news/component/edit/{component.pk}/", _component_form(title="Changed in draft")
    )
    component.refresh_from_db()
    assert component.title == "Miners strike over unsafe shafts"
    assert component.has_unpublished_changes
    assert "Changed in draft" not in client.get(component.get_absolute_url()).content.decode()


def test_an_editor_attaches_an_existing_component_to_a_story(client, editor, rebuild_index):
    existing = ComponentFactory(title="An item already on the platform")
    ComponentFactory(title="A draft item already written", draft=True)
    ComponentFactory(title="Something else entirely")
    rebuild_index()
    client.force_login(editor)
    chooser = client.get("/admin/snippets/choose/news/component/results/", {"q": "already"}).content.decode()
    assert "An item already on the platform" in chooser
    assert "A draft item already written" in chooser
    assert "Something else entirely" not in chooser
    listing = client.get("/admin/snippets/news/component/", {"q": "already"}).content.decode()
    assert "An item already on the platform" in listing and "Something else entirely" not in listing
    data = {
        "headline": "South Africa: Miners' safety",
        "summary": _draftail("Summary."),
        "date": "2024-05-02",
        "language": "en",
        "story_components-TOTAL_FORMS": "1",
        "story_components-INITIAL_FORMS": "0",
        "story_components-MIN_NUM_FORMS": "0",
        "story_components-MAX_NUM_FORMS": "1000",
        "story_components-0-component": existing.pk,
        "story_components-0-ORDER": "1",
        "translations-TOTAL_FORMS": "0",
        "translations-INITIAL_FORMS": "0",
        "translations-MIN_NUM_FORMS": "0",
        "translations-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    }
    assert client.post("/admin/snippets/news/story/add/", data).status_code == 302
    story = Story.objects.get(headline="South Africa: Miners' safety")
    assert "An item already on the platform" in client.get(story.get_absolute_url()).content.decode()


def test_people_without_permission_are_refused(client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="a-long-test-password")
    client.force_login(reader)
    assert client.get("/admin/snippets/news/component/add/").status_code in (302, 403)
    editor_without_types = django_user_model.objects.create_user("ed2")
    editor_without_types.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor_without_types)
    assert client.get("/admin/snippets/news/componenttype/add/").status_code in (302, 403)
    assert client.get("/admin/snippets/taxonomy/country/delete/1/").status_code in (302, 403)


def test_pasting_a_url_creates_a_draft_filled_in_from_the_page(client, editor, settings, article_server):
    settings.FETCH_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    client.force_login(editor)
    url = f"{article_server}/article.html"
    response = client.post("/admin/news/add-from-url/", {"url": url})
    component = Component.objects.get(url=url)
    assert response["Location"] == f"/admin/snippets/news/component/edit/{component.pk}/"
    assert component.title == "Flower farm workers say pesticide spraying made them ill"
    assert component.author == "Wanjiru Kamau"
    assert component.source.name == "The Nairobi Ledger"
    assert str(component.original_date) == "2024-03-18"
    assert "Lake Naivasha" in component.excerpt
    assert not component.live
    again = client.post("/admin/news/add-from-url/", {"url": url})
    assert again["Location"] == response["Location"]
    assert Component.objects.filter(url=url).count() == 1


def test_a_url_on_a_private_network_is_not_fetched_but_nothing_is_lost(client, editor, article_server):
    client.force_login(editor)
    url = f"{article_server}/article.html"
    response = client.post("/admin/news/add-from-url/", {"url": url}, follow=True)
    component = Component.objects.get(url=url)
    assert component.title == url
    assert "private network" in response.content.decode()


def test_a_malformed_url_gets_a_clear_error(client, editor):
    client.force_login(editor)
    response = client.post("/admin/news/add-from-url/", {"url": "not a url"})
    assert response.status_code == 200
    assert "Enter a valid URL" in response.content.decode()
    assert not Component.objects.exists()


def test_broken_addresses_keep_the_url_and_say_why(client, editor, settings):
    client.force_login(editor)
    response = client.post("/admin/news/add-from-url/", {"url": "http://example.com:99999/a"}, follow=True)
    assert response.status_code == 200
    assert "impossible port number" in response.content.decode()
    assert Component.objects.filter(url="http://example.com:99999/a").exists()


def test_the_preview_shows_the_component_and_the_story(rf, editor):
    component = ComponentFactory(title="A component to preview", draft=True)
    story = StoryFactory(headline="A story to preview", draft=True, components=[component])
    request = rf.get("/admin/")
    request.user = editor
    for obj, text in ((component, "A component to preview"), (story, "A story to preview")):
        response = obj.make_preview_request(request)
        assert response.status_code == 200
        html = response.content.decode() if hasattr(response, "content") else response.rendered_content
        assert text in html
    assert "A component to preview" in story.make_preview_request(request).content.decode()


def test_scheduled_publishing_goes_live_when_publish_scheduled_runs(client):
    component = ComponentFactory(title="Embargoed report on cobalt refineries", draft=True)
    component.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = component.save_revision()
    revision.publish()
    component.refresh_from_db()
    assert not component.live
    assert client.get(component.get_absolute_url()).status_code == 404
    # An hour passes.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision = Revision.objects.get(pk=revision.pk)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    call_command("publish_scheduled", verbosity=0)
    component.refresh_from_db()
    assert component.live
    assert (
        "Embargoed report on cobalt refineries" in client.get(component.get_absolute_url()).content.decode()
    )


def test_admin_search_of_other_models_still_uses_the_database(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "a-long-test-password")
    client.force_login(admin)
    assert client.get("/admin/images/", {"q": "river"}).status_code == 200
    assert client.get("/admin/documents/", {"q": "report"}).status_code == 200
