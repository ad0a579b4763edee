"""Reads for the API: published items in a stable order, paged by opaque cursors.

Lists are ordered by (updated_at, id), oldest change first, so that a mirror reads from its
last sync forward (`updated_since`) and an item inserted or changed while it pages appears
again at the end instead of shifting the pages it has not read yet.
"""

import datetime
from collections.abc import Sequence

from django.core import signing
from django.db.models import Model, Prefetch, Q, QuerySet

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.news.models import Component, Story, StoryComponent
from resourcecentre.news.queries import TAXONOMY_FIELDS
from resourcecentre.taxonomy.models import TERM_MODELS, Term

from .models import ApiKey, key_digest


class InvalidCursor(ValueError):
    pass


def cursor_encode(scope: str, position: Sequence) -> str:
    """An opaque, signed token for a position in one list (a cursor cannot be forged or moved
    to another list)."""
    return signing.dumps(list(position), salt=f"api.cursor.{scope}", compress=False)


def cursor_decode(scope: str, token: str) -> list:
    try:
        position = signing.loads(token, salt=f"api.cursor.{scope}")
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise InvalidCursor(token) from error
    if not isinstance(position, list):
        raise InvalidCursor(token)
    return position


def keyset_page(
    items: QuerySet, *, scope: str, fields: tuple[str, ...], cursor: str | None, limit: int
) -> tuple[list[Model], str | None]:
    """One page of `items` ordered by `fields` (ascending, unique together), and the next cursor."""
    items = items.order_by(*fields)
    if cursor:
        position = cursor_decode(scope, cursor)
        if len(position) != len(fields):
            raise InvalidCursor(cursor)
        try:
            values = [_parse(field, value) for field, value in zip(fields, position, strict=True)]
        except (TypeError, ValueError) as error:
            raise InvalidCursor(cursor) from error
        items = items.filter(_after(fields, values))
    page = list(items[: limit + 1])
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    last = page[-1]
    return page, cursor_encode(scope, [_dump(getattr(last, field)) for field in fields])


def _after(fields: tuple[str, ...], values: list) -> Q:
    """Rows after `values` in the order of `fields`: (a > x) or (a = x and b > y)…"""
    condition = Q()
    for i, field in enumerate(fields):
        step = Q(**{f"{field}__gt": values[i]}, **{f: v for f, v in zip(fields[:i], values[:i], strict=True)})
        condition |= step
    return condition


def _dump(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _parse(field: str, value):
    if field == "id":
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(value)
        return value
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment


SYNC_ORDER = ("updated_at", "id")


def _tags() -> list[str]:
    return list(TAXONOMY_FIELDS)


def stories() -> QuerySet[Story]:
    return Story.objects.published().prefetch_related(
        "translations",
        *_tags(),
        Prefetch(
            "story_components",
            StoryComponent.objects.filter(component__live=True).order_by("-component__date", "-component_id"),
            to_attr="published_links",
        ),
    )


def components() -> QuerySet[Component]:
    return (
        Component.objects.published()
        .select_related("type", "source")
        .prefetch_related(
            "translations",
            *_tags(),
            Prefetch(
                "story_links",
                StoryComponent.objects.filter(story__live=True).order_by("story_id"),
                to_attr="published_links",
            ),
        )
    )


def companies() -> QuerySet[Company]:
    """Every company is public; its contact addresses are not, and are never read here."""
    return Company.objects.select_related("hq_country", "parent").prefetch_related(
        Prefetch("names", CompanyName.objects.order_by("kind", "name")),
        "identifiers",
        "countries",
        "sectors",
    )


def terms(kind: str) -> QuerySet[Term]:
    model = TERM_MODELS[kind]
    return model.objects.select_related("region") if kind == "countries" else model.objects.all()


def updated_since(items: QuerySet, moment: datetime.datetime | None) -> QuerySet:
    """Items changed at or after `moment` (inclusive, so that a mirror misses nothing changed
    in the same instant as its last item)."""
    return items if moment is None else items.filter(updated_at__gte=moment)


def active_key(key: str) -> ApiKey | None:
    return ApiKey.objects.active().filter(digest=key_digest(key)).first()
