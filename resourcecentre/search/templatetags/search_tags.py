from django import template
from django.utils.safestring import SafeString

from resourcecentre.i18n import reader_version
from resourcecentre.lib.html import plain_text

from ..highlight import highlight

register = template.Library()


@register.simple_tag
def snippet(hit, words: list[str]) -> SafeString:
    """The highlighted passage of a search hit that matches the words searched for."""
    obj = hit.object
    if hit.kind == "component":
        text, language = f"{obj.original_title} {plain_text(obj.excerpt)}".strip(), obj.language
    elif hit.kind == "story":
        shown = reader_version(obj)  # the version the hit's headline is shown in
        text, language = plain_text(shown.summary), shown.language
    else:
        text, language = obj.summary, "en"
    return highlight(text, words, language)
