"""The site-wide banner: a reader hides it, with or without JavaScript, and it stays hidden."""

import pytest
from playwright.sync_api import Browser, Page, expect

from resourcecentre.site_messages.models import SiteMessage

pytestmark = pytest.mark.browser


def banner(page: Page):
    return page.get_by_role("region", name="Site message")


def test_hide_message_removes_the_banner_and_it_stays_hidden(demo, live_server, page: Page):
    message = SiteMessage.objects.get()
    page.goto(live_server.url + "/en/")
    expect(banner(page)).to_be_visible()
    expect(banner(page).get_by_role("heading", name=message.title)).to_be_visible()
    expect(banner(page).get_by_role("link", name="Find Out More")).to_be_visible()

    banner(page).get_by_role("button", name="Hide Message").click()
    expect(banner(page)).to_have_count(0)
    # Keyboard and screen-reader users are not left on a button that no longer exists.
    expect(page.locator("#main")).to_be_focused()

    page.reload()
    expect(page.get_by_role("heading", level=2, name="Latest stories")).to_be_visible()
    expect(banner(page)).to_have_count(0)
    page.goto(live_server.url + "/en/latest-news/")
    expect(page.get_by_role("heading", level=1, name="Latest news")).to_be_visible()
    expect(banner(page)).to_have_count(0)


def test_without_javascript_the_form_hides_the_banner_and_returns_to_the_page(
    demo, live_server, browser: Browser
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/en/latest-news/")
        expect(banner(page)).to_be_visible()

        with page.expect_navigation():
            banner(page).get_by_role("button", name="Hide Message").click()
        assert page.url == live_server.url + "/en/latest-news/"
        expect(page.get_by_role("heading", level=1, name="Latest news")).to_be_visible()
        expect(banner(page)).to_have_count(0)

        page.reload()
        expect(page.get_by_role("heading", level=1, name="Latest news")).to_be_visible()
        expect(banner(page)).to_have_count(0)
    finally:
        context.close()
