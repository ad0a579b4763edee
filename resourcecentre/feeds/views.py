"""The feed of every listing: the same query as the page, rendered as RSS or Atom."""

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from resourcecentre.companies.queries import published_company
from resourcecentre.news import queries as news
from resourcecentre.taxonomy.queries import published_term, tag_condition

from .generators import feed_response


def story_feed(request: HttpRequest, slug: str, feed_format: str) -> HttpResponse:
    story = news.published_story(slug)
    return feed_response(
        request,
        feed_format,
        title=story.headline,
        link=story.get_absolute_url(),
        description=story.description,
        components=news.story_components(story),
    )


def latest_news_feed(request: HttpRequest, feed_format: str) -> HttpResponse:
    return feed_response(
        request,
        feed_format,
        title=_("Latest news"),
        link=reverse("news:latest_news"),
        description=_("The latest news items on business and human rights."),
        components=news.latest_components(),
    )


def company_feed(request: HttpRequest, slug: str, feed_format: str) -> HttpResponse:
    company = published_company(slug)
    return feed_response(
        request,
        feed_format,
        title=company.name,
        link=company.get_absolute_url(),
        description=_("News about %(company)s") % {"company": company.name},
        components=news.components_about(tag_condition(company)),
    )


def term_feed(request: HttpRequest, kind: str, slug: str, feed_format: str) -> HttpResponse:
    term = published_term(kind, slug)
    return feed_response(
        request,
        feed_format,
        title=term.name,
        link=term.get_absolute_url(),
        description=_("News about %(topic)s") % {"topic": term.name},
        components=news.components_about(tag_condition(term)),
    )
