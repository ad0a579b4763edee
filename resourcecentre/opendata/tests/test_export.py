"""Exports of a search as CSV and JSON Lines: the page's hits, all of them, and nothing else."""

import csv
import datetime
import io
import json

import pytest
from django.conf import settings
from django.urls import reverse

from resourcecentre.news.models import Component
from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, ComponentFactory, IssueFactory, StoryFactory

pytestmark = pytest.mark.django_db
CSV_URL, JSONL_URL = "/en/search/export.csv", "/en/search/export.jsonl"


def _tag(item, **tags):
    for field, values in tags.items():
        getattr(item, field).set(values)
    item.save()
    return item


@pytest.fixture
def world(rebuild_index):
    kestrel = CompanyFactory(name="Kestrel Mining plc", slug="kestrel-mining")
    northwind = CompanyFactory(name="Northwind Apparel Ltd")
    kenya, peru = Country.objects.get(code="KE"), Country.objects.get(code="PE")
    land = IssueFactory(name="Land rights")
    items = {
        "evictions": _tag(
            ComponentFactory(title="Kestrel accused over evictions", date=datetime.date(2021, 5, 1)),
            companies=[kestrel, northwind],
            countries=[kenya],
            issues=[land],
        ),
        "water": _tag(
            ComponentFactory(
                title='=HYPERLINK("http://evil.example") mine poisoned water',
                slug="mine-poisoned-water",
                date=datetime.date(2023, 2, 1),
            ),
            companies=[kestrel],
            countries=[peru],
        ),
        "japanese": ComponentFactory(
            title="鉱山会社が立ち退きで非難される",
            slug="鉱山会社",
            language="ja",
            date=datetime.date(2022, 1, 1),
        ),
        "draft": _tag(
            ComponentFactory(
                title="Kestrel secret draft about the mine", draft=True, date=datetime.date(2024, 1, 1)
            ),
            companies=[kestrel],
        ),
        "story": _tag(StoryFactory(headline="Kestrel mine: evictions and water"), companies=[kestrel]),
        "draft story": StoryFactory(headline="Kestrel draft story", draft=True),
        "kestrel": kestrel,
    }
    rebuild_index()
    return items


def _csv_rows(response) -> list[dict]:
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _jsonl(response) -> list[dict]:
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


def _page_keys(client, query: str) -> list[tuple[str, int]]:
    from django.http import QueryDict

    from resourcecentre.search.queries import SearchParams, search

    results = search(SearchParams.from_query(QueryDict(query)), page_size=100, with_facets=False)
    return [(hit.kind, hit.object.pk) for hit in results.hits]


def test_the_export_holds_the_hits_the_search_page_shows_in_its_order(client, world):
    for query in ("q=kestrel", "q=kestrel&sort=oldest", "company=kestrel-mining", ""):
        rows = _csv_rows(client.get(f"{CSV_URL}?{query}"))
        assert [(row["kind"], int(row["id"])) for row in rows] == _page_keys(client, query), query
        assert len(rows) == client.get(f"/en/search/?{query}").context["results"].total


def test_drafts_never_reach_an_export(client, world):
    titles = [row["title"] for row in _csv_rows(client.get(CSV_URL + "?q=kestrel"))]
    titles += [row["title"] for row in _jsonl(client.get(JSONL_URL))]
    assert "Kestrel accused over evictions" in titles
    assert not any("draft" in title for title in titles)


def test_an_item_unpublished_since_it_was_indexed_is_left_out(client, world):
    Component.objects.filter(pk=world["evictions"].pk).update(live=False)  # the index not told yet
    titles = [row["title"] for row in _jsonl(client.get(JSONL_URL + "?kind=component"))]
    assert "Kestrel accused over evictions" not in titles
    assert len(titles) == 2


def test_csv_rows_carry_canonical_urls_iso_dates_and_tag_names(client, world):
    response = client.get(CSV_URL + "?company=kestrel-mining&kind=component&sort=oldest")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="search-{today}.csv"'
    evictions = _csv_rows(response)[0]
    component = world["evictions"]
    component.refresh_from_db()
    assert evictions == {
        "id": str(component.pk),
        "kind": "component",
        "title": "Kestrel accused over evictions",
        "url": settings.SITE_URL + component.get_absolute_url(),
        "date": "2021-05-01",
        "source": "Daily Ledger",
        "companies": "Kestrel Mining plc; Northwind Apparel Ltd",
        "countries": "Kenya",
        "issues": "Land rights",
        "language": "en",
        "updated_at": component.updated_at.isoformat(),
    }


def test_a_title_a_spreadsheet_would_run_is_neutralised_in_csv_and_kept_in_jsonl(client, world):
    [csv_row] = _csv_rows(client.get(CSV_URL + "?q=poisoned"))
    [json_row] = _jsonl(client.get(JSONL_URL + "?q=poisoned"))
    assert csv_row["title"] == "'" + world["water"].title
    assert json_row["title"] == world["water"].title


def test_jsonl_rows_have_lists_as_lists_and_companies_and_stories_too(client, world):
    response = client.get(JSONL_URL + "?q=kestrel")
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"].endswith('.jsonl"')
    rows = {(row["kind"], row["title"]): row for row in _jsonl(response)}
    assert rows[("component", "Kestrel accused over evictions")]["companies"] == [
        "Kestrel Mining plc",
        "Northwind Apparel Ltd",
    ]
    story = rows[("story", "Kestrel mine: evictions and water")]
    assert story["companies"] == ["Kestrel Mining plc"] and story["source"] is None
    company = rows[("company", "Kestrel Mining plc")]
    assert company["date"] is None
    assert company["url"] == settings.SITE_URL + world["kestrel"].get_absolute_url()


def test_a_url_with_a_non_latin_slug_is_the_one_the_page_answers_at(client, world):
    [row] = _jsonl(client.get(JSONL_URL + "?language=ja"))
    assert row["url"] == settings.SITE_URL + world["japanese"].get_absolute_url()
    assert client.get(row["url"].removeprefix(settings.SITE_URL)).status_code == 200


def test_an_unknown_parameter_is_refused_with_a_clear_message(client, world):
    response = client.get(CSV_URL + "?q=kestrel&colour=red")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Unknown parameter “colour”" in text
    assert "q, kind, type, company, country" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2021-02-30", "is not a date like 2020-06-12"),
        ("company=atlantis-corp", "Companies choices were not recognised"),
        ("kind=planet", "choices were not recognised"),
        ("date_to=0001-01-01", "outside the archive's dates"),
    ],
)
def test_a_value_the_page_would_ignore_is_refused_rather_than_exported_unfiltered(
    client, world, query, message
):
    response = client.get(f"{JSONL_URL}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_hostile_values_are_answered_not_crashed_on(client, world):
    for query in ("q=%00%00", "q=" + "x" * 600, "company=%00", 'q="unclosed', "q=*:*", "sort=drop+table"):
        response = client.get(f"{CSV_URL}?{query}")
        assert response.status_code in (200, 400), query
        if response.status_code == 200:
            _csv_rows(response)


def test_only_get_and_head_are_answered(client, world):
    assert client.post(CSV_URL).status_code == 405


def test_exports_are_limited_per_address(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "export": "2/m"}
    for _ in range(2):
        assert client.get(CSV_URL).status_code == 200
    refused = client.get(JSONL_URL)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    other = client.get(CSV_URL, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_while_the_index_is_being_built_the_export_asks_to_come_back(client, db):
    response = client.get(CSV_URL)
    assert response.status_code == 503
    assert response["Retry-After"]


def test_the_search_page_links_to_both_exports_with_its_query(client, world):
    html = client.get("/en/search/?q=kestrel&company=kestrel-mining&company=atlantis&page=2").content.decode()
    assert 'href="/en/search/export.csv?q=kestrel&amp;company=kestrel-mining" rel="nofollow"' in html
    assert 'href="/en/search/export.jsonl?q=kestrel&amp;company=kestrel-mining"' in html
    assert "Download these results" in html
    assert reverse("opendata:data") in html


def test_an_empty_result_offers_no_download(client, world):
    html = client.get("/en/search/?q=nothingmatchesthis").content.decode()
    assert "Download these results" not in html


def test_the_response_streams_and_announces_how_many_hits_it_holds(client, world):
    response = client.get(CSV_URL)
    assert response.streaming
    assert int(response["X-Total-Count"]) == 6  # 3 published components, 1 story, 2 companies
