"""Highlighted snippets: the part of a text that matches a query, matches marked.

The index keeps no stored text (that would double its size), so snippets are cut from the
text the page already loaded, with the same analyzers the index uses to decide a match.
"""

import re
from functools import lru_cache

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


def _match_spans(text: str, words: list[str], language: str) -> list[tuple[int, int]]:
    language = language.split("-")[0]
    if language in CJK_LANGUAGES:
        spans = []
        for word in words:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(word), text, re.IGNORECASE)]
        return sorted(spans)
    wanted = set().union(*(_forms(w, language) for w in words)) if words else set()
    return [(m.start(), m.end()) for m in WORD.finditer(text) if _forms(m.group(), language) & wanted]


def highlight(text: str, words: list[str], language: str, length: int = SNIPPET_LENGTH) -> SafeString:
    """An escaped excerpt of `text` around the first match, each match in <mark>."""
    spans = _match_spans(text, words, language)
    start = 0
    if spans:
        start = max(0, spans[0][0] - length // 4)
        start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + length)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + length // 2)
    pieces, position = [], start
    for span_start, span_end in spans:
        if span_start < position or span_end > end:
            continue
        pieces.append(escape(text[position:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    pieces.append(escape(text[position:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 (every piece is escaped)
