"""The editorial inbox in a real browser: an editor opens an item from the keyboard, corrects the
tags the monitoring suggested, accepts it into a published story, and readers see it there."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify
from playwright.sync_api import Page, expect

from resourcecentre.companies.models import Company
from resourcecentre.ingest.models import Candidate, Entry, Feed, SuggestedTag
from resourcecentre.news.models import Component, Source, Story
from resourcecentre.taxonomy.models import Country

pytestmark = pytest.mark.browser

EDITOR_PASSWORD = "pw-editor-1"
TITLE = "Amazon shareholders to vote on halting Rekognition sales to police"
TEXT = (
    "Investors in Amazon will vote on a proposal to stop selling the Rekognition face-recognition "
    "service to police forces until its effects on civil rights are assessed.\n"
    "A pension fund from Toronto filed the proposal. A former Microsoft engineer who studied the "
    "system said error rates were higher for women. Police in the United States have tested it."
)


def candidate(
    feed: Feed, title: str, text: str, *, published: datetime.datetime, story: Story | None
) -> Candidate:
    item = Candidate.objects.create(
        title=title,
        url=f"https://wire.example/{slugify(title)}",
        text=text,
        published_at=published,
        language="en",
        suggested_story=story,
    )
    Entry.objects.create(
        feed=feed,
        candidate=item,
        guid=item.url,
        url=item.url,
        canonical_url=item.url,
        title=title,
        published_at=published,
    )
    return item


def suggest(item: Candidate, kind: str, term, confidence: float, matched: str, field: str = "text") -> None:
    start = getattr(item, field).index(matched)
    SuggestedTag.objects.create(
        candidate=item,
        kind=kind,
        confidence=confidence,
        matched=matched,
        field=field,
        span_start=start,
        span_end=start + len(matched),
        **{kind: term},
    )


def log_in(page: Page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/")


def test_an_editor_corrects_the_tags_of_an_item_and_accepts_it_into_a_published_story(
    demo, live_server, page: Page
):
    editor = get_user_model().objects.create_user("editor", "editor@newsroom.example", EDITOR_PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    feed = Feed.objects.create(
        name="Tech Wire", url="https://wire.example/rss", language="en", source=Source.objects.get(name="NPR")
    )
    Candidate.objects.all().delete()  # the demo's own inbox: this test triages its two items
    now = timezone.now().replace(microsecond=0)
    item = candidate(feed, TITLE, TEXT, published=now, story=demo)
    suggest(item, "company", Company.objects.get(name="Amazon"), 0.95, "Amazon", field="title")
    suggest(item, "company", Company.objects.get(name="Microsoft"), 0.62, "Microsoft")
    suggest(item, "country", Country.objects.get(code="US"), 0.8, "United States")
    older = candidate(
        feed, "IBM ends its facial recognition business", "IBM said it would stop.", published=now, story=demo
    )
    Candidate.objects.filter(pk=older.pk).update(published_at=now - datetime.timedelta(hours=3))

    log_in(page, live_server, editor.username, EDITOR_PASSWORD)
    page.get_by_role("button", name="Monitoring").click()
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", level=1, name="Inbox")).to_be_visible()
    expect(page.get_by_text("2 items waiting.")).to_be_visible()
    expect(page.get_by_role("list", name="Keyboard shortcuts")).to_contain_text("open the row")

    # j makes the newest row the current one; Enter opens it.
    page.wait_for_load_state("domcontentloaded")  # the shortcuts' script is deferred
    page.keyboard.press("j")
    expect(page.locator("tr.is-current")).to_contain_text(TITLE)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/admin/monitoring/inbox/{item.pk}/$"))
    expect(page.get_by_role("heading", level=1).locator("mark")).to_have_text("Amazon")
    expect(page.locator(".inbox-text mark")).to_have_text(["Microsoft", "United States"])

    # The wrong company comes ticked; the editor unticks it and adds the country it missed.
    microsoft = page.get_by_label("Microsoft – company, 62 %")
    expect(microsoft).to_be_checked()
    microsoft.uncheck()
    page.get_by_label("Add a country").select_option(label="Canada")
    expect(page.get_by_label(f"The suggested story: {demo.headline}")).to_be_checked()
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Accept", exact=True).click()

    # The next item opens, and the message links to the new component.
    expect(page).to_have_url(re.compile(rf"/admin/monitoring/inbox/{older.pk}/$"))
    expect(page.get_by_text(f"Accepted and published: “{TITLE}” on “{demo.headline}”.")).to_be_visible()
    component = Component.objects.get(title=TITLE)
    expect(page.get_by_role("link", name="Edit the component")).to_have_attribute(
        "href", f"/admin/snippets/news/component/edit/{component.pk}/"
    )

    # Readers find it on the story page, and on its own page with the corrected tags.
    page.goto(live_server.url + demo.get_absolute_url())
    components = page.get_by_role("region", name="All components of this story")
    components.get_by_role("heading", level=3, name=TITLE).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    tags = page.locator("dl.tags")
    expect(tags.get_by_role("link", name="Amazon", exact=True)).to_be_visible()
    expect(tags.get_by_role("link", name="Canada", exact=True)).to_be_visible()
    expect(tags.get_by_role("link", name="United States", exact=True)).to_be_visible()
    expect(tags).not_to_contain_text("Microsoft")


def test_an_editor_triages_the_inbox_with_the_keyboard(committed_db, live_server, page: Page):
    editor = get_user_model().objects.create_user("editor", "editor@newsroom.example", EDITOR_PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    feed = Feed.objects.create(name="Tech Wire", url="https://wire.example/rss", language="en")
    now = timezone.now().replace(microsecond=0)
    first, second, third = (
        candidate(feed, title, "Text.", published=now - datetime.timedelta(hours=hours), story=None)
        for hours, title in enumerate(["First wire copy", "An item worth keeping", "Third wire copy"])
    )
    log_in(page, live_server, editor.username, EDITOR_PASSWORD)
    page.goto(live_server.url + "/admin/monitoring/inbox/")

    # x selects the current row; r moves to the reason for rejecting the selected rows.
    for key in "jxjjxr":
        page.keyboard.press(key)
    expect(page.get_by_label("Reason")).to_be_focused()
    page.get_by_label("Reason").select_option("duplicate")
    # Letters typed into a field are text, not shortcuts.
    page.get_by_label("Details").press_sequentially("Same wire story as AP, rejected")
    expect(page).to_have_url(re.compile(r"/admin/monitoring/inbox/$"))
    expect(page.get_by_label("Select “An item worth keeping”")).not_to_be_checked()
    page.get_by_role("button", name="Reject").click()

    expect(page.get_by_text("Rejected 2 items.")).to_be_visible()
    assert {c.pk: c.status for c in Candidate.objects.all()} == {
        first.pk: "rejected",
        second.pk: "new",
        third.pk: "rejected",
    }
    assert Candidate.objects.get(pk=first.pk).reject_reason == "duplicate: Same wire story as AP, rejected"

    # o opens the current row; on the item, a accepts it (into a new draft story by default).
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/admin/monitoring/inbox/{second.pk}/$"))
    page.wait_for_load_state("domcontentloaded")  # the shortcuts' script is deferred
    page.keyboard.press("a")
    expect(page.get_by_text("Accepted as a draft: “An item worth keeping”")).to_be_visible()
    expect(page.get_by_text("0 items waiting.")).to_be_visible()
    component = Component.objects.get()
    assert component.title == "An item worth keeping" and not component.live
    assert component.story_links.get().story.headline == "An item worth keeping"


def test_an_editor_turns_the_single_key_shortcuts_off_and_the_choice_is_kept(
    committed_db, live_server, page: Page
):
    editor = get_user_model().objects.create_user("editor", "editor@newsroom.example", EDITOR_PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    feed = Feed.objects.create(name="Tech Wire", url="https://wire.example/rss", language="en")
    candidate(feed, "First wire copy", "Text.", published=timezone.now(), story=None)
    log_in(page, live_server, editor.username, EDITOR_PASSWORD)
    page.goto(live_server.url + "/admin/monitoring/inbox/")

    switch = page.get_by_role("checkbox", name="Keyboard shortcuts")
    expect(switch).to_be_checked()  # on unless turned off
    switch.uncheck()
    expect(page.get_by_role("list", name="Keyboard shortcuts")).to_be_hidden()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(page.locator("tr.is-current")).to_have_count(0)

    page.reload()
    expect(switch).not_to_be_checked()
    page.keyboard.press("j")
    expect(page.locator("tr.is-current")).to_have_count(0)

    switch.check()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(page.locator("tr.is-current")).to_contain_text("First wire copy")
