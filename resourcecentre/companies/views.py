from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from resourcecentre import structured_data
from resourcecentre.news.queries import stories_about
from resourcecentre.pagination import PageInfo
from resourcecentre.responses.queries import company_record
from resourcecentre.search.queries import page_number, tagged_listing
from resourcecentre.taxonomy.queries import tag_condition

from .queries import LETTERS, CompanyFilter, company_index, index_choices, published_company


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
            "record": company_record(company),
            "structured_data": structured_data.company(request, company),
        },
    )


def index(request: HttpRequest) -> HttpResponse:
    company_filter = CompanyFilter.from_query(request.GET)
    page = Paginator(company_index(company_filter), settings.LISTING_PAGE_SIZE * 2).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "companies/index.html",
        {
            "page": page,
            "pages": PageInfo(page.number, page.paginator.num_pages),
            "filter": company_filter,
            "letters": LETTERS,
            **index_choices(),
        },
    )
