"""The one search service: text, filters, facets, sorting and paging over the index.

The search page, its feeds, the company and tag listings and (later) the API all describe
what they want as a `SearchParams` and call `search()`.
"""

import datetime
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import tantivy
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resourcecentre.companies.models import Company
from resourcecentre.lib.dates import midnight_utc
from resourcecentre.lib.languages import language_name, same_language
from resourcecentre.news.models import Component, ComponentType, Story
from resourcecentre.news.queries import components_about
from resourcecentre.pagination import PageInfo
from resourcecentre.taxonomy.models import Country, Issue, Region, Sector, Stakeholder
from resourcecentre.taxonomy.queries import tag_condition

from .engine import (
    SET_BUCKETS,
    SET_FIELDS,
    SearchIndex,
    SearchUnavailable,
    text_fields,
    unpack_set,
    word_pairs,
)
from .services import index_store

PAGE_SIZE = 20
MAX_RESULTS_DEPTH = 10_000  # deeper pages than this are not served; narrow the search instead
MAX_QUERY_LENGTH = 500
MAX_QUERY_WORDS = 32
MAX_NAMED_COMPANIES = 50
WORD_CHARACTER = re.compile(r"\w")
KIND_LABELS = {"component": _("News items"), "story": _("Stories"), "company": _("Companies")}
SORTS = {"relevance": _("Relevance"), "newest": _("Newest first"), "oldest": _("Oldest first")}
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Facet:
    param: str  # the URL parameter, repeatable: ?country=kenya&country=peru
    field: str  # the index field
    label: str
    model: type[Model] | None = None  # values are this model's slugs; None: raw values
    size: int = 10


FACETS = [
    Facet("kind", "kind", pgettext_lazy("search facet", "Content")),
    Facet("type", "type", _("Type"), ComponentType, 20),
    Facet("company", "companies", _("Companies"), Company, 10),
    Facet("country", "countries", _("Countries"), Country, 12),
    Facet("region", "regions", _("Regions"), Region, 10),
    Facet("issue", "issues", _("Issues"), Issue, 12),
    Facet("sector", "sectors", _("Sectors"), Sector, 12),
    Facet("stakeholder", "stakeholders", _("Stakeholders"), Stakeholder, 10),
    Facet("language", "language", _("Languages"), None, 12),
]
FACET_BY_PARAM = {facet.param: facet for facet in FACETS}
_FACET_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search")
FACET_BY_FIELD = {facet.field: facet for facet in FACETS}


EARLIEST_DATE, LATEST_DATE = datetime.date(1800, 1, 1), datetime.date(2200, 12, 31)


def _clean(value: str) -> str:
    """A query-string value without surrounding space or NUL bytes (which PostgreSQL refuses)."""
    return value.replace("\x00", "").strip()


def page_number(query) -> int:
    """The ?page= number; anything but a positive whole number means the first page."""
    try:
        return max(1, int(query.get("page", "1")))
    except ValueError:
        return 1


@dataclass(frozen=True)
class SearchParams:
    """A search as it appears in the URL. Parsing never fails: bad values become `errors`."""

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"
    page: int = 1
    errors: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query) -> "SearchParams":
        errors = []
        q = " ".join(_clean(query.get("q", "")).split())
        if len(q) > MAX_QUERY_LENGTH:
            q = q[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0]
            errors.append(
                _("Your search was long, so only its first %d characters were used.") % MAX_QUERY_LENGTH
            )
        filters = {}
        for facet in FACETS:
            values = tuple(dict.fromkeys(_clean(v)[:200] for v in query.getlist(facet.param) if _clean(v)))
            if values:
                filters[facet.param] = values[:50]
        dates = {}
        for name in ("date_from", "date_to"):
            value = _clean(query.get(name, ""))
            if value:
                try:
                    day = datetime.date.fromisoformat(value)
                except ValueError:
                    errors.append(_("“%s” is not a date like 2020-06-12, so it was ignored.") % value[:40])
                    continue
                if not EARLIEST_DATE <= day <= LATEST_DATE:
                    errors.append(_("%s is outside the archive's dates, so it was ignored.") % value)
                    continue
                dates[name] = day
        sort = query.get("sort", "relevance")
        if sort not in SORTS:
            sort = "relevance"
        return cls(q=q, filters=filters, sort=sort, page=page_number(query), errors=tuple(errors), **dates)

    def query_string(self, **changes) -> str:
        """This search as a URL query string, with some parts changed."""
        params = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = []
        if params.q:
            pairs.append(("q", params.q))
        for facet in FACETS:
            pairs += [(facet.param, value) for value in params.filters.get(facet.param, ())]
        if params.date_from:
            pairs.append(("date_from", params.date_from.isoformat()))
        if params.date_to:
            pairs.append(("date_to", params.date_to.isoformat()))
        if params.sort != "relevance":
            pairs.append(("sort", params.sort))
        if params.page > 1:
            pairs.append(("page", str(params.page)))
        return urlencode(pairs)

    def toggled(self, param: str, value: str) -> "SearchParams":
        values = self.filters.get(param, ())
        new = tuple(v for v in values if v != value) if value in values else (*values, value)
        filters = (
            {**self.filters, param: new} if new else {k: v for k, v in self.filters.items() if k != param}
        )
        return replace(self, filters=filters, page=1)

    @property
    def words(self) -> list[str]:
        return [w for w in re.split(r"[\s\"]+", self.q) if w and not w.startswith("-")]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetGroup:
    facet: Facet
    values: list[FacetValue]


@dataclass
class Hit:
    kind: str
    object: Model
    score: float


@dataclass
class Loosening:
    label: str
    count: int
    query_string: str


@dataclass
class SearchResults:
    params: SearchParams
    total: int
    hits: list[Hit]
    facets: list[FacetGroup]
    errors: list[str]
    loosenings: list[Loosening] = field(default_factory=list)
    available: bool = True

    @property
    def pages(self) -> PageInfo:
        num_pages = max(1, -(-min(self.total, MAX_RESULTS_DEPTH) // PAGE_SIZE))
        return PageInfo(min(self.params.page, num_pages), num_pages)


def _user_query(index: SearchIndex, q: str) -> tantivy.Query | None:
    """The words and "phrases" typed, every one required, matched in any language's field.

    Each word is passed to the parser quoted, so characters that mean something to the query
    syntax (*, (, :, NEAR, ^) are only text; a leading - excludes a word, and parts with no
    letter or digit are dropped. A word that names companies also matches what is tagged with
    them, so "kestrel" finds the news tagged Kestrel Mining even where the text says "the miner".
    """
    required, excluded = [], []
    for phrase, word in re.findall(r'"([^"]*)"?|(\S+)', q)[:MAX_QUERY_WORDS]:
        text = (phrase or word).replace("\\", " ")
        negative = bool(word) and text.startswith("-") and len(text) > 1
        text = " ".join((text.lstrip("-") if negative else text).replace('"', " ").split())
        if not WORD_CHARACTER.search(text):
            continue
        part = _phrase_query(index, text)
        if negative:
            excluded.append(part)
            continue
        companies = _companies_named(index, text)
        if companies:
            tagged = tantivy.Query.term_set_query(index.schema, "companies", companies)
            part = tantivy.Query.boolean_query([(tantivy.Occur.Should, part), (tantivy.Occur.Should, tagged)])
        required.append(part)
    if not required:
        return None
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, part) for part in required]
        + [(tantivy.Occur.MustNot, part) for part in excluded]
    )


def _phrase_query(index: SearchIndex, text: str) -> tantivy.Query:
    """Documents holding these words in this order, in any language's field.

    Two words are matched through the indexed word pairs, one term per analyzer; longer
    phrases need every pair and the exact positions; CJK text keeps its n-gram phrase.
    """
    positional, _errors = index.index.parse_query_lenient(f'"{text}"', default_field_names=text_fields())
    variants = {tuple(word_pairs(field, text)) for field in text_fields()} - {()}
    if not variants:
        return positional
    by_pairs = [
        tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.term_query(index.schema, "pairs", pair)) for pair in pairs]
        )
        for pairs in sorted(variants)
    ]
    cjk, _errors = index.index.parse_query_lenient(f'"{text}"', default_field_names=["cjk"])
    any_language = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in [*by_pairs, cjk]])
    if max(len(pairs) for pairs in variants) == 1:
        return any_language
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, any_language), (tantivy.Occur.Must, positional)])


def _companies_named(index: SearchIndex, text: str) -> list[int]:
    """Ids of the companies whose name or other names contain these words."""
    names, _errors = index.index.parse_query_lenient(f'"{text}"', default_field_names=["names"])
    searcher = index.searcher()
    hits = searcher.search(names, MAX_NAMED_COMPANIES).hits
    return [int(searcher.doc(address)["key"][0].split(":")[1]) for _, address in hits]


VOCABULARY_CACHE_SECONDS = 60


def _labels(model: type[Model], ids: set[int]) -> dict[int, tuple[str, str]]:
    """{id: (slug, name)}; the small vocabularies come from a cache refreshed every minute."""
    if model is Company:
        return {
            i: (slug, name)
            for i, slug, name in model.objects.filter(id__in=ids).values_list("id", "slug", "name")
        }
    key = f"search:labels:{model._meta.label_lower}"
    labels = cache.get(key)
    if labels is None or not ids <= labels.keys():
        labels = {i: (slug, name) for i, slug, name in model.objects.values_list("id", "slug", "name")}
        cache.set(key, labels, VOCABULARY_CACHE_SECONDS)
    return {i: labels[i] for i in ids if i in labels}


def _recognised(param: str, values: tuple[str, ...]) -> dict[str, object]:
    """{value as given in the URL: its index value} for the values of one facet that exist."""
    facet = FACET_BY_PARAM[param]
    if facet.model is not None:
        ids = dict(facet.model.objects.filter(slug__in=values).values_list("slug", "id"))
        return {v: ids[v] for v in values if v in ids}
    if param == "kind":
        return {v: v for v in values if v in KIND_LABELS}
    return {v: v.lower() for v in values if LANGUAGE_CODE.match(v.lower())}


def _resolve(params: SearchParams, errors: list[str]) -> dict[str, list]:
    """Facet selections as index values: slugs become ids; unknown values are reported."""
    resolved: dict[str, list] = {}
    for param, values in params.filters.items():
        facet = FACET_BY_PARAM[param]
        found = list(_recognised(param, values).values())
        if len(found) < len(values):
            errors.append(
                _("Some %(filter)s choices were not recognised and were left out.") % {"filter": facet.label}
            )
        if found:
            resolved[param] = found
    return resolved


def _date_filter(schema, params: SearchParams) -> tantivy.Query | None:
    if not params.date_from and not params.date_to:
        return None

    def moment(day):
        return midnight_utc(day) if day else None

    return tantivy.Query.range_query(
        schema, "date", tantivy.FieldType.Date, moment(params.date_from), moment(params.date_to)
    )


def _combine(queries: list[tantivy.Query | None]) -> tantivy.Query:
    present = [q for q in queries if q is not None]
    if not present:
        return tantivy.Query.all_query()
    if len(present) == 1:
        return present[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in present])


def _facet_query(schema, param: str, values: list) -> tantivy.Query:
    return tantivy.Query.term_set_query(schema, FACET_BY_PARAM[param].field, values)


def _request(facets: list[Facet], overflow: set[str]) -> dict:
    request = {}
    for facet in facets:
        if facet.field in SET_FIELDS:
            request[facet.param] = {"terms": {"field": f"{facet.field}_set", "size": SET_BUCKETS}}
            if facet.field in overflow:
                request[f"{facet.param}+"] = {"terms": {"field": f"{facet.field}_more", "size": SET_BUCKETS}}
        else:
            # Every segment reports all its values, so the merged top counts are exact.
            request[facet.param] = {
                "terms": {"field": facet.field, "size": facet.size, "shard_size": SET_BUCKETS}
            }
    return request


def _read(answer: dict, facets: list[Facet]) -> dict[str, list[tuple]]:
    """Buckets per facet, unpacking the packed value sets into counts per value."""
    counts = {}
    for facet in facets:
        buckets = answer[facet.param]["buckets"]
        if facet.field in SET_FIELDS:
            totals: Counter = Counter()
            for bucket in buckets:
                for value in unpack_set(bucket["key"]):
                    totals[value] += bucket["doc_count"]
            for bucket in answer.get(f"{facet.param}+", {"buckets": []})["buckets"]:
                totals[bucket["key"]] += bucket["doc_count"]
            counts[facet.param] = totals.most_common(facet.size)
        else:
            counts[facet.param] = [(bucket["key"], bucket["doc_count"]) for bucket in buckets]
    return counts


_CORPUS_COUNTS: dict[tuple, dict[str, list[tuple]]] = {}


def _corpus_counts(index: SearchIndex, searcher, facet: Facet, kinds: tuple, others: dict) -> dict:
    """A facet's counts over the whole archive (or one kind of item), kept per index version.

    A reader who picks a company sees the other companies' counts over everything: the same
    numbers for everyone until the index changes, so they are computed once per change.
    """
    key = (str(index.path), index.generation(), facet.param, kinds)
    if key not in _CORPUS_COUNTS:
        if len(_CORPUS_COUNTS) > 64:
            _CORPUS_COUNTS.clear()
        _CORPUS_COUNTS[key] = _aggregate_all(index, searcher, [(_combine(list(others.values())), [facet])])
    return _CORPUS_COUNTS[key]


def _aggregate_all(
    index: SearchIndex, searcher, jobs: list[tuple[tantivy.Query, list[Facet]]]
) -> dict[str, list[tuple]]:
    """Facet counts for several (query, facets) jobs, run side by side on the cores.

    tantivy releases the GIL while it aggregates. Companies, the one facet with thousands of
    values and several per item, is the slowest count, so it runs apart from the rest.
    """
    tasks = []
    for query, facets in jobs:
        heavy = [f for f in facets if f.field == "companies"]
        light = [f for f in facets if f.field != "companies"]
        tasks += [(query, group) for group in (heavy, light) if group]
    overflow = index.overflow_fields()
    futures = [
        _FACET_POOL.submit(searcher.aggregate, query, _request(group, overflow)) for query, group in tasks[1:]
    ]
    counts = {}
    if tasks:
        counts.update(_read(searcher.aggregate(tasks[0][0], _request(tasks[0][1], overflow)), tasks[0][1]))
    for future, (_query, group) in zip(futures, tasks[1:], strict=True):
        counts.update(_read(future.result(), group))
    return counts


def _facet_groups(params: SearchParams, resolved: dict, counts: dict[str, list[tuple]]) -> list[FacetGroup]:
    groups = []
    for facet in FACETS:
        buckets = [(key, count) for key, count in counts.get(facet.param, []) if key != ""]
        selected_values = set(params.filters.get(facet.param, ()))
        if facet.model is not None:
            wanted = {int(key) for key, _ in buckets} | set(resolved.get(facet.param, []))
            rows = _labels(facet.model, wanted)
            items = [
                (rows[int(key)][0], rows[int(key)][1], count) for key, count in buckets if int(key) in rows
            ]
            for object_id in resolved.get(facet.param, []):
                slug, name = rows[object_id]
                if slug not in {i[0] for i in items}:
                    items.append((slug, name, 0))
        elif facet.param == "kind":
            items = [(key, str(KIND_LABELS.get(key, key)), count) for key, count in buckets]
        else:
            items = [(key, language_name(key), count) for key, count in buckets]
            items += [(v, language_name(v), 0) for v in selected_values if v not in {i[0] for i in items}]
        values = [FacetValue(slug, label, count, slug in selected_values) for slug, label, count in items]
        if values:
            groups.append(FacetGroup(facet, values))
    return groups


def _load(keys: list[tuple[str, int, float]]) -> list[Hit]:
    """The database rows behind the hits, in the hits' order; rows gone since are skipped."""
    by_kind: dict[str, list[int]] = {}
    for kind, object_id, _score in keys:
        by_kind.setdefault(kind, []).append(object_id)
    loaded: dict[tuple[str, int], Model] = {}
    if "component" in by_kind:
        for obj in Component.objects.published().for_listing().filter(id__in=by_kind["component"]):
            loaded[("component", obj.pk)] = obj
    if "story" in by_kind:
        for obj in Story.objects.published().for_listing().filter(id__in=by_kind["story"]):
            loaded[("story", obj.pk)] = obj
    if "company" in by_kind:
        for obj in Company.objects.select_related("hq_country").filter(id__in=by_kind["company"]):
            loaded[("company", obj.pk)] = obj
    return [Hit(kind, loaded[(kind, i)], score) for kind, i, score in keys if (kind, i) in loaded]


def search(params: SearchParams, *, page_size: int = PAGE_SIZE, with_facets: bool = True) -> SearchResults:
    errors = list(params.errors)
    try:
        index = index_store().reader()
    except SearchUnavailable:
        return SearchResults(params, 0, [], [], errors, available=False)
    schema = index.schema
    searcher = index.searcher()
    resolved = _resolve(params, errors)
    text = _user_query(index, params.q) if params.q else None
    dates = _date_filter(schema, params)
    filter_queries = {param: _facet_query(schema, param, values) for param, values in resolved.items()}
    query = _combine([text, dates, *filter_queries.values()])

    offset = (params.page - 1) * page_size
    if offset >= MAX_RESULTS_DEPTH:
        offset = max(0, MAX_RESULTS_DEPTH - page_size)
    if params.sort == "relevance" and text is not None:
        ordering = {}
    else:
        order = tantivy.Order.Asc if params.sort == "oldest" else tantivy.Order.Desc
        ordering = {"order_by_field": "date", "order": order}
    # The page of hits is found on one core while the facets are counted on the other.
    pending = _FACET_POOL.submit(searcher.search, query, page_size, count=True, offset=offset, **ordering)

    facets = []
    if with_facets:
        # A selected facet is counted without its own filter, so its other values stay choosable.
        jobs, corpus_wide = [(query, [f for f in FACETS if f.param not in filter_queries])], []
        for param in filter_queries:
            others = {p: q for p, q in filter_queries.items() if p != param}
            if text is None and dates is None and set(others) <= {"kind"}:
                corpus_wide.append((FACET_BY_PARAM[param], others))
            else:
                jobs.append((_combine([text, dates, *others.values()]), [FACET_BY_PARAM[param]]))
        counts = _aggregate_all(index, searcher, jobs)
        for facet, others in corpus_wide:
            counts.update(_corpus_counts(index, searcher, facet, tuple(resolved.get("kind", ())), others))
        facets = _facet_groups(params, resolved, counts)

    result = pending.result()
    keys = []
    for score, address in result.hits:
        kind, object_id = searcher.doc(address)["key"][0].split(":")
        keys.append((kind, int(object_id), float(score)))
    last_page = max(1, -(-min(result.count, MAX_RESULTS_DEPTH) // page_size))
    if params.page > last_page and result.count:
        return search(replace(params, page=last_page), page_size=page_size, with_facets=with_facets)
    results = SearchResults(params, result.count, _load(keys), facets, errors)
    if result.count == 0 and params.filters:
        results.loosenings = _loosenings(searcher, params, text, dates, filter_queries, facets)
    return results


def _loosenings(searcher, params, text, dates, filter_queries, facets) -> list[Loosening]:
    """For an empty result: how many results each filter's removal would give."""
    labels = {(g.facet.param, v.value): v.label for g in facets for v in g.values}
    found = []
    for param in filter_queries:
        others = [q for p, q in filter_queries.items() if p != param]
        count = searcher.search(_combine([text, dates, *others]), 1, count=True).count
        if count:
            names = ", ".join(labels.get((param, v), v) for v in params.filters[param])
            loosened = replace(
                params, filters={k: v for k, v in params.filters.items() if k != param}, page=1
            )
            found.append(Loosening(names, count, loosened.query_string()))
    return found


def company_suggestions(prefix: str, limit: int = 10) -> list[Company]:
    """Companies whose name, or one of whose other names, starts with `prefix`."""
    prefix = _clean(prefix)[:100]
    if len(prefix) < 2:
        return []
    by_name = Company.objects.filter(name__istartswith=prefix).order_by("name")[:limit]
    by_alias = Company.objects.filter(names__name__istartswith=prefix).order_by("name")[:limit]
    seen, found = set(), []
    for company in [*by_name, *by_alias]:
        if company.pk not in seen:
            seen.add(company.pk)
            found.append(company)
    return found[:limit]


@dataclass
class Listing:
    components: list[Component]
    pages: PageInfo


def tagged_listing(
    param: str, obj: Model, page: int, page_size: int = PAGE_SIZE, languages: tuple[str, ...] = ()
) -> Listing:
    """The published news items tagged with `obj` (a company, country, issue…), newest first;
    with `languages` (see `language_filter`), only those written in one of them.

    Served from the index; while the index is missing or rebuilding, from the database, so
    company and tag pages keep working.
    """
    filters = {param: (obj.slug,), "kind": ("component",), **({"language": languages} if languages else {})}
    params = SearchParams(filters=filters, sort="newest", page=page)
    results = search(params, page_size=page_size, with_facets=False)
    if results.available:
        num_pages = max(1, -(-min(results.total, MAX_RESULTS_DEPTH) // page_size))
        if page > num_pages:
            return tagged_listing(param, obj, num_pages, page_size, languages)
        return Listing([hit.object for hit in results.hits], PageInfo(page, num_pages))
    components = components_about(tag_condition(obj)).written_in(languages)
    database_page = Paginator(components, page_size).get_page(page)
    return Listing(list(database_page), PageInfo(database_page.number, database_page.paginator.num_pages))


def matching_ids(kind: str, q: str, limit: int) -> list[int]:
    """Ids of the published items of one kind that match `q`, best first (for the admin)."""
    params = SearchParams(q=" ".join(q.split())[:MAX_QUERY_LENGTH], filters={"kind": (kind,)})
    try:
        index = index_store().reader()
    except SearchUnavailable:
        return []
    text = _user_query(index, params.q)
    if text is None:
        return []
    query = _combine([text, _facet_query(index.schema, "kind", [kind])])
    searcher = index.searcher()
    return [
        int(searcher.doc(address)["key"][0].split(":")[1])
        for _, address in searcher.search(query, limit).hits
    ]


def matching_keys(params: SearchParams, keys: list[str]) -> set[str] | None:
    """Which of these items ("component:12", "story:3") the search matches, whatever their
    rank: the same text, filters and dates as `search()`, restricted to the given items.

    E-mail alerts ask this once per distinct saved search of the items new in a period. None
    while the index is missing or rebuilding, so the caller can wait rather than send nothing.
    """
    try:
        index = index_store().reader()
    except SearchUnavailable:
        return None
    if not keys:
        return set()
    errors: list[str] = []
    resolved = _resolve(params, errors)
    if len(resolved) < len(params.filters):
        return set()  # a followed company or tag that no longer exists matches nothing
    text = _user_query(index, params.q) if params.q else None
    if params.q and text is None:
        return set()
    filters = [_facet_query(index.schema, param, values) for param, values in resolved.items()]
    only = tantivy.Query.term_set_query(index.schema, "key", list(keys))
    query = _combine([only, text, _date_filter(index.schema, params), *filters])
    searcher = index.searcher()
    hits = searcher.search(query, len(keys)).hits
    return {searcher.doc(address)["key"][0] for _score, address in hits}


# The names a search takes in its query string; `page` is one of them although exports ignore it.
QUERY_PARAMS = ("q", *FACET_BY_PARAM, "date_from", "date_to", "sort", "page")
EXPORT_BATCH = 1000


def unknown_params(query) -> list[str]:
    """The names in a query string that no search takes (the page ignores them)."""
    return sorted(name for name in query if name not in QUERY_PARAMS)


def language_filter(query) -> tuple[str, ...]:
    """The content languages a query string's `language` values name, for listings and feeds
    ("pt-br" reads "pt"); values that name none ("und", "zz", a script tag) are left out."""
    values = SearchParams.from_query(query).filters.get("language", ())
    named = (
        next((code for code in settings.CONTENT_LANGUAGES if same_language(value, code)), None)
        for value in _recognised("language", values).values()
    )
    return tuple(dict.fromkeys(code for code in named if code))


def language_query(languages: tuple[str, ...]) -> str:
    """The query string that asks a listing or its feed for these languages, or nothing."""
    return "?" + urlencode([("language", code) for code in languages]) if languages else ""


def unrecognised_values(params: SearchParams) -> list[tuple[str, str]]:
    """(parameter, value) pairs of a search that name nothing: the page drops them with a notice;
    the API refuses them, since a client with a typo must not silently get the whole archive."""
    unknown = []
    for param, values in params.filters.items():
        found = _recognised(param, values)
        unknown += [(param, value) for value in values if value not in found]
    return unknown


def recognised(params: SearchParams) -> SearchParams:
    """This search without the facet values that name nothing, which the page leaves out."""
    filters = {}
    for param, values in params.filters.items():
        found = _recognised(param, values)
        if kept := tuple(v for v in values if v in found):
            filters[param] = kept
    return replace(params, filters=filters)


@dataclass
class AllHits:
    """Every hit of a search: `errors` at once, the hits lazily, batch by batch."""

    total: int  # as the index counts them; rows unpublished since are dropped by the reader
    errors: list[str]
    batches: Iterator[list[tuple[str, int]]]


def all_hits(params: SearchParams, *, batch_size: int = EXPORT_BATCH) -> AllHits:
    """The hits of a search in the page's order, all of them, as batches of (kind, id).

    No facets, no paging and no depth limit, in memory bounded by the batch: date orders walk
    the index by date from where the last batch ended (keyset), relevance pages through the
    scores. One searcher serves every batch, so the export is one consistent snapshot.
    Raises `SearchUnavailable` while the index is missing or being rebuilt.
    """
    index = index_store().reader()
    errors = list(params.errors)
    resolved = _resolve(params, errors)
    text = _user_query(index, params.q) if params.q else None
    filters = [_facet_query(index.schema, param, values) for param, values in resolved.items()]
    query = _combine([text, _date_filter(index.schema, params), *filters])
    searcher = index.searcher()
    total = searcher.search(query, 1, count=True).count
    if params.sort == "relevance" and text is not None:
        batches = _by_relevance(searcher, query, batch_size)
    else:
        batches = _by_date(index, searcher, query, batch_size, ascending=params.sort == "oldest")
    return AllHits(total, errors, batches)


def _key(searcher, address) -> tuple[str, int]:
    kind, object_id = searcher.doc(address)["key"][0].split(":")
    return kind, int(object_id)


def _by_relevance(searcher, query: tantivy.Query, batch_size: int) -> Iterator[list[tuple[str, int]]]:
    offset = 0
    while hits := searcher.search(query, batch_size, count=False, offset=offset).hits:
        yield [_key(searcher, address) for _score, address in hits]
        offset += len(hits)


def _by_date(
    index: SearchIndex, searcher, query: tantivy.Query, batch_size: int, *, ascending: bool
) -> Iterator[list[tuple[str, int]]]:
    """Batches in date order: each asks for the items from the last batch's date on, leaving out
    those of that date already given (many items share a day)."""
    order = tantivy.Order.Asc if ascending else tantivy.Order.Desc
    boundary: int | None = None  # the date of the last item given, as the index sorts it
    given_on_boundary: set[tuple[str, int]] = set()
    while True:
        page_query = query
        if boundary is not None:
            day = datetime.datetime.fromtimestamp(boundary / 1e9, tz=datetime.UTC)
            bounds = (day, None) if ascending else (None, day)
            page_query = _combine(
                [query, tantivy.Query.range_query(index.schema, "date", tantivy.FieldType.Date, *bounds)]
            )
        limit = batch_size + len(given_on_boundary)
        hits = searcher.search(page_query, limit, count=False, order_by_field="date", order=order).hits
        fresh = []
        for value, address in hits:
            key = _key(searcher, address)
            if value != boundary or key not in given_on_boundary:
                fresh.append((value, key))
        if not fresh:
            return
        yield [key for _value, key in fresh]
        last = fresh[-1][0]
        on_last = {key for value, key in fresh if value == last}
        given_on_boundary = given_on_boundary | on_last if last == boundary else on_last
        boundary = last
        if len(hits) < limit:
            return
