"""A reader searches, narrows the results with two facets and follows the feed."""

import re
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_a_reader_searches_ticks_two_facets_and_follows_the_feed(demo, live_server, page: Page):
    page.goto(live_server.url + "/en/")
    page.goto(live_server.url + "/en/search/")
    page.get_by_label("Search stories, news and companies").fill("facial recognition")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^\d+ results?$"))).to_be_visible()
    first_total = int(
        page.get_by_role("heading", level=2, name=re.compile(r"results?$")).text_content().split()[0]
    )
    assert first_total > 1
    expect(page.locator(".hit mark").first).to_be_visible()

    # Ticking a facet applies it at once (the form submits on change) and puts it in the URL.
    page.locator("fieldset", has_text="Content").get_by_label(re.compile(r"^\s*News items")).check()
    page.wait_for_url(re.compile(r"kind=component"))
    page.locator("fieldset", has_text="Issues").get_by_label(re.compile(r"^\s*Privacy")).check()
    page.wait_for_url(re.compile(r"issue=privacy"))
    query = parse_qs(urlsplit(page.url).query)
    assert (
        query["q"] == ["facial recognition"]
        and query["kind"] == ["component"]
        and query["issue"] == ["privacy"]
    )
    total = int(page.get_by_role("heading", level=2, name=re.compile(r"results?$")).text_content().split()[0])
    assert 0 < total < first_total
    assert page.locator(".hit").count() == min(total, 20)
    expect(
        page.locator("fieldset", has_text="Issues").get_by_label(re.compile(r"^\s*Privacy"))
    ).to_be_checked()

    # The feed link carries the same search.
    feed_href = page.get_by_role("link", name="Get RSS feed of these results").get_attribute("href")
    assert "issue=privacy" in feed_href and "kind=component" in feed_href
    response = page.request.get(live_server.url + feed_href)
    feed = feedparser.parse(response.body())
    assert not feed.bozo and len(feed.entries) == total


def test_company_names_are_suggested_while_typing(demo, live_server, page: Page):
    page.goto(live_server.url + "/en/search/")
    page.get_by_label("Find a company").fill("Amaz")
    expect(page.locator("#company-suggestions option[value='Amazon']")).to_have_count(1)
    page.get_by_label("Find a company").press("Enter")
    page.wait_for_url(re.compile(r"company=amazon"))
    expect(
        page.locator("fieldset", has_text="Companies").get_by_label(re.compile(r"^\s*Amazon"))
    ).to_be_checked()
