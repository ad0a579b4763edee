"""Wagtail's admin search, routed through our search service for stories, components, companies.

Wagtail's listings and choosers ask a modelsearch backend. For our three content models this
backend answers from the tantivy index (published items) plus a title match over drafts,
which the public index does not hold; every other model (images, documents, users) goes to
the database backend as before. Indexing for our models is a no-op here: our own change log
keeps the index (see services.py).
"""

from django.db.models import Case, IntegerField, Model, QuerySet, When
from modelsearch.backends import database

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Component, Story

from .queries import matching_ids

OURS: dict[type[Model], tuple[str, str]] = {
    Component: ("component", "title"),
    Story: ("story", "headline"),
    Company: ("company", "name"),
}
ADMIN_RESULTS = 500


class SearchBackend:
    def __init__(self, params: dict) -> None:
        self.database = database.SearchBackend(params)

    def __getattr__(self, name: str):
        return getattr(self.database, name)

    def _ours(self, query: str, queryset: QuerySet) -> QuerySet:
        kind, title_field = OURS[queryset.model]
        ids = matching_ids(kind, query, ADMIN_RESULTS)
        if kind != "company":
            drafts = queryset.filter(live=False, **{f"{title_field}__icontains": query})
            ids += list(drafts.order_by("-id").values_list("id", flat=True)[:ADMIN_RESULTS])
        rank = Case(*(When(pk=pk, then=n) for n, pk in enumerate(ids)), output_field=IntegerField())
        return queryset.filter(pk__in=ids).annotate(search_rank=rank).order_by("search_rank")

    def _route(self, method: str, query, model_or_queryset, *args, **kwargs):
        """Our models to our index; every other model to the database backend's `method`."""
        queryset = model_or_queryset
        if not isinstance(queryset, QuerySet):
            queryset = model_or_queryset._default_manager.all()
        if queryset.model in OURS:
            return self._ours(str(query), queryset)
        return getattr(self.database, method)(query, model_or_queryset, *args, **kwargs)

    def search(self, query, model_or_queryset, *args, **kwargs):
        return self._route("search", query, model_or_queryset, *args, **kwargs)

    def autocomplete(self, query, model_or_queryset, *args, **kwargs):
        return self._route("autocomplete", query, model_or_queryset, *args, **kwargs)

    def add(self, obj) -> None:
        if type(obj) not in OURS:
            self.database.add(obj)

    def add_bulk(self, model, obj_list) -> None:
        if model not in OURS:
            self.database.add_bulk(model, obj_list)

    def delete(self, obj) -> None:
        if type(obj) not in OURS:
            self.database.delete(obj)
