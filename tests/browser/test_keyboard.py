"""A keyboard-only reader can reach every link on the story page and see where the focus is."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Number every link and return those a reader can reach: rendered ones (not inside a closed
# translation, not display:none). Visually hidden text still counts: it is focusable.
LABEL_LINKS = """() => [...document.querySelectorAll("a[href]")]
    .map((a, i) => { a.dataset.probe = i; return a.checkVisibility() ? i : null; })
    .filter(i => i !== null)"""

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || !el.dataset || el.dataset.probe === undefined) return null;
    const style = getComputedStyle(el);
    return {probe: Number(el.dataset.probe), outline: style.outlineStyle, width: style.outlineWidth,
            text: el.textContent.trim().slice(0, 80), href: el.getAttribute("href")};
}"""


def test_a_keyboard_reader_skips_to_the_content_and_reaches_every_link_with_visible_focus(
    demo, live_server, page: Page
):
    page.goto(live_server.url + demo.get_absolute_url())
    reachable = set(page.evaluate(LABEL_LINKS))
    assert len(reachable) > 10, "the story page should have links to reach"

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, f"skip link is off screen: {box}"

    focused: dict[int, dict] = {}
    for _ in range(2 * len(reachable) + 20):
        current = page.evaluate(FOCUSED)
        if current is not None:
            focused[current["probe"]] = current
        if reachable <= focused.keys():
            break
        page.keyboard.press("Tab")

    missed = page.evaluate(
        "probes => probes.map(p => document.querySelector(`[data-probe='${p}']`).outerHTML.slice(0, 160))",
        sorted(reachable - focused.keys()),
    )
    assert missed == [], "links the keyboard never reaches"
    invisible = [f for f in focused.values() if f["outline"] == "none" or f["width"] in ("0px", "")]
    assert invisible == [], "links with no visible focus outline"

    # The skip link takes the reader past the header, straight into the content.
    page.reload()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), page.evaluate(
        "document.activeElement.outerHTML"
    )
