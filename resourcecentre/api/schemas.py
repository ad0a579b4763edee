"""What the API answers, as pydantic models: they validate the output and make the OpenAPI schema.

Every object has a stable `id`, the canonical `url` of its public page and its own `api_url`.
Dates are ISO 8601 (`2020-06-12`), moments ISO 8601 in UTC (`2020-06-12T09:30:00Z`).
"""

import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

SITE = "https://resourcecentre.example"


def _example(**example) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class Error(Schema):
    model_config = _example(
        error="unknown_parameter",
        message="Unknown query parameter “compnay”. This endpoint takes: company, country, …",
        parameter="compnay",
    )
    error: str = Field(description="A stable code: unknown_parameter, invalid_parameter, invalid_cursor, …")
    message: str = Field(description="What went wrong, for a person to read.")
    parameter: str | None = Field(None, description="The query parameter at fault, where one is.")


class Term(Schema):
    """A taxonomy term: a country, region, issue, sector or stakeholder."""

    model_config = _example(
        id=231,
        slug="united-states",
        name="United States",
        url=f"{SITE}/en/countries/united-states/",
        api_url=f"{SITE}/api/v1/taxonomy/countries/231",
    )
    id: int
    slug: str
    name: str
    url: str
    api_url: str


class TermDetail(Term):
    kind: str = Field(description="countries, regions, issues, sectors or stakeholders")
    description: str = ""
    code: str | None = Field(None, description="ISO 3166-1 alpha-2, for countries")
    region: Term | None = Field(None, description="The region a country is in")


class CompanyRef(Schema):
    model_config = _example(
        id=12,
        slug="amazon",
        name="Amazon",
        url=f"{SITE}/en/companies/amazon/",
        api_url=f"{SITE}/api/v1/companies/12",
    )
    id: int
    slug: str
    name: str
    url: str
    api_url: str


class Translation(Schema):
    model_config = _example(
        language="ja",
        title="アマゾンCEO、顔認識の規制を支持",
        excerpt="<p>…</p>",
    )
    language: str = Field(description="A language code, e.g. ja, pt, zh-hans")
    title: str
    excerpt: str = Field(description="Sanitised HTML")


class StoryTranslation(Schema):
    model_config = _example(
        language="es",
        headline="EE. UU.: El director ejecutivo de Amazon apoya regular el reconocimiento facial",
        summary="<p>…</p>",
    )
    language: str = Field(description="A language code, e.g. es, pt, zh-hans")
    headline: str
    summary: str = Field(description="Sanitised HTML")


class Source(Schema):
    name: str
    website: str


class ComponentType(Schema):
    slug: str
    name: str


class Component(Schema):
    """A dated excerpt of something published elsewhere (a news item, a statement, a company response)."""

    model_config = _example(
        id=4021,
        url=f"{SITE}/en/latest-news/amazon-ceo-announces-support/",
        api_url=f"{SITE}/api/v1/components/4021",
        title="Amazon CEO announces support for facial recognition regulation",
        type={"slug": "article", "name": "Article"},
        date="2019-09-26",
        author="Bobby Allyn",
        source={"name": "NPR", "website": "https://www.npr.org"},
        original_title="Amazon Says It's Writing Facial Recognition Laws",
        original_date="2019-09-25",
        excerpt="<p>... Amazon is writing its own [facial recognition] legislation ...</p>",
        source_url="https://www.npr.org/2019/09/26/…",
        language="en",
        translations=[{"language": "ja", "title": "アマゾンCEO、顔認識の規制を支持", "excerpt": "<p>…</p>"}],
        stories=[118],
        companies=[],
        countries=[],
        regions=[],
        issues=[],
        sectors=[],
        stakeholders=[],
        created_at="2019-09-27T08:12:00Z",
        updated_at="2019-09-27T10:40:12.123Z",
    )
    id: int
    url: str = Field(description="The canonical public page")
    api_url: str
    title: str
    type: ComponentType
    date: datetime.date
    author: str
    source: Source | None
    original_title: str
    original_date: datetime.date | None
    excerpt: str = Field(description="Sanitised HTML: links, emphasis, lists, quotes")
    source_url: str = Field(description="The original publication")
    language: str
    translations: list[Translation]
    stories: list[int] = Field(description="Ids of the published stories it belongs to")
    companies: list[CompanyRef]
    countries: list[Term]
    regions: list[Term]
    issues: list[Term]
    sectors: list[Term]
    stakeholders: list[Term]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class Story(Schema):
    """A headline and summary over a timeline of components."""

    model_config = _example(
        id=118,
        url=f"{SITE}/en/stories/usa-amazon-ceo-announces-support/",
        api_url=f"{SITE}/api/v1/stories/118",
        headline="USA: Amazon CEO announces support for facial recognition regulation",
        summary="<p>…</p>",
        date="2019-09-26",
        language="en",
        translations=[
            {
                "language": "es",
                "headline": "EE. UU.: El director ejecutivo de Amazon apoya regular el reconocimiento facial",
                "summary": "<p>…</p>",
            }
        ],
        components=[4021, 4022],
        companies=[],
        countries=[],
        regions=[],
        issues=[],
        sectors=[],
        stakeholders=[],
        created_at="2019-09-27T08:12:00Z",
        updated_at="2019-09-27T10:40:12.123Z",
    )
    id: int
    url: str
    api_url: str
    headline: str
    summary: str = Field(description="Sanitised HTML")
    date: datetime.date
    language: str
    translations: list[StoryTranslation]
    components: list[int] = Field(description="Ids of its published components, newest first")
    companies: list[CompanyRef]
    countries: list[Term]
    regions: list[Term]
    issues: list[Term]
    sectors: list[Term]
    stakeholders: list[Term]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CompanyName(Schema):
    name: str
    kind: str = Field(description="alias or former")


class Identifier(Schema):
    scheme: str = Field(description="lei, isin, wikidata or opencorporates")
    value: str


class Company(Schema):
    model_config = _example(
        id=12,
        url=f"{SITE}/en/companies/amazon/",
        api_url=f"{SITE}/api/v1/companies/12",
        name="Amazon",
        slug="amazon",
        summary="",
        other_names=[{"name": "Amazon.com, Inc.", "kind": "alias"}],
        identifiers=[{"scheme": "lei", "value": "ZXTILKJKG63JELOEG630"}],
        website="https://www.amazon.com",
        listing="listed",
        parent=None,
        hq_country=None,
        countries=[],
        sectors=[],
        updated_at="2024-01-05T12:00:00Z",
    )
    id: int
    url: str
    api_url: str
    name: str
    slug: str
    summary: str
    other_names: list[CompanyName]
    identifiers: list[Identifier]
    website: str
    listing: str = Field(description="listed, private, state-owned, delisted, or empty")
    parent: CompanyRef | None
    hq_country: Term | None
    countries: list[Term] = Field(description="Countries of operation")
    sectors: list[Term]
    updated_at: datetime.datetime


class Page(Schema):
    next: str | None = Field(description="The URL of the next page; null on the last one")


class StoryPage(Page):
    results: list[Story]


class ComponentPage(Page):
    results: list[Component]


class CompanyPage(Page):
    results: list[Company]


class TermPage(Page):
    results: list[TermDetail]


class FacetValue(Schema):
    value: str = Field(description="What to pass back as the facet's parameter")
    label: str
    count: int
    selected: bool


class Facet(Schema):
    model_config = _example(
        param="country",
        label="Countries",
        values=[{"value": "kenya", "label": "Kenya", "count": 12, "selected": False}],
    )
    param: str
    label: str
    values: list[FacetValue]


class Hit(Schema):
    kind: str = Field(description="component, story or company")
    id: int
    url: str
    api_url: str
    title: str
    date: datetime.date | None
    language: str | None
    score: float | None = Field(description="Relevance, when sorted by relevance")


class SearchPage(Page):
    model_config = _example(
        total=1,
        results=[
            {
                "kind": "component",
                "id": 4021,
                "url": f"{SITE}/en/latest-news/amazon-ceo-announces-support/",
                "api_url": f"{SITE}/api/v1/components/4021",
                "title": "Amazon CEO announces support for facial recognition regulation",
                "date": "2019-09-26",
                "language": "en",
                "score": 7.31,
            }
        ],
        facets=[],
        warnings=[],
        next=None,
    )
    total: int = Field(description="How many items match")
    results: list[Hit]
    facets: list[Facet] = Field(description="The same counts as the search page shows")
    warnings: list[str] = Field(description="Parts of the search that were adjusted, e.g. a long query cut")


class RateRow(Schema):
    key: str = Field(description="The group's key: a year, or a company, sector, country or issue slug")
    label: str
    requests: int
    responded: int
    declined: int
    no_response: int
    pending: int
    rate: float | None = Field(description="Responses as a share of closed requests, 0–100")


class RateGroup(Schema):
    group: str = Field(description="all, year, company, sector, hq_country or issue")
    rows: list[RateRow]


class ResponseStatistics(Schema):
    model_config = _example(
        url=f"{SITE}/en/responses/",
        groups=[
            {
                "group": "all",
                "rows": [
                    {
                        "key": "",
                        "label": "All companies",
                        "requests": 10,
                        "responded": 6,
                        "declined": 1,
                        "no_response": 2,
                        "pending": 1,
                        "rate": 66.7,
                    }
                ],
            }
        ],
    )
    url: str
    groups: list[RateGroup]


class Index(Schema):
    """Where everything is: the documentation, the schema and each collection."""

    model_config = _example(
        documentation=f"{SITE}/api/v1/docs",
        openapi=f"{SITE}/api/v1/openapi.json",
        stories=f"{SITE}/api/v1/stories",
        components=f"{SITE}/api/v1/components",
        companies=f"{SITE}/api/v1/companies",
        taxonomy={"countries": f"{SITE}/api/v1/taxonomy/countries"},
        response_statistics=f"{SITE}/api/v1/responses/statistics",
        search=f"{SITE}/api/v1/search",
        open_data=f"{SITE}/en/data/",
    )
    documentation: str
    openapi: str
    stories: str
    components: str
    companies: str
    taxonomy: dict[str, str] = Field(description="One list per kind of term")
    response_statistics: str
    search: str
    open_data: str = Field(description="The nightly dump of the whole archive, and its licence")
