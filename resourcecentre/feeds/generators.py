"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 of any list of stories and components.

Each entry is in the reader's language (the feed's language prefix) where the item has a
translation into it, and says which language it is in: `xml:lang` on the RSS item and Atom
entry, `language` on the JSON Feed item. Every feed answers conditional requests (ETag,
Last-Modified) with 304.
"""

import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils import feedgenerator
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from resourcecentre.i18n import reader_version
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
    language: str = ""  # the entry's own language, when it may differ from the feed's


def entry_id(obj: Component | Story) -> str:
    """A tag URI (RFC 4151) from the object's id: it survives title, slug and URL changes."""
    authority = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{authority},2020:{obj._meta.model_name}:{obj.pk}"


def entry(request: HttpRequest, obj: Component | Story) -> Entry:
    """The item as a feed entry, in the reader's language where it has a translation into it."""
    shown = reader_version(obj)
    if isinstance(obj, Story):
        return Entry(
            id=entry_id(obj),
            title=shown.headline,
            link=request.build_absolute_uri(obj.get_absolute_url()),
            html=shown.summary,
            published=midnight_utc(obj.date),
            updated=obj.updated_at,
            author="",
            category=str(Story._meta.verbose_name).capitalize(),
            language=shown.language,
        )
    return Entry(
        id=entry_id(obj),
        title=shown.title,
        link=request.build_absolute_uri(obj.get_absolute_url()),
        html=shown.excerpt,
        published=midnight_utc(obj.date),
        updated=obj.updated_at,
        author=obj.author_line,
        category=obj.type.name,
        language=shown.language,
    )


class _EntryLanguage:
    """`xml:lang` on each item or entry: XML's own attribute, which RSS and Atom readers honour."""

    def item_attributes(self, item: dict) -> dict:
        attributes = super().item_attributes(item)
        return {**attributes, "xml:lang": item["language"]} if item["language"] else attributes


class RssFeed(_EntryLanguage, feedgenerator.Rss201rev2Feed):
    pass


class AtomFeed(_EntryLanguage, feedgenerator.Atom1Feed):
    pass


def _syndication(
    feed_format: str, request: HttpRequest, title, link, description, entries
) -> tuple[str, str]:
    generator = RssFeed if feed_format == "rss" else AtomFeed
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
            language=item.language,
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
                **({"language": item.language} if item.language else {}),
                **({"authors": [{"name": item.author}]} if item.author else {}),
            }
            for item in entries
        ],
    }
    return json.dumps(document, ensure_ascii=False), "application/feed+json; charset=utf-8"


def _prefetch_translations(items: list) -> None:
    """One query per kind for the translations every entry may be shown in."""
    for model in (Component, Story):
        prefetch_related_objects([obj for obj in items if isinstance(obj, model)], "translations")


def feed_response(
    request: HttpRequest,
    feed_format: str,
    *,
    title: str,
    link: str,
    description: str,
    items: Sequence[Component | Story | Entry],
) -> HttpResponse:
    items = list(items[: settings.FEED_ITEMS])
    _prefetch_translations(items)
    entries = [obj if isinstance(obj, Entry) else entry(request, obj) for obj in items]
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
