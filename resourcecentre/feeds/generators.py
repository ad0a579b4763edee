"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 of any list of stories and components.

Every feed answers conditional requests (ETag, Last-Modified) with 304.
"""

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import feedgenerator
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from resourcecentre.lib.dates import midnight_utc
from resourcecentre.news.models import Component, Story

FEED_FORMATS = ("rss", "atom", "json")
FEED_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    html: str
    published: datetime.datetime
    updated: datetime.datetime
    author: str
    category: str


def entry_id(obj: Component | Story) -> str:
    """A tag URI (RFC 4151) from the object's id: it survives title, slug and URL changes."""
    authority = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{authority},2020:{obj._meta.model_name}:{obj.pk}"


def entry(request: HttpRequest, obj: Component | Story) -> Entry:
    if isinstance(obj, Story):
        return Entry(
            id=entry_id(obj),
            title=obj.headline,
            link=request.build_absolute_uri(obj.get_absolute_url()),
            html=obj.summary,
            published=midnight_utc(obj.date),
            updated=obj.updated_at,
            author="",
            category=str(Story._meta.verbose_name).capitalize(),
        )
    return Entry(
        id=entry_id(obj),
        title=obj.title,
        link=request.build_absolute_uri(obj.get_absolute_url()),
        html=obj.excerpt,
        published=midnight_utc(obj.date),
        updated=obj.updated_at,
        author=obj.author_line,
        category=obj.type.name,
    )


def _syndication(
    feed_format: str, request: HttpRequest, title, link, description, entries
) -> tuple[str, str]:
    generator = feedgenerator.Rss201rev2Feed if feed_format == "rss" else feedgenerator.Atom1Feed
    feed = generator(
        title=title,
        link=link,
        description=description,
        feed_url=request.build_absolute_uri(),
        language=request.LANGUAGE_CODE,
        id=link,
    )
    for item in entries:
        feed.add_item(
            title=item.title,
            link=item.link,
            description=item.html,
            unique_id=item.id,
            unique_id_is_permalink=False,
            pubdate=item.published,
            updateddate=item.updated,
            author_name=item.author or None,
            categories=[item.category],
        )
    return feed.writeString("utf-8"), feed.content_type


def _json_feed(request: HttpRequest, title, link, description, entries) -> tuple[str, str]:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": link,
        "feed_url": request.build_absolute_uri(),
        "description": description,
        "language": request.LANGUAGE_CODE,
        "items": [
            {
                "id": item.id,
                "url": item.link,
                "title": item.title,
                "content_html": item.html,
                "date_published": item.published.isoformat(),
                "date_modified": item.updated.isoformat(),
                "tags": [item.category],
                **({"authors": [{"name": item.author}]} if item.author else {}),
            }
            for item in entries
        ],
    }
    return json.dumps(document, ensure_ascii=False), "application/feed+json; charset=utf-8"


def feed_response(
    request: HttpRequest,
    feed_format: str,
    *,
    title: str,
    link: str,
    description: str,
    items: Sequence[Component | Story | Entry],
) -> HttpResponse:
    entries = [obj if isinstance(obj, Entry) else entry(request, obj) for obj in items[: settings.FEED_ITEMS]]
    link = request.build_absolute_uri(link)
    if feed_format == "json":
        body, content_type = _json_feed(request, title, link, description, entries)
    else:
        body, content_type = _syndication(feed_format, request, title, link, description, entries)
    last_modified = max((e.updated for e in entries), default=None)
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    timestamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    response = not_modified or HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    if timestamp:
        response["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=FEED_CACHE_SECONDS)
    return response
