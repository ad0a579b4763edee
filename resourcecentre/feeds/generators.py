"""RSS 2.0 and Atom 1.0 feeds of any list of components, with conditional GET."""

import datetime
import hashlib
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import feedgenerator
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from resourcecentre.news.models import Component

GENERATORS = {"rss": feedgenerator.Rss201rev2Feed, "atom": feedgenerator.Atom1Feed}
FEED_CACHE_SECONDS = 300


def entry_id(component: Component) -> str:
    """A tag URI (RFC 4151) from the component's id: it survives title, slug and URL changes."""
    authority = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"tag:{authority},2020:component:{component.pk}"


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def feed_response(
    request: HttpRequest,
    feed_format: str,
    *,
    title: str,
    link: str,
    description: str,
    components: Iterable[Component],
) -> HttpResponse:
    components = list(components[: settings.FEED_ITEMS])
    absolute = request.build_absolute_uri
    feed = GENERATORS[feed_format](
        title=title,
        link=absolute(link),
        description=description,
        feed_url=absolute(request.path),
        language=request.LANGUAGE_CODE,
        id=absolute(link),
    )
    for component in components:
        feed.add_item(
            title=component.title,
            link=absolute(component.get_absolute_url()),
            description=component.excerpt,
            unique_id=entry_id(component),
            unique_id_is_permalink=False,
            pubdate=_midnight(component.date),
            updateddate=component.updated_at,
            author_name=component.author_line or None,
            categories=[component.type.name],
        )
    body = feed.writeString("utf-8")
    last_modified = max((c.updated_at for c in components), default=None)
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    timestamp = int(last_modified.timestamp()) if last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    response = not_modified or HttpResponse(body, content_type=f"{feed.content_type}")
    response["ETag"] = etag
    if timestamp:
        response["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=FEED_CACHE_SECONDS)
    return response
