from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resourcecentre import structured_data
from resourcecentre.news.queries import components_about, stories_about
from resourcecentre.taxonomy.queries import tag_condition

from .queries import published_company


def company(request: HttpRequest, slug: str) -> HttpResponse:
    company = published_company(slug)
    condition = tag_condition(company)
    page = Paginator(components_about(condition), settings.LISTING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "companies/company.html",
        {
            "company": company,
            "stories": stories_about(condition)[:10],
            "page": page,
            "structured_data": structured_data.company(request, company),
        },
    )
