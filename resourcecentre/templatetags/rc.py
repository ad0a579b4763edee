"""Template helpers shared by every app's pages."""

import datetime
import json

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from resourcecentre import i18n
from resourcecentre.lib.languages import (
    format_local_date,
    format_local_number,
    language_name,
    text_direction,
)

register = template.Library()

# The characters that could end a <script> element or open a comment inside JSON-LD.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def jsonld(data: dict) -> SafeString:
    """A schema.org JSON-LD block; script-closing characters are escaped inside strings."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(payload))


@register.filter
def native_language_name(code: str) -> str:
    return language_name(code)


@register.filter
def in_language(text: str, code: str) -> SafeString:
    """`text` marked as written in `code` (`lang` and `dir`), for a title quoted in a sentence
    of the reader's language; escaped and unmarked when the language is not known."""
    if not code:
        return conditional_escape(text)
    return format_html('<span lang="{}" dir="{}">{}</span>', code, text_direction(code), text)


@register.filter
def language_in_sentence(code: str) -> str:
    """The language's name as a sentence in the reader's language writes it ("inglés" in Spanish)."""
    return language_name(code, get_language(), capitalised=False)


@register.filter
def direction(code: str) -> str:
    return text_direction(code)


@register.filter
def local_date(value: datetime.date | None, format: str = "long") -> str:
    """A date written as the reader's language writes it (babel's "long", "medium", "short")."""
    return format_local_date(value, get_language(), format=format) if value else ""


@register.simple_tag
def item_link(item) -> SafeString:
    """A link to a story or component under its own title, marked with the language it is
    written in, for a sentence of the reader's language that names it."""
    return format_html(
        '<a href="{}" lang="{}" dir="{}">{}</a>',
        item.get_absolute_url(),
        item.language,
        text_direction(item.language),
        str(item),  # a story's headline, a component's title
    )


@register.simple_tag
def local_time(value: datetime.date | None) -> str:
    """A `<time>` with the date in the reader's language, marked as such: it may sit inside
    content in another language (a Japanese news item in the English site)."""
    if not value:
        return ""
    language = get_language()
    return format_html(
        '<time datetime="{}" lang="{}">{}</time>',
        value.strftime("%Y-%m-%d"),
        language,
        format_local_date(value, language),
    )


@register.filter
def local_number(value) -> str:
    """A count with the reader's locale's separators."""
    return format_local_number(value, get_language()) if value is not None and value != "" else ""


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[i18n.Alternate]:
    """The current page in every interface language (the switcher and `hreflang` links)."""
    return i18n.page_alternates(context["request"])


@register.inclusion_tag("includes/content_language.html", takes_context=True)
def content_language_notice(context, original: str, translations=()) -> dict:
    """Says so when a story or component is not in the reader's language, with its languages."""
    languages = i18n.content_languages(context["request"], original, [t.language for t in translations])
    return {"content": languages}


@register.filter
def reader_translation(item):
    """The item's translation into the reader's language, when it is not already in it."""
    return i18n.reader_translation(item)


@register.filter
def reader_version(item):
    """The item in the reader's language when translated, else the original (same field names)."""
    return i18n.reader_version(item)


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed, for pagination links."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return "?" + query.urlencode()


@register.filter
def verbose_kind(obj) -> str:
    """“Country”, “Issue”, … for a tag page's heading."""
    return str(obj._meta.verbose_name).capitalize()
