"""Feeds per language: entries in the reader's language where translated and marked with their
own, and the search page's `language` filter on every feed."""

import datetime

import feedparser
import pytest
from lxml import etree

from resourcecentre.news.models import ComponentTranslation, StoryComponent, StoryTranslation
from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, ComponentFactory, StoryFactory
from tests.languages import url_in

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _feed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


@pytest.fixture
def story():
    translated = ComponentFactory(
        title="Pickers fall ill after spraying",
        date=datetime.date(2022, 5, 9),
        excerpt="<p>English text.</p>",
    )
    ComponentTranslation.objects.create(
        component=translated,
        language="es",
        title="Recolectoras enferman tras la fumigación",
        excerpt="<p>Texto en español.</p>",
    )
    story = StoryFactory(
        headline="Kenya: Flower farm workers report exposure to pesticides",
        components=[translated, ComponentFactory(title="Older report", date=datetime.date(2021, 3, 1))],
    )
    StoryTranslation.objects.create(
        story=story,
        language="es",
        headline="Kenia: Trabajadoras de flores denuncian pesticidas",
        summary="<p>Resumen en español.</p>",
    )
    return story


@pytest.mark.parametrize("feed_format", ["rss", "atom"])
def test_a_feed_under_a_language_prefix_gives_translated_entries_in_that_language(client, story, feed_format):
    response, feed = _feed(client, url_in("es", "news:story_feed", slug=story.slug, feed_format=feed_format))
    assert feed.feed.title == "Kenia: Trabajadoras de flores denuncian pesticidas"
    first, second = feed.entries
    assert first.title == "Recolectoras enferman tras la fumigación"
    assert "Texto en español." in first.summary
    assert first.title_detail.language == "es"
    assert second.title == "Older report" and second.title_detail.language == "en"
    root = etree.fromstring(response.content)
    items = root.findall(f"{ATOM}entry") if feed_format == "atom" else root.find("channel").findall("item")
    assert [item.get(XML_LANG) for item in items] == ["es", "en"]


def test_the_same_feed_in_the_original_language_is_untouched(client, story):
    _, feed = _feed(client, url_in("en", "news:story_feed", slug=story.slug, feed_format="atom"))
    assert feed.feed.title == "Kenya: Flower farm workers report exposure to pesticides"
    assert [e.title for e in feed.entries] == ["Pickers fall ill after spraying", "Older report"]


def test_json_feed_items_carry_their_language(client, story):
    response = client.get(url_in("es", "news:story_feed", slug=story.slug, feed_format="json"))
    feed = response.json()
    assert feed["language"] == "es"
    assert [(item["title"], item["language"]) for item in feed["items"]] == [
        ("Recolectoras enferman tras la fumigación", "es"),
        ("Older report", "en"),
    ]
    assert feed["items"][0]["content_html"] == "<p>Texto en español.</p>"


def test_stories_in_a_search_feed_are_in_the_readers_language(client, story, rebuild_index):
    rebuild_index()
    _, feed = _feed(client, url_in("es", "search:search_feed", feed_format="rss"), q="pesticides")
    assert [e.title for e in feed.entries] == ["Kenia: Trabajadoras de flores denuncian pesticidas"]
    assert "Resumen en español." in feed.entries[0].summary


def test_each_language_has_its_own_etag_and_each_answers_304(client, story):
    etags = set()
    for language in ("en", "es"):
        url = url_in(language, "news:story_feed", slug=story.slug, feed_format="rss")
        first = client.get(url)
        etags.add(first["ETag"])
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert len(etags) == 2


def test_a_changed_translation_changes_the_feed(client, story):
    url = url_in("es", "news:story_feed", slug=story.slug, feed_format="rss")
    first = client.get(url)
    translation = ComponentTranslation.objects.get()
    translation.title = "Recolectoras hospitalizadas tras la fumigación"
    translation.save()
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert "Recolectoras hospitalizadas" in second.content.decode()


@pytest.fixture
def languages_world():
    kenya = Country.objects.get(code="KE")
    company = CompanyFactory(name="Rosebloom Farms Ltd")
    items = {
        "en": ComponentFactory(title="Rosebloom workers strike", date=datetime.date(2023, 1, 1)),
        "es": ComponentFactory(title="Huelga en Rosebloom", language="es", date=datetime.date(2023, 1, 2)),
        "ja": ComponentFactory(title="ローズブルームでスト", language="ja", date=datetime.date(2023, 1, 3)),
    }
    for item in items.values():
        item.companies.set([company])
        item.countries.set([kenya])
        item.save()
    return company, kenya


def test_latest_news_in_spanish_is_a_feed(client, languages_world):
    _, feed = _feed(client, url_in("en", "news:latest_news_feed", feed_format="atom"), language="es")
    assert [e.title for e in feed.entries] == ["Huelga en Rosebloom"]
    assert feed.feed.title == "Latest news, in Español"
    assert feed.feed.link.endswith("/en/latest-news/?language=es")
    _, both = _feed(
        client, url_in("en", "news:latest_news_feed", feed_format="rss") + "?language=es&language=ja"
    )
    assert [e.title for e in both.entries] == ["ローズブルームでスト", "Huelga en Rosebloom"]


@pytest.mark.parametrize("indexed", [True, False])
def test_company_and_tag_feeds_take_the_language_filter(client, languages_world, rebuild_index, indexed):
    company, kenya = languages_world
    if indexed:
        rebuild_index()  # otherwise the listings come from the database, as while the index rebuilds
    for url in (f"{company.get_absolute_url()}rss/", f"{kenya.get_absolute_url()}atom/"):
        _, feed = _feed(client, url, language="ja")
        assert [e.title for e in feed.entries] == ["ローズブルームでスト"], url
        assert feed.feed.title.endswith(", in 日本語")
        _, everything = _feed(client, url)
        assert len(everything.entries) == 3, url


def test_the_story_feed_takes_the_language_filter_too(client, story):
    ComponentTranslation.objects.update(language="fr")
    japanese = ComponentFactory(title="日本語の記事", language="ja")
    StoryComponent.objects.create(story=story, component=japanese)
    url = url_in("en", "news:story_feed", slug=story.slug, feed_format="rss")
    _, feed = _feed(client, url, language="ja")
    assert [e.title for e in feed.entries] == ["日本語の記事"]
    _, everything = _feed(client, url)
    assert len(everything.entries) == 3


def test_a_regional_code_reads_its_language(client, languages_world):
    _, feed = _feed(client, url_in("en", "news:latest_news_feed", feed_format="rss"), language="es-MX")
    assert [e.title for e in feed.entries] == ["Huelga en Rosebloom"]
    assert feed.feed.title == "Latest news, in Español"


@pytest.mark.parametrize("value", ["<script>", "x" * 300, "../../etc", "", "es' OR 1=1", "und", "zz", "eng"])
def test_language_values_that_name_no_language_are_ignored(client, languages_world, value):
    response, feed = _feed(client, url_in("en", "news:latest_news_feed", feed_format="rss"), language=value)
    assert len(feed.entries) == 3
    assert "<script>" not in response.content.decode()


def test_the_latest_news_page_filters_by_language_and_links_that_feed(client, languages_world):
    page = client.get(url_in("en", "news:latest_news"), {"language": "es"}).content.decode()
    assert "Huelga en Rosebloom" in page and "Rosebloom workers strike" not in page
    assert 'href="/en/latest-news/rss/?language=es"' in page
    assert 'href="/en/latest-news/atom/?language=es"' in page
    assert '<option value="es" lang="es" selected>Español</option>' in page
    unfiltered = client.get(url_in("en", "news:latest_news")).content.decode()
    assert "Rosebloom workers strike" in unfiltered and 'href="/en/latest-news/rss/"' in unfiltered
