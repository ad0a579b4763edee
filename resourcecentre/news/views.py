from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resourcecentre import structured_data
from resourcecentre.pagination import PageInfo
from resourcecentre.responses.queries import story_responses

from . import queries
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
    return render(
        request,
        "news/story.html",
        {
            "story": story,
            "filter": story_filter,
            "component_types": queries.story_component_types(story),
            "components_html": rendered_components(list(page), heading=3),
            "pages": PageInfo(page.number, page.paginator.num_pages),
            "tags": tags,
            "responses": story_responses(story),
            "structured_data": structured_data.story(request, story, tags["companies"]),
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
    page = Paginator(queries.latest_components(), settings.LISTING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "news/latest_news.html",
        {"page": page, "pages": PageInfo(page.number, page.paginator.num_pages)},
    )
