"""The story page in English, Japanese and Arabic, at phone and desktop widths, in a real browser:
screenshots kept as test artefacts, axe-core on each, Arabic mirrored, the switcher by keyboard."""

from urllib.parse import unquote

import pytest
from django.urls import translate_url
from playwright.sync_api import Page, expect

from . import test_accessibility
from .test_accessibility import audit

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}

axe_source = test_accessibility.axe_source


@pytest.mark.parametrize("language", ["en", "ja", "ar"])
def test_the_story_page_in_each_script_at_phone_and_desktop_width(
    demo, live_server, page: Page, axe_source, artifacts, language
):
    path = translate_url(demo.get_absolute_url(), language)
    direction = "rtl" if language == "ar" else "ltr"
    for name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", direction)
        expect(page.get_by_role("heading", level=1)).to_have_text(demo.headline)
        # Nothing spills sideways: a phone reader never scrolls horizontally.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{language} at {width}px is {overflow}px too wide"
        page.screenshot(path=artifacts / f"story-{language}-{name}.png", full_page=True)
        assert audit(page, axe_source) == [], f"{language} at {width}px"


def test_arabic_mirrors_the_layout(demo, live_server, page: Page):
    width = 1280
    page.set_viewport_size({"width": width, "height": 900})
    boxes = {}
    for language in ("en", "ar"):
        page.goto(live_server.url + translate_url(demo.get_absolute_url(), language))
        boxes[language] = {
            name: page.locator(selector).bounding_box()
            for name, selector in (("logo", ".site-logo"), ("switcher", ".language-switcher summary"))
        }
    # The logo starts as far from the right edge in Arabic as from the left in English; the
    # language switcher (its label differs in width) ends as far from the other edge.
    english, arabic = boxes["en"]["logo"], boxes["ar"]["logo"]
    assert abs(english["x"] - (width - arabic["x"] - arabic["width"])) <= 2, (english, arabic)
    english, arabic = boxes["en"]["switcher"], boxes["ar"]["switcher"]
    assert abs((width - english["x"] - english["width"]) - arabic["x"]) <= 2, (english, arabic)
    assert boxes["en"]["logo"]["x"] < width / 2 < boxes["ar"]["logo"]["x"]


def test_a_reader_switches_language_by_keyboard_and_stays_on_the_story(demo, live_server, page: Page):
    page.goto(live_server.url + demo.get_absolute_url() + "?dateorder=dateasc")
    switcher = page.get_by_role("navigation", name="Languages")
    summary = switcher.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    japanese = switcher.get_by_role("link", name="日本語")
    expect(japanese).to_be_visible()
    japanese.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/ja/**")
    assert unquote(page.url) == unquote(live_server.url + translate_url(demo.get_absolute_url(), "ja")) + (
        "?dateorder=dateasc"
    )
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.headline)
    expect(page.get_by_role("complementary", name="Language of this page")).to_contain_text(
        "This page is not available in 日本語 and is being displayed in English."
    )
