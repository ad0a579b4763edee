import datetime

import pytest
from django.test import Client
from django.urls import reverse, translate_url

from resourcecentre.alerts.models import WeeklyUpdate, WeeklyUpdateStory
from resourcecentre.news.models import StoryTranslation
from resourcecentre.site_messages.queries import HIDDEN_COOKIE
from tests.factories import CompanyFactory, ComponentFactory, SiteMessageFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(commit):
    first = ComponentFactory(title="Union says the mine hid injury figures")
    created = StoryFactory(headline="Mine accused of hiding injuries", components=[first])
    commit()
    return created


def test_an_anonymous_reader_gets_the_second_view_from_the_cache_without_a_query(
    client, story, django_assert_num_queries
):
    first = client.get(story.get_absolute_url())
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(story.get_absolute_url())
    assert second.content == first.content
    assert "Union says the mine hid injury figures" in second.content.decode()
    assert second["ETag"] == first["ETag"]
    assert "Content-Security-Policy" in second


def test_cached_pages_tell_browsers_and_cdns_how_long_to_keep_them(client, story, settings):
    response = client.get(story.get_absolute_url())
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {
        "public",
        f"max-age={settings.PAGE_BROWSER_CACHE_SECONDS}",
        f"s-maxage={settings.PAGE_CDN_CACHE_SECONDS}",
    } <= control


def test_a_reader_with_the_current_etag_gets_304_from_the_cache(client, story, django_assert_num_queries):
    etag = client.get(story.get_absolute_url())["ETag"]
    with django_assert_num_queries(0):
        response = client.get(story.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_a_feed_reader_with_its_last_modified_date_gets_304_from_the_cache(
    client, story, django_assert_num_queries
):
    url = f"{story.get_absolute_url()}rss/"
    last_modified = client.get(url)["Last-Modified"]
    with django_assert_num_queries(0):
        response = client.get(url, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304


def test_publishing_a_component_shows_at_once_on_its_story_and_the_latest_news(client, story, commit):
    other = StoryFactory(headline="Port workers strike")
    commit()
    client.get(story.get_absolute_url())
    client.get("/en/latest-news/")
    client.get(other.get_absolute_url())

    added = ComponentFactory(title="Regulator opens inquiry into the mine")
    story.story_components.create(component=added, sort_order=1)
    story.save()  # what publishing the story from the admin does
    commit()

    assert "Regulator opens inquiry into the mine" in client.get(story.get_absolute_url()).content.decode()
    assert "Regulator opens inquiry into the mine" in client.get("/en/latest-news/").content.decode()
    assert client.get(other.get_absolute_url()).wsgi_request.page_cache == "hit"


def test_a_changed_headline_replaces_the_cached_page(client, story, commit):
    client.get(story.get_absolute_url())
    story.headline = "Mine admits hiding injuries"
    story.save()
    commit()
    assert "Mine admits hiding injuries" in client.get(story.get_absolute_url()).content.decode()


def test_a_story_translation_reaches_the_cached_pages_of_its_components(client, story, commit):
    component = story.story_components.get().component
    url = translate_url(component.get_absolute_url(), "es")
    assert client.get(url).wsgi_request.page_cache == "miss"
    assert client.get(url).wsgi_request.page_cache == "hit"
    translation = StoryTranslation.objects.create(
        story=story, language="es", headline="La mina ocultó lesiones"
    )
    commit()
    assert "La mina ocultó lesiones" in client.get(url).content.decode()
    translation.headline = "La mina admite que ocultó lesiones"
    translation.save()
    commit()
    assert "La mina admite que ocultó lesiones" in client.get(url).content.decode()


def test_saving_a_draft_leaves_the_published_page_cached(client, story, commit):
    client.get(story.get_absolute_url())
    story.headline = "A draft headline nobody should see yet"
    story.save_revision()
    commit()
    response = client.get(story.get_absolute_url())
    assert response.wsgi_request.page_cache == "hit"
    assert "A draft headline nobody should see yet" not in response.content.decode()


def test_publishing_a_weekly_update_shows_at_once_in_the_cached_archive(client, story, commit):
    archive = reverse("alerts:weekly_update_archive")
    assert client.get(archive).wsgi_request.page_cache == "miss"
    assert client.get(archive).wsgi_request.page_cache == "hit"
    issue = WeeklyUpdate.objects.create(date=datetime.date(2026, 12, 4), subject="Miners' week", live=True)
    WeeklyUpdateStory.objects.create(issue=issue, story=story)
    commit()
    assert "Miners&#x27; week" in client.get(archive).content.decode()
    assert "Mine accused of hiding injuries" in client.get(issue.get_absolute_url()).content.decode()
    # The issue page lists its stories by headline: a changed headline reaches it.
    story.headline = "Mine admits hiding injuries"
    story.save()
    commit()
    assert "Mine admits hiding injuries" in client.get(issue.get_absolute_url()).content.decode()
    issue.unpublish()
    commit()
    assert client.get(issue.get_absolute_url()).status_code == 404
    assert "Miners&#x27; week" not in client.get(archive).content.decode()


def test_a_company_listing_shows_a_new_component_once_the_index_has_it(
    client, rebuild_index, run_tasks, commit
):
    company = CompanyFactory(name="Northwind Mining")
    rebuild_index()
    assert "Spill reported downstream" not in client.get(company.get_absolute_url()).content.decode()
    assert client.get(company.get_absolute_url()).wsgi_request.page_cache == "hit"

    component = ComponentFactory(title="Spill reported downstream of the Northwind mine")
    component.companies.add(company)
    component.save()
    run_tasks()  # the commit: invalidation, then the index sync task

    assert "Spill reported downstream" in client.get(company.get_absolute_url()).content.decode()


def test_a_new_banner_reaches_every_cached_page(client, story, commit):
    client.get(story.get_absolute_url())
    SiteMessageFactory(title="We are hiring researchers")
    commit()
    assert "We are hiring researchers" in client.get(story.get_absolute_url()).content.decode()


def test_a_reader_who_hid_the_banner_never_gets_a_page_with_it(client, story, commit):
    message = SiteMessageFactory(title="We are hiring researchers")
    commit()
    assert "We are hiring researchers" in client.get(story.get_absolute_url()).content.decode()
    hider = Client()
    hider.cookies[HIDDEN_COOKIE] = message.version
    assert "We are hiring researchers" not in hider.get(story.get_absolute_url()).content.decode()


def test_logged_in_editors_never_get_or_leave_a_cached_page(client, story, admin_user):
    client.get(story.get_absolute_url())
    editor = Client()
    editor.force_login(admin_user)
    response = editor.get(story.get_absolute_url())
    assert response.wsgi_request.page_cache == "bypass"
    assert "private" in response["Cache-Control"]


def test_a_reader_with_a_csrf_cookie_is_not_served_someone_elses_form(client, story):
    client.get(story.get_absolute_url())
    reader = Client()
    reader.cookies["csrftoken"] = "a" * 32
    assert reader.get(story.get_absolute_url()).wsgi_request.page_cache == "bypass"


def test_answers_that_set_a_cookie_are_not_stored(client, story):
    url = story.get_absolute_url()
    from resourcecentre.ops import pagecache

    first = client.get(url)
    assert not first.cookies
    hide = client.get("/site-message/hide/?version=abc&next=/en/")
    assert hide.status_code == 302
    assert client.get("/site-message/hide/?version=abc&next=/en/").wsgi_request.page_cache != "hit"
    assert pagecache.page_tags.__name__ == "page_tags"


def test_search_results_and_private_pages_are_never_cached(client):
    for url in ("/en/search/?q=mine", "/en/search/rss/?q=mine", "/en/respond/not-a-token/", "/healthz"):
        client.get(url)
        assert getattr(client.get(url).wsgi_request, "page_cache", None) is None, url


def test_different_hosts_and_query_strings_are_cached_apart(client, story, settings):
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    client.get("/en/latest-news/", HTTP_HOST="a.example")
    assert client.get("/en/latest-news/", HTTP_HOST="b.example").wsgi_request.page_cache == "miss"
    assert client.get("/en/latest-news/?page=2", HTTP_HOST="a.example").wsgi_request.page_cache == "miss"


def test_an_unknown_host_gets_the_usual_400_not_a_cached_page(client, story):
    client.get(story.get_absolute_url())
    assert client.get(story.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400


def test_pages_are_served_uncached_while_redis_is_down(client, story, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "resourcecentre.ops.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    for _ in range(2):
        response = client.get(story.get_absolute_url())
        assert response.status_code == 200
        assert "Union says the mine hid injury figures" in response.content.decode()
