"""The feed of every listing: the same query as the page, as RSS, Atom or JSON Feed.

Every news feed (latest news, story, company, tag, search) takes the search page's `language`
filter (`?language=es`: the items written in Spanish); the language prefix (`/es/…`) is the
reader's, in which entries are shown where translated.
"""

from dataclasses import replace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from resourcecentre.companies.queries import published_company
from resourcecentre.i18n import reader_version
from resourcecentre.lib.languages import language_name
from resourcecentre.news import queries as news
from resourcecentre.search.queries import (
    FACET_BY_FIELD,
    SearchParams,
    language_filter,
    language_query,
    search,
    tagged_listing,
)
from resourcecentre.taxonomy.queries import published_term

from .generators import feed_response


def _titled(title: str, languages: tuple[str, ...]) -> str:
    """A feed's title, naming the languages it is filtered to: "Latest news, in Español"."""
    if not languages:
        return title
    names = ", ".join(language_name(code) for code in languages)
    return _("%(title)s, in %(languages)s") % {"title": title, "languages": names}


def story_feed(request: HttpRequest, slug: str, feed_format: str) -> HttpResponse:
    story = news.published_story(slug)
    languages = language_filter(request.GET)
    components = news.story_components(story).for_teasers().written_in(languages)
    shown = reader_version(story)
    return feed_response(
        request,
        feed_format,
        title=_titled(shown.headline, languages),
        link=story.get_absolute_url(),
        description=shown.description,
        items=components,
    )


def latest_news_feed(request: HttpRequest, feed_format: str) -> HttpResponse:
    languages = language_filter(request.GET)
    return feed_response(
        request,
        feed_format,
        title=_titled(_("Latest news"), languages),
        link=reverse("news:latest_news") + language_query(languages),
        description=_("The latest news items on business and human rights."),
        items=news.latest_components(languages),
    )


def company_feed(request: HttpRequest, slug: str, feed_format: str) -> HttpResponse:
    company = published_company(slug)
    languages = language_filter(request.GET)
    return feed_response(
        request,
        feed_format,
        title=_titled(company.name, languages),
        link=company.get_absolute_url(),
        description=_("News about %(company)s") % {"company": company.name},
        items=tagged_listing("company", company, 1, settings.FEED_ITEMS, languages).components,
    )


def term_feed(request: HttpRequest, kind: str, slug: str, feed_format: str) -> HttpResponse:
    term = published_term(kind, slug)
    languages = language_filter(request.GET)
    return feed_response(
        request,
        feed_format,
        title=_titled(term.name, languages),
        link=term.get_absolute_url(),
        description=_("News about %(topic)s") % {"topic": term.name},
        items=tagged_listing(FACET_BY_FIELD[kind].param, term, 1, settings.FEED_ITEMS, languages).components,
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
