"""The editorial inbox in the Wagtail admin, over HTTP, as an editor uses it."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from resourcecentre.ingest import services
from resourcecentre.ingest.models import Candidate, Entry, Feed, SuggestedTag
from resourcecentre.news.models import Component, Story
from resourcecentre.taxonomy.models import Country, Issue
from tests.factories import CompanyFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db

INBOX = "/admin/monitoring/inbox/"
NOON = datetime.datetime(2025, 3, 4, 12, 0, tzinfo=datetime.UTC)
TITLE = "Amazon warehouse workers in Germany strike over surveillance"
TEXT = (
    "Workers at Amazon's warehouse near Leipzig walked out on Monday.\n"
    "They say handheld scanners track every minute, a practice a former Microsoft engineer called "
    "intrusive. Unions in the United States are watching."
)


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user("editor", "editor@newsroom.example", "pw-editor-1")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def wire():
    return Feed.objects.create(
        name="Wire Service", url="https://wire.example/rss", language="en", source=SourceFactory(name="Wire")
    )


@pytest.fixture
def blog():
    return Feed.objects.create(name="Labour Blog", url="https://labour-blog.example/feed", language="en")


@pytest.fixture
def amazon():
    return CompanyFactory(name="Amazon")


@pytest.fixture
def microsoft():
    return CompanyFactory(name="Microsoft")


@pytest.fixture
def story():
    return StoryFactory(headline="Global: Warehouse workers allege intrusive monitoring by Amazon")


def candidate(
    feed: Feed,
    title: str = TITLE,
    text: str = TEXT,
    *,
    hours_ago: int = 0,
    language: str = "en",
    story: Story | None = None,
    status: str = Candidate.Status.NEW,
    also_from: tuple[Feed, ...] = (),
) -> Candidate:
    """A candidate as the pipeline leaves it, with one entry per feed that brought it."""
    published = NOON - datetime.timedelta(hours=hours_ago)
    slug = re.sub(r"\W+", "-", title.lower())[:60]
    item = Candidate.objects.create(
        title=title,
        url=f"https://{feed.pk}.example/{slug}",
        text=text,
        published_at=published,
        language=language,
        suggested_story=story,
        status=status,
    )
    for number, each in enumerate((feed, *also_from)):
        Entry.objects.create(
            feed=each,
            candidate=item,
            guid=f"{slug}-{number}",
            url=f"https://{each.pk}.example/{slug}",
            canonical_url=f"https://{each.pk}.example/{slug}",
            title=title,
            published_at=published,
        )
    return item


def suggest(item: Candidate, term, confidence: float, matched: str = "", field: str = "text") -> SuggestedTag:
    """A tag as the tagger suggests it, its span on the first occurrence of `matched`."""
    kind = term._meta.model_name
    start = getattr(item, field).index(matched) if matched else None
    tag = SuggestedTag.objects.create(
        candidate=item,
        kind=kind,
        confidence=confidence,
        matched=matched,
        field=field,
        span_start=start,
        span_end=None if start is None else start + len(matched),
        **{kind: term},
    )
    Candidate.objects.filter(pk=item.pk, confidence__lt=confidence).update(confidence=confidence)
    return tag


def rows(response) -> list[str]:
    """The titles the inbox lists, in its order."""
    return [row.candidate.title for row in response.context["rows"]]


def shown(response) -> str:
    return response.content.decode()


# The list ------------------------------------------------------------------------------------


def test_the_inbox_lists_waiting_items_newest_first_with_feeds_tags_sources_and_story(
    client, wire, blog, amazon, story
):
    older = candidate(wire, "Older item about Amazon", hours_ago=5)
    newer = candidate(wire, TITLE, also_from=(blog,), story=story)
    suggest(newer, amazon, 0.95, "Amazon")
    suggest(newer, Country.objects.get(code="DE"), 0.7, "Germany", field="title")
    candidate(wire, "Already accepted", status=Candidate.Status.ACCEPTED)
    candidate(wire, "Already rejected", status=Candidate.Status.REJECTED)

    response = client.get(INBOX)

    assert response.status_code == 200
    assert rows(response) == [TITLE, older.title]
    page = shown(response)
    assert "2 items waiting." in page
    row = page[page.index(f"/admin/monitoring/inbox/{newer.pk}/") :]
    row = row[: row.index("</tr>")]
    assert "Wire Service, Labour Blog" in row
    assert "Amazon <span" in row and "95 %" in row and "Germany" in row
    assert "<td>2</td>" in row  # merged from two feeds
    assert story.headline in row
    older_row = page[page.index(f"/admin/monitoring/inbox/{older.pk}/") :]
    assert "New story" in older_row[: older_row.index("</tr>")]
    assert "Already accepted" not in page and "Already rejected" not in page
    assert "<kbd>j</kbd>" in page and "accept the selected rows as drafts" in page
    assert "ingest/inbox.js" in page


def test_the_inbox_filters_by_feed_source_language_company_and_confidence(
    client, wire, blog, amazon, microsoft
):
    english = candidate(wire, "Amazon drivers protest", hours_ago=1)
    suggest(english, amazon, 0.9, "Amazon", field="title")
    spanish = candidate(blog, "Trabajadores de Microsoft en huelga", "Texto.", hours_ago=2, language="es")
    suggest(spanish, microsoft, 0.4, "Microsoft", field="title")
    unsure = candidate(blog, "A shell company in a tax haven", "Text.", hours_ago=3)

    assert rows(client.get(INBOX, {"feed": blog.pk})) == [spanish.title, unsure.title]
    assert rows(client.get(INBOX, {"source": wire.source_id})) == [english.title]
    assert rows(client.get(INBOX, {"language": "es"})) == [spanish.title]
    assert rows(client.get(INBOX, {"company": microsoft.pk})) == [spanish.title]
    assert rows(client.get(INBOX, {"min_confidence": "0.5"})) == [english.title]
    assert rows(client.get(INBOX, {"language": "en", "min_confidence": "0.3"})) == [english.title]
    # The choices are what is waiting; a stale value narrows nothing rather than failing.
    page = shown(client.get(INBOX))
    assert '<option value="es">' in page and f'<option value="{amazon.pk}">Amazon</option>' in page
    assert len(rows(client.get(INBOX, {"feed": "999999"}))) == 3


def test_the_inbox_and_an_item_cost_a_fixed_number_of_queries(
    client, wire, blog, amazon, story, django_assert_max_num_queries
):
    for hours in range(30):
        item = candidate(wire, f"Item {hours} about Amazon", hours_ago=hours, also_from=(blog,), story=story)
        suggest(item, amazon, 0.9, "Amazon", field="title")
        suggest(item, Issue.objects.get(name="Privacy"), 0.6)
    with django_assert_max_num_queries(20):
        response = client.get(INBOX)
    assert len(rows(response)) == 30
    with django_assert_max_num_queries(25):
        client.get(f"{INBOX}{item.pk}/")


# One item ------------------------------------------------------------------------------------


def test_an_item_page_marks_the_tag_spans_and_escapes_everything_else(client, wire, amazon, microsoft):
    title = "<script>alert('x')</script> Amazon & partners"
    text = "Workers <b>deny</b> it. A Microsoft spokesperson declined to comment."
    item = candidate(wire, title, text)
    suggest(item, amazon, 0.95, "Amazon", field="title")
    suggest(item, microsoft, 0.45, "Microsoft")
    # A span that no longer covers the text it was found in (the text went with a split).
    stale = suggest(item, Country.objects.get(code="US"), 0.6, "Workers")
    SuggestedTag.objects.filter(pk=stale.pk).update(matched="United States")

    page = shown(client.get(f"{INBOX}{item.pk}/"))

    assert "<script>alert" not in page
    assert (
        '&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; <mark title="Amazon (company, 95 %)">Amazon</mark>'
        " &amp; partners" in page
    )
    assert (
        "Workers &lt;b&gt;deny&lt;/b&gt; it. "
        'A <mark title="Microsoft (company, 45 %)">Microsoft</mark> spokesperson' in page
    )
    assert "United States (country" not in page
    # Confident suggestions come ticked, unsure ones not.
    ticked = re.findall(r'name="tags" value="(\d+)"[^>]*checked', page)
    assert {str(SuggestedTag.objects.get(pk=pk).term) for pk in ticked} == {"Amazon", "United States"}
    assert "Microsoft – company, 45 %" in page


def test_an_item_lists_every_source_with_a_split_button_that_splits_it_off(client, wire, blog):
    item = candidate(wire, also_from=(blog,))
    page = shown(client.get(f"{INBOX}{item.pk}/"))
    assert "2 sources" in page and "Wire Service" in page and "Labour Blog" in page
    assert f"https://{blog.pk}.example/" in page
    blog_entry = item.entries.get(feed=blog)
    assert f"/admin/monitoring/inbox/entries/{blog_entry.pk}/split/" in page

    response = client.post(f"{INBOX}entries/{blog_entry.pk}/split/", follow=True)

    split_off = Entry.objects.get(pk=blog_entry.pk).candidate
    assert split_off != item and split_off.status == Candidate.Status.NEW
    assert list(item.entries.values_list("feed__name", flat=True)) == ["Wire Service"]
    assert response.redirect_chain[-1][0] == f"{INBOX}{item.pk}/"
    assert "is now an item of its own in the inbox." in shown(response)
    # With one source left there is nothing to split.
    assert "/split/" not in shown(client.get(f"{INBOX}{item.pk}/"))


def accept(client, item: Candidate, query: str = "", **fields):
    data = {"story": "suggested", "publish": "draft", **fields}
    return client.post(f"{INBOX}{item.pk}/accept/{query}", data)


def test_accepting_with_corrected_tags_records_what_the_editor_kept_removed_and_added(
    client, editor, wire, amazon, microsoft, story
):
    ibm = CompanyFactory(name="IBM")
    item = candidate(wire, story=story)
    kept = suggest(item, amazon, 0.95, "Amazon")
    wrong = suggest(item, microsoft, 0.6, "Microsoft")
    usa = suggest(item, Country.objects.get(code="US"), 0.8, "United States")
    unsure = suggest(item, Issue.objects.get(name="Privacy"), 0.3)
    next_item = candidate(wire, "The next item", hours_ago=1)
    germany = Country.objects.get(code="DE")

    response = accept(
        client,
        item,
        tags=[kept.pk, usa.pk],
        add_company=ibm.pk,
        add_country=germany.pk,
        publish="now",
    )

    assert response.status_code == 302 and response["Location"] == f"{INBOX}{next_item.pk}/"
    component = Component.objects.get(title=TITLE)
    assert component.live
    assert set(component.companies.all()) == {amazon, ibm}
    assert set(component.countries.values_list("code", flat=True)) == {"US", "DE"}
    assert not component.issues.exists()
    assert component.story_links.get().story == story
    item.refresh_from_db()
    assert (item.status, item.component, item.decided_by) == ("accepted", component, editor)
    decisions = {
        (str(tag.term), tag.origin, tag.accepted, tag.decided_by_id)
        for tag in SuggestedTag.objects.filter(candidate=item)
    }
    assert decisions == {
        ("Amazon", "tagger", True, editor.pk),
        ("Microsoft", "tagger", False, editor.pk),
        ("United States", "tagger", True, editor.pk),
        ("Privacy", "tagger", False, editor.pk),
        ("IBM", "editor", True, editor.pk),
        ("Germany", "editor", True, editor.pk),
    }
    # The next item opens, with a message that links to the component's edit page.
    page = shown(client.get(response["Location"]))
    assert "Accepted and published: “Amazon warehouse workers" in page
    assert f"/admin/snippets/news/component/edit/{component.pk}/" in page
    # The item's own page now says what was decided.
    page = shown(client.get(f"{INBOX}{item.pk}/"))
    assert f"Microsoft – company, {wrong.confidence * 100:.0f} % – removed" in page
    assert f"Privacy – issue, {unsure.confidence * 100:.0f} % – removed" in page
    assert "IBM – company, added by the editor" in page
    assert 'name="tags"' not in page


def test_accepting_into_a_new_story_makes_a_draft_story_with_the_tags(client, wire, amazon):
    item = candidate(wire)
    tag = suggest(item, amazon, 0.9, "Amazon")

    response = accept(client, item, tags=[tag.pk], story="new")

    assert response["Location"] == INBOX  # nothing else waits
    component = Component.objects.get()
    new_story = component.story_links.get().story
    assert (new_story.headline, new_story.live, component.live) == (TITLE, False, False)
    assert list(new_story.companies.all()) == [amazon]
    assert "Accepted as a draft: “" in shown(client.get(INBOX))


def test_accepting_into_another_story_needs_that_story(client, wire, story):
    other = StoryFactory(headline="Germany: Logistics workers report monitoring")
    item = candidate(wire, story=story)

    response = accept(client, item, story="other")
    assert response.status_code == 200
    assert "Choose the other story, or another option above." in shown(response)
    assert Candidate.objects.get(pk=item.pk).status == "new"

    accept(client, item, story="other", other_story=other.pk)
    assert Component.objects.get().story_links.get().story == other


def test_the_suggested_story_is_preselected_and_new_story_otherwise(client, wire, story):
    suggested = candidate(wire, story=story)
    unsure = candidate(wire, "Nothing like it yet", hours_ago=1)
    page = shown(client.get(f"{INBOX}{suggested.pk}/"))
    assert re.search(r'<input type="radio" name="story" value="suggested"[^>]*checked', page)
    assert f"The suggested story: {story.headline}" in page
    page = shown(client.get(f"{INBOX}{unsure.pk}/"))
    assert 'value="suggested"' not in page
    assert re.search(r'<input type="radio" name="story" value="new"[^>]*checked', page)


def test_rejecting_needs_a_reason_and_keeps_it(client, editor, wire):
    item = candidate(wire)
    following = candidate(wire, "The next item", hours_ago=1)

    response = client.post(f"{INBOX}{item.pk}/reject/", {"reason": ""})
    assert response.status_code == 200 and "Choose a reason for rejecting." in shown(response)
    response = client.post(f"{INBOX}{item.pk}/reject/", {"reason": "other", "note": " "})
    assert "Say why the item is rejected." in shown(response)
    assert Candidate.objects.get(pk=item.pk).status == "new"

    response = client.post(
        f"{INBOX}{item.pk}/reject/", {"reason": "duplicate", "note": "Same as the AP story"}
    )

    assert response["Location"] == f"{INBOX}{following.pk}/"
    item.refresh_from_db()
    assert (item.status, item.reject_reason, item.decided_by) == (
        "rejected",
        "duplicate: Same as the AP story",
        editor,
    )
    page = shown(client.get(f"{INBOX}{item.pk}/"))
    assert "Duplicate: Same as the AP story" in page
    assert 'name="reason"' not in page  # decided: no more forms


def test_a_second_decision_on_the_same_item_is_refused_with_a_clear_message(client, wire, amazon):
    item = candidate(wire)
    accept(client, item, story="new")

    response = accept(client, item, story="new")
    assert response["Location"] == f"{INBOX}{item.pk}/"
    assert "This item was already accepted." in shown(client.get(response["Location"]))
    response = client.post(f"{INBOX}{item.pk}/reject/", {"reason": "off-topic"}, follow=True)
    assert "This item was already accepted." in shown(response)
    assert Component.objects.count() == 1
    assert Candidate.objects.get(pk=item.pk).status == "accepted"


def test_after_a_decision_the_next_item_of_the_filtered_inbox_opens(client, wire):
    first = candidate(wire, "Primero", "Texto.", language="es")
    candidate(wire, "English in between", hours_ago=1)
    second = candidate(wire, "Segundo", "Texto.", hours_ago=2, language="es")

    page = shown(client.get(INBOX, {"language": "es"}))
    assert f'href="{INBOX}{first.pk}/?language=es"' in page
    response = client.post(f"{INBOX}{first.pk}/reject/?language=es", {"reason": "off-topic"})

    assert response["Location"] == f"{INBOX}{second.pk}/?language=es"


# Bulk actions --------------------------------------------------------------------------------


def test_bulk_accept_puts_each_item_into_its_suggested_story_as_a_draft_and_reports_those_decided_meanwhile(
    client, wire, amazon, microsoft, story
):
    with_story = candidate(wire, "Amazon item", story=story)
    suggest(with_story, amazon, 0.9, "Amazon")
    suggest(with_story, microsoft, 0.4, "Microsoft")
    without_story = candidate(wire, "Microsoft item", hours_ago=1)
    suggest(without_story, microsoft, 0.7, "Microsoft")
    decided = candidate(wire, "Decided meanwhile", hours_ago=2)
    services.candidate_reject(candidate=decided, reason="off-topic")

    response = client.post(
        f"{INBOX}bulk/",
        {"action": "accept", "candidates": [with_story.pk, without_story.pk, decided.pk]},
        follow=True,
    )

    page = shown(response)
    assert "Accepted 2 items into their suggested stories as drafts." in page
    assert "“Decided meanwhile”: This item was already rejected." in page
    first = Component.objects.get(title="Amazon item")
    assert not first.live and first.story_links.get().story == story
    assert list(first.companies.all()) == [amazon]  # the unsure Microsoft is left out
    second = Component.objects.get(title="Microsoft item")
    assert second.story_links.get().story.headline == "Microsoft item"  # a new draft story
    assert SuggestedTag.objects.get(candidate=with_story, company=microsoft).accepted is False


def test_bulk_reject_needs_a_reason_and_rejects_every_selected_item(client, wire):
    items = [candidate(wire, f"Item {n}", hours_ago=n) for n in range(3)]

    response = client.post(f"{INBOX}bulk/", {"action": "reject", "candidates": [items[0].pk]}, follow=True)
    assert "Choose a reason for rejecting." in shown(response)
    response = client.post(f"{INBOX}bulk/", {"action": "reject"}, follow=True)
    assert "Select at least one item." in shown(response)
    assert not Candidate.objects.exclude(status="new").exists()

    response = client.post(
        f"{INBOX}bulk/",
        {"action": "reject", "reason": "low-quality", "candidates": [items[0].pk, items[2].pk]},
        follow=True,
    )

    assert "Rejected 2 items." in shown(response)
    assert rows(response) == ["Item 1"]
    assert set(Candidate.objects.filter(status="rejected").values_list("reject_reason", flat=True)) == {
        "low-quality"
    }


# Permission ----------------------------------------------------------------------------------


def test_the_inbox_needs_the_permission_to_change_candidates(client, wire):
    item = candidate(wire)
    assert "/admin/monitoring/inbox/" in shown(client.get("/admin/"))  # the editor's menu

    clerk = get_user_model().objects.create_user("clerk", "clerk@newsroom.example", "pw-clerk-1")
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)
    assert "/admin/monitoring/inbox/" not in shown(client.get("/admin/"))
    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    response = client.get(INBOX, follow=True)
    assert response.redirect_chain == [("/admin/", 302)]
    assert "Sorry, you do not have permission to access this area." in shown(response)
    assert client.get(f"{INBOX}{item.pk}/")["Location"] == "/admin/"
    assert accept(client, item, story="new")["Location"] == "/admin/"
    assert (
        client.post(f"{INBOX}bulk/", {"action": "accept", "candidates": [item.pk]})["Location"] == "/admin/"
    )
    assert Candidate.objects.get(pk=item.pk).status == "new"

    client.logout()
    assert client.get(INBOX)["Location"].startswith("/admin/login/")


@pytest.fixture
def reader(client):
    """Works the inbox, but may not publish components."""
    user = get_user_model().objects.create_user("reader", "reader@newsroom.example", "pw-reader-1")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "change_candidate", "view_candidate", "add_component"]
        )
    )
    client.force_login(user)
    return user


def test_publishing_on_accept_needs_the_permission_to_publish_components(client, reader, wire, story):
    item = candidate(wire, story=story)

    page = shown(client.get(f"{INBOX}{item.pk}/"))
    assert "Keep as a draft" in page and "Publish now" not in page
    assert "You may not publish components; an editor who may can publish the draft." in page

    response = accept(client, item, publish="now")
    assert response.status_code == 200
    assert "You may not publish components; accept the item as a draft instead." in shown(response)
    assert Candidate.objects.get(pk=item.pk).status == "new" and not Component.objects.exists()

    response = accept(client, item, publish="draft")
    assert response.status_code == 302
    assert not Component.objects.get().live


def test_a_bulk_accept_never_publishes_whoever_asks(client, reader, wire, story):
    items = [candidate(wire, f"Item {n}", hours_ago=n, story=story) for n in range(2)]

    response = client.post(
        f"{INBOX}bulk/",
        {"action": "accept", "publish": "now", "candidates": [i.pk for i in items]},
        follow=True,
    )

    assert "Accepted 2 items into their suggested stories as drafts." in shown(response)
    assert Component.objects.count() == 2 and not Component.objects.filter(live=True).exists()
