from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resourcecentre import structured_data
from resourcecentre.news.queries import stories_about
from resourcecentre.search.queries import page_number, tagged_listing
from resourcecentre.taxonomy.queries import tag_condition

from .queries import published_company


def company(request: HttpRequest, slug: str) -> HttpResponse:
    company = published_company(slug)
    listing = tagged_listing("company", company, page_number(request.GET))
    return render(
        request,
        "companies/company.html",
        {
            "company": company,
            "stories": stories_about(tag_condition(company))[:10],
            "components": listing.components,
            "pages": listing.pages,
            "structured_data": structured_data.company(request, company),
        },
    )
