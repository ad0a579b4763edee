"""Reads of stories and components for pages, feeds and, later, the API."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from resourcecentre.lib.languages import same_language

from .models import Component, ComponentType, Story, StoryComponent

TAXONOMY_FIELDS = ("companies", "countries", "regions", "issues", "sectors", "stakeholders")
DATE_ORDERS = {"datedesc": ("-date", "-id"), "dateasc": ("date", "id")}


@dataclass(frozen=True)
class StoryFilter:
    """The state of a story's component list, as it appears in the URL."""

    dateorder: str = "datedesc"
    componenttype: str = "all"

    @classmethod
    def from_query(cls, query) -> "StoryFilter":
        """Unknown values fall back to the defaults rather than failing the page."""
        dateorder = query.get("dateorder", "datedesc")
        componenttype = query.get("componenttype", "all").replace("\x00", "")
        return cls(
            dateorder=dateorder if dateorder in DATE_ORDERS else "datedesc",
            componenttype=componenttype[:100] or "all",
        )


TAGS_CACHE_SECONDS = 3600


def published_story(slug: str) -> Story:
    return get_object_or_404(Story.objects.published().for_listing(), slug=slug)


def item_tags(item: Story | Component) -> dict[str, list]:
    """{"companies": [...], "countries": [...], …} for a story or component page.

    Cached under the item's `updated_at`, which re-tagging changes; a renamed term shows
    within the hour.
    """
    key = f"tags:{item._meta.model_name}:{item.pk}:{item.updated_at.timestamp()}"
    tags = cache.get(key)
    if tags is None:
        tags = {field: list(getattr(item, field).all()) for field in TAXONOMY_FIELDS}
        cache.set(key, tags, TAGS_CACHE_SECONDS)
    return tags


def story_components(story: Story, story_filter: StoryFilter = StoryFilter()) -> QuerySet[Component]:
    components = (
        Component.objects.published()
        .filter(story_links__story=story)
        .order_by(*DATE_ORDERS[story_filter.dateorder])
    )
    if story_filter.componenttype != "all":
        components = components.filter(type__slug=story_filter.componenttype)
    return components


def story_component_types(story: Story) -> QuerySet[ComponentType]:
    """The types the story's published components have, for its filter."""
    return ComponentType.objects.filter(
        components__story_links__story=story, components__live=True
    ).distinct()


def published_component(slug: str) -> Component:
    stories = Story.objects.published().newest_first()
    return get_object_or_404(
        Component.objects.published()
        .for_listing()
        .prefetch_related(
            Prefetch(
                "story_links",
                StoryComponent.objects.filter(story__in=stories)
                .select_related("story")
                .prefetch_related("story__translations"),
            ),
        ),
        slug=slug,
    )


def latest_components(languages: tuple[str, ...] = ()) -> QuerySet[Component]:
    """Newest first; with `languages`, only the items written in one of them."""
    components = Component.objects.published().for_teasers().newest_first()
    return components.written_in(languages)


def latest_stories() -> QuerySet[Story]:
    return Story.objects.published().for_listing().newest_first()


def components_about(condition: Q) -> QuerySet[Component]:
    return latest_components().about(condition)


def stories_about(condition: Q) -> QuerySet[Story]:
    return latest_stories().about(condition)


@dataclass(frozen=True)
class TranslationRow:
    """One story or component and, per interface language, "original", "translated" or "missing"."""

    item: Story | Component
    kind: str  # "story" or "component"
    cells: list[tuple[str, str]]  # (language code, status), in the order of the languages given


def translation_status(*, kind: str, language: str = "") -> QuerySet:
    """Stories or components, newest first; with `language`, only those that cannot be read in it.

    A language counts as present when the original or a translation is in it ("pt-br" serves
    "pt"). Only published translations count: a draft's live in its revision until published.
    """
    model, title = (Story, "headline") if kind == "story" else (Component, "title")
    items = model.objects.newest_first().prefetch_related("translations")
    if language:
        items = items.exclude(_language_condition("language", language)).exclude(
            _language_condition("translations__language", language)
        )
    return items.only("id", title, "language", "live", "slug")


def translation_rows(items: list[Story | Component], languages: list[str]) -> list[TranslationRow]:
    rows = []
    for item in items:
        kind = "story" if isinstance(item, Story) else "component"
        translated = [t.language for t in item.translations.all()]
        cells = []
        for code in languages:
            if same_language(code, item.language):
                cells.append((code, "original"))
            elif any(same_language(code, language) for language in translated):
                cells.append((code, "translated"))
            else:
                cells.append((code, "missing"))
        rows.append(TranslationRow(item, kind, cells))
    return rows


def _language_condition(field: str, code: str) -> Q:
    """`field` holds `code` or one of its regional variants, as `same_language` counts them."""
    base = code.lower().split("-")[0]
    if base == "zh":
        return Q(**{f"{field}__iexact": code})
    return Q(**{f"{field}__iexact": base}) | Q(**{f"{field}__istartswith": f"{base}-"})
