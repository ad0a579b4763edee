import datetime
import socket

import pytest
from django.test import Client
from django.utils import timezone

from resourcecentre.alerts import services
from resourcecentre.alerts.models import Alert, DigestRun, DigestSend, Subscriber
from resourcecentre.alerts.periods import period_end
from resourcecentre.news.models import ComponentTranslation
from tests.factories import ComponentFactory, IssueFactory, StoryFactory

from .conftest import body

NOW = timezone.now()
TODAY = period_end("daily", NOW)  # the end of yesterday's period
YESTERDAY_NOON = TODAY - datetime.timedelta(hours=12)


def published(title: str, *, at: datetime.datetime = YESTERDAY_NOON, companies=(), issues=(), **kwargs):
    component = ComponentFactory(title=title, first_published_at=at, **kwargs)
    component.companies.set(companies)
    component.issues.set(issues)
    component.save()  # parental many-to-many tags are written on save
    return component


def subscribe(
    email: str, *queries: str, language: str = "en", frequency: str = "daily", story=None
) -> Subscriber:
    """A confirmed subscriber with these alerts, confirmed two days ago."""
    subscriber, _ = Subscriber.objects.get_or_create(
        email=email, defaults={"language": language, "nonce": "n-" + email, "confirmed_at": NOW}
    )
    confirmed = TODAY - datetime.timedelta(days=2)
    for query in queries:
        Alert.objects.create(
            subscriber=subscriber,
            kind="search",
            query=query,
            label=query,
            frequency=frequency,
            confirmed_at=confirmed,
        )
    if story:
        Alert.objects.create(
            subscriber=subscriber,
            kind="story",
            story=story,
            label=story.headline,
            frequency=frequency,
            confirmed_at=confirmed,
        )
    return subscriber


@pytest.fixture
def world(kestrel, rebuild_index):
    forced = IssueFactory(name="Forced labour")
    both = published(
        "Kestrel Mining accused of forced labour at Ruby mine", companies=[kestrel], issues=[forced]
    )
    company_only = published("Kestrel Mining responds on wages", companies=[kestrel])
    issue_only = published("Forced labour found in cocoa supply chains", issues=[forced])
    published("Unrelated news about shipping")
    published("Kestrel Mining old news", companies=[kestrel], at=TODAY - datetime.timedelta(days=3))
    ComponentTranslation.objects.create(
        component=both, language="fr", title="Kestrel Mining accusée de travail forcé à la mine Ruby"
    )
    rebuild_index()
    return {"kestrel": kestrel, "forced": forced, "both": both, "company": company_only, "issue": issue_only}


def send_all(now=NOW):
    services.digests_compose(now=now)
    return services.digests_send()


def digests_to(smtp_server, email: str):
    return [m for m in smtp_server.messages if m["To"] == email]


def test_overlapping_alerts_give_one_digest_with_each_item_once(world, smtp_server):
    subscribe("both@example.org", f"company={world['kestrel'].slug}", f"issue={world['forced'].slug}")
    subscribe("kestrel@example.org", f"company={world['kestrel'].slug}")
    summary = send_all()
    assert summary.sent == 2
    [digest] = digests_to(smtp_server, "both@example.org")
    text = body(digest)
    assert text.count("Kestrel Mining accused of forced labour at Ruby mine") == 1
    assert "Kestrel Mining responds on wages" in text and "Forced labour found in cocoa" in text
    assert "Unrelated news" not in text and "old news" not in text
    assert "3 new items" in digest["Subject"]
    [other] = digests_to(smtp_server, "kestrel@example.org")
    assert "Forced labour found in cocoa" not in body(other) and "2 new items" in other["Subject"]


def test_each_distinct_filter_is_searched_once_however_many_follow_it(world, smtp_server, monkeypatch):
    from resourcecentre.alerts import queries

    for n in range(30):
        subscribe(f"r{n}@example.org", f"company={world['kestrel'].slug}")
    calls = []
    real = queries.matching_keys
    monkeypatch.setattr(queries, "matching_keys", lambda *a: calls.append(a) or real(*a))
    assert send_all().sent == 30
    assert len(calls) == 1


def test_digests_are_in_the_subscribers_language_where_a_translation_exists(world, smtp_server):
    subscribe("fr@example.org", f"company={world['kestrel'].slug}", language="fr")
    subscribe("en@example.org", f"company={world['kestrel'].slug}", language="en")
    send_all()
    [french] = digests_to(smtp_server, "fr@example.org")
    [english] = digests_to(smtp_server, "en@example.org")
    assert "travail forcé" in body(french) and "travail forcé" in body(french, "html")
    assert "Kestrel Mining responds on wages" in body(french)  # untranslated items in their own language
    assert "travail forcé" not in body(english)
    assert french["Content-Language"] == "fr"


def test_a_digest_is_html_and_text_mail_clients_render_with_no_tracking(world, smtp_server):
    subscribe("reader@example.org", f"company={world['kestrel'].slug}")
    send_all()
    [digest] = smtp_server.messages
    html = body(digest, "html")
    assert '<meta name="color-scheme" content="light dark">' in html
    assert 'role="presentation"' in html and 'style="' in html
    for forbidden in ("<script", "<img", "<link", "javascript:"):
        assert forbidden not in html.lower()
    assert "Manage your alerts" in body(digest) and "/alerts/manage/" in html


def test_the_unsubscribe_header_is_one_click_and_works_without_a_session(world, smtp_server):
    subscribe("reader@example.org", f"company={world['kestrel'].slug}")
    send_all()
    [digest] = smtp_server.messages
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = digest["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith("http") and "/alerts/unsubscribe/" in url
    path = url.split("://", 1)[1].split("/", 1)[1]
    answer = Client(enforce_csrf_checks=True).post(
        "/" + path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert not Alert.objects.exists()


def test_running_again_sends_nothing_more(world, smtp_server):
    subscribe("reader@example.org", f"company={world['kestrel'].slug}")
    send_all()
    later = NOW + datetime.timedelta(minutes=1)
    assert send_all(later).sent == 0
    assert len(smtp_server.messages) == 1
    assert DigestRun.objects.filter(frequency="daily").count() == 1


def test_a_missed_period_is_caught_up_in_the_next_digest(world, smtp_server):
    subscribe("reader@example.org", f"company={world['kestrel'].slug}")
    send_all(NOW - datetime.timedelta(days=4))  # the scheduler's last run, four days ago
    smtp_server.messages.clear()
    send_all()
    [digest] = smtp_server.messages
    assert "old news" in body(digest) and "responds on wages" in body(digest)


def test_nobody_gets_mail_for_alerts_that_match_nothing_new(world, smtp_server):
    subscribe("reader@example.org", "q=biodiversity")
    assert send_all().sent == 0 and not DigestSend.objects.exists()


def test_following_a_story_brings_its_new_components(world, smtp_server):
    story = StoryFactory(headline="Peru: Ruby mine workers", components=[world["company"]])
    subscribe("story@example.org", story=story)
    send_all()
    [digest] = smtp_server.messages
    assert "Kestrel Mining responds on wages" in body(digest)
    assert "Forced labour found in cocoa" not in body(digest)


def test_suppressed_and_deleted_subscribers_get_nothing(world, smtp_server):
    subscribe("bounced@example.org", f"company={world['kestrel'].slug}")
    gone = subscribe("gone@example.org", f"company={world['kestrel'].slug}")
    services.digests_compose(now=NOW)
    services.suppression_record(email="BOUNCED@example.org", reason="bounce")
    services.subscriber_delete(subscriber=gone)
    assert services.digests_send().sent == 0
    assert smtp_server.messages == []
    assert set(DigestSend.objects.values_list("state", flat=True)) == {"cancelled"}


def test_a_withdrawn_item_is_left_out_of_digests_not_yet_sent(world, smtp_server):
    subscribe("reader@example.org", f"company={world['kestrel'].slug}")
    services.digests_compose(now=NOW)
    world["company"].live = False
    world["company"].save()
    services.digests_send()
    assert "responds on wages" not in body(smtp_server.messages[0])


def test_no_digest_is_composed_while_the_index_is_missing_and_the_period_waits(
    kestrel, smtp_server, db, rebuild_index
):
    published("Kestrel Mining news", companies=[kestrel])
    subscribe("reader@example.org", f"company={kestrel.slug}")
    assert services.digests_compose(now=NOW)["daily"] is None
    assert not DigestSend.objects.exists()
    assert DigestRun.objects.get(frequency="daily").composed_at is None

    rebuild_index()  # two days later the index is back: the waiting period goes first, then the next
    published("Kestrel Mining later news", companies=[kestrel], at=TODAY + datetime.timedelta(hours=5))
    rebuild_index()
    assert send_all(NOW + datetime.timedelta(days=2)).sent == 2
    assert DigestRun.objects.filter(frequency="daily", composed_at__isnull=False).count() == 2
    first, second = (body(m) for m in smtp_server.messages)
    assert "Kestrel Mining news" in first and "later news" in second


def test_a_mail_server_that_is_down_leaves_digests_queued_for_a_retry(world, smtp_server, settings):
    subscribe("reader@example.org", f"company={world['kestrel'].slug}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]  # nothing listens there once closed
    services.digests_compose(now=NOW)
    summary = services.digests_send()
    assert summary.sent == 0
    send = DigestSend.objects.get()
    assert send.state == "pending" and send.attempts == 1 and "refused" in send.error.lower()
    assert send.not_before > timezone.now()
    settings.EMAIL_PORT = smtp_server.port
    DigestSend.objects.update(not_before=None)
    assert services.digests_send().sent == 1


def test_send_alerts_hands_sending_to_the_task_queue_without_piling_up_tasks(world, smtp_server, run_tasks):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    subscribe("reader@example.org", f"company={world['kestrel'].slug}")
    call_command("send_alerts")
    call_command("send_alerts")
    assert DBTaskResult.objects.filter(task_path__endswith="send_digests").count() == 2
    assert smtp_server.messages == []
    run_tasks()
    assert [m["To"] for m in smtp_server.messages] == ["reader@example.org"]
