from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resourcecentre import i18n, structured_data
from resourcecentre.pagination import PageInfo
from resourcecentre.responses.queries import story_responses
from resourcecentre.search.queries import language_filter, language_query

from . import queries
from .models import language_choices
from .rendering import rendered_components


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "news/home.html",
        {
            "stories": queries.latest_stories()[:10],
            "components": queries.latest_components()[:10],
            "structured_data": structured_data.website(),
        },
    )


def story(request: HttpRequest, slug: str) -> HttpResponse:
    story = queries.published_story(slug)
    tags = queries.item_tags(story)
    story_filter = queries.StoryFilter.from_query(request.GET)
    components = queries.story_components(story, story_filter).only("id", "updated_at")
    page = Paginator(components, settings.STORY_COMPONENTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = i18n.reader_version(story)
    return render(
        request,
        "news/story.html",
        {
            "story": story,
            "shown": shown,
            "filter": story_filter,
            "component_types": queries.story_component_types(story),
            "components_html": rendered_components(list(page), heading=3),
            "pages": PageInfo(page.number, page.paginator.num_pages),
            "tags": tags,
            "responses": story_responses(story),
            "structured_data": structured_data.story(request, story, tags["companies"], shown),
        },
    )


def component(request: HttpRequest, slug: str) -> HttpResponse:
    component = queries.published_component(slug)
    return render(
        request,
        "news/component.html",
        {
            "component": component,
            "tags": queries.item_tags(component),
            "structured_data": structured_data.component(request, component),
        },
    )


def latest_news(request: HttpRequest) -> HttpResponse:
    """The newest news items; `?language=es` keeps those written in Spanish, as the feed does."""
    languages = language_filter(request.GET)
    page = Paginator(queries.latest_components(languages), settings.LISTING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "news/latest_news.html",
        {
            "page": page,
            "pages": PageInfo(page.number, page.paginator.num_pages),
            "languages": languages,
            "language_choices": language_choices(),
            "feed_query": language_query(languages),
        },
    )
