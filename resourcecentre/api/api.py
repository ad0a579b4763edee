"""The public JSON API, version 1: read-only, documented by its OpenAPI 3.1 schema.

Endpoints are thin: they parse, call a query from `queries.py` (or the search service, the
same one the search page uses) and shape the answer with `serialize.py`.
"""

import datetime
from dataclasses import replace
from typing import Annotated, Literal, get_args

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import ValidationError
from pydantic import BeforeValidator, create_model

from resourcecentre.responses.queries import rate_groups
from resourcecentre.search.queries import (
    FACETS,
    MAX_RESULTS_DEPTH,
    SORTS,
    SearchParams,
    search,
    unrecognised_values,
)

from . import queries, schemas, serialize
from .docs import OfflineSwagger
from .http import error_response, known_parameters_only
from .queries import SYNC_ORDER, InvalidCursor

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_ID = 2**63 - 1  # larger ids cannot be stored, so they are refused rather than looked up

DESCRIPTION = """
Everything the Resource Centre publishes, as JSON: stories and their components (news items,
statements, company responses), each with its translations, companies, the taxonomy, response
statistics, and search with the same filters and facet counts as the search page.

* **Read-only and public.** Drafts and unpublished changes never appear. `/api/v1/` links
  the documentation, this schema and every collection. HEAD answers as GET does, without the body.
* **Paging:** lists return `results` and `next`, the URL of the next page (null on the last).
  Cursors are opaque and signed; a changed or truncated cursor is refused with 400.
  `limit` is 1 to 100 (default 20); a larger one is refused with 400, not cut down.
* **Syncing a mirror:** stories, components and companies are ordered by (`updated_at`, `id`),
  oldest change first. Pass `updated_since` (ISO 8601, inclusive) with the largest
  `updated_at` you hold and follow `next` until it is null.
* **Errors** are JSON: `{"error": code, "message": text, "parameter": name}`. An unknown
  query parameter is a 400 naming it, so a misspelt filter never returns everything.
* **Rate limits:** anonymous clients are limited per IP address; send an API key in
  `X-API-Key` (or `Authorization: Bearer …`) for the key's higher rate. Beyond the limit the
  answer is 429 with `Retry-After`. An unknown or revoked key is a 401.
* **Caching:** answers carry an `ETag`; send it back in `If-None-Match` for a 304.
* **CORS:** every GET may be read from any origin.
* Dates are ISO 8601 (`2020-06-12`), moments ISO 8601 in UTC (`2020-06-12T09:30:00.123Z`).
"""


class ResourceCentreApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The schema, with the optional API key described: `{}` first, as anonymous access works.

        Keys are checked by `http.public_api` for every URL, not per operation by ninja's auth,
        so they are declared here."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {})["securitySchemes"] = {
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "bearer": {"type": "http", "scheme": "bearer"},
        }
        schema["security"] = [{}, {"apiKey": []}, {"bearer": []}]
        return schema


api = ResourceCentreApi(
    title="Resource Centre API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=OfflineSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_decorator(known_parameters_only, mode="view")

CLIENT_ERRORS = {400: schemas.Error, 401: schemas.Error, 429: schemas.Error}
NOT_FOUND = {**CLIENT_ERRORS, 404: schemas.Error}


@api.exception_handler(ValidationError)
def invalid_parameter(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """ninja's 422 becomes a 400 naming the parameter, like every other refusal here."""
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ())]
    parameter = location[-1] if len(location) > 1 else None
    message = _("Invalid value for “%(name)s”: %(problem)s.") % {
        "name": parameter or "?",
        "problem": first.get("msg", _("not valid")),
    }
    return error_response(400, "invalid_parameter", message, parameter)


@api.exception_handler(InvalidCursor)
def invalid_cursor(request: HttpRequest, exc: InvalidCursor) -> HttpResponse:
    message = _("This cursor is not valid here: pass back the `next` URL of this list unchanged.")
    return error_response(400, "invalid_cursor", message, "cursor")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", _("Nothing is published at this address."))


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1–{MAX_LIMIT}")
    cursor: str | None = Field(None, description="From the `next` URL of the previous page", max_length=500)


def _iso_8601(value):
    """Only ISO 8601 text (pydantic would also take 1700000000 or 0.5 as a Unix time), as UTC:
    PostgreSQL refuses offsets beyond ±16 hours, which Python accepts."""
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 date and time")
    moment = datetime.datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError as error:
        raise ValueError("outside the dates that can be stored") from error


def _iso_date(value):
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 date")
    return datetime.date.fromisoformat(value.strip())


Moment = Annotated[datetime.datetime, BeforeValidator(_iso_8601)]
Day = Annotated[datetime.date, BeforeValidator(_iso_date)]


class SyncPaging(Paging):
    updated_since: Moment | None = Field(
        None,
        description="Only items changed at or after this moment (ISO 8601; UTC when no offset is given)",
        examples=["2024-01-31T00:00:00Z"],
    )


def _next_url(request: HttpRequest, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _sync_list(request: HttpRequest, items, paging: SyncPaging, scope: str, shape) -> dict:
    page, cursor = queries.keyset_page(
        queries.updated_since(items, paging.updated_since),
        scope=scope,
        fields=SYNC_ORDER,
        cursor=paging.cursor,
        limit=paging.limit,
    )
    urls = serialize.Urls()
    return {"results": [shape(urls, obj) for obj in page], "next": _next_url(request, cursor)}


@api.get("/stories", response={200: schemas.StoryPage, **CLIENT_ERRORS}, tags=["stories"])
def list_stories(request: HttpRequest, paging: Query[SyncPaging]):
    """Published stories with their translations, oldest change first."""
    return _sync_list(request, queries.stories(), paging, "stories", serialize.story)


@api.get("/stories/{id}", response={200: schemas.Story, **NOT_FOUND}, tags=["stories"], url_name="story")
def get_story(request: HttpRequest, id: int = Path(..., ge=1, le=MAX_ID)):
    return serialize.story(serialize.Urls(), get_object_or_404(queries.stories(), pk=id))


@api.get("/components", response={200: schemas.ComponentPage, **CLIENT_ERRORS}, tags=["components"])
def list_components(request: HttpRequest, paging: Query[SyncPaging]):
    """Published components (news items, statements, company responses) with their translations."""
    return _sync_list(request, queries.components(), paging, "components", serialize.component)


@api.get(
    "/components/{id}",
    response={200: schemas.Component, **NOT_FOUND},
    tags=["components"],
    url_name="component",
)
def get_component(request: HttpRequest, id: int = Path(..., ge=1, le=MAX_ID)):
    return serialize.component(serialize.Urls(), get_object_or_404(queries.components(), pk=id))


@api.get("/companies", response={200: schemas.CompanyPage, **CLIENT_ERRORS}, tags=["companies"])
def list_companies(request: HttpRequest, paging: Query[SyncPaging]):
    """Companies with their other names and identifiers, oldest change first."""
    return _sync_list(request, queries.companies(), paging, "companies", serialize.company)


@api.get(
    "/companies/{id}", response={200: schemas.Company, **NOT_FOUND}, tags=["companies"], url_name="company"
)
def get_company(request: HttpRequest, id: int = Path(..., ge=1, le=MAX_ID)):
    return serialize.company(serialize.Urls(), get_object_or_404(queries.companies(), pk=id))


TermKind = Literal["countries", "regions", "issues", "sectors", "stakeholders"]


@api.get("/taxonomy/{kind}", response={200: schemas.TermPage, **CLIENT_ERRORS}, tags=["taxonomy"])
def list_terms(request: HttpRequest, kind: TermKind, paging: Query[Paging]):
    """The terms of one vocabulary, by id."""
    page, cursor = queries.keyset_page(
        queries.terms(kind),
        scope=f"taxonomy.{kind}",
        fields=("id",),
        cursor=paging.cursor,
        limit=paging.limit,
    )
    urls = serialize.Urls()
    return {"results": [serialize.term_detail(urls, t) for t in page], "next": _next_url(request, cursor)}


@api.get("/taxonomy/{kind}/{id}", response={200: schemas.TermDetail, **NOT_FOUND}, tags=["taxonomy"])
def get_term(request: HttpRequest, kind: TermKind, id: int = Path(..., ge=1, le=MAX_ID)):
    return serialize.term_detail(serialize.Urls(), get_object_or_404(queries.terms(kind), pk=id))


@api.get(
    "/responses/statistics", response={200: schemas.ResponseStatistics, **CLIENT_ERRORS}, tags=["responses"]
)
def response_statistics(request: HttpRequest):
    """Response rates of the company response mechanism: the figures of /responses/ and its CSV,
    every row included."""
    return {
        "url": serialize.Urls().site + reverse("responses:rates"),
        "groups": [
            {"group": group, "rows": [serialize.rate_row(r) for r in rows]} for group, rows in rate_groups()
        ],
    }


def _facet_field(facet):
    return (
        list[str],
        Field(
            [],
            description=f"{facet.label}: repeat for several values (OR within a facet, AND across facets)",
            max_length=50,
        ),
    )


# The search endpoint's parameters are generated from the search service's own facet list, so
# the API, the page and the feeds take the same filters.
SearchFilters = create_model(
    "SearchFilters",
    __base__=Paging,
    q=(str, Field("", description='Words and "phrases"; a leading - excludes a word', max_length=2000)),
    **{facet.param: _facet_field(facet) for facet in FACETS},
    date_from=(Day | None, Field(None, description="From this date (ISO 8601)")),
    date_to=(Day | None, Field(None, description="Up to this date (ISO 8601)")),
    sort=(Literal[tuple(SORTS)], Field("relevance", description="relevance, newest or oldest")),
)


@api.get("/search", response={200: schemas.SearchPage, **CLIENT_ERRORS, 503: schemas.Error}, tags=["search"])
def search_archive(request: HttpRequest, filters: Query[SearchFilters]):
    """Search stories, components and companies, with facet counts: the search page's results.

    Pages of a search are found by position (relevance has no stable key), so its cursor is
    good for the first 10,000 results; narrow the search to go further.
    """
    params = SearchParams.from_query(request.GET)
    unknown = unrecognised_values(params)
    if unknown:
        param, value = unknown[0]
        message = _("“%(value)s” is not a known value of “%(param)s”.") % {
            "value": value[:100],
            "param": param,
        }
        return Status(400, {"error": "unknown_value", "message": message, "parameter": param})
    offset = 0
    if filters.cursor:
        position = queries.cursor_decode("search", filters.cursor)
        if len(position) != 1 or not isinstance(position[0], int) or position[0] % filters.limit:
            raise InvalidCursor(filters.cursor)
        offset = position[0]
    page = offset // filters.limit + 1
    results = search(replace(params, page=page), page_size=filters.limit)
    if not results.available:
        message = _("Search is being rebuilt; try again shortly.")
        return Status(503, {"error": "search_unavailable", "message": message, "parameter": None})
    past_the_end = results.params.page != page
    hits = [] if past_the_end else results.hits
    next_offset = offset + filters.limit
    more = not past_the_end and next_offset < min(results.total, MAX_RESULTS_DEPTH)
    urls = serialize.Urls()
    scored = bool(params.q) and params.sort == "relevance"
    return {
        "total": results.total,
        "results": [serialize.hit(urls, h, scored=scored) for h in hits],
        "facets": [serialize.facet(g) for g in results.facets],
        "warnings": [str(e) for e in results.errors],
        "next": _next_url(request, queries.cursor_encode("search", [next_offset]) if more else None),
    }


@api.get("/", response={200: schemas.Index, **CLIENT_ERRORS}, tags=["index"], url_name="index")
def index(request: HttpRequest):
    """Where everything is: a client may start here and follow the links."""
    site = serialize.Urls().site

    def url(name: str, **kwargs) -> str:
        return site + reverse(f"api-v1:{name}", kwargs=kwargs)

    return {
        "documentation": url("openapi-view"),
        "openapi": url("openapi-json"),
        "stories": url("list_stories"),
        "components": url("list_components"),
        "companies": url("list_companies"),
        "taxonomy": {kind: url("list_terms", kind=kind) for kind in get_args(TermKind)},
        "response_statistics": url("response_statistics"),
        "search": url("search_archive"),
        "open_data": site + reverse("opendata:data"),
    }
