"""Step 5 of the pipeline: is this entry news we already hold?

Three layers, cheapest and surest first, each one indexed query:

1. the same canonical URL, from any feed;
2. the same normalised title (`title_key`) from the same feed or the same source
   (`Feed.source`) within `SAME_TITLE_DAYS`, unless both texts are long and share almost
   nothing (a column that reuses its title daily, "Morning briefing");
3. near-identical text: candidates sharing a MinHash LSH band (`TextBand`) within
   `NEAR_DUPLICATE_DAYS`, confirmed on the two texts' shingles (see the thresholds below), so
   that a band collision alone never merges.

Every status is matched: a copy of an accepted candidate joins it as another source instead
of re-entering the inbox, and a copy of a rejected one stays rejected with it (the editor
judged the news, not the copy); the caller decides what joining means for each status.

Text is compared as shingles of three tokens, a token being a word, or a single character in
scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar), so Japanese and Chinese
are compared as character trigrams and mixed text works without choosing a mode. Shingles are
hashed with CRC-32: stable across processes and releases, unlike `hash()`, and ten times
cheaper than SHA-1; the affine32 MinHash scheme mixes the bits before permuting.

Thresholds, measured on wire copy, updates, rewrites and press releases (see the tests):

* Two texts are near-duplicates when their Jaccard similarity is at least 0.5 and one text's
  opening (its first `OPENING_SHINGLES` shingles, about its first sentence) mostly appears in
  the other. Similarity alone cannot do it: a lightly rewritten wire story ("said on Tuesday"
  -> "said Tuesday", a sentence cut, a credit line added) scores 0.72, an updated article
  with a paragraph added 0.84, the same Japanese agency story with Arabic numerals 0.75, but
  two short releases of one company that share a long "About us" section score 0.79, more
  than the rewrite. What tells them apart is the opening: a copy keeps most of the other's
  (0.6 to 1.0), a different release does not (0.2 at most). Independent reports of the same
  event score 0.02. The title comes last in the shingled text, so that the opening is the
  article's and a headline rewritten by each site does not count against it. A release of
  one sentence before its boilerplate will still merge with the next one: only knowing what
  that source repeats could tell them apart.
* LSH: 128 permutations as 32 bands of 4 rows. The chance that two texts share a band is
  1 - (1 - J^4)^32: 0.87 at J=0.5, 0.99 at 0.6, >0.999 from 0.7 up, 0.05 at 0.2 and 3e-7
  at 0.01 (unrelated news), so recall is high wherever we verify and a query finds few
  candidates to check. The classic 0.8 tuning (9 bands of 13 rows) would miss most
  rewrites. 32 rows per candidate is 640,000 rows at 20,000 candidates, read by one
  indexed IN query.

Changing any of these constants (shingle size, permutations, seed, banding, the hash) changes
the bands: rebuild the stored `TextBand` rows when you do.
"""

import datetime
import functools
import hashlib
import re
import zlib
from collections import Counter

from django.db import connection, transaction
from rigour.text.normalize import Cleanup, Normalize, normalize

from .language import detect_language
from .models import Candidate, Entry, Feed, TextBand

TITLE_KEY_LENGTH = 255  # Candidate.title_key's max_length
SAME_TITLE_DAYS = 3
NEAR_DUPLICATE_DAYS = 30

SHINGLE_TOKENS = 3
MAX_TEXT_CHARS = 20_000  # a long article's first 20,000 characters tell it apart well enough
MIN_SHINGLES = 12  # below this (a bare headline) text similarity means little: no bands
NUM_PERM, BANDS, ROWS = 128, 32, 4
SEED = 20_250_501

SIMILAR_TEXT = 0.5
OPENING_SHINGLES = 15
SAME_OPENING = 0.5
SAME_TITLE_TEXT_FLOOR = 0.2  # containment, so that a teaser still matches its full text
VERIFIED_CANDIDATES = 5  # the most-banded candidates whose text is compared

_FOLD = Normalize.NFKD | Normalize.CASEFOLD | Normalize.SQUASH_SPACES
_UNSPACED = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
)
_TOKEN = re.compile(f"[{_UNSPACED}]|[^\\s{_UNSPACED}]+")
UNSPACED_CHARACTER = re.compile(f"[{_UNSPACED}]")


@functools.cache
def _minhash() -> tuple[type, object]:
    """datasketch's MinHash and our permutations. datasketch brings NumPy and SciPy (76 MB, a
    second to import), so it is loaded on first use: web processes that never ingest, such as
    one streaming a million-row export, do not carry it."""
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


def _fold(text: str) -> str:
    """Casefolded, accents and marks removed, punctuation and symbols as single spaces."""
    return normalize(text, _FOLD, Cleanup.Strong) or ""


def words(text: str) -> list[str]:
    """The folded tokens of a text: its words, and each character of unspaced scripts."""
    return _TOKEN.findall(_fold(text))


def title_key(title: str) -> str:
    """The title as duplicate detection compares it: "Shell’s Nigeria Spill: Update!" and
    "shell s nigeria spill update" have the same key, in any script."""
    return _fold(title)[:TITLE_KEY_LENGTH].rstrip()


def _shingles(key: str, text: str) -> list[int]:
    """The hashed shingles of a text followed by its title key, in reading order, so that
    the first ones are the article's opening whatever headline each site gave it."""
    tokens = words(f"{text[:MAX_TEXT_CHARS]} {key}")
    return [
        zlib.crc32(" ".join(tokens[start : start + SHINGLE_TOKENS]).encode())
        for start in range(max(len(tokens) - SHINGLE_TOKENS + 1, 0))
    ]


def _bands(shingles: set[int]) -> list[int]:
    # The shingles are hashes already: `int` is the identity.
    minhash_class, permutations = _minhash()
    minhash = minhash_class(num_perm=NUM_PERM, hashfunc=int, permutations=permutations, scheme="affine32")
    minhash.update_batch(shingles)
    rows = minhash.hashvalues.astype("<u4").reshape(BANDS, ROWS)
    return [
        int.from_bytes(
            hashlib.blake2b(row.tobytes(), digest_size=8, person=number.to_bytes(2, "little")).digest(),
            "little",
            signed=True,
        )
        for number, row in enumerate(rows)
    ]


def text_bands(title: str, text: str) -> list[int]:
    """The LSH bands of a title and text, each a signed 64-bit int for a BigIntegerField;
    none for text too short to compare (fewer than `MIN_SHINGLES` shingles)."""
    shingles = set(_shingles(title_key(title), text))
    if len(shingles) < MIN_SHINGLES:
        return []
    return _bands(shingles)


class _Document:
    """A text's shingles, and those of its opening, for comparing with another."""

    def __init__(self, key: str, text: str) -> None:
        ordered = _shingles(key, text)
        self.shingles = set(ordered)
        self.opening = set(ordered[:OPENING_SHINGLES])

    def __len__(self) -> int:
        return len(self.shingles)

    def jaccard(self, other: "_Document") -> float:
        union = len(self.shingles | other.shingles)
        return len(self.shingles & other.shingles) / union if union else 0.0

    def containment(self, other: "_Document") -> float:
        """How much of the shorter text the longer one holds."""
        smaller = min(len(self), len(other))
        return len(self.shingles & other.shingles) / smaller if smaller else 0.0

    def opening_overlap(self, other: "_Document") -> float:
        """How much of one text's opening the other holds, the better of the two ways (an
        update may put a new paragraph on top)."""
        return max(_share(self.opening, other.shingles), _share(other.opening, self.shingles))

    def is_near_duplicate(self, other: "_Document") -> bool:
        return (
            min(len(self), len(other)) >= MIN_SHINGLES
            and self.jaccard(other) >= SIMILAR_TEXT
            and self.opening_overlap(other) >= SAME_OPENING
        )


def _share(part: set[int], whole: set[int]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def find_duplicate(
    *,
    canonical_url: str,
    title_key: str,
    bands: list[int],
    feed_id: int,
    published_at: datetime.datetime,
    text: str,
) -> int | None:
    """The id of the candidate this entry duplicates, trying each layer in turn; None for new
    news.

    `title_key` and `bands` are `title_key(title)` and `text_bands(title, text)` of the entry.
    A layer that finds nothing, the common case, costs one indexed query returning ids, written
    in SQL: the ORM spent ten times longer compiling these queries than the database ran them
    (docs/benchmarks.md, "Monitoring pipeline"). Candidates are loaded only to confirm a hit.
    """
    return (
        _same_url(canonical_url)
        or _same_title(title_key, feed_id, published_at, text)
        or _same_text(title_key, bands, published_at, text)
    )


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _moment(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


# Table names come from the models, never from input; every value is a query parameter (so
# the S608 warnings below do not apply).
_ENTRY, _CANDIDATE, _FEED, _BAND = (model._meta.db_table for model in (Entry, Candidate, Feed, TextBand))


def _same_url(canonical_url: str) -> int | None:
    if not canonical_url:
        return None
    found = _rows(
        f"SELECT candidate_id FROM {_ENTRY} WHERE canonical_url = %s LIMIT 1",  # noqa: S608
        [canonical_url],
    )
    return found[0][0] if found else None


def _same_title(key: str, feed_id: int, published_at: datetime.datetime, text: str) -> int | None:
    if not key:
        return None
    window = datetime.timedelta(days=SAME_TITLE_DAYS)
    entries = _rows(
        f"SELECT e.candidate_id, e.feed_id, f.source_id FROM {_ENTRY} e"  # noqa: S608
        f" JOIN {_CANDIDATE} c ON c.id = e.candidate_id JOIN {_FEED} f ON f.id = e.feed_id"
        " WHERE c.title_key = %s AND e.published_at BETWEEN %s AND %s LIMIT 100",
        [key, _moment(published_at - window), _moment(published_at + window)],
    )
    if not entries:
        return None
    source_id = Feed.objects.filter(pk=feed_id).values_list("source_id", flat=True).first()
    same_source = {
        candidate_id
        for candidate_id, entry_feed_id, entry_source_id in entries
        if entry_feed_id == feed_id or (source_id is not None and entry_source_id == source_id)
    }
    if not same_source:
        return None
    document = _Document(key, text)
    for candidate in Candidate.objects.filter(pk__in=same_source).order_by("-published_at", "-pk")[
        :VERIFIED_CANDIDATES
    ]:
        other = _Document(candidate.title_key, candidate.text)
        if min(len(document), len(other)) < MIN_SHINGLES or (
            document.containment(other) >= SAME_TITLE_TEXT_FLOOR
        ):
            return candidate.pk
    return None


def _same_text(key: str, bands: list[int], published_at: datetime.datetime, text: str) -> int | None:
    if not bands:
        return None
    # No LIMIT here: on PostgreSQL it made the planner scan the whole band table.
    placeholders = ", ".join(["%s"] * len(bands))
    shared = Counter(
        candidate_id
        for (candidate_id,) in _rows(
            f"SELECT candidate_id FROM {_BAND} WHERE band IN ({placeholders})",  # noqa: S608
            bands,
        )
    )
    if not shared:
        return None
    # The most banded first; boilerplate can make many of a source's texts collide.
    likeliest = [candidate_id for candidate_id, _count in shared.most_common(4 * VERIFIED_CANDIDATES)]
    window = datetime.timedelta(days=NEAR_DUPLICATE_DAYS)
    candidates = (
        Candidate.objects.filter(
            pk__in=likeliest, published_at__range=(published_at - window, published_at + window)
        )
        .only("title_key", "text")
        .in_bulk()
    )
    document = _Document(key, text)
    compared = [candidates[pk] for pk in likeliest if pk in candidates][:VERIFIED_CANDIDATES]
    return next(
        (
            other.pk
            for other in compared
            if document.is_near_duplicate(_Document(other.title_key, other.text))
        ),
        None,
    )


def save_bands(candidate_id: int, bands: list[int]) -> None:
    """Store a new candidate's bands, so that later copies of its text find it: one multi-row
    INSERT (on PostgreSQL `executemany` would be one statement a row; model instances through
    `bulk_create` cost more than the insert itself)."""
    if not bands:
        return
    values = ", ".join(["(%s, %s)"] * len(bands))
    params = [value for band in bands for value in (candidate_id, band)]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_BAND} (candidate_id, band) VALUES {values}", params)  # noqa: S608


@transaction.atomic
def split_entry(entry: Entry) -> Candidate:
    """Undo a wrong merge: `entry` becomes a candidate of its own, in the inbox, with its own
    text (`Entry.text`), or the candidate's for an entry stored before entries kept theirs.

    The old candidate keeps its other entries. When `entry` is the one the candidate was
    made from (same address), the candidate is re-keyed from its earliest remaining entry and
    takes that entry's text. Suggested tags and the suggested story stay with the old
    candidate: the caller tags and suggests anew.
    """
    old = Candidate.objects.select_for_update().get(pk=entry.candidate_id)
    remaining = old.entries.exclude(pk=entry.pk).order_by("published_at", "pk").first()
    if remaining is None:
        raise ValueError("The entry is its candidate's only one: there is nothing to split.")
    made_from = old.url in {entry.url, entry.canonical_url}
    text = entry.text or (old.text if made_from else "")
    new = Candidate.objects.create(
        title=entry.title,
        url=entry.canonical_url or entry.url,
        text=text,
        author=old.author if made_from else "",
        published_at=entry.published_at,
        language=old.language if made_from else _language(entry, text),
        title_key=title_key(entry.title),
    )
    save_bands(new.pk, text_bands(new.title, new.text))
    entry.candidate = new
    entry.save(update_fields=["candidate"])
    if made_from:
        old.title, old.title_key = remaining.title, title_key(remaining.title)
        old.url, old.published_at = remaining.canonical_url, remaining.published_at
        old.text, old.author = remaining.text, ""
        old.language = _language(remaining, remaining.text)
        old.save(update_fields=["title", "url", "published_at", "title_key", "text", "author", "language"])
        old.bands.all().delete()
        save_bands(old.pk, text_bands(old.title, old.text))
    return new


def _language(entry: Entry, text: str) -> str:
    return detect_language(f"{entry.title}\n{text}", hint=entry.feed.language)
