"""Reads of the monitoring: the feeds due for a pass, and the inbox's waiting candidates."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Source

from .models import Candidate, Entry, Feed, SuggestedTag
from .tagging import SUGGEST_THRESHOLD


def feeds_due(now: datetime.datetime) -> QuerySet[Feed]:
    return Feed.objects.filter(active=True, next_poll_at__lte=now)


# The inbox -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox is narrowed to; None and "" narrow nothing."""

    feed: Feed | None = None
    source: Source | None = None
    language: str = ""
    company: Company | None = None
    min_confidence: float | None = None


def candidates_waiting(filters: InboxFilters = InboxFilters()) -> QuerySet[Candidate]:
    """The candidates waiting for a decision, newest first, narrowed by `filters`."""
    found = Candidate.objects.filter(status=Candidate.Status.NEW)
    if filters.feed:
        found = found.filter(pk__in=Entry.objects.filter(feed=filters.feed).values("candidate_id"))
    if filters.source:
        found = found.filter(pk__in=Entry.objects.filter(feed__source=filters.source).values("candidate_id"))
    if filters.language:
        found = found.filter(language=filters.language)
    if filters.company:
        found = found.filter(
            pk__in=SuggestedTag.objects.filter(company=filters.company).values("candidate_id")
        )
    if filters.min_confidence is not None:
        found = found.filter(confidence__gte=filters.min_confidence)
    return found.order_by("-published_at", "-id")


def with_sources_and_tags(candidates: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """`candidates` with what the inbox shows of each: its entries and their feeds, its tags
    and their terms, its suggested story."""
    return candidates.select_related("suggested_story").prefetch_related(
        Prefetch("entries", queryset=Entry.objects.select_related("feed").order_by("published_at", "pk")),
        Prefetch("tags", queryset=SuggestedTag.objects.select_related("company", "country", "issue")),
    )


def languages_waiting() -> set[str]:
    waiting = Candidate.objects.filter(status=Candidate.Status.NEW).order_by()
    return set(waiting.values_list("language", flat=True).distinct())


def companies_waiting(*, chosen: int | None = None) -> QuerySet[Company]:
    """The companies suggested for a waiting candidate, and the `chosen` one even when no
    longer waiting, so that a filtered inbox stays filtered after its last item is decided."""
    tagged = SuggestedTag.objects.filter(
        candidate__status=Candidate.Status.NEW, kind=SuggestedTag.Kind.COMPANY
    )
    in_inbox = Q(pk__in=tagged.values("company_id"))
    return Company.objects.filter(in_inbox | Q(pk=chosen) if chosen is not None else in_inbox).order_by(
        "name"
    )


def sources_monitored() -> QuerySet[Source]:
    return Source.objects.filter(feeds__isnull=False).distinct().order_by("name")


def _newer(candidate: Candidate) -> Q:
    """The items above this one in the inbox, which lists the newest first."""
    at = candidate.published_at
    return Q(published_at__gt=at) | Q(published_at=at, pk__gt=candidate.pk)


def candidate_neighbours(
    candidate: Candidate, waiting: QuerySet[Candidate]
) -> tuple[Candidate | None, Candidate | None]:
    """The items before and after this one in the `waiting` list."""
    others = waiting.exclude(pk=candidate.pk)
    previous = others.filter(_newer(candidate)).order_by("published_at", "id").first()
    return previous, others.exclude(_newer(candidate)).first()


def candidate_after(candidate: Candidate, waiting: QuerySet[Candidate]) -> Candidate | None:
    """What to read after deciding this item: the next one of the `waiting` list, else its
    first one; None when nothing is left."""
    return waiting.exclude(_newer(candidate)).first() or waiting.first()


# Tags ----------------------------------------------------------------------------------------


def suggestions(candidate: Candidate) -> QuerySet[SuggestedTag]:
    """The tagger's suggestions for the candidate, with their terms."""
    return candidate.tags.filter(origin=SuggestedTag.Origin.TAGGER).select_related(
        "company", "country", "issue"
    )


def suggestions_kept(tags: Iterable[SuggestedTag]) -> list[SuggestedTag]:
    """Of `tags`, the tagger's suggestions it is sure enough of to keep unless the editor
    unticks them (what a bulk accept keeps)."""
    return [
        tag
        for tag in tags
        if tag.origin == SuggestedTag.Origin.TAGGER and tag.confidence >= SUGGEST_THRESHOLD
    ]
