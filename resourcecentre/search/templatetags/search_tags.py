from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from resourcecentre.i18n import reader_version
from resourcecentre.lib.html import plain_text
from resourcecentre.lib.languages import format_local_number, text_direction
from resourcecentre.templatetags.rc import local_time

from ..highlight import highlight
from ..queries import FacetGroup, Hit

register = template.Library()


# One search hit, as the page lists it. Built here rather than in the template: twenty of them
# were half the page's rendering (bench/search_page.py). The whitespace is the template's.
HIT = (
    '<li class="hit" lang="{}" dir="{}">\n'
    '          <p class="teaser__meta"><span class="component__type">{}</span>\n'
    "          {}</p>\n"
    '          <h3 class="teaser__title"><a href="{}">{}</a></h3>\n'
    '          <p class="hit__snippet">{}</p>\n'
    "        </li>"
)


@register.simple_tag
def search_hit(hit: Hit, words: list[str]) -> SafeString:
    """A hit's kind, date, linked title and the highlighted passage that matches `words`."""
    obj = hit.object
    if hit.kind == "component":
        shown = reader_version(obj)  # the reader's translation when there is one
        language, kind, title = shown.language, obj.type.name, shown.title
        original_title = obj.original_title if shown is obj else ""
        text = f"{original_title} {plain_text(shown.excerpt)}".strip()
    elif hit.kind == "story":
        shown = reader_version(obj)
        language, kind, title = shown.language, gettext("Story"), shown.headline
        text = plain_text(shown.summary)
    else:
        language, kind, title, text = "und", gettext("Company"), obj.name, obj.summary
    date = local_time(obj.date) if hit.kind != "company" else ""
    # A company page has no one language (lang="und"); its summary is matched as English.
    snippet = highlight(text, words, "en" if hit.kind == "company" else language)
    direction = "auto" if hit.kind == "company" else text_direction(language)
    return format_html(HIT, language, direction, kind, date, obj.get_absolute_url(), title, snippet)


@register.simple_tag
def facet_options(group: FacetGroup) -> SafeString:
    """A facet's checkboxes, one `<li>` each, built here rather than by a template loop: a page
    shows up to a hundred, and that loop was a fifth of its rendering (bench/search_page.py).
    The whitespace is what the loop wrote, so the page is unchanged."""
    language = get_language()
    return format_html_join(
        "",
        '\n          <li><label><input type="checkbox" name="{}" value="{}"{}> {} '
        '<span class="facet__count">({})</span></label></li>\n          ',
        (
            (
                group.facet.param,
                value.value,
                " checked" if value.selected else "",
                value.label,
                format_local_number(value.count, language),
            )
            for value in group.values
        ),
    )
