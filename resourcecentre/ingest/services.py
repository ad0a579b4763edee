"""The monitoring pipeline and the inbox decisions.

`feed_run` polls one feed and puts each new entry through the pipeline (`entry_ingest`):
canonical URL, article text when the feed gives only a teaser, language, duplicates, tags,
story. Entries are committed in batches, each in a savepoint of its own so that one bad entry
rolls back alone, and the feed's validators (ETag, Last-Modified) are saved only after the
whole pass, and only when every entry was processed, so that neither a worker killed mid-pass
nor an entry that failed is hidden from the next pass behind a 304: it fetches the feed again
and skips what it already holds.
"""

import datetime
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from resourcecentre.news.models import Component, ComponentType, Story, StoryComponent

from .dedup import find_duplicate, save_bands, split_entry, text_bands, title_key
from .extract import fetch_article
from .feeds import FeedEntry, canonical_url
from .fetching import poll_feed, record_failure, record_success
from .language import detect_language
from .models import Candidate, Entry, Feed, SuggestedTag
from .stories import suggest_story
from .tagging import Tag, Tagger, get_tagger

logger = logging.getLogger(__name__)

# Below this many characters the feed gave a teaser: fetch the article for its text.
TEASER_CHARS = 400
# A component's excerpt: at most this many characters of the text, cut on a sentence (or a
# word) and marked with an elision; a short excerpt of a longer text is what we may quote.
EXCERPT_CHARS = 700
ELISION = "..."
# A paragraph that would overflow the excerpt is cut rather than left out when at least this
# much room is left for it, and on a sentence when one ends in the last half of that room.
MIN_CUT_CHARS = 200
_SENTENCE_END = re.compile(r"[.!?؟…][\"'”’»)\]]*(?=\s)|[。！？]")
NEW, MERGED, SEEN, FAILED = "new", "merged", "seen", "failed"


class NotAllowed(Exception):
    """An inbox decision the candidate's state does not allow."""


@dataclass
class PassSummary:
    feed: str
    status: str = "ok"
    error: str = ""
    items: int = 0
    new: int = 0
    merged: int = 0
    seen: int = 0
    failed: int = 0


# The pipeline --------------------------------------------------------------------------------


def feed_run(
    *, feed: Feed, fetch_articles: bool = True, progress: Callable[[int, int], None] | None = None
) -> PassSummary:
    """One pass over one feed: poll it, ingest what is new, record its health."""
    now = timezone.now()
    summary = PassSummary(feed=feed.name)
    result = poll_feed(feed)
    if result.status == "error":
        record_failure(feed, result.error, now=now)
        summary.status, summary.error = "error", result.error
        return summary
    tagger = get_tagger()
    seen = _seen_guids(feed, result.entries)
    batch = settings.INGEST_BATCH_ENTRIES
    for start in range(0, len(result.entries), batch):
        with transaction.atomic():
            _commit_asynchronously()
            for item in result.entries[start : start + batch]:
                if item.guid[:1000] in seen:
                    outcome = SEEN
                else:
                    outcome = _ingest_safely(feed, item, tagger=tagger, fetch_articles=fetch_articles)
                setattr(summary, outcome, getattr(summary, outcome) + 1)
                summary.items += 1
                if progress:
                    progress(summary.items, len(result.entries))
    if result.status == "not-modified":
        summary.status = "not-modified"
    # An ordinary (synchronous) commit: once the validators are durable, so is every entry
    # committed before them.
    record_success(
        feed,
        items=summary.items,
        new_items=summary.new,
        failed_items=summary.failed,
        etag=result.etag,
        last_modified=result.last_modified,
        now=now,
    )
    return summary


def _seen_guids(feed: Feed, entries: list[FeedEntry]) -> set[str]:
    guids = [item.guid[:1000] for item in entries]
    seen: set[str] = set()
    for start in range(0, len(guids), 500):
        chunk = guids[start : start + 500]
        seen.update(Entry.objects.filter(feed=feed, guid__in=chunk).values_list("guid", flat=True))
    return seen


def _commit_asynchronously() -> None:
    """On PostgreSQL, do not wait for this transaction's commit to reach the disk: a crash can
    lose the last batches, in order, never the validators saved after them (see feed_run)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")


def _ingest_safely(feed: Feed, item: FeedEntry, *, tagger: Tagger, fetch_articles: bool) -> str:
    try:
        return entry_ingest(feed=feed, item=item, tagger=tagger, fetch_articles=fetch_articles)
    except Exception:  # noqa: BLE001 (one bad item must not stop the pass)
        logger.exception("Could not ingest %s from feed %s", item.url, feed.pk)
        return FAILED


def entry_ingest(*, feed: Feed, item: FeedEntry, tagger: Tagger, fetch_articles: bool = True) -> str:
    """Put one feed entry through the pipeline; returns new, merged or seen.

    The entry keeps the address the feed gave; a new candidate takes its canonical address,
    without tracking parameters, which is what an accepted component links to. An entry the
    feed gave before is refused by the database (`entry_once_per_feed`) and counts as seen;
    `feed_run` skips those before doing any work.
    """
    guid = item.guid[:1000]
    canonical = canonical_url(item.url) if item.url else guid
    title, text, author = item.title, item.text or item.summary, item.author
    if fetch_articles and item.url and (len(text) < TEASER_CHARS or not title):
        article = fetch_article(item.url)
        if article is not None:
            title, author = title or article.title, author or article.author
            if len(article.text) > len(text):
                text = article.text
    if not title:
        title = item.url  # a plain sitemap names no title; the editor sees the address
    language = detect_language(f"{title}\n{text}", hint=item.language or feed.language)
    published = item.published_at or timezone.now()
    key = title_key(title)
    bands = text_bands(title, text)
    duplicate_id = find_duplicate(
        canonical_url=canonical,
        title_key=key,
        bands=bands,
        feed_id=feed.pk,
        published_at=published,
        text=text,
    )
    # Analysed before the write, so that the write is short (SQLite has one writer).
    suggestions = None if duplicate_id else _suggestions(title, text, language, published, tagger)
    try:
        with transaction.atomic():
            candidate_id = duplicate_id or _candidate_insert(
                url=canonical,
                title=title,
                text=text,
                author=author,
                language=language,
                published_at=published,
                key=key,
                bands=bands,
                suggestions=suggestions,
            )
            Entry.objects.create(
                feed=feed,
                candidate_id=candidate_id,
                guid=guid,
                url=item.url[:2000],
                canonical_url=canonical[:2000],
                title=title[:500],
                text=text,
                published_at=published,
            )
    except IntegrityError:
        return SEEN  # stored before, by an earlier pass or another worker
    return MERGED if duplicate_id else NEW


TERM_FIELDS = {"company": "company_id", "country": "country_id", "issue": "issue_id"}


@dataclass
class Suggestions:
    """What the tagger and the story suggester make of an item."""

    tags: list[Tag]
    story: Story | None
    story_score: float

    @property
    def confidence(self) -> float:
        return max((t.confidence for t in self.tags), default=0)


def _suggestions(
    title: str, text: str, language: str, published_at: datetime.datetime, tagger: Tagger
) -> Suggestions:
    tags = tagger.tag(title, text, language)
    ids = {kind: [t.term_id for t in tags if t.kind == kind] for kind in TERM_FIELDS}
    story, score = suggest_story(
        company_ids=ids["company"],
        country_ids=ids["country"],
        issue_ids=ids["issue"],
        title=title,
        text=text,
        published_at=published_at,
    )
    return Suggestions(tags=tags, story=story, story_score=score)


def _candidate_insert(
    *,
    url: str,
    title: str,
    text: str,
    author: str,
    language: str,
    published_at: datetime.datetime,
    key: str,
    bands: list[int],
    suggestions: Suggestions,
) -> int:
    candidate = Candidate.objects.create(
        title=title[:500],
        url=url[:2000],
        text=text,
        author=author[:255],
        published_at=published_at,
        language=language,
        title_key=key[:255],
        suggested_story=suggestions.story,
        story_score=suggestions.story_score,
        confidence=suggestions.confidence,
    )
    save_bands(candidate.pk, bands)
    _tags_save(candidate, suggestions.tags)
    return candidate.pk


def _tags_save(candidate: Candidate, tags: list[Tag]) -> None:
    SuggestedTag.objects.bulk_create(
        SuggestedTag(
            candidate=candidate,
            kind=t.kind,
            confidence=t.confidence,
            matched=t.matched[:255],
            span_start=t.start,
            span_end=t.end,
            field=t.field,
            **{TERM_FIELDS[t.kind]: t.term_id},
        )
        for t in tags
    )


@transaction.atomic
def candidate_tag(*, candidate: Candidate, tagger: Tagger) -> None:
    """Store the tagger's suggestions for the candidate, its confidence, and its story."""
    suggestions = _suggestions(
        candidate.title, candidate.text, candidate.language, candidate.published_at, tagger
    )
    _tags_save(candidate, suggestions.tags)
    candidate.suggested_story, candidate.story_score = suggestions.story, suggestions.story_score
    candidate.confidence = suggestions.confidence
    candidate.save(update_fields=["suggested_story", "story_score", "confidence"])


# Inbox decisions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TagChoice:
    """The tags an editor keeps for a candidate: term ids per kind."""

    companies: tuple[int, ...] = ()
    countries: tuple[int, ...] = ()
    issues: tuple[int, ...] = ()


def candidate_accept(
    *,
    candidate: Candidate,
    tags: TagChoice,
    story: Story | None = None,
    new_story: bool = False,
    publish: bool = False,
    user: AbstractBaseUser | None = None,
) -> Component:
    """Make the candidate a component with the editor's tags, on `story` (or a new draft
    story), published or as a draft; record which suggested tags the editor kept.

    Whether `user` may publish is the caller's to check (`news.publish_component`)."""
    with transaction.atomic():
        candidate = _undecided(candidate)
        first_entry = candidate.entries.select_related("feed__source").order_by("published_at", "pk").first()
        component = Component(
            title=candidate.title,
            type=ComponentType.objects.get(slug="article"),
            date=timezone.localdate(candidate.published_at),
            author=candidate.author,
            source=first_entry.feed.source if first_entry else None,
            excerpt=_excerpt(candidate.text),
            url=candidate.url,
            language=candidate.language or "en",
            live=False,
        )
        component.save()
        component.companies.set(tags.companies)
        component.countries.set(tags.countries)
        component.issues.set(tags.issues)
        component.save()
        revision = component.save_revision(user=user)
        if publish:
            revision.publish(user=user)
        if new_story:
            story = _new_story(candidate, tags, user)
        if story is not None:
            StoryComponent.objects.get_or_create(story=story, component=component)
            if story.live:
                story.save()  # the story's updated_at moves, so its page and feeds change
        _record_tag_decisions(candidate, tags, user)
        candidate.status = Candidate.Status.ACCEPTED
        candidate.component = component
        candidate.decided_by, candidate.decided_at = user, timezone.now()
        candidate.save(update_fields=["status", "component", "decided_by", "decided_at"])
    component.refresh_from_db()  # publishing saved another instance of it
    return component


def candidate_reject(*, candidate: Candidate, reason: str, user: AbstractBaseUser | None = None) -> None:
    with transaction.atomic():
        candidate = _undecided(candidate)
        candidate.status = Candidate.Status.REJECTED
        candidate.reject_reason = reason.strip()[:255]
        candidate.decided_by, candidate.decided_at = user, timezone.now()
        candidate.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])


def entry_split(*, entry: Entry) -> Candidate:
    """Undo a wrong merge: `entry` becomes a candidate of its own, back in the inbox. Both
    candidates are tagged and suggested a story afresh from the text each now holds, so that
    neither keeps suggestions found in text that went with the other."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().select_related("candidate").get(pk=entry.pk)
        if entry.candidate.status != Candidate.Status.NEW:
            raise NotAllowed(_("This item was already decided; it can no longer be split."))
        if not Entry.objects.filter(candidate_id=entry.candidate_id).exclude(pk=entry.pk).exists():
            raise NotAllowed(_("This is the item's only source: there is nothing to split."))
        old_id = entry.candidate_id
        new = split_entry(entry)
        old = Candidate.objects.get(pk=old_id)
        old.tags.filter(origin=SuggestedTag.Origin.TAGGER, accepted__isnull=True).delete()
        tagger = get_tagger()
        candidate_tag(candidate=old, tagger=tagger)
        candidate_tag(candidate=new, tagger=tagger)
    return new


def _undecided(candidate: Candidate) -> Candidate:
    """The candidate, locked for a decision; NotAllowed when one was made meanwhile."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != Candidate.Status.NEW:
        raise NotAllowed(_("This item was already %(status)s.") % {"status": candidate.get_status_display()})
    return candidate


def _record_tag_decisions(candidate: Candidate, tags: TagChoice, user: AbstractBaseUser | None) -> None:
    chosen = {"company": set(tags.companies), "country": set(tags.countries), "issue": set(tags.issues)}
    for tag in candidate.tags.all():
        term_id = tag.company_id or tag.country_id or tag.issue_id
        tag.accepted = term_id in chosen[tag.kind]
        tag.decided_by = user
        tag.save(update_fields=["accepted", "decided_by"])
        chosen[tag.kind].discard(term_id)
    SuggestedTag.objects.bulk_create(
        SuggestedTag(
            candidate=candidate,
            kind=kind,
            origin=SuggestedTag.Origin.EDITOR,
            accepted=True,
            decided_by=user,
            **{TERM_FIELDS[kind]: term_id},
        )
        for kind, ids in chosen.items()
        for term_id in ids
    )


def _new_story(candidate: Candidate, tags: TagChoice, user: AbstractBaseUser | None) -> Story:
    story = Story(
        headline=candidate.title,
        date=timezone.localdate(candidate.published_at),
        language=candidate.language or "en",
        live=False,
    )
    story.save()
    story.companies.set(tags.companies)
    story.countries.set(tags.countries)
    story.issues.set(tags.issues)
    story.save()
    story.save_revision(user=user)
    return story


def _excerpt(text: str) -> str:
    """The text's first paragraphs as HTML, at most EXCERPT_CHARS characters of it, with an
    elision where it is cut: after a paragraph cut short, or as a paragraph of its own for
    paragraphs left out."""
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    kept, room = [], EXCERPT_CHARS
    for paragraph in paragraphs:
        if len(paragraph) <= room:
            kept.append(escape(paragraph))
            room -= len(paragraph)
        elif room >= MIN_CUT_CHARS or not kept:
            kept.append(f"{escape(_cut(paragraph, room))} {ELISION}")
            break
        else:
            kept.append(ELISION)
            break
    return "".join(f"<p>{paragraph}</p>" for paragraph in kept)


def _cut(paragraph: str, limit: int) -> str:
    """At most `limit` characters of the paragraph: up to the last sentence that ends in the
    last half of them, else up to the last word, else (a script without spaces) `limit`."""
    ends = [end for match in _SENTENCE_END.finditer(paragraph) if (end := match.end()) <= limit]
    if ends and ends[-1] >= limit // 2:
        return paragraph[: ends[-1]]
    space = paragraph.rfind(" ", 0, limit + 1)
    if space >= limit // 2:
        return paragraph[:space].rstrip(" ,;:–—-")
    return paragraph[:limit]
