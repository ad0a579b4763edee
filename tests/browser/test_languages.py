"""The story page in English, Japanese and Arabic, at phone and desktop widths, in a real browser:
screenshots kept as test artefacts, axe-core on each, Arabic mirrored, the switcher by keyboard;
and, in Arabic on a phone, no text spilling out of its box and English text running left to right."""

from urllib.parse import unquote

import pytest
from django.urls import translate_url
from django.utils.translation import gettext, override
from playwright.sync_api import Page, expect

from . import test_accessibility
from .pages import language_pages
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
    with override("ja"):
        notice = gettext("Language of this page")
        message = gettext("This page is not available in %(wanted)s and is being displayed in %(shown)s.")
    expect(page.get_by_role("complementary", name=notice)).to_contain_text(
        message % {"wanted": "日本語", "shown": "英語"}
    )


# Every element whose content spills out of its box, as "tag.class: wider, taller, text". Boxes that
# clip or scroll their content on purpose (overflow not visible) and inline boxes (no width) are left out.
OVERFLOWING = """() => [...document.body.querySelectorAll('*')].flatMap(element => {
    if (getComputedStyle(element).overflowX !== 'visible' || !element.clientWidth) return [];
    const wide = element.scrollWidth - element.clientWidth;
    const tall = element.scrollHeight - element.clientHeight;
    if (wide <= 1 && tall <= 1) return [];
    const name = element.tagName.toLowerCase() + [...element.classList].map(c => '.' + c).join('');
    return [`${name}: ${wide}px wider, ${tall}px taller, "${element.textContent.trim().slice(0, 40)}"`];
})"""


def test_arabic_at_phone_width_keeps_text_in_its_box_and_english_left_to_right(
    demo, live_server, page: Page, artifacts
):
    page.set_viewport_size({"width": WIDTHS["phone"][0], "height": WIDTHS["phone"][1]})
    found = {}
    for name in ("company in Arabic", "search in Arabic"):
        page.goto(live_server.url + language_pages(demo)[name])
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        page.screenshot(path=artifacts / f"{name.replace(' ', '-')}-phone.png", full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if boxes := page.evaluate(OVERFLOWING) + (
            [f"the page: {overflow}px too wide"] if overflow > 0 else []
        ):
            found[name] = boxes
    assert found == {}
    # What editors wrote in English runs left to right inside the Arabic page, its full stops at
    # its end: the site message, and the company's summary and other names.
    english = page.locator(".site-message__title, .site-message__body, .company__summary, .facts [lang=und]")
    page.goto(live_server.url + language_pages(demo)["company in Arabic"])
    assert english.count() >= 4
    assert set(english.evaluate_all("elements => elements.map(e => getComputedStyle(e).direction)")) == {
        "ltr"
    }
