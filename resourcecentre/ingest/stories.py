"""Step 6 of the pipeline: which published story a candidate most likely belongs to.

Every item is scored against the stories it could belong to. One query per item that counted
shared tags and found each story's latest component took 15 to 35 ms at 5,000 to 10,000
stories on SQLite, ten times the pipeline's budget. So each process keeps a snapshot of the
published stories (tags, last activity, headline, summary and latest component titles: 0.3 s
and 22 MB to load at 10,000 stories and 65,000 components), reloaded when a story, a component
or a link between them is saved or deleted in this process (signals) or elsewhere (a
fingerprint checked every `RECHECK_SECONDS`, as the tagger does). An item then costs one
indexed query, fetching the winner, which also confirms that it is still published.
"""

import datetime
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Max
from django.db.models.signals import m2m_changed, post_delete, post_save
from rigour.text.stopwords import stopwords_list

from resourcecentre.lib.html import plain_text
from resourcecentre.news.models import Component, Story, StoryComponent

from .dedup import UNSPACED_CHARACTER, words

RECHECK_SECONDS = 30
HALF_LIFE_DAYS = 30
LATEST_COMPONENTS = 5  # whose titles count as the story's text
ITEM_TEXT_CHARS = 1500  # the headline and opening say what an article is about; the rest adds noise

COMPANY_WEIGHT, COUNTRY_WEIGHT, ISSUE_WEIGHT, TEXT_WEIGHT = 0.4, 0.15, 0.15, 0.3
TEXT_SATURATION = 0.35  # a cosine this high is as similar as a headline and an article get
INACTIVE_FLOOR = 0.5  # what is left of a long-dormant story's score
THRESHOLD = 0.5
# English function words the length rule keeps, added to rigour's short multilingual list.
STOPWORDS = frozenset(stopwords_list()) | frozenset(
    "about after against also among been before being between but can could did does during each "  # noqa: SIM905
    "from had has have her his its more most not now one only other our out over said says she "
    "some such than that the their them then there these they this those through two under until "
    "very was were what when where which while who will with would year years".split()
)


def suggest_story(
    *,
    company_ids: list[int],
    country_ids: list[int],
    issue_ids: list[int],
    title: str,
    text: str,
    published_at: datetime.datetime,
) -> tuple[Story | None, float]:
    """The published story this item most likely belongs to, and the score that chose it;
    (None, best score) when no story reaches `THRESHOLD`: the inbox then suggests a new story.

    The score of a story is `relevance * (INACTIVE_FLOOR + (1 - INACTIVE_FLOOR) * activity)`,
    between 0 and 1, where

    * relevance = 0.4 company + 0.15 country + 0.15 issue + 0.3 text. Each tag term is the
      share of the item's tags of that kind the story carries, counting at most two
      (`min(shared, 2) / min(tags, 2)`), so a story about the item's one company scores the
      full 0.4, as does one about both of its two main companies;
    * text is the cosine similarity of the word sets (character pairs in unspaced scripts,
      without stopwords and short words) of the item's title and opening and of the story's
      headline and summary, or of the titles of its `LATEST_COMPONENTS` latest components if
      those are closer, reaching 1 at `TEXT_SATURATION`;
    * activity = 0.5 ** (days from the story's latest component, or its date if later, to the
      item / `HALF_LIFE_DAYS`): 1 for a story active on the item's day, 0.25 after 60 days,
      so that a long-dormant story keeps `INACTIVE_FLOOR` (half) of its relevance.

    With a `THRESHOLD` of 0.5, a recently active story needs more than the company alone
    (0.4): the company and a country or issue, or the company and clearly shared words
    (cosine 0.12); without the company it needs a country, an issue and close text (cosine
    0.23). A shared company outweighs any text-only match (0.3 at most), which is never
    suggested. A story dormant for a year keeps half its score, so it is suggested only when
    everything else matches.

    Only stories sharing a company, or both a country and an issue, are scored: no other can
    reach the threshold.
    """
    for _attempt in range(2):
        best, score = _stories().best(
            companies=frozenset(company_ids),
            countries=frozenset(country_ids),
            issues=frozenset(issue_ids),
            item=_terms(f"{title}\n{text[:ITEM_TEXT_CHARS]}"),
            day=published_at.date(),
        )
        if best is None or score < THRESHOLD:
            return None, round(score, 3)
        story = Story.objects.published().filter(pk=best.pk).first()
        if story is not None:
            return story, round(score, 3)
        invalidate_stories()  # deleted since the snapshot was taken
    return None, 0.0


@dataclass(eq=False)
class _Story:
    pk: int
    headline: str
    summary: str
    last_active: datetime.date
    companies: set[int] = field(default_factory=set)
    countries: set[int] = field(default_factory=set)
    issues: set[int] = field(default_factory=set)
    component_titles: list[str] = field(default_factory=list)

    def similarity(self, item: frozenset[str]) -> float:
        return max(
            _cosine(item, _story_terms(self.headline, self.summary)),
            _cosine(item, _titles_terms(tuple(self.component_titles))),
        )


class _Stories:
    """The published stories, indexed by tag, as one process scores items against them."""

    def __init__(self) -> None:
        self.stories = {
            pk: _Story(pk, headline, summary, date)
            for pk, headline, summary, date in Story.objects.published().values_list(
                "pk", "headline", "summary", "date"
            )
        }
        self.by_tag: dict[str, dict[int, list[_Story]]] = {}
        for kind, column in (
            ("companies", "company_id"),
            ("countries", "country_id"),
            ("issues", "issue_id"),
        ):
            index = self.by_tag[kind] = defaultdict(list)
            for story_id, tag_id in getattr(Story, kind).through.objects.values_list("story_id", column):
                if story := self.stories.get(story_id):
                    getattr(story, kind).add(tag_id)
                    index[tag_id].append(story)
        latest = (
            StoryComponent.objects.filter(component__live=True)
            .order_by("story_id", "-component__date", "-component_id")
            .values_list("story_id", "component__date", "component__title")
        )
        for story_id, date, title in latest.iterator(chunk_size=5000):
            if (story := self.stories.get(story_id)) and len(story.component_titles) < LATEST_COMPONENTS:
                story.last_active = max(story.last_active, date)
                story.component_titles.append(title)

    def _tagged(self, kind: str, ids: frozenset[int]) -> set[_Story]:
        index = self.by_tag[kind]
        return {story for tag in ids for story in index.get(tag, ())}

    def best(
        self,
        *,
        companies: frozenset[int],
        countries: frozenset[int],
        issues: frozenset[int],
        item: frozenset[str],
        day: datetime.date,
    ) -> tuple[_Story | None, float]:
        pool = self._tagged("companies", companies)
        if countries and issues:
            pool |= self._tagged("countries", countries) & self._tagged("issues", issues)
        bounded = []
        for story in pool:
            tags = (
                COMPANY_WEIGHT * _overlap(story.companies, companies)
                + COUNTRY_WEIGHT * _overlap(story.countries, countries)
                + ISSUE_WEIGHT * _overlap(story.issues, issues)
            )
            age = max((day - story.last_active).days, 0)
            decay = INACTIVE_FLOOR + (1 - INACTIVE_FLOOR) * 0.5 ** (age / HALF_LIFE_DAYS)
            bounded.append(((tags + TEXT_WEIGHT) * decay, tags, decay, story))
        # Best bound first: the text, the costly part, is compared only while it could win.
        bounded.sort(key=lambda row: (row[0], row[3].pk), reverse=True)
        best, best_score = None, 0.0
        for bound, tags, decay, story in bounded:
            if bound <= best_score:
                break
            text = min(story.similarity(item) / TEXT_SATURATION, 1.0)
            score = (tags + TEXT_WEIGHT * text) * decay
            if score > best_score:
                best, best_score = story, score
        return best, best_score


def _overlap(shared: set[int], wanted: frozenset[int]) -> float:
    return min(len(shared & wanted), 2) / min(len(wanted), 2) if wanted else 0.0


def _cosine(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


# Bounded, rather than kept with every story: an item compares its text with a few stories
# (nine on average at 10,000 stories), and the terms of all of them would take 80 MB.
@lru_cache(maxsize=2048)
def _story_terms(headline: str, summary: str) -> frozenset[str]:
    return _terms(f"{headline}\n{plain_text(summary)}")


@lru_cache(maxsize=2048)
def _titles_terms(titles: tuple[str, ...]) -> frozenset[str]:
    return _terms("\n".join(titles))


def _terms(text: str) -> frozenset[str]:
    """The words that say what a text is about; in unspaced scripts, pairs of characters."""
    terms = set()
    previous = ""
    for word in words(text):
        if UNSPACED_CHARACTER.fullmatch(word):
            if previous:
                terms.add(previous + word)
            previous = word
            continue
        previous = ""
        if len(word) >= 3 and not word.isdigit() and word not in STOPWORDS:
            terms.add(word)
    return frozenset(terms)


# --- The per-process snapshot ---------------------------------------------------------------


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stories: _Stories | None = None
        self.fingerprint: tuple | None = None
        self.checked_at = 0.0
        self.stale = False


_cache = _Cache()


def _fingerprint() -> tuple:
    stories = Story.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    links = StoryComponent.objects.aggregate(n=Count("pk"), last=Max("pk"))
    components = Component.objects.aggregate(changed=Max("updated_at"))
    return tuple(tuple(d.values()) for d in (stories, links, components))


def _stories() -> _Stories:
    now = time.monotonic()
    with _cache.lock:
        if _cache.stories is not None and not _cache.stale and now - _cache.checked_at < RECHECK_SECONDS:
            return _cache.stories
        fingerprint = _fingerprint()
        _cache.checked_at = now
        if _cache.stories is None or _cache.stale or fingerprint != _cache.fingerprint:
            _cache.stale = False
            _cache.stories = _Stories()
            _cache.fingerprint = fingerprint
        return _cache.stories


def invalidate_stories(**kwargs: object) -> None:
    """Reload the stories on the next suggestion (a signal receiver, and for bulk loads)."""
    _cache.stale = True


for _model in (Story, StoryComponent, Component):
    post_save.connect(
        invalidate_stories, sender=_model, dispatch_uid=f"ingest-stories-{_model.__name__}-save"
    )
    post_delete.connect(
        invalidate_stories, sender=_model, dispatch_uid=f"ingest-stories-{_model.__name__}-delete"
    )
for _kind in ("companies", "countries", "issues"):
    _through = getattr(Story, _kind).through
    m2m_changed.connect(invalidate_stories, sender=_through, dispatch_uid=f"ingest-stories-{_kind}")
