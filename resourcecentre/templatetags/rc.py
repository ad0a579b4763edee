"""Template helpers shared by every app's pages."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from resourcecentre.lib.languages import language_name, text_direction

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
def direction(code: str) -> str:
    return text_direction(code)


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
