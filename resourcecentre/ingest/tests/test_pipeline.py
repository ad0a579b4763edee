"""The whole pipeline over feeds served locally: poll, parse, tag, merge, suggest, record."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from resourcecentre.ingest import services
from resourcecentre.ingest.models import Candidate, Entry, Feed, TextBand
from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, StoryFactory

PROJECT_DIR = Path(__file__).resolve().parents[3]


def _rss(items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Thu, 02 May 2024 10:00:00 GMT</pubDate><description>{text}</description></item>"
        for title, link, text in items
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    return f"{head}{body}</channel></rss>".encode()


def _route(server, path: str, body: bytes) -> None:
    server.routes[path] = lambda handler: handler.answer(200, body, content_type="application/rss+xml")


STORY_TEXT = (
    "Workers at a Kestrel Mining copper mine in Peru say they were not paid for overtime during the "
    "past six months. The union said the company ignored complaints about unpaid wages and unsafe "
    "shafts, and the labour ministry has opened an inspection of the site near Arequipa. "
) * 3


@pytest.fixture
def kestrel(db):
    return CompanyFactory(name="Kestrel Mining plc")


@pytest.mark.django_db
def test_a_pass_ingests_tags_and_records_health_and_a_second_pass_adds_nothing(server, kestrel):
    _route(
        server,
        "/feed.xml",
        _rss(
            [
                (
                    "Kestrel Mining accused of unpaid overtime in Peru",
                    "https://news.example/a?utm_source=x",
                    STORY_TEXT,
                ),
                (
                    "Garment exports rise",
                    "https://news.example/b",
                    "Exports of garments rose in March. " * 20,
                ),
            ]
        ),
    )
    feed = Feed.objects.create(name="Daily Ledger", url=server.url("/feed.xml"))
    summary = services.feed_run(feed=feed, fetch_articles=False)
    assert (summary.status, summary.new, summary.seen) == ("ok", 2, 0)
    candidate = Candidate.objects.get(title__startswith="Kestrel Mining accused")
    assert candidate.language == "en"
    assert candidate.entries.get().canonical_url == "https://news.example/a"
    tags = {(t.kind, str(t.term)) for t in candidate.tags.all()}
    assert ("company", "Kestrel Mining plc") in tags and ("country", "Peru") in tags
    feed.refresh_from_db()
    assert (feed.last_items, feed.new_items, feed.failures) == (2, 2, 0) and feed.last_success_at

    again = services.feed_run(feed=feed, fetch_articles=False)
    assert (again.new, again.seen) == (0, 2)
    assert Candidate.objects.count() == 2 and Entry.objects.count() == 2


@pytest.mark.django_db
def test_the_same_news_from_two_feeds_is_one_candidate_with_both_sources(server, kestrel):
    item = ("Kestrel Mining accused of unpaid overtime in Peru", "https://news.example/a", STORY_TEXT)
    _route(server, "/one.xml", _rss([item]))
    _route(server, "/two.xml", _rss([(item[0], item[1] + "?utm_medium=social&fbclid=1", item[2])]))
    for path in ("/one.xml", "/two.xml"):
        services.feed_run(feed=Feed.objects.create(name=path, url=server.url(path)), fetch_articles=False)
    candidate = Candidate.objects.get()
    assert candidate.entries.count() == 2


@pytest.mark.django_db
def test_an_item_is_suggested_the_story_about_its_company(server, kestrel):
    story = StoryFactory(
        headline="Peru: Kestrel Mining workers allege unpaid overtime", date=datetime.date(2024, 4, 28)
    )
    story.companies.set([kestrel])
    story.countries.set([Country.objects.get(code="PE")])
    story.save()
    _route(
        server,
        "/feed.xml",
        _rss([("Kestrel Mining miners strike over pay", "https://news.example/c", STORY_TEXT)]),
    )
    services.feed_run(feed=Feed.objects.create(name="f", url=server.url("/feed.xml")), fetch_articles=False)
    assert Candidate.objects.get().suggested_story == story


@pytest.mark.django_db
def test_a_feed_in_error_keeps_what_was_ingested(server, kestrel):
    _route(server, "/feed.xml", _rss([("Kestrel Mining strike", "https://news.example/d", STORY_TEXT)]))
    feed = Feed.objects.create(name="f", url=server.url("/feed.xml"))
    services.feed_run(feed=feed, fetch_articles=False)
    server.routes["/feed.xml"] = lambda handler: handler.answer(500, b"oops")
    summary = services.feed_run(feed=feed, fetch_articles=False)
    feed.refresh_from_db()
    assert summary.status == "error" and feed.failures == 1 and "500" in feed.last_error
    assert Candidate.objects.count() == 1


@pytest.mark.django_db
def test_one_bad_item_does_not_stop_the_pass(server, kestrel, monkeypatch):
    _route(
        server,
        "/feed.xml",
        _rss(
            [
                ("First item about wages", "https://news.example/1", "x " * 50),
                ("Second item", "https://news.example/2", "y " * 50),
            ]
        ),
    )
    real = services._tags_save

    # It fails after the candidate and its bands were written: they must go with it.
    def fail_on_first(candidate, tags):
        if candidate.url.endswith("/1"):
            raise ValueError("boom")
        return real(candidate, tags)

    monkeypatch.setattr(services, "_tags_save", fail_on_first)
    summary = services.feed_run(
        feed=Feed.objects.create(name="f", url=server.url("/feed.xml")), fetch_articles=False
    )
    assert (summary.new, summary.failed) == (1, 1)
    assert [c.title for c in Candidate.objects.all()] == ["Second item"]
    assert TextBand.objects.exclude(candidate__title="Second item").count() == 0


@pytest.mark.django_db
def test_an_item_that_failed_is_retried_on_the_next_pass_and_the_feed_says_so(server, kestrel, monkeypatch):
    body = _rss(
        [
            ("First item about wages", "https://news.example/1", "x " * 50),
            ("Second item", "https://news.example/2", "y " * 50),
        ]
    )

    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.answer(304)
        else:
            handler.answer(200, body, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    server.routes["/feed.xml"] = conditional
    real, calls = services._tags_save, []

    def fail_once(candidate, tags):
        calls.append(candidate.url)
        if candidate.url.endswith("/1") and calls.count(candidate.url) == 1:
            raise ValueError("the database went away")
        return real(candidate, tags)

    monkeypatch.setattr(services, "_tags_save", fail_once)
    feed = Feed.objects.create(name="f", url=server.url("/feed.xml"))

    first = services.feed_run(feed=feed, fetch_articles=False)

    feed.refresh_from_db()
    assert (first.status, first.new, first.failed) == ("ok", 1, 1)
    assert feed.etag == ""  # kept as it was, so that the next pass is not told "not modified"
    assert feed.last_error == "1 item could not be processed; it will be retried on the next pass."
    assert feed.last_error_at == feed.last_success_at and feed.failures == 0

    second = services.feed_run(feed=feed, fetch_articles=False)

    feed.refresh_from_db()
    assert "If-None-Match" not in server.requests[-1].headers
    assert (second.status, second.new, second.seen, second.failed) == ("ok", 1, 1, 0)
    assert Candidate.objects.filter(title="First item about wages").exists()
    assert feed.etag == '"v1"' and feed.failures == 0
    assert feed.last_success_at > feed.last_error_at  # the message is history now
    assert services.feed_run(feed=feed, fetch_articles=False).status == "not-modified"


@pytest.mark.django_db
def test_the_candidate_links_to_the_canonical_address_and_the_entry_keeps_the_feeds(server, kestrel):
    link = "https://News.example/a/?utm_source=rss&utm_medium=feed&id=7#comments"
    _route(server, "/feed.xml", _rss([("Kestrel Mining strike", link.replace("&", "&amp;"), STORY_TEXT)]))

    services.feed_run(feed=Feed.objects.create(name="f", url=server.url("/feed.xml")), fetch_articles=False)

    candidate = Candidate.objects.get()
    assert candidate.url == "https://news.example/a/?id=7"
    assert candidate.entries.get().url == link
    component = services.candidate_accept(candidate=candidate, tags=services.TagChoice())
    assert component.url == "https://news.example/a/?id=7"


@pytest.mark.django_db
def test_ingest_once_prints_a_summary(server, kestrel, capsys):
    _route(server, "/feed.xml", _rss([("Kestrel Mining strike", "https://news.example/e", STORY_TEXT)]))
    Feed.objects.create(name="Daily Ledger", url=server.url("/feed.xml"))
    call_command("ingest", "--once", "--no-articles")
    out = capsys.readouterr().out
    assert "Daily Ledger: ok, 1 items, 1 new" in out and "Total: 1 new" in out


@pytest.mark.django_db
def test_ingest_enqueue_queues_each_due_feed_once(server):
    from django_tasks_db.models import DBTaskResult

    due = Feed.objects.create(name="a", url=server.url("/a.xml"))
    Feed.objects.create(name="b", url=server.url("/b.xml"), active=False)
    polls = DBTaskResult.objects.filter(task_path__endswith="poll_feed_task")
    before = set(polls.values_list("pk", flat=True))
    call_command("ingest", "--enqueue")
    call_command("ingest", "--enqueue")
    assert [task.args_kwargs["args"] for task in polls.exclude(pk__in=before)] == [[due.pk]]


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


def test_a_worker_killed_mid_pass_resumes_without_loss_or_duplicates(server, committed_db, tmp_path):
    """`ingest --once` in its own process, killed (SIGKILL) while it works through a feed whose
    articles are slow to fetch; the next pass ingests every item exactly once."""
    items = [(f"Report {n} on wages at plant {n}", server.url(f"/article/{n}"), "") for n in range(40)]
    _route(server, "/feed.xml", _rss(items))

    def slow_article(handler):
        time.sleep(0.15)
        handler.answer(
            200,
            b"<html><body><article><p>"
            + b"Workers said wages were unpaid. " * 30
            + b"</p></article></body></html>",
            content_type="text/html",
        )

    for n in range(40):
        server.routes[f"/article/{n}"] = slow_article
    Feed.objects.create(name="Slow", url=server.url("/feed.xml"))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "FETCH_ALLOW_PRIVATE_HOSTS": "127.0.0.1",
        "INGEST_HOST_DELAY_SECONDS": "0",
        "INGEST_BATCH_ENTRIES": "10",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "VAR_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "ingest", "--once"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while Entry.objects.count() < 10 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.1)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    done_before = Entry.objects.count()
    # Whole batches were committed; the batch in progress went with the worker.
    assert 10 <= done_before < 40 and done_before % 10 == 0, worker.stderr.read().decode()[-2000:]
    feed = Feed.objects.get()
    assert feed.etag == "" and feed.last_success_at is None  # the pass was never recorded

    summary = services.feed_run(feed=feed)
    assert summary.seen == done_before and summary.new + summary.merged == 40 - done_before
    assert Entry.objects.count() == 40
    assert Entry.objects.values("guid").distinct().count() == 40
