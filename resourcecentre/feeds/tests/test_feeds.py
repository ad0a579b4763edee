import datetime

import feedparser
import pytest
from lxml import etree

from resourcecentre.taxonomy.models import Country, Issue, Region
from tests.factories import CompanyFactory, ComponentFactory, StoryFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def story():
    return StoryFactory(
        headline="Kenya: Flower farm workers report exposure to pesticides",
        components=[
            ComponentFactory(title="Older report", date=datetime.date(2021, 3, 1)),
            ComponentFactory(title="Newer report", date=datetime.date(2022, 5, 9), author="Jane Doe"),
            ComponentFactory(title="Draft report", date=datetime.date(2023, 1, 1), draft=True),
        ],
    )


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def test_a_story_has_a_valid_rss_feed_of_its_components_newest_first(client, story):
    response, feed = _feed(client, f"{story.get_absolute_url()}rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    assert feed.feed.title == story.headline
    assert [e.title for e in feed.entries] == ["Newer report", "Older report"]
    entry = feed.entries[0]
    assert entry.link.startswith("http://testserver/en/latest-news/")
    assert entry.id.startswith("tag:127.0.0.1,2020:component:")
    assert entry.published_parsed[:3] == (2022, 5, 9)
    assert "workers said they were not paid" in entry.summary
    root = etree.fromstring(response.content)
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required)
    self_link = channel.find(f"{ATOM}link")
    assert self_link.get("rel") == "self" and self_link.get("href").endswith("/rss/")
    for item in channel.findall("item"):
        assert item.find("guid").get("isPermaLink") == "false"
        assert item.findtext("pubDate").endswith("+0000")


def test_a_story_has_a_valid_atom_feed(client, story):
    response, feed = _feed(client, f"{story.get_absolute_url()}atom/")
    assert feed.version == "atom10"
    root = etree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}")
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{required}")
        datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert feed.entries[0].author == "Jane Doe, Daily Ledger"


def test_entry_ids_never_change_when_a_title_or_slug_changes(client, story):
    _, before = _feed(client, f"{story.get_absolute_url()}atom/")
    component = story.story_components.first().component
    component.title = "A corrected title"
    component.slug = "a-corrected-title"
    component.save()
    _, after = _feed(client, f"{story.get_absolute_url()}atom/")
    assert sorted(e.id for e in before.entries) == sorted(e.id for e in after.entries)


def test_a_second_request_with_the_etag_gets_a_304(client, story):
    url = f"{story.get_absolute_url()}rss/"
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304
    assert second.content == b""
    third = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert third.status_code == 304


def test_company_and_tag_pages_have_feeds_of_what_is_tagged(client):
    company = CompanyFactory(name="Kestrel Mining plc")
    kenya = Country.objects.get(code="KE")
    land, _ = Issue.objects.get_or_create(name="Land rights")
    tagged = ComponentFactory(title="Kestrel accused over evictions")
    tagged.companies.set([company])
    tagged.countries.set([kenya])
    tagged.issues.set([land])
    tagged.save()
    ComponentFactory(title="Unrelated item")
    for url in (
        f"{company.get_absolute_url()}rss/",
        f"{kenya.get_absolute_url()}atom/",
        f"{land.get_absolute_url()}rss/",
        f"{Region.objects.get(name='Africa').get_absolute_url()}rss/",
    ):
        _, feed = _feed(client, url)
        assert [e.title for e in feed.entries] == ["Kestrel accused over evictions"], url


def test_an_unknown_feed_format_is_a_404(client, story):
    assert client.get(f"{story.get_absolute_url()}xml/").status_code == 404


def test_every_listing_also_has_a_json_feed(client, story):
    response = client.get(f"{story.get_absolute_url()}json/")
    assert response["Content-Type"].startswith("application/feed+json")
    feed = response.json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == f"http://testserver{story.get_absolute_url()}json/"
    assert [item["title"] for item in feed["items"]] == ["Newer report", "Older report"]
    assert feed["items"][0]["authors"] == [{"name": "Jane Doe, Daily Ledger"}]
    assert feed["items"][0]["date_published"] == "2022-05-09T00:00:00+00:00"
    again = client.get(f"{story.get_absolute_url()}json/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
