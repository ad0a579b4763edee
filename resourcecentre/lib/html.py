"""HTML sanitising for text that comes from editors, companies or other sites, and marking spans
in plain text (no Django)."""

import html
import re
from collections.abc import Iterable

import nh3

# What an excerpt or summary may hold: paragraphs, emphasis, quotes, lists and links.
# Everything else (scripts, styles, event handlers, iframes) is removed, its text kept.
ALLOWED_TAGS = {"p", "br", "em", "strong", "b", "i", "a", "blockquote", "ul", "ol", "li", "h2", "h3"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str) -> str:
    """Keep the harmless subset of `value`; links open no window and pass no referrer."""
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
    )


def plain_text(value: str, limit: int | None = None) -> str:
    """The text of an HTML fragment, whitespace folded, cut at a word near `limit`."""
    text = html.unescape(nh3.clean(value or "", tags=set()))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    return text


def html_from_input(value: str) -> str:
    """Text typed into a plain text box, as HTML: escaped, blank lines between paragraphs,
    single line breaks kept. Nothing typed is taken for markup, so what a company writes is
    published exactly as written."""
    value = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def mark_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` escaped, with each (start, end, label) character span wrapped in `<mark>`.

    Spans that fall outside the text, or overlap one already marked, are left out; of two spans
    starting at the same place the longer wins ("Amazon Web Services" over "Amazon").
    """
    parts, position = [], 0
    for start, end, label in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < position or start >= end or end > len(text):
            continue
        parts.append(html.escape(text[position:start]))
        parts.append(f'<mark title="{html.escape(label)}">{html.escape(text[start:end])}</mark>')
        position = end
    parts.append(html.escape(text[position:]))
    return "".join(parts)
