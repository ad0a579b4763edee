from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resourcecentre.news.queries import stories_about
from resourcecentre.search.queries import FACET_BY_FIELD, page_number, tagged_listing

from .queries import published_term, tag_condition


def term(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """A tag page: the stories and news items about a country, region, issue, sector, …"""
    term = published_term(kind, slug)
    listing = tagged_listing(FACET_BY_FIELD[kind].param, term, page_number(request.GET))
    return render(
        request,
        "taxonomy/term.html",
        {
            "term": term,
            "stories": stories_about(tag_condition(term))[:10],
            "components": listing.components,
            "pages": listing.pages,
            "feed_url": term.get_feed_url(),
            "atom_url": term.get_feed_url("atom"),
        },
    )
