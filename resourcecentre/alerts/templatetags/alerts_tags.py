from urllib.parse import urlencode

from django import template
from django.urls import reverse

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Story
from resourcecentre.search.queries import FACET_BY_FIELD

register = template.Library()


@register.simple_tag
def follow_url(obj) -> str:
    """The follow page for a story, a company or a tag: a plain link, so that the page
    carrying it stays cacheable (the form, with its CSRF token, is on the follow page)."""
    if isinstance(obj, Story):
        query = {"story": obj.slug}
    elif isinstance(obj, Company):
        query = {"company": obj.slug}
    else:
        query = {FACET_BY_FIELD[obj.kind].param: obj.slug}
    return f"{reverse('alerts:follow')}?{urlencode(query)}"
