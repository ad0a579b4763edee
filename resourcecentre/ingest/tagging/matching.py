"""What the tagger finds and how its matches are read: the entries of its automaton, their
hits in a text, the words around a hit, and the tags the best hits become."""

import re
from collections import defaultdict
from dataclasses import dataclass

COMPANY, COUNTRY, ISSUE = "company", "country", "issue"
SUGGEST_THRESHOLD = 0.5


@dataclass(frozen=True)
class Tag:
    kind: str  # "company" | "country" | "issue"
    term_id: int  # Company.pk, Country.pk or Issue.pk
    confidence: float  # 0..1
    matched: str  # the text that triggered it
    start: int  # span in the field's text
    end: int
    field: str  # "title" | "text"


@dataclass(frozen=True)
class Entry:
    """One term a folded pattern stands for."""

    kind: str
    term_id: int
    length: int
    form: str  # as written in the register, lexicon or country table
    sub: str = ""  # company: "strong" | "weak" | "acronym"; country: "name" | "place" | ...
    languages: frozenset[str] | None = None  # None: any language
    prefix: bool = False  # issue phrases ending in "*"
    country_id: int = 0  # issue phrases with a {demonym} or {country} placeholder


@dataclass
class Hit:
    """An entry found in a field's text, with the confidence its context gives it."""

    entry: Entry
    field: str
    start: int  # original offsets
    end: int
    fstart: int  # folded offsets
    fend: int
    matched: str
    pattern: str
    confidence: float = 0.0


# The words around a hit

_SENTENCE_END = set('.!?:;\n"“”—–|。！？؟')
_CLAUSE_END = ".!?:;。！？؟：\n"
_WORD = re.compile(r"\w+")


def words_before(text: str, start: int, count: int) -> list[str]:
    window = text[max(0, start - 60) : start]
    cut = max((window.rfind(c) for c in _CLAUSE_END), default=-1)
    return [w.casefold() for w in _WORD.findall(window[cut + 1 :])][-count:]


def words_after(text: str, end: int, count: int) -> list[str]:
    window = text[end : end + 60]
    cuts = [i for i in (window.find(c) for c in _CLAUSE_END) if i >= 0]
    return [w.casefold() for w in _WORD.findall(window[: min(cuts) if cuts else len(window)])][:count]


def sentence_initial(text: str, start: int) -> bool:
    index = start - 1
    while index >= 0 and text[index] in " \t'‘\"“([«¿¡":
        index -= 1
    return index < 0 or text[index] in _SENTENCE_END


def title_cased(text: str) -> bool:
    words = [w for w in _WORD.findall(text) if w[0].isalpha() and len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


# From hits to tags


def inside(hit: Hit, others: list[Hit]) -> bool:
    return any(
        o.field == hit.field and o.start <= hit.start and hit.end <= o.end and o is not hit for o in others
    )


def longest(hits: list[Hit]) -> list[Hit]:
    """Drop matches overlapped by a longer one of the same kind (several terms may share a span)."""
    hits = sorted(hits, key=lambda h: (h.field, -(h.fend - h.fstart), h.fstart))
    kept: list[Hit] = []
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for hit in hits:
        spans = taken[hit.field]
        if any(s < hit.fend and hit.fstart < e and (s, e) != (hit.fstart, hit.fend) for s, e in spans):
            continue
        spans.append((hit.fstart, hit.fend))
        kept.append(hit)
    return kept


def best(hits: list[Hit]) -> list[Tag]:
    """One tag per term: its surest hit, the title's on a tie."""
    found: dict[int, Hit] = {}
    for hit in hits:
        if hit.confidence <= 0:
            continue
        current = found.get(hit.entry.term_id)
        if current is None or (hit.confidence, hit.field == "title") > (
            current.confidence,
            current.field == "title",
        ):
            found[hit.entry.term_id] = hit
    return [to_tag(hit, hit.confidence) for hit in found.values()]


def to_tag(hit: Hit, confidence: float) -> Tag:
    return Tag(
        kind=hit.entry.kind,
        term_id=hit.entry.term_id,
        confidence=round(confidence, 3),
        matched=hit.matched,
        start=hit.start,
        end=hit.end,
        field=hit.field,
    )
