"""Models to plain dicts in the shapes of `schemas.py`, with canonical absolute URLs.

Public URLs are built on `settings.SITE_URL`, not on the host a request came through, so that
an object has the same `url` whichever server or mirror answered.
"""

from django.conf import settings
from django.urls import reverse

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Component, Story
from resourcecentre.news.queries import TAXONOMY_FIELDS
from resourcecentre.responses.queries import RateRow
from resourcecentre.search.queries import FacetGroup, Hit
from resourcecentre.taxonomy.models import Country, Term


class Urls:
    """Absolute URLs, each path reversed once per request however many objects share it."""

    def __init__(self) -> None:
        self.site = settings.SITE_URL
        self.api = self.site + reverse("api-v1:api-root")
        self._public: dict[tuple, str] = {}

    def public(self, obj) -> str:
        key = (type(obj), obj.pk)
        if key not in self._public:
            self._public[key] = self.site + obj.get_absolute_url()
        return self._public[key]

    def api_url(self, obj) -> str:
        if isinstance(obj, Term):
            return f"{self.api}taxonomy/{obj.kind}/{obj.pk}"
        return f"{self.api}{_COLLECTIONS[type(obj)]}/{obj.pk}"


_COLLECTIONS = {Story: "stories", Component: "components", Company: "companies"}


def term(urls: Urls, obj: Term) -> dict:
    return {
        "id": obj.pk,
        "slug": obj.slug,
        "name": obj.name,
        "url": urls.public(obj),
        "api_url": urls.api_url(obj),
    }


def term_detail(urls: Urls, obj: Term) -> dict:
    country = isinstance(obj, Country)
    return {
        **term(urls, obj),
        "kind": obj.kind,
        "description": obj.description,
        "code": obj.code if country else None,
        "region": term(urls, obj.region) if country else None,
    }


def company_ref(urls: Urls, obj: Company) -> dict:
    return {
        "id": obj.pk,
        "slug": obj.slug,
        "name": obj.name,
        "url": urls.public(obj),
        "api_url": urls.api_url(obj),
    }


def _tags(urls: Urls, obj) -> dict:
    tags = {field: [term(urls, t) for t in getattr(obj, field).all()] for field in TAXONOMY_FIELDS}
    tags["companies"] = [company_ref(urls, c) for c in obj.companies.all()]
    return tags


def _in_order(translations) -> list:
    """A prefetched translations relation in the editor's order, sorted here so as not to query again."""
    return sorted(translations.all(), key=lambda t: (t.sort_order or 0, t.pk))


def story(urls: Urls, obj: Story) -> dict:
    return {
        "id": obj.pk,
        "url": urls.public(obj),
        "api_url": urls.api_url(obj),
        "headline": obj.headline,
        "summary": obj.summary,
        "date": obj.date,
        "language": obj.language,
        "translations": [
            {"language": t.language, "headline": t.headline, "summary": t.summary}
            for t in _in_order(obj.translations)
        ],
        "components": [link.component_id for link in obj.published_links],
        **_tags(urls, obj),
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
    }


def component(urls: Urls, obj: Component) -> dict:
    return {
        "id": obj.pk,
        "url": urls.public(obj),
        "api_url": urls.api_url(obj),
        "title": obj.title,
        "type": {"slug": obj.type.slug, "name": obj.type.name},
        "date": obj.date,
        "author": obj.author,
        "source": {"name": obj.source.name, "website": obj.source.website} if obj.source else None,
        "original_title": obj.original_title,
        "original_date": obj.original_date,
        "excerpt": obj.excerpt,
        "source_url": obj.url,
        "language": obj.language,
        "translations": [
            {"language": t.language, "title": t.title, "excerpt": t.excerpt}
            for t in _in_order(obj.translations)
        ],
        "stories": [link.story_id for link in obj.published_links],
        **_tags(urls, obj),
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
    }


def company(urls: Urls, obj: Company) -> dict:
    return {
        "id": obj.pk,
        "url": urls.public(obj),
        "api_url": urls.api_url(obj),
        "name": obj.name,
        "slug": obj.slug,
        "summary": obj.summary,
        "other_names": [{"name": n.name, "kind": n.kind} for n in obj.names.all()],
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in obj.identifiers.all()],
        "website": obj.website,
        "listing": obj.listing,
        "parent": company_ref(urls, obj.parent) if obj.parent else None,
        "hq_country": term(urls, obj.hq_country) if obj.hq_country else None,
        "countries": [term(urls, c) for c in obj.countries.all()],
        "sectors": [term(urls, s) for s in obj.sectors.all()],
        "updated_at": obj.updated_at,
    }


def hit(urls: Urls, found: Hit, *, scored: bool) -> dict:
    obj = found.object
    if isinstance(obj, Story):
        title, date, language = obj.headline, obj.date, obj.language
    elif isinstance(obj, Component):
        title, date, language = obj.title, obj.date, obj.language
    else:
        title, date, language = obj.name, None, None
    return {
        "kind": found.kind,
        "id": obj.pk,
        "url": urls.public(obj),
        "api_url": urls.api_url(obj),
        "title": title,
        "date": date,
        "language": language,
        "score": found.score if scored else None,
    }


def facet(group: FacetGroup) -> dict:
    return {
        "param": group.facet.param,
        "label": str(group.facet.label),
        "values": [
            {"value": v.value, "label": str(v.label), "count": v.count, "selected": v.selected}
            for v in group.values
        ],
    }


def rate_row(row: RateRow) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "requests": row.requests,
        "responded": row.responded,
        "declined": row.declined,
        "no_response": row.no_response,
        "pending": row.pending,
        "rate": None if row.rate is None else round(row.rate, 1),
    }
