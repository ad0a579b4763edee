"""The feed of every listing: the same query as the page, as RSS, Atom or JSON Feed."""

from dataclasses import replace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from resourcecentre.companies.queries import published_company
from resourcecentre.news import queries as news
from resourcecentre.search.queries import FACET_BY_FIELD, SearchParams, search, tagged_listing
from resourcecentre.taxonomy.queries import published_term

from .generators import feed_response


def story_feed(request: HttpRequest, slug: str, feed_format: str) -> HttpResponse:
    story = news.published_story(slug)
    return feed_response(
        request,
        feed_format,
        title=story.headline,
        link=story.get_absolute_url(),
        description=story.description,
        items=news.story_components(story).for_teasers(),
    )


def latest_news_feed(request: HttpRequest, feed_format: str) -> HttpResponse:
    return feed_response(
        request,
        feed_format,
        title=_("Latest news"),
        link=reverse("news:latest_news"),
        description=_("The latest news items on business and human rights."),
        items=news.latest_components(),
    )


def company_feed(request: HttpRequest, slug: str, feed_format: str) -> HttpResponse:
    company = published_company(slug)
    return feed_response(
        request,
        feed_format,
        title=company.name,
        link=company.get_absolute_url(),
        description=_("News about %(company)s") % {"company": company.name},
        items=tagged_listing("company", company, 1, settings.FEED_ITEMS).components,
    )


def term_feed(request: HttpRequest, kind: str, slug: str, feed_format: str) -> HttpResponse:
    term = published_term(kind, slug)
    return feed_response(
        request,
        feed_format,
        title=term.name,
        link=term.get_absolute_url(),
        description=_("News about %(topic)s") % {"topic": term.name},
        items=tagged_listing(FACET_BY_FIELD[kind].param, term, 1, settings.FEED_ITEMS).components,
    )


def search_feed(request: HttpRequest, feed_format: str) -> HttpResponse:
    """The feed of any search: the page's parameters, newest first, stories and news items."""
    params = SearchParams.from_query(request.GET)
    filters = {"kind": ("component", "story"), **params.filters}
    params = replace(params, filters=filters, sort="newest", page=1)
    results = search(params, page_size=settings.FEED_ITEMS, with_facets=False)
    if not results.available:
        # An empty feed would tell readers every item was withdrawn; ask them to come back.
        return HttpResponse(
            _("Search is being rebuilt; try again in a few minutes."),
            status=503,
            headers={"Retry-After": "120"},
        )
    title = _("Search: %(query)s") % {"query": params.q} if params.q else _("Search results")
    return feed_response(
        request,
        feed_format,
        title=title,
        link=f"{reverse('search:search')}?{params.query_string(sort='relevance')}",
        description=_("Stories and news items matching this search."),
        items=[hit.object for hit in results.hits if hit.kind != "company"],
    )
