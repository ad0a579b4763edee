"""Highlighted snippets: the part of a text that matches a query, matches marked.

The index keeps no stored text (that would double its size), so snippets are cut from the
text the page already loaded, with the same analyzers the index uses to decide a match.
"""

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .engine import CJK_LANGUAGES, STEMMED_LANGUAGES, analyzers

WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_LENGTH = 260


@lru_cache(maxsize=1)
def _analyzers():
    return analyzers()


@lru_cache(maxsize=20_000)
def _forms(word: str, language: str) -> frozenset[str]:
    found = set(_analyzers()["folded"].analyze(word))
    if language in STEMMED_LANGUAGES:
        found.update(_analyzers()[f"stem_{language}"].analyze(word))
    return frozenset(found)


def _match_spans(text: str, words: list[str], language: str) -> Iterator[tuple[int, int]]:
    """Where `words` match in `text`, in order; found lazily, as a snippet needs only the
    matches near the first (texts run to thousands of characters, snippets to 260)."""
    language = language.split("-")[0]
    if language in CJK_LANGUAGES:
        spans = []
        for word in words:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(word), text, re.IGNORECASE)]
        yield from sorted(spans)
        return
    wanted = set().union(*(_forms(w, language) for w in words)) if words else set()
    if not wanted:
        return
    for m in WORD.finditer(text):
        if not wanted.isdisjoint(_forms(m.group(), language)):
            yield m.start(), m.end()


def highlight(text: str, words: list[str], language: str, length: int = SNIPPET_LENGTH) -> SafeString:
    """An escaped excerpt of `text` around the first match, each match in <mark>."""
    spans = _match_spans(text, words, language)
    first = next(spans, None)
    start = 0
    if first:
        start = max(0, first[0] - length // 4)
        start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + length)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + length // 2)
    pieces, position = [], start
    for span_start, span_end in chain([first] if first else [], spans):
        if span_start > end:
            break  # this and the rest lie beyond the excerpt
        if span_start < position or span_end > end:
            continue
        pieces.append(escape(text[position:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    pieces.append(escape(text[position:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 (every piece is escaped)
