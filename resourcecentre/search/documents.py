"""Reading stories, components and companies out of the database as index documents.

Reads go by chunks of ids with one query per relation, so a full rebuild of a million
components costs a few thousand queries, not millions.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.lib.html import plain_text
from resourcecentre.news.models import Component, ComponentTranslation, Story, StoryTranslation
from resourcecentre.taxonomy.models import Country

from .engine import TAG_FIELDS, IndexDocument

CHUNK = 2000
INDEXED_KINDS = ("component", "story", "company")


def _tags(model, ids: list[int]) -> dict[int, dict[str, list[int]]]:
    """{object id: {"companies": [..], "countries": [..], …}} with regions implied by countries."""
    tags: dict[int, dict[str, list[int]]] = defaultdict(lambda: {field: [] for field in TAG_FIELDS})
    owner = model._meta.model_name
    for field in TAG_FIELDS:
        through = getattr(model, field).through
        target = getattr(model, field).field.related_model._meta.model_name
        rows = through.objects.filter(**{f"{owner}_id__in": ids}).values_list(f"{owner}_id", f"{target}_id")
        for object_id, tag_id in rows:
            tags[object_id][field].append(tag_id)
    regions = country_regions()
    for object_tags in tags.values():
        implied = {regions[c] for c in object_tags["countries"] if c in regions}
        object_tags["regions"] = sorted(set(object_tags["regions"]) | implied)
    return tags


def country_regions() -> dict[int, int]:
    return dict(Country.objects.values_list("id", "region_id"))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def component_documents(ids: Iterable[int]) -> Iterator[IndexDocument]:
    for chunk in _chunks(sorted(ids)):
        rows = (
            Component.objects.published()
            .filter(id__in=chunk)
            .values(
                "id",
                "title",
                "original_title",
                "author",
                "source__name",
                "excerpt",
                "language",
                "date",
                "type_id",
            )
        )
        translations = defaultdict(list)
        for t in ComponentTranslation.objects.filter(component_id__in=chunk).values(
            "component_id", "language", "title", "excerpt"
        ):
            translations[t["component_id"]].append(
                (t["language"], f"{t['title']}\n{plain_text(t['excerpt'])}")
            )
        tags = _tags(Component, chunk)
        for row in rows:
            byline = " ".join(part for part in (row["author"], row["source__name"]) if part)
            original = "\n".join(
                part
                for part in (row["title"], row["original_title"], byline, plain_text(row["excerpt"]))
                if part
            )
            yield IndexDocument(
                key=f"component:{row['id']}",
                kind="component",
                language=row["language"],
                date=row["date"],
                title=row["title"],
                texts=[(row["language"], original), *translations[row["id"]]],
                type=row["type_id"],
                tags=tags[row["id"]],
            )


def story_documents(ids: Iterable[int]) -> Iterator[IndexDocument]:
    for chunk in _chunks(sorted(ids)):
        tags = _tags(Story, chunk)
        translations = defaultdict(list)
        for t in StoryTranslation.objects.filter(story_id__in=chunk).values(
            "story_id", "language", "headline", "summary"
        ):
            text = f"{t['headline']}\n{plain_text(t['summary'])}"
            translations[t["story_id"]].append((t["language"], text))
        for row in (
            Story.objects.published()
            .filter(id__in=chunk)
            .values("id", "headline", "summary", "language", "date")
        ):
            yield IndexDocument(
                key=f"story:{row['id']}",
                kind="story",
                language=row["language"],
                date=row["date"],
                title=row["headline"],
                texts=[
                    (row["language"], f"{row['headline']}\n{plain_text(row['summary'])}"),
                    *translations[row["id"]],
                ],
                tags=tags[row["id"]],
            )


def company_documents(ids: Iterable[int]) -> Iterator[IndexDocument]:
    regions = country_regions()
    for chunk in _chunks(sorted(ids)):
        names = defaultdict(list)
        for company_id, name in CompanyName.objects.filter(company_id__in=chunk).values_list(
            "company_id", "name"
        ):
            names[company_id].append(name)
        sectors = defaultdict(list)
        through = Company.sectors.through
        for company_id, sector_id in through.objects.filter(company_id__in=chunk).values_list(
            "company_id", "sector_id"
        ):
            sectors[company_id].append(sector_id)
        for row in Company.objects.filter(id__in=chunk).values(
            "id", "name", "summary", "hq_country_id", "updated_at"
        ):
            country = row["hq_country_id"]
            text = "\n".join([row["name"], *names[row["id"]], row["summary"]])
            yield IndexDocument(
                key=f"company:{row['id']}",
                kind="company",
                language="",
                date=row["updated_at"].date(),
                title=row["name"],
                # Company names are proper nouns in any script: index them in every analyzer.
                texts=[("en", text), ("ja", " ".join([row["name"], *names[row["id"]]]))],
                names=[row["name"], *names[row["id"]]],
                tags={
                    "companies": [row["id"]],
                    "countries": [country] if country else [],
                    "regions": [regions[country]] if country in regions else [],
                    "sectors": sectors[row["id"]],
                },
            )


DOCUMENTS = {"component": component_documents, "story": story_documents, "company": company_documents}
MODELS = {"component": Component, "story": Story, "company": Company}


def all_ids(kind: str) -> list[int]:
    model = MODELS[kind]
    queryset = model.objects.all() if kind == "company" else model.objects.published()
    return list(queryset.order_by("id").values_list("id", flat=True))
