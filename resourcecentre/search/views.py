from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control

from .queries import SORTS, SearchParams, company_suggestions, search


def search_page(request: HttpRequest) -> HttpResponse:
    params = SearchParams.from_query(request.GET)
    lookup = request.GET.get("company_lookup", "").replace("\x00", "").strip()
    if lookup:
        # Without JavaScript the company box arrives as text: add the best match as a filter.
        matches = company_suggestions(lookup, limit=1)
        if matches and matches[0].slug not in params.filters.get("company", ()):
            params = params.toggled("company", matches[0].slug)
        return redirect(f"{request.path}?{params.query_string()}")
    results = search(params)
    query_string = params.query_string(page=1)
    return render(
        request,
        "search/search.html",
        {
            "params": params,
            "results": results,
            "sorts": SORTS,
            "query_string": query_string,
            "pages": results.pages,
        },
        status=200 if results.available else 503,
    )


@cache_control(public=True, max_age=300)
def company_autocomplete(request: HttpRequest) -> JsonResponse:
    companies = company_suggestions(request.GET.get("q", ""))
    return JsonResponse(
        {"results": [{"name": c.name, "slug": c.slug, "url": c.get_absolute_url()} for c in companies]}
    )
