"""Exports of any search, the open data page and the dump downloads."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from resourcecentre.ratelimits import rate_limited
from resourcecentre.search.engine import SearchUnavailable
from resourcecentre.search.queries import QUERY_PARAMS, SearchParams, all_hits, unknown_params

from .formats import csv_chunks, jsonl_chunks
from .queries import ExportReader, dump_file, dumps
from .services import utc_today

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", csv_chunks),
    "jsonl": ("application/x-ndjson", jsonl_chunks),
}
DUMP_CACHE_SECONDS = 3600


def _refused(messages: list[str]) -> HttpResponse:
    """A 400 in plain text: whoever follows an export link by hand or from a script reads it."""
    accepted = ", ".join(name for name in QUERY_PARAMS if name != "page")
    body = "\n".join([_("This export was not made:"), *(f"- {m}" for m in messages), ""])
    body += _("An export takes the search page's parameters: %(names)s.") % {"names": accepted} + "\n"
    return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")


@require_safe
@rate_limited("export", methods=("GET", "HEAD"))
def search_export(request: HttpRequest, export_format: str) -> HttpResponse:
    """Every result of a search, in the page's order, streamed as CSV or JSON Lines.

    Strict where the page is lenient: a download cannot show the page's notices, so a
    parameter or value the search would ignore refuses the export rather than change it.
    """
    unknown = unknown_params(request.GET)
    if unknown:
        return _refused([_("Unknown parameter “%(name)s”.") % {"name": name[:40]} for name in unknown[:10]])
    params = SearchParams.from_query(request.GET)
    try:
        hits = all_hits(params)
    except SearchUnavailable:
        return HttpResponse(
            _("Search is being rebuilt; try again in a few minutes."),
            status=503,
            headers={"Retry-After": "120"},
            content_type="text/plain; charset=utf-8",
        )
    if hits.errors:
        return _refused([str(error) for error in hits.errors])
    content_type, chunks = EXPORT_FORMATS[export_format]
    response = StreamingHttpResponse(chunks(ExportReader().rows(hits.batches)), content_type=content_type)
    filename = f"search-{utc_today().isoformat()}.{export_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    response["X-Total-Count"] = str(hits.total)
    return response


def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/data.html", {"dumps": dumps()})


@require_safe
def dump_download(request: HttpRequest, name: str) -> FileResponse:
    """A dump from the folder it is written to (a web server may serve that folder instead)."""
    path = dump_file(name)
    if path is None:
        raise Http404(_("There is no such dump."))
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type="application/gzip"
    )
    response["Cache-Control"] = f"public, max-age={DUMP_CACHE_SECONDS}"
    return response


@require_safe
def latest_dump(request: HttpRequest) -> HttpResponse:
    found = dumps()
    if not found:
        raise Http404(_("No dump has been written yet."))
    response = redirect(reverse("opendata_files:file", kwargs={"name": found[0].name}))
    response["Cache-Control"] = "no-cache"
    return response
