"""Reads for open data: the rows of a search export, the records of the dump, the dumps kept.

Both read in batches of ids with a handful of queries per batch and no model instances, so a
million rows cost a few hundred queries and memory bounded by one batch.
"""

import datetime
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import reverse

from resourcecentre.companies.models import Company, CompanyIdentifier, CompanyName
from resourcecentre.news.models import (
    Component,
    ComponentTranslation,
    Story,
    StoryComponent,
    StoryTranslation,
)
from resourcecentre.news.queries import TAXONOMY_FIELDS
from resourcecentre.taxonomy.models import TERM_MODELS, Country, Issue, Region

DUMP_NAME = re.compile(r"^dump-(\d{4}-\d{2}-\d{2})\.jsonl\.gz$")
DUMP_CHUNK = 2000
# What Django's `reverse` leaves unescaped in a path, so that built URLs equal reversed ones.
PATH_SAFE = "!$&'()*+,;=/~:@"
PLAIN_SLUG = re.compile(r"[-\w]+\Z", re.ASCII)  # nothing to escape: most slugs


class Urls:
    """Canonical absolute URLs by route, reversed once and filled in per row."""

    PLACEHOLDER = "opendata-slug-placeholder"

    def __init__(self) -> None:
        self._parts: dict[str, tuple[str, str]] = {}

    def __call__(self, route: str, slug: str) -> str:
        if route not in self._parts:
            path = reverse(route, kwargs={"slug": self.PLACEHOLDER})
            before, after = path.split(self.PLACEHOLDER)
            self._parts[route] = (settings.SITE_URL + before, after)
        before, after = self._parts[route]
        if not PLAIN_SLUG.match(slug):
            slug = quote(slug, safe=PATH_SAFE)
        return before + slug + after


def _iso(moment: datetime.date | None) -> str | None:
    return moment.isoformat() if moment else None


def among(ids: list[int]) -> RawSQL:
    """The ids for an `__in` filter as one parameter: Django prepares a list value by value in
    Python, which cost more than the rest of an export together."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))


def _raw(queryset) -> list[tuple]:
    """A values_list query's rows as the driver returns them, without Django's converters."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _day(value) -> str:
    """A date column in ISO 8601: SQLite returns the text already, PostgreSQL a date."""
    return value if isinstance(value, str) else value.isoformat()


def _moment(value) -> str:
    """A datetime column as `isoformat()` writes an aware UTC one. SQLite holds UTC without a
    zone (its driver may return it as text); PostgreSQL returns an aware datetime."""
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "+00:00"
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return value.astimezone(datetime.UTC).isoformat()


def _names(model, field: str, ids: list[int], vocabulary: dict[int, str]) -> dict[int, list[str]]:
    """{item id: sorted names of its tags in `field`}, names from a vocabulary read once."""
    owner = model._meta.model_name
    through = getattr(model, field).through
    target = getattr(model, field).field.related_model._meta.model_name
    found: dict[int, list[str]] = defaultdict(list)
    rows = _raw(
        through.objects.filter(**{f"{owner}_id__in": among(ids)}).values_list(f"{owner}_id", f"{target}_id")
    )
    for item_id, tag_id in rows:
        if tag_id in vocabulary:
            found[item_id].append(vocabulary[tag_id])
    for names in found.values():
        names.sort()
    return found


class ExportReader:
    """Turns batches of (kind, id) hits into export rows (`formats.COLUMNS`) in the same order.

    Rows are read with `published()`, so an item unpublished since the index saw it is left out.
    """

    def __init__(self) -> None:
        self.urls = Urls()
        self.countries = dict(Country.objects.values_list("id", "name"))
        self.issues = dict(Issue.objects.values_list("id", "name"))
        self.companies: dict[int, str] = {}

    def rows(self, batches: Iterable[list[tuple[str, int]]]) -> Iterator[list[tuple]]:
        for batch in batches:
            by_kind: dict[str, list[int]] = defaultdict(list)
            for kind, object_id in batch:
                by_kind[kind].append(object_id)
            loaded: dict[tuple[str, int], tuple] = {}
            for kind, ids in by_kind.items():
                loaded.update(((kind, row[0]), row) for row in self._LOADERS[kind](self, ids))
            yield [loaded[key] for key in batch if key in loaded]

    def _company_names(self, model, ids: list[int]) -> dict[int, list[str]]:
        owner = model._meta.model_name
        pairs = _raw(
            model.companies.through.objects.filter(**{f"{owner}_id__in": among(ids)}).values_list(
                f"{owner}_id", "company_id"
            )
        )
        if wanted := list({company for _item, company in pairs if company not in self.companies}):
            # Read as items need them: the export keeps the names of the companies it has met.
            self.companies.update(
                _raw(Company.objects.filter(id__in=among(wanted)).values_list("id", "name"))
            )
        found: dict[int, list[str]] = defaultdict(list)
        for item_id, company_id in pairs:
            if company_id in self.companies:
                found[item_id].append(self.companies[company_id])
        for names in found.values():
            names.sort()
        return found

    def _tagged(self, model, ids: list[int]):
        return (
            self._company_names(model, ids),
            _names(model, "countries", ids, self.countries),
            _names(model, "issues", ids, self.issues),
        )

    def _components(self, ids: list[int]) -> Iterator[tuple]:
        companies, countries, issues = self._tagged(Component, ids)
        url = self.urls
        rows = _raw(
            Component.objects.published()
            .filter(id__in=among(ids))
            .values_list("id", "title", "slug", "date", "source__name", "language", "updated_at")
        )
        for pk, title, slug, date, source, language, updated_at in rows:
            yield (
                pk,
                "component",
                title,
                url("news:component", slug),
                _day(date),
                source,
                companies.get(pk, []),
                countries.get(pk, []),
                issues.get(pk, []),
                language,
                _moment(updated_at),
            )

    def _stories(self, ids: list[int]) -> Iterator[tuple]:
        companies, countries, issues = self._tagged(Story, ids)
        rows = _raw(
            Story.objects.published()
            .filter(id__in=among(ids))
            .values_list("id", "headline", "slug", "date", "language", "updated_at")
        )
        for pk, headline, slug, date, language, updated_at in rows:
            yield (
                pk,
                "story",
                headline,
                self.urls("news:story", slug),
                _day(date),
                None,
                companies.get(pk, []),
                countries.get(pk, []),
                issues.get(pk, []),
                language,
                _moment(updated_at),
            )

    def _companies(self, ids: list[int]) -> Iterator[tuple]:
        rows = _raw(
            Company.objects.filter(id__in=among(ids)).values_list(
                "id", "name", "slug", "hq_country_id", "updated_at"
            )
        )
        for pk, name, slug, country, updated_at in rows:
            yield (
                pk,
                "company",
                name,
                self.urls("companies:company", slug),
                None,
                None,
                [],
                [self.countries[country]] if country in self.countries else [],
                [],
                None,
                _moment(updated_at),
            )

    _LOADERS = {"component": _components, "story": _stories, "company": _companies}


# The nightly dump: every published record, one JSON object per line.


def _chunked(queryset, fields: tuple[str, ...]) -> Iterator[list[dict]]:
    """The rows of a queryset as dicts, by chunks in id order (keyset, so memory stays flat)."""
    last = 0
    while rows := list(queryset.filter(id__gt=last).order_by("id").values(*fields)[:DUMP_CHUNK]):
        yield rows
        last = rows[-1]["id"]


def _tag_ids(model, ids: list[int]) -> dict[int, dict[str, list[int]]]:
    owner = model._meta.model_name
    tags: dict[int, dict[str, list[int]]] = defaultdict(lambda: {field: [] for field in TAXONOMY_FIELDS})
    for field in TAXONOMY_FIELDS:
        through = getattr(model, field).through
        target = getattr(model, field).field.related_model._meta.model_name
        for item_id, tag_id in through.objects.filter(**{f"{owner}_id__in": among(ids)}).values_list(
            f"{owner}_id", f"{target}_id"
        ):
            tags[item_id][field].append(tag_id)
    for item_tags in tags.values():
        for values in item_tags.values():
            values.sort()
    return tags


def _translations(model, owner: str, ids: list[int], fields: tuple[str, ...]) -> dict[int, list[dict]]:
    """{item id: its translations as {"language", *fields}, in the editor's order}."""
    found: dict[int, list[dict]] = defaultdict(list)
    for row in (
        model.objects.filter(**{f"{owner}_id__in": among(ids)})
        .order_by("sort_order", "id")
        .values(f"{owner}_id", "language", *fields)
    ):
        found[row.pop(f"{owner}_id")].append(row)
    return found


def _dated(row: dict, *fields: str) -> dict:
    for name in fields:
        row[name] = _iso(row[name])
    return row


def dump_records(urls: Urls | None = None) -> Iterator[dict]:
    """Every published record with a `type`: the vocabularies first, then companies,
    components and stories, so a reader meets each id before it is referred to."""
    urls = urls or Urls()
    for model in (Region, *[m for m in TERM_MODELS.values() if m is not Region]):
        fields = ("id", "name", "slug", "description", *(("code", "region_id") if model is Country else ()))
        for row in model.objects.order_by("id").values(*fields):
            if model is Country:
                row["region"] = row.pop("region_id")
            yield {"type": model._meta.model_name, **row, "url": urls(f"taxonomy:{model.kind}", row["slug"])}
    yield from _company_records(urls)
    yield from _component_records(urls)
    yield from _story_records(urls)


def _company_records(urls: Urls) -> Iterator[dict]:
    fields = (
        "id",
        "name",
        "slug",
        "summary",
        "website",
        "listing",
        "parent_id",
        "hq_country_id",
        "updated_at",
    )
    for chunk in _chunked(Company.objects.all(), fields):
        ids = [row["id"] for row in chunk]
        names, identifiers = defaultdict(list), defaultdict(list)
        for company_id, name, kind in (
            CompanyName.objects.filter(company_id__in=among(ids))
            .order_by("sort_order", "id")
            .values_list("company_id", "name", "kind")
        ):
            names[company_id].append({"name": name, "kind": kind})
        for company_id, scheme, value in (
            CompanyIdentifier.objects.filter(company_id__in=among(ids))
            .order_by("sort_order", "id")
            .values_list("company_id", "scheme", "value")
        ):
            identifiers[company_id].append({"scheme": scheme, "value": value})
        countries, sectors = defaultdict(list), defaultdict(list)
        for company_id, country_id in Company.countries.through.objects.filter(
            company_id__in=among(ids)
        ).values_list("company_id", "country_id"):
            countries[company_id].append(country_id)
        for company_id, sector_id in Company.sectors.through.objects.filter(
            company_id__in=among(ids)
        ).values_list("company_id", "sector_id"):
            sectors[company_id].append(sector_id)
        for row in chunk:
            pk = row["id"]
            # Contacts (e-mail addresses for response requests) are private and never dumped.
            yield {
                "type": "company",
                "id": pk,
                "url": urls("companies:company", row["slug"]),
                "name": row["name"],
                "slug": row["slug"],
                "summary": row["summary"],
                "other_names": names[pk],
                "identifiers": identifiers[pk],
                "website": row["website"],
                "listing": row["listing"],
                "parent": row["parent_id"],
                "hq_country": row["hq_country_id"],
                "countries": sorted(countries[pk]),
                "sectors": sorted(sectors[pk]),
                "updated_at": _iso(row["updated_at"]),
            }


def _component_records(urls: Urls) -> Iterator[dict]:
    fields = (
        "id",
        "title",
        "slug",
        "type__slug",
        "date",
        "author",
        "source__name",
        "source__website",
        "original_title",
        "original_date",
        "excerpt",
        "url",
        "language",
        "created_at",
        "updated_at",
    )
    for chunk in _chunked(Component.objects.published(), fields):
        ids = [row["id"] for row in chunk]
        tags = _tag_ids(Component, ids)
        translations = _translations(ComponentTranslation, "component", ids, ("title", "excerpt"))
        stories = defaultdict(list)
        for component_id, story_id in (
            StoryComponent.objects.filter(component_id__in=among(ids), story__live=True)
            .order_by("story_id")
            .values_list("component_id", "story_id")
        ):
            stories[component_id].append(story_id)
        for row in chunk:
            pk = row["id"]
            source = (
                {"name": row["source__name"], "website": row["source__website"]}
                if row["source__name"]
                else None
            )
            yield {
                "type": "component",
                "id": pk,
                "url": urls("news:component", row["slug"]),
                "title": row["title"],
                "slug": row["slug"],
                "component_type": row["type__slug"],
                "date": _iso(row["date"]),
                "author": row["author"],
                "source": source,
                "original_title": row["original_title"],
                "original_date": _iso(row["original_date"]),
                "excerpt": row["excerpt"],
                "source_url": row["url"],
                "language": row["language"],
                "translations": translations[pk],
                "stories": stories[pk],
                **tags[pk],
                "created_at": _iso(row["created_at"]),
                "updated_at": _iso(row["updated_at"]),
            }


def _story_records(urls: Urls) -> Iterator[dict]:
    fields = ("id", "headline", "slug", "summary", "date", "language", "created_at", "updated_at")
    for chunk in _chunked(Story.objects.published(), fields):
        ids = [row["id"] for row in chunk]
        tags = _tag_ids(Story, ids)
        translations = _translations(StoryTranslation, "story", ids, ("headline", "summary"))
        components = defaultdict(list)
        for story_id, component_id in (
            StoryComponent.objects.filter(story_id__in=among(ids), component__live=True)
            .order_by("story_id", "sort_order", "id")
            .values_list("story_id", "component_id")
        ):
            components[story_id].append(component_id)
        for row in chunk:
            pk = row["id"]
            yield {
                "type": "story",
                "id": pk,
                "url": urls("news:story", row["slug"]),
                **_dated(row, "date", "created_at", "updated_at"),
                "translations": translations[pk],
                "components": components[pk],
                **tags[pk],
            }


# The dumps kept on disk, each described by a JSON file beside it.


@dataclass(frozen=True)
class DumpInfo:
    name: str
    date: datetime.date
    created_at: str
    size: int
    sha256: str
    counts: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> str:
        return json.dumps(
            {
                "file": self.name,
                "date": self.date.isoformat(),
                "created_at": self.created_at,
                "bytes": self.size,
                "sha256": self.sha256,
                "counts": self.counts,
                "seconds": round(self.seconds, 1),
            },
            indent=2,
        )


def dump_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR)


def dump_name(day: datetime.date) -> str:
    return f"dump-{day.isoformat()}.jsonl.gz"


def sidecar(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".jsonl.gz") + ".json")


def _read_info(path: Path) -> DumpInfo | None:
    try:
        data = json.loads(sidecar(path).read_text())
        return DumpInfo(
            name=data["file"],
            date=datetime.date.fromisoformat(data["date"]),
            created_at=data["created_at"],
            size=data["bytes"],
            sha256=data["sha256"],
            counts=data["counts"],
            seconds=data["seconds"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def dumps() -> list[DumpInfo]:
    """The complete dumps, newest first. A dump counts once its description is written, which
    happens last, so a dump being written or cut short is never listed."""
    found = []
    for path in dump_dir().glob("dump-*.jsonl.gz"):
        if DUMP_NAME.match(path.name) and (info := _read_info(path)) and info.name == path.name:
            found.append(info)
    return sorted(found, key=lambda info: info.date, reverse=True)


def dump_file(name: str) -> Path | None:
    """The path of a listed dump, or None for any other name (no path tricks reach the disk)."""
    if not DUMP_NAME.match(name):
        return None
    path = dump_dir() / name
    return path if path.is_file() and _read_info(path) else None
