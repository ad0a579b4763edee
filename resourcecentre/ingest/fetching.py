"""Fetching a monitored feed politely, and keeping its health record.

`poll_feed` makes one conditional GET of a feed and classifies the answer. Every request the
monitor makes (feeds, child sitemaps, articles) goes through `polite_fetch`: only where the
site's robots.txt lets our user agent in (robots.txt is cached per site for six hours; a
missing one allows everything, one that fails with a server error refuses everything for
now, as RFC 9309 asks), no sooner than INGEST_HOST_DELAY_SECONDS after the previous request
to the same host (best effort across workers: the time of the last request is kept in the
cache), and within the FETCH_* limits of `lib/fetch`, which refuses private addresses.

The caller records each pass with `record_success` or `record_failure`: a success only once
it has processed the entries, because the new ETag and Last-Modified must not be saved before
the entries they cover are, or a worker killed in between would never see those entries
again (for the same reason they are not saved when some entries failed). `poll_feed` itself
writes two things only: the new address of a feed that moved for good (301, 308), and
switching off a feed the site says is gone (410) once that is its
GONE_FAILURES_TO_DEACTIVATE-th failure in a row.
"""

import datetime
import logging
import math
import time
import urllib.robotparser
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

from resourcecentre.lib.fetch import USER_AGENT, Fetched, FetchError, fetch

from .feeds import FeedEntry, FeedError, limit_entries, parse_feed
from .models import Feed

logger = logging.getLogger(__name__)

ROBOTS_CACHE_SECONDS = 6 * 60 * 60
ROBOTS_MAX_BYTES = 512 * 1024
MAX_BACKOFF = datetime.timedelta(days=1)
# A feed answering 410 Gone is switched off once it has failed this many passes in a row.
GONE_FAILURES_TO_DEACTIVATE = 3
# Of a sitemap index, only the newest child sitemaps are read: older ones hold old news.
MAX_CHILD_SITEMAPS = 3
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class PollResult:
    status: Literal["ok", "not-modified", "error"]
    entries: list[FeedEntry] = field(default_factory=list)
    # The validators to save with record_success (on "not-modified", the feed's own unless
    # the server sent new ones).
    etag: str = ""
    last_modified: str = ""
    error: str = ""  # on "error": why, for record_failure
    http_status: int | None = None


def poll_feed(feed: Feed) -> PollResult:
    """Fetch `feed` once and read its entries.

    "ok": the entries (never child sitemaps: a sitemap index is followed to its newest
    sitemaps); "not-modified": the server answered 304 to our validators; "error": `error`
    says why, in words for the feed's health record.
    """
    headers = {"Accept": ACCEPT}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        fetched = polite_fetch(feed.url, headers=headers)
    except FetchError as error:
        return _failed(str(error))
    if fetched.status == 304:
        _follow_permanent_redirect(feed, fetched)
        return PollResult(
            status="not-modified",
            etag=_validator(fetched, "ETag", 500) or feed.etag,
            last_modified=_validator(fetched, "Last-Modified", 100) or feed.last_modified,
            http_status=304,
        )
    if not 200 <= fetched.status < 300:
        return _failed(_status_message(feed, fetched.status), http_status=fetched.status)
    _follow_permanent_redirect(feed, fetched)
    try:
        entries = _articles(parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type))
    except FeedError as error:
        return _failed(str(error), http_status=fetched.status)
    except Exception as error:  # a parser bug on a hostile document must not stop the pass
        logger.exception("Could not parse the feed %s", feed.url)
        return _failed(f"The feed could not be read: {error.__class__.__name__}.", http_status=fetched.status)
    return PollResult(
        status="ok",
        entries=entries,
        etag=_validator(fetched, "ETag", 500),
        last_modified=_validator(fetched, "Last-Modified", 100),
        http_status=fetched.status,
    )


def polite_fetch(url: str, *, headers: dict[str, str] | None = None) -> Fetched:
    """GET `url` as the monitor does (see the module's description).

    Raises FetchError, with a message fit for the feed's health record.
    """
    _check_robots(url)
    _wait_for_host(url)
    fetched = fetch(url, headers=headers, **_limits())
    if _origin(fetched.url) != _origin(url):
        # Redirected to another site: its own robots.txt decides whether we may keep the page.
        _check_robots(fetched.url)
    return fetched


def record_success(
    feed: Feed,
    *,
    items: int,
    new_items: int,
    failed_items: int,
    etag: str,
    last_modified: str,
    now: datetime.datetime,
) -> None:
    """A pass that read `items` entries, `new_items` of them never seen before and
    `failed_items` that could not be processed. The last error's message and time stay, as
    history; `failures` says whether the feed is healthy.

    When entries failed, the feed keeps its old validators, so that the next pass is not told
    "304 Not Modified" and retries them; the health record says so, as its last error, but
    the feed itself did not fail."""
    feed.failures = 0
    feed.last_polled_at = now
    feed.last_success_at = now
    feed.last_items = items
    feed.new_items = new_items
    feed.total_items += new_items
    if failed_items:
        feed.last_error_at = now
        feed.last_error = (
            "1 item could not be processed; it will be retried on the next pass."
            if failed_items == 1
            else f"{failed_items} items could not be processed; they will be retried on the next pass."
        )
    else:
        feed.etag = etag
        feed.last_modified = last_modified
    feed.next_poll_at = now + datetime.timedelta(minutes=feed.poll_minutes)
    feed.save(
        update_fields=[
            "failures",
            "last_polled_at",
            "last_success_at",
            "last_error_at",
            "last_error",
            "last_items",
            "new_items",
            "total_items",
            "etag",
            "last_modified",
            "next_poll_at",
        ]
    )


def record_failure(feed: Feed, message: str, *, now: datetime.datetime) -> None:
    """A failed pass: the next one waits poll_minutes × 2^failures (counting this one), at
    most a day (or the polling interval, if longer)."""
    feed.failures += 1
    feed.last_polled_at = now
    feed.last_error_at = now
    feed.last_error = message
    feed.next_poll_at = now + backoff(feed.poll_minutes, feed.failures)
    feed.save(update_fields=["failures", "last_polled_at", "last_error_at", "last_error", "next_poll_at"])


def backoff(poll_minutes: int, failures: int) -> datetime.timedelta:
    interval = datetime.timedelta(minutes=poll_minutes)
    return min(interval * 2 ** min(failures, 20), max(MAX_BACKOFF, interval))


def _failed(message: str, *, http_status: int | None = None) -> PollResult:
    return PollResult(status="error", error=message, http_status=http_status)


def _status_message(feed: Feed, status: int) -> str:
    if status == 404:
        return "The feed was not found (HTTP 404): the site may have moved it; look for its new address."
    if status == 410:
        return _gone(feed)
    if status in {401, 403}:
        return f"The site refused us access to the feed (HTTP {status})."
    if status == 429:
        return "The site asked us to slow down (HTTP 429); polling backs off."
    if status >= 500:
        return f"The site had a server error (HTTP {status}); polling backs off and tries again."
    return f"The site answered with HTTP status {status} instead of the feed."


def _gone(feed: Feed) -> str:
    message = "The site says this feed is gone for good (HTTP 410)."
    if feed.failures + 1 < GONE_FAILURES_TO_DEACTIVATE:
        return f"{message} Monitoring stops if it still says so after {GONE_FAILURES_TO_DEACTIVATE} passes."
    feed.active = False
    feed.save(update_fields=["active"])
    return (
        f"{message} Monitoring was switched off after {feed.failures + 1} failed passes in a row; once"
        " you have found the feed's new address, correct it and switch monitoring back on."
    )


def _follow_permanent_redirect(feed: Feed, fetched: Fetched) -> None:
    new_url = None
    for status, target in fetched.redirects:
        if status not in {301, 308}:
            break
        new_url = target
    if new_url is None or new_url == feed.url or len(new_url) > 2000:
        return
    if Feed.objects.filter(url=new_url).exclude(pk=feed.pk).exists():
        logger.warning("%s redirects to %s, which is already monitored", feed.url, new_url)
        return
    feed.url = new_url
    feed.save(update_fields=["url"])


def _articles(entries: list[FeedEntry]) -> list[FeedEntry]:
    """`entries`, with the child sitemaps of a sitemap index replaced by what the newest hold."""
    children = limit_entries([entry for entry in entries if entry.is_sitemap], MAX_CHILD_SITEMAPS)
    if not children:
        return entries
    articles, problems = [], []
    for child in children:
        try:
            fetched = polite_fetch(child.url)
            if fetched.status != 200:
                raise FetchError(f"HTTP status {fetched.status}")
            parsed = parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type)
        except (FetchError, FeedError) as error:
            problems.append(f"{child.url}: {error}")
            continue
        articles.extend(entry for entry in parsed if not entry.is_sitemap)
    if problems and not articles:
        raise FeedError(f"None of the sitemaps the index lists could be read ({problems[0]}).")
    return limit_entries(articles)


def _validator(fetched: Fetched, header: str, max_length: int) -> str:
    value = fetched.headers.get(header, "").strip()
    # A validator cut short would never match again; better none at all.
    return value if len(value) <= max_length else ""


def _limits() -> dict:
    return {
        "timeout": settings.FETCH_TIMEOUT_SECONDS,
        "max_bytes": settings.FETCH_MAX_BYTES,
        "allow_private_hosts": set(settings.FETCH_ALLOW_PRIVATE_HOSTS),
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _check_robots(url: str) -> None:
    origin = _origin(url)
    key = f"ingest:robots:{origin}"
    rules = cache.get(key)
    if rules is None:
        rules = _fetch_robots(origin)
        cache.set(key, rules, ROBOTS_CACHE_SECONDS)
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(rules.splitlines())
    if not parser.can_fetch(USER_AGENT, url):
        raise FetchError(
            "The site's robots.txt does not let robots fetch this address, so it is not monitored;"
            " ask the site for a feed robots may read, or remove this one."
        )


def _fetch_robots(origin: str) -> str:
    """The rules of the site's robots.txt ("" for none). Raises FetchError when the site
    cannot be reached, or answers with a server error."""
    _wait_for_host(origin)
    limits = {**_limits(), "max_bytes": min(ROBOTS_MAX_BYTES, settings.FETCH_MAX_BYTES)}
    fetched = fetch(f"{origin}/robots.txt", **limits)
    if 200 <= fetched.status < 300:
        return fetched.body.decode("utf-8", errors="replace")
    if 400 <= fetched.status < 500:
        return ""
    raise FetchError(
        f"The site's robots.txt could not be read (HTTP {fetched.status}), so robots may not fetch"
        " anything there for now; polling backs off and tries again."
    )


def _wait_for_host(url: str) -> None:
    delay = float(settings.INGEST_HOST_DELAY_SECONDS)
    if delay <= 0:
        return
    key = f"ingest:host:{urlsplit(url).hostname}"
    while (last := cache.get(key)) is not None and (wait := last + delay - time.time()) > 0:
        time.sleep(min(wait, delay))
    cache.set(key, time.time(), timeout=math.ceil(delay) + 1)
