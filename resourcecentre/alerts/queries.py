"""Reads for alerts: what a follow link points at, what is new in a period, what each
subscriber's alerts match, and what a subscriber may export."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from resourcecentre.lib.languages import language_name
from resourcecentre.news.models import Component, Story, StoryComponent
from resourcecentre.search.queries import FACET_BY_PARAM, SearchParams, matching_keys
from resourcecentre.taxonomy.models import Region

from .models import Alert, AlertKind, DigestSend, Frequency, Subscriber, WeeklyUpdate, edition_key


@dataclass(frozen=True)
class Target:
    """What a reader asked to follow, parsed from the follow page's query string."""

    kind: str
    query: str = ""
    story: Story | None = None
    label: str = ""

    @property
    def language(self) -> str:
        """The language the label is written in, when it is a story's headline."""
        return self.story.language if self.story else ""


def follow_target(query: QueryDict) -> Target | None:
    """The story, Weekly Update edition or saved search in a follow link; None when the link
    names nothing that exists (an unknown story, company or tag)."""
    if query.get("story"):
        story = Story.objects.published().filter(slug=query["story"][:140]).first()
        return Target(AlertKind.STORY, story=story, label=story.headline) if story else None
    if query.get("weekly-update"):
        language = query.get("language", settings.LANGUAGE_CODE)
        if language not in settings.CONTENT_LANGUAGES:
            return None
        region = (
            Region.objects.filter(slug=query.get("region", "")[:140]).first() if query.get("region") else None
        )
        if query.get("region") and region is None:
            return None
        label = _("The Weekly Update (%(language)s)") % {"language": language_name(language)}
        if region:
            label = _("The Weekly Update: %(region)s (%(language)s)") % {
                "region": region.name,
                "language": language_name(language),
            }
        return Target(
            AlertKind.WEEKLY_UPDATE, query=edition_key(language, region.slug if region else ""), label=label
        )
    params = saved_search(query)
    if not params.q and not params.filters:
        return None
    label = search_label(params)
    return Target(AlertKind.SEARCH, query=params.query_string(), label=label) if label else None


def saved_search(query: QueryDict) -> SearchParams:
    """The search as an alert keeps it: parsed and normalised by the search page's own code,
    without the page number or the sort, which do not change what matches."""
    return replace(SearchParams.from_query(query), page=1, sort="relevance", errors=())


def search_label(params: SearchParams) -> str:
    """ "Amazon", "Kenya · Forced labour", "“facial recognition” · Amazon"; empty when a named
    company or tag does not exist."""
    parts = [f"“{params.q}”"] if params.q else []
    for param, values in params.filters.items():
        facet = FACET_BY_PARAM[param]
        if facet.model is not None:
            names = dict(facet.model.objects.filter(slug__in=values).values_list("slug", "name"))
            if len(names) < len(values):
                return ""
            parts.append(", ".join(names[v] for v in values))
        elif param == "language":
            parts.append(", ".join(language_name(v) for v in values))
        else:
            parts.append(", ".join(values))
    if params.date_from or params.date_to:
        parts.append("–".join(d.isoformat() if d else "…" for d in (params.date_from, params.date_to)))
    return " · ".join(parts)[:500]


def _first_published(queryset):
    return queryset.annotate(published_at=Coalesce(F("first_published_at"), F("created_at")))


def new_item_keys(start: datetime.datetime, end: datetime.datetime) -> list[str]:
    """Components and stories first published in [start, end), newest first."""
    components = (
        _first_published(Component.objects.published())
        .filter(published_at__gte=start, published_at__lt=end)
        .order_by("-published_at")
        .values_list("id", flat=True)
    )
    stories = (
        _first_published(Story.objects.published())
        .filter(published_at__gte=start, published_at__lt=end)
        .order_by("-published_at")
        .values_list("id", flat=True)
    )
    return [f"story:{i}" for i in stories] + [f"component:{i}" for i in components]


def new_components_by_story(component_keys: list[str]) -> dict[int, list[str]]:
    ids = [int(k.split(":")[1]) for k in component_keys if k.startswith("component:")]
    by_story: dict[int, list[str]] = defaultdict(list)
    for chunk in range(0, len(ids), 2000):
        for story_id, component_id in StoryComponent.objects.filter(
            component_id__in=ids[chunk : chunk + 2000]
        ).values_list("story_id", "component_id"):
            by_story[story_id].append(f"component:{component_id}")
    return by_story


def matches_by_filter(frequency: str, keys: list[str]) -> dict[tuple[str, str, int | None], list[str]] | None:
    """{(kind, query, story id): matching keys} for every distinct filter that active alerts
    of this frequency hold: one search per distinct filter, however many follow it. None when
    the search index cannot answer."""
    filters = (
        Alert.objects.active()
        .filter(frequency=frequency, kind__in=[AlertKind.SEARCH, AlertKind.STORY])
        .values_list("kind", "query", "story_id")
        .distinct()
    )
    order = {key: n for n, key in enumerate(keys)}
    by_story = new_components_by_story(keys)
    matched: dict[tuple[str, str, int | None], list[str]] = {}
    for kind, query, story_id in filters:
        if kind == AlertKind.STORY:
            found = set(by_story.get(story_id, ()))
        else:
            params = SearchParams.from_query(QueryDict(query))
            if "kind" not in params.filters:
                params = replace(params, filters={**params.filters, "kind": ("component", "story")})
            found = matching_keys(params, keys)
            if found is None:
                return None
        if found:
            matched[(kind, query, story_id)] = sorted(found, key=order.__getitem__)
    return matched


def subscribers_with_alerts(frequency: str, confirmed_before: datetime.datetime):
    """(subscriber id, e-mail hash, kind, query, story id) of the active alerts of this
    frequency, grouped by subscriber."""
    return (
        Alert.objects.active()
        .filter(
            frequency=frequency,
            kind__in=[AlertKind.SEARCH, AlertKind.STORY],
            confirmed_at__lt=confirmed_before,
        )
        .order_by("subscriber_id")
        .values_list("subscriber_id", "subscriber__email_hash", "kind", "query", "story_id")
        .iterator(chunk_size=5000)
    )


def weekly_update_recipients(issue: WeeklyUpdate):
    return (
        Alert.objects.active()
        .filter(kind=AlertKind.WEEKLY_UPDATE, query=issue.edition)
        .order_by("subscriber_id")
        .values_list("subscriber_id", "subscriber__email_hash")
        .iterator(chunk_size=5000)
    )


def weekly_updates_due() -> list[WeeklyUpdate]:
    return list(WeeklyUpdate.objects.published().filter(queued_at__isnull=True).order_by("date", "id"))


def weekly_update_suggestions(days: int = 7, limit: int = 15) -> list[Story]:
    """Stories for this week's issue: the most followed and the most updated, live ones only.

    Updated means components first published in the last `days` days; followed counts
    confirmed alerts on the story. Each story carries `new_components` and `followers`.
    """
    since = timezone.now() - datetime.timedelta(days=days)
    recent = Q(
        story_components__component__live=True,
        story_components__component__first_published_at__gte=since,
    )
    stories = (
        Story.objects.published()
        .annotate(new_components=Count("story_components", filter=recent, distinct=True))
        .filter(new_components__gt=0)
        .order_by("-new_components", "-date")[: limit * 2]
    )
    followed = dict(
        Alert.objects.filter(kind=AlertKind.STORY, confirmed_at__isnull=False)
        .values_list("story_id")
        .annotate(n=Count("id"))
        .order_by("-n")[: limit * 2]
    )
    chosen = {story.pk: story for story in stories}
    for story in Story.objects.published().filter(pk__in=followed.keys()):
        chosen.setdefault(story.pk, story)
    for story in chosen.values():
        story.followers = followed.get(story.pk, 0)
        story.new_components = getattr(story, "new_components", 0)
    return sorted(chosen.values(), key=lambda s: (-(s.followers + s.new_components), -s.pk))[:limit]


def subscriber_export(subscriber: Subscriber) -> dict:
    """Everything stored about a subscriber, as the manage page's JSON download gives it."""
    return {
        "email": subscriber.email,
        "language": subscriber.language,
        "subscribed_at": subscriber.created_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at and subscriber.confirmed_at.isoformat(),
        "alerts": [
            {
                "follows": alert.label,
                "kind": alert.kind,
                "filter": alert.query,
                "story": alert.story and alert.story.get_absolute_url(),
                "frequency": alert.frequency,
                "created_at": alert.created_at.isoformat(),
                "confirmed_at": alert.confirmed_at and alert.confirmed_at.isoformat(),
            }
            for alert in subscriber.alerts.select_related("story").order_by("id")
        ],
        "emails_sent": [
            {
                "key": send.key,
                "state": send.state,
                "sent_at": send.sent_at and send.sent_at.isoformat(),
                "items": send.items,
            }
            for send in DigestSend.objects.filter(subscriber=subscriber).order_by("id")
        ],
    }


FREQUENCIES = [Frequency.IMMEDIATE, Frequency.DAILY, Frequency.WEEKLY]
