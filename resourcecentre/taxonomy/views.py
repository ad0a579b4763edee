from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resourcecentre.news.queries import components_about, stories_about

from .queries import published_term, tag_condition


def term(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """A tag page: the stories and news items about a country, region, issue, sector, …"""
    term = published_term(kind, slug)
    condition = tag_condition(term)
    page = Paginator(components_about(condition), settings.LISTING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "taxonomy/term.html",
        {
            "term": term,
            "stories": stories_about(condition)[:10],
            "page": page,
            "feed_url": term.get_feed_url(),
            "atom_url": term.get_feed_url("atom"),
        },
    )
