from django import template

from resourcecentre.search.queries import SearchParams, recognised

register = template.Library()


@register.simple_tag
def export_query_string(params: SearchParams) -> str:
    """The search's query string for its export links, without the values the page left out
    (the export refuses them rather than ignore them)."""
    return recognised(params).query_string(page=1)
