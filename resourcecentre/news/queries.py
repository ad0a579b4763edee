"""Reads of stories and components for pages, feeds and, later, the API."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

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
    return get_object_or_404(Story.objects.published(), slug=slug)


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
            Prefetch("story_links", StoryComponent.objects.filter(story__in=stories).select_related("story")),
        ),
        slug=slug,
    )


def latest_components() -> QuerySet[Component]:
    return Component.objects.published().for_teasers().newest_first()


def latest_stories() -> QuerySet[Story]:
    return Story.objects.published().newest_first()


def components_about(condition: Q) -> QuerySet[Component]:
    return latest_components().about(condition)


def stories_about(condition: Q) -> QuerySet[Story]:
    return latest_stories().about(condition)
