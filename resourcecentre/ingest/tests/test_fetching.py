"""Polling feeds served by a local, sometimes hostile, HTTP server."""

import datetime
import time

import pytest

from resourcecentre.ingest import fetching
from resourcecentre.ingest.extract import fetch_article
from resourcecentre.ingest.fetching import poll_feed, record_failure, record_success
from resourcecentre.ingest.models import Feed

from .feed_server import FEEDS, FeedServer

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2024, 5, 2, 12, 0, tzinfo=datetime.UTC)


def make_feed(server: FeedServer, path: str, **fields) -> Feed:
    return Feed.objects.create(name=path, url=server.url(path), **fields)


def run_pass(feed: Feed, *, now: datetime.datetime = NOW) -> fetching.PollResult:
    """One pass as the pipeline makes it: poll, then record the outcome on the feed."""
    result = poll_feed(feed)
    if result.status == "error":
        record_failure(feed, result.error, now=now)
    else:
        record_success(
            feed,
            items=len(result.entries),
            new_items=len(result.entries),
            failed_items=0,
            etag=result.etag,
            last_modified=result.last_modified,
            now=now,
        )
    feed.refresh_from_db()
    return result


@pytest.mark.parametrize(
    ("path", "first_title"),
    [
        ("/rss091.xml", "Grève chez Sodexo : les salariés dénoncent leurs conditions de travail"),
        ("/rss10.rdf", "Garment workers in Dhaka demand a living wage"),
        ("/rss20.xml", "Shell faces new lawsuit over Niger Delta spills"),
        ("/atom.xml", "Minera Cerro Verde acusada de contaminar el río"),
        ("/news-sitemap.xml", "Palm oil supplier linked to deforestation in Borneo"),
        ("/broken.xml", "Workers & managers meet at the plant"),
        ("/entities.xml", 'AT&T & Verizon sued over "spy" programme'),
        ("/declared-utf8-but-latin1.xml", "Grève à l'usine Renault de Flins"),
        ("/utf16-bom.xml", "Grève à l’usine Renault de Flins"),
    ],
)
def test_a_served_feed_is_read_and_its_health_recorded(server, path, first_title):
    feed = make_feed(server, path)

    result = run_pass(feed)

    assert result.status == "ok"
    assert result.entries[0].title == first_title
    assert feed.last_success_at == NOW
    assert feed.failures == 0
    assert feed.last_items == len(result.entries) > 0
    assert feed.next_poll_at == NOW + datetime.timedelta(minutes=60)


def test_the_request_says_who_we_are_and_what_we_accept(server):
    run_pass(make_feed(server, "/rss20.xml"))

    request = server.requests[-1]
    assert request.headers["User-Agent"].startswith("ResourceCentreBot/")
    assert "application/rss+xml" in request.headers["Accept"]


def test_relative_links_are_resolved_against_the_served_address(server):
    result = run_pass(make_feed(server, "/relative-links.xml"))

    assert [entry.url for entry in result.entries] == [
        server.url("/news/rooted"),
        server.url("/news/relative#comments"),
    ]


def test_a_sitemap_index_is_followed_to_its_newest_sitemaps(server, monkeypatch):
    monkeypatch.setattr(fetching, "MAX_CHILD_SITEMAPS", 2)
    feed = make_feed(server, "/sitemap-index.xml", kind=Feed.Kind.SITEMAP)

    result = run_pass(feed)

    assert result.status == "ok"
    assert {entry.url for entry in result.entries} == {
        "https://gazette.example/2024/05/first",
        "https://gazette.example/2024/05/second",
        "https://gazette.example/2024/04/first",
        "https://gazette.example/2024/04/second",
    }
    assert not any(entry.is_sitemap for entry in result.entries)
    assert "/sitemap-2024-03.xml" not in server.paths()


def test_a_sitemap_index_whose_sitemaps_all_fail_is_an_error(server):
    server.routes["/index.xml"] = lambda handler: handler.answer(
        200,
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>/missing-1.xml</loc></sitemap></sitemapindex>",
        content_type="application/xml",
    )

    feed = make_feed(server, "/index.xml")
    result = run_pass(feed)

    assert result.status == "error"
    assert feed.last_error.startswith("None of the sitemaps the index lists could be read")
    assert "HTTP status 404" in feed.last_error


def huge_rss(items: int) -> bytes:
    body = "".join(
        f"<item><title>Story {i}</title><link>https://huge.example/{i}</link>"
        f"<pubDate>{(NOW - datetime.timedelta(minutes=i)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>"
        "</item>"
        for i in range(items)
    )
    return f'<rss version="2.0"><channel><title>Huge</title>{body}</channel></rss>'.encode()


def test_a_huge_feed_is_capped_at_the_entries_a_pass_may_take(server, settings):
    settings.INGEST_MAX_ENTRIES = 300
    server.routes["/huge.xml"] = lambda handler: handler.answer(
        200, huge_rss(5000), content_type="application/rss+xml"
    )
    feed = make_feed(server, "/huge.xml")

    started = time.monotonic()
    result = run_pass(feed)

    assert time.monotonic() - started < 10
    assert len(result.entries) == 300
    assert result.entries[0].title == "Story 0"
    assert feed.last_items == 300


def test_a_feed_larger_than_the_size_limit_is_refused(server, settings):
    settings.FETCH_MAX_BYTES = 100_000
    server.routes["/huge.xml"] = lambda handler: handler.answer(
        200, huge_rss(5000), content_type="application/rss+xml"
    )
    feed = make_feed(server, "/huge.xml")

    result = run_pass(feed)

    assert result.status == "error"
    assert feed.last_error == "The page is larger than 97 KiB."
    assert feed.failures == 1


def hang(handler):
    handler.server.release.wait(10)


def test_a_server_that_never_answers_times_out_quickly(server, settings):
    settings.FETCH_TIMEOUT_SECONDS = 0.5
    server.routes["/hang.xml"] = hang
    feed = make_feed(server, "/hang.xml")

    started = time.monotonic()
    result = run_pass(feed)

    assert time.monotonic() - started < 3
    assert result.status == "error"
    assert feed.last_error == "The site did not answer within 0.5 seconds."
    assert feed.failures == 1
    assert feed.next_poll_at == NOW + datetime.timedelta(hours=2)


def trickle(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    for _ in range(1000):
        if handler.server.release.wait(0.1):
            return
        handler.wfile.write(b" ")
        handler.wfile.flush()


def test_a_server_that_trickles_its_answer_cannot_hold_the_pass(server, settings):
    settings.FETCH_TIMEOUT_SECONDS = 0.5
    server.routes["/trickle.xml"] = trickle
    feed = make_feed(server, "/trickle.xml")

    started = time.monotonic()
    result = run_pass(feed)

    assert time.monotonic() - started < 3
    assert feed.last_error == "The site sent the page too slowly."
    assert result.status == "error"


def test_a_permanent_redirect_updates_the_feed_address(server):
    server.routes["/old-feed.xml"] = lambda handler: handler.answer(301, headers={"Location": "/rss20.xml"})
    feed = make_feed(server, "/old-feed.xml")

    result = run_pass(feed)

    assert result.status == "ok"
    assert result.entries[0].title == "Shell faces new lawsuit over Niger Delta spills"
    assert feed.url == server.url("/rss20.xml")


def test_a_temporary_redirect_keeps_the_feed_address(server):
    server.routes["/today.xml"] = lambda handler: handler.answer(302, headers={"Location": "/rss20.xml"})
    feed = make_feed(server, "/today.xml")

    result = run_pass(feed)

    assert len(result.entries) == 3
    assert feed.url == server.url("/today.xml")


def test_a_permanent_redirect_to_a_missing_page_keeps_the_feed_address(server):
    server.routes["/old-feed.xml"] = lambda handler: handler.answer(301, headers={"Location": "/nowhere.xml"})
    feed = make_feed(server, "/old-feed.xml")

    run_pass(feed)

    assert feed.url == server.url("/old-feed.xml")
    assert feed.last_error.startswith("The feed was not found (HTTP 404)")


def conditional(handler):
    if handler.headers.get("If-None-Match") == '"v2"':
        handler.answer(304)
    else:
        body = (FEEDS / "rss20.xml").read_bytes()
        validators = {"ETag": '"v2"', "Last-Modified": "Thu, 02 May 2024 09:15:00 GMT"}
        handler.answer(200, body, content_type="application/rss+xml", headers=validators)


def test_a_conditional_get_sends_the_validators_and_reads_nothing_when_not_modified(server):
    server.routes["/conditional.xml"] = conditional
    feed = make_feed(server, "/conditional.xml")
    first = run_pass(feed)
    assert (first.status, feed.etag, feed.last_modified) == ("ok", '"v2"', "Thu, 02 May 2024 09:15:00 GMT")
    later = NOW + datetime.timedelta(hours=1)

    second = run_pass(feed, now=later)

    assert server.requests[-1].headers["If-None-Match"] == '"v2"'
    assert server.requests[-1].headers["If-Modified-Since"] == "Thu, 02 May 2024 09:15:00 GMT"
    assert second.status == "not-modified"
    assert second.entries == []
    assert feed.etag == '"v2"'
    assert feed.last_success_at == later
    assert feed.last_items == 0
    assert feed.total_items == 3


def test_validators_are_not_saved_until_the_pass_is_recorded(server):
    server.routes["/conditional.xml"] = conditional
    feed = make_feed(server, "/conditional.xml")

    poll_feed(feed)  # a worker killed before it recorded the pass
    result = run_pass(feed)

    assert result.status == "ok"
    assert len(result.entries) == 3


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "The feed was not found (HTTP 404): the site may have moved it; look for its new address."),
        (500, "The site had a server error (HTTP 500); polling backs off and tries again."),
        (503, "The site had a server error (HTTP 503); polling backs off and tries again."),
        (403, "The site refused us access to the feed (HTTP 403)."),
        (429, "The site asked us to slow down (HTTP 429); polling backs off."),
    ],
)
def test_an_error_answer_is_recorded_for_the_editor(server, status, message):
    server.routes["/feed.xml"] = lambda handler: handler.answer(status, b"<html>Oops</html>")
    feed = make_feed(server, "/feed.xml")

    result = run_pass(feed)

    assert result.status == "error"
    assert result.http_status == status
    assert feed.last_error == message
    assert feed.last_error_at == NOW
    assert feed.failures == 1
    assert feed.active


def test_failures_back_off_exponentially_up_to_a_day(server):
    server.routes["/feed.xml"] = lambda handler: handler.answer(500)
    feed = make_feed(server, "/feed.xml", poll_minutes=30)

    delays = []
    for _ in range(7):
        run_pass(feed)
        delays.append(feed.next_poll_at - NOW)

    assert [delay / datetime.timedelta(minutes=1) for delay in delays] == [60, 120, 240, 480, 960, 1440, 1440]
    assert feed.failures == 7


def test_a_success_after_failures_restores_the_normal_interval(server):
    feed = make_feed(server, "/rss20.xml", failures=4, last_error="The site had a server error (HTTP 500).")

    run_pass(feed)

    assert feed.failures == 0
    assert feed.next_poll_at == NOW + datetime.timedelta(minutes=60)
    assert feed.last_error == "The site had a server error (HTTP 500)."  # kept as history


def test_a_feed_gone_for_good_is_switched_off_after_three_failures(server):
    server.routes["/gone.xml"] = lambda handler: handler.answer(410)
    feed = make_feed(server, "/gone.xml")

    run_pass(feed)
    assert feed.active
    assert feed.last_error == (
        "The site says this feed is gone for good (HTTP 410)."
        " Monitoring stops if it still says so after 3 passes."
    )
    run_pass(feed)
    run_pass(feed)

    assert not feed.active
    assert feed.failures == 3
    assert "Monitoring was switched off after 3 failed passes in a row" in feed.last_error


def test_an_entity_expansion_attack_is_read_without_expanding(server):
    started = time.monotonic()
    result = run_pass(make_feed(server, "/billion-laughs.xml"))

    assert time.monotonic() - started < 2
    assert [entry.title for entry in result.entries] == ["Harmless title &lol9;"]


def test_a_path_robots_txt_disallows_is_not_fetched(server):
    server.robots = "User-agent: *\nDisallow: /private/\n"
    feed = make_feed(server, "/private/feed.xml")

    result = run_pass(feed)
    run_pass(feed)

    assert result.status == "error"
    assert feed.last_error.startswith("The site's robots.txt does not let robots fetch this address")
    assert feed.failures == 2
    assert server.paths() == ["/robots.txt"]  # asked once, then remembered


def test_robots_txt_rules_for_our_robot_apply_to_us(server):
    server.robots = "User-agent: ResourceCentreBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"

    result = run_pass(make_feed(server, "/rss20.xml"))

    assert result.status == "error"
    assert "/rss20.xml" not in server.paths()


def test_a_robots_txt_that_fails_refuses_everything_for_now(server):
    server.routes["/robots.txt"] = lambda handler: handler.answer(503)
    feed = make_feed(server, "/rss20.xml")

    result = run_pass(feed)

    assert result.status == "error"
    assert feed.last_error.startswith("The site's robots.txt could not be read (HTTP 503)")
    assert "/rss20.xml" not in server.paths()


def test_a_private_address_is_refused_without_the_allow_list(server, settings):
    settings.FETCH_ALLOW_PRIVATE_HOSTS = []
    feed = make_feed(server, "/rss20.xml")

    result = run_pass(feed)

    assert result.status == "error"
    assert feed.last_error == "The host “127.0.0.1” is on a private network."
    assert server.requests == []


def test_a_redirect_to_a_private_host_outside_the_allow_list_is_refused(server):
    port = server.server_address[1]
    server.routes["/feed.xml"] = lambda handler: handler.answer(
        301, headers={"Location": f"http://localhost:{port}/rss20.xml"}
    )
    feed = make_feed(server, "/feed.xml")

    result = run_pass(feed)

    assert result.status == "error"
    assert feed.last_error == "The host “localhost” is on a private network."
    assert feed.url == server.url("/feed.xml")


def test_requests_to_one_host_are_spaced_out(server, settings):
    settings.INGEST_HOST_DELAY_SECONDS = 0.3
    feed = make_feed(server, "/rss20.xml")

    run_pass(feed)
    run_pass(feed)

    assert server.paths() == ["/robots.txt", "/rss20.xml", "/rss20.xml"]
    times = [request.at for request in server.requests]
    assert all(later - earlier >= 0.28 for earlier, later in zip(times, times[1:]))


def test_an_article_behind_a_teaser_is_fetched_and_extracted(server):
    article = fetch_article(server.url("/article.html"))

    assert article.title == "Grève chez Sodexo : la cantine centrale à l'arrêt"
    assert "cadences intenables" in article.text
    assert article.author == "Marie Lefèvre"
    assert article.published_at == datetime.datetime(2024, 5, 2, 7, 15, tzinfo=datetime.UTC)
    assert article.language == "fr-fr"
    assert article.sitename == "Le Journal"
    assert article.url == server.url("/article.html")


def test_an_article_that_cannot_be_read_gives_nothing(server, settings):
    server.routes["/report.pdf"] = lambda handler: handler.answer(
        200, b"%PDF-1.7", content_type="application/pdf"
    )
    server.routes["/hang.html"] = hang
    settings.FETCH_TIMEOUT_SECONDS = 0.5

    assert fetch_article(server.url("/missing.html")) is None
    assert fetch_article(server.url("/report.pdf")) is None
    assert fetch_article(server.url("/hang.html")) is None
