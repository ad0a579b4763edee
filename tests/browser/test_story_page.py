"""A reader's path through the seed story in a real browser."""

import html
import re
import struct

import pytest
from django.utils.html import strip_tags
from lxml import etree
from playwright.sync_api import Page, expect

from resourcecentre.news.models import Component

pytestmark = pytest.mark.browser

# The home page lists the ten newest stories only, and the seed story (2020) is not among them in
# the demo data, so a reader gets there the way the site offers: through the latest news pages.
MAX_LISTING_PAGES = 10


def npr_item(story) -> Component:
    return Component.objects.get(story_links__story=story, source__name="NPR")


def component_dates(page: Page) -> list[str]:
    return page.locator(".component__meta time").evaluate_all("els => els.map(e => e.dateTime)")


def test_a_reader_finds_the_story_from_the_home_page(demo, live_server, page: Page):
    item = npr_item(demo)
    page.goto(live_server.url + "/en/")
    expect(page.get_by_role("heading", name="Latest stories")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Latest news").click()
    expect(page.get_by_role("heading", level=1, name="Latest news")).to_be_visible()
    item_link = page.get_by_role("link", name=item.title, exact=True)
    for _ in range(MAX_LISTING_PAGES):
        if item_link.count():
            break
        page.get_by_role("link", name="Next").click()
    item_link.click()
    expect(page.get_by_role("heading", level=1, name=item.title)).to_be_visible()

    page.get_by_role("region", name="Part of these stories").get_by_role("link", name=demo.headline).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.headline)
    assert page.url == live_server.url + demo.get_absolute_url()


def test_a_reader_reads_translates_sorts_and_subscribes_to_the_story(demo, live_server, page: Page):
    item = npr_item(demo)
    page.goto(live_server.url + demo.get_absolute_url())

    expect(page.get_by_role("heading", level=1)).to_have_text(demo.headline)
    summary_start = html.unescape(strip_tags(demo.summary.split("</p>")[0])).split(". ")[0]
    expect(page.locator(".story__summary")).to_contain_text(summary_start)
    expect(page.get_by_role("heading", level=2, name="All components of this story")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=item.title)).to_be_visible()

    # The Japanese translation is folded away until the reader asks for it.
    japanese = item.translations.get(language="ja")
    article = page.locator("article.component").filter(has=page.get_by_role("heading", name=item.title))
    show, hide = article.get_by_text("+ 日本語"), article.get_by_text("- Hide")
    expect(article.get_by_text(japanese.title)).to_be_hidden()
    expect(hide).to_be_hidden()
    show.click()
    expect(article.get_by_text(japanese.title)).to_be_visible()
    expect(hide).to_be_visible()
    expect(show).to_be_hidden()
    hide.click()
    expect(article.get_by_text(japanese.title)).to_be_hidden()
    expect(show).to_be_visible()

    # Changing the sort order applies at once: the script submits the form.
    newest_first = component_dates(page)
    assert newest_first == sorted(newest_first, reverse=True) and len(set(newest_first)) > 1
    page.get_by_label("Sort").select_option(label="Oldest first")
    page.wait_for_url(re.compile(r"[?&]dateorder=dateasc(&|$)"), timeout=10_000)
    expect(page.get_by_label("Sort")).to_have_value("dateasc")
    oldest_first = component_dates(page)
    assert oldest_first == sorted(newest_first), (newest_first, oldest_first)

    with page.expect_navigation() as navigation:
        page.get_by_role("link", name="Get RSS feed of these results").click()
    response = navigation.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/rss+xml"), response.headers
    feed = etree.fromstring(response.body())
    assert feed.tag == "rss"
    assert feed.findtext("channel/title") == demo.headline
    assert item.title in feed.xpath("channel/item/title/text()")
    expect(page.locator("body")).to_contain_text(item.title)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", data[16:24])


SCREENS = {"phone": (390, 844), "desktop": (1280, 900)}


def test_the_story_fits_phone_and_desktop_screens(demo, live_server, page: Page, artifacts):
    for name, (width, height) in SCREENS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + demo.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text(demo.headline)

        # Nothing sticks out sideways: no reader should have to scroll horizontally to read a line.
        overflow = page.evaluate(
            """() => [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .filter(e => !e.closest(".visually-hidden, .skip-link"))
                .map(e => e.outerHTML.slice(0, 120))"""
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, overflow)
        assert overflow == [], name

        path = artifacts / f"story-{name}.png"
        path.unlink(missing_ok=True)
        page.screenshot(path=path, full_page=True)
        assert path.exists() and path.stat().st_size > 0, path
        shot_width, shot_height = png_size(path.read_bytes())
        assert shot_width == width and shot_height >= height, (name, shot_width, shot_height)
