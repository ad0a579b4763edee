import datetime

import feedparser
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from resourcecentre.alerts import services
from resourcecentre.alerts.models import Alert, DigestSend, WeeklyUpdate, WeeklyUpdateStory
from resourcecentre.news.models import StoryComponent, StoryTranslation
from tests.factories import CompanyFactory, IssueFactory, StoryFactory

from .conftest import body
from .test_digests import NOW, subscribe


def issue(language="en", *, live=True, **kwargs) -> WeeklyUpdate:
    story = StoryFactory(headline=f"Global: Garment workers in the {language} edition")
    weekly = WeeklyUpdate.objects.create(
        date=kwargs.pop("date", datetime.date(2026, 11, 27)),
        language=language,
        subject=kwargs.pop("subject", "This week: wages, mines and a new law"),
        intro="Three stories <b>to read</b>.\n\nAnd a note.",
        live=live,
        **kwargs,
    )
    WeeklyUpdateStory.objects.create(issue=weekly, story=story, note="Our pick of the week.", sort_order=0)
    return weekly


def weekly_subscriber(email: str, edition: str = "language=en"):
    subscriber = subscribe(email)
    Alert.objects.create(
        subscriber=subscriber,
        kind="weekly_update",
        query=edition,
        label="The Weekly Update",
        confirmed_at=NOW,
    )
    return subscriber


def test_a_published_issue_goes_once_to_its_editions_subscribers(db, smtp_server):
    english = issue("en")
    issue("fr", subject="Cette semaine")
    weekly_subscriber("en@example.org")
    weekly_subscriber("fr@example.org", "language=fr")
    subscribe("other@example.org")
    call_command("send_alerts", "--foreground")
    call_command("send_alerts", "--foreground")
    assert sorted(m["To"] for m in smtp_server.messages) == ["en@example.org", "fr@example.org"]
    [message] = [m for m in smtp_server.messages if m["To"] == "en@example.org"]
    assert message["Subject"] == english.subject
    assert "Garment workers in the en edition" in body(message) and "Our pick of the week." in body(message)
    assert "&lt;b&gt;to read" in body(message, "html")  # the intro is text, not markup
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    english.refresh_from_db()
    assert english.queued_at is not None


def test_a_draft_issue_is_not_sent_and_not_in_the_archive(client, db, smtp_server):
    draft = issue(live=False)
    weekly_subscriber("en@example.org")
    call_command("send_alerts", "--foreground")
    assert smtp_server.messages == [] and not DigestSend.objects.exists()
    assert draft.subject not in client.get("/en/weekly-update/").content.decode()
    assert client.get("/en/weekly-update/2026-11-27/").status_code == 404


def test_the_archive_lists_issues_with_pages_and_a_feed(client, db):
    english = issue("en")
    french = issue("fr", subject="Cette semaine")
    archive = client.get("/en/weekly-update/").content.decode()
    assert english.subject in archive and french.subject in archive
    page = client.get(english.get_absolute_url())
    assert english.get_absolute_url() == "/en/weekly-update/2026-11-27/"
    assert page.status_code == 200 and "Garment workers in the en edition" in page.content.decode()
    assert client.get(french.get_absolute_url()).status_code == 200
    assert french.get_absolute_url() == "/en/weekly-update/2026-11-27/fr/"
    assert client.get("/en/weekly-update/2026-02-31/").status_code == 404
    feed = feedparser.parse(client.get("/en/weekly-update/atom/").content)
    assert not feed.bozo and {e.title for e in feed.entries} == {english.subject, french.subject}
    assert all(e.link.startswith("http") for e in feed.entries)


def test_an_issue_page_shows_its_stories_in_the_issues_language_where_translated(client, db):
    spanish = issue("es", subject="Esta semana")
    story = spanish.stories.get().story
    StoryTranslation.objects.create(story=story, language="es", headline="Trabajadoras textiles", summary="")
    untranslated = StoryFactory(headline="Miners strike in the north")
    WeeklyUpdateStory.objects.create(issue=spanish, story=untranslated, sort_order=1)
    page = client.get(spanish.get_absolute_url()).content.decode()
    assert '<div lang="es" dir="ltr"><a class="teaser__title"' in page and "Trabajadoras textiles" in page
    assert story.headline not in page
    # A story without a Spanish version keeps its own language, marked as such.
    assert '<div lang="en" dir="ltr"><a class="teaser__title"' in page and untranslated.headline in page
    assert "27 November 2026" in page


def test_editors_see_suggestions_and_can_send_a_test_to_themselves(client, db, smtp_server):
    editor = get_user_model().objects.create_superuser("editor", "editor@newsroom.example", "pw")
    client.force_login(editor)
    busy = StoryFactory(headline="Busy story with new components")
    from .test_digests import published

    for n in range(3):
        component = published(f"Update {n}", at=NOW - datetime.timedelta(days=1))
        StoryComponent.objects.create(story=busy, component=component, sort_order=n)
    weekly = issue("en")
    edit = client.get(reverse("wagtailsnippets_alerts_weeklyupdate:edit", args=[weekly.pk]))
    assert edit.status_code == 200 and "Busy story with new components" in edit.content.decode()
    test_url = reverse("alerts_weekly_update_test", args=[weekly.pk])
    assert client.post(test_url).status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "editor@newsroom.example" and message["Subject"].startswith("[Test]")
    assert "List-Unsubscribe" not in message


def test_suggestions_put_the_most_updated_and_followed_stories_first(db):
    from resourcecentre.alerts.queries import weekly_update_suggestions

    from .test_digests import published

    quiet, followed = StoryFactory(headline="Quiet"), StoryFactory(headline="Followed")
    busy = StoryFactory(headline="Busy")
    for n in range(2):
        StoryComponent.objects.create(story=busy, component=published(f"B{n}", at=NOW), sort_order=n)
    quiet.story_components.create(
        component=published("Q", at=NOW - datetime.timedelta(days=30)), sort_order=0
    )
    for n in range(3):
        Alert.objects.create(
            subscriber=subscribe(f"f{n}@example.org"),
            kind="story",
            story=followed,
            label="x",
            confirmed_at=NOW,
        )
    assert [s.headline for s in weekly_update_suggestions()] == ["Followed", "Busy"]


@pytest.mark.parametrize(
    "path", ["/en/weekly-update/1999-01-01/", "/en/weekly-update/2026-11-27/xx-nowhere/"]
)
def test_unknown_issues_are_not_found(client, db, path):
    issue("en")
    assert client.get(path).status_code == 404


def test_pages_carry_a_plain_follow_link_and_no_form(client, db, rebuild_index):
    company = CompanyFactory(name="Kestrel Mining")
    story = StoryFactory(headline="Peru: Ruby mine workers")
    term = IssueFactory(name="Forced labour")
    rebuild_index()
    for page, expected in [
        (story.get_absolute_url(), f"/en/follow/?story={story.slug}"),
        (company.get_absolute_url(), f"/en/follow/?company={company.slug}"),
        (term.get_absolute_url(), f"/en/follow/?issue={term.slug}"),
        ("/en/search/?q=wages", "/en/follow/?q=wages"),
    ]:
        html = client.get(page).content.decode()
        assert f'href="{expected}' in html, page
        assert 'method="post"' not in html.split("<main", 1)[1], page
    assert client.get(f"/en/follow/?issue={term.slug}").status_code == 200
    services.digests_compose(now=NOW)  # nothing followed yet: composing is harmless


def test_an_issue_scheduled_in_the_admin_goes_out_once_its_time_comes(db, smtp_server):
    import time

    from django.utils import timezone

    weekly = issue("en", live=False)
    weekly_subscriber("en@example.org")
    weekly.go_live_at = timezone.now() + datetime.timedelta(seconds=2)
    weekly.save_revision().publish()  # scheduled, as the publishing panel does
    call_command("send_alerts", "--foreground")
    assert smtp_server.messages == []

    time.sleep(2.5)
    call_command("publish_scheduled")
    call_command("send_alerts", "--foreground")
    assert [m["To"] for m in smtp_server.messages] == ["en@example.org"]
