import re
from html import unescape

import pytest

from resourcecentre.search.queries import SearchParams, search

from .conftest import get_json

pytestmark = pytest.mark.django_db


def _page_facet(response, param: str) -> dict[str, int]:
    """{label: count} of one facet as the search page shows it."""
    html = response.content.decode()
    return {
        unescape(label.strip()): int(count)
        for label, count in re.findall(
            rf'name="{param}" value="[^"]*"(?: checked)?> ([^<]+?) <span class="facet__count">\((\d+)\)', html
        )
    }


@pytest.fixture
def indexed(world, rebuild_index):
    rebuild_index()
    return world


def test_the_api_finds_what_the_search_page_finds_with_the_same_facet_counts(api, client, indexed):
    query = "q=kestrel&country=kenya&country=peru&kind=component"
    answer = get_json(api, f"/api/v1/search?{query}")
    page = client.get(f"/en/search/?{query}")
    assert answer["total"] == 2
    assert {hit["title"] for hit in answer["results"]} == {
        "Kestrel accused over evictions",
        "Villagers say the mine poisoned their water",
    }
    facets = {f["param"]: {v["label"]: v["count"] for v in f["values"]} for f in answer["facets"]}
    for param in ("country", "company", "type", "issue"):
        assert facets.get(param, {}) == _page_facet(page, param), param
    assert facets["country"] == {"Kenya": 1, "Peru": 1}
    selected = {v["value"] for f in answer["facets"] for v in f["values"] if v["selected"]}
    assert selected == {"kenya", "peru", "component"}


def test_search_hits_link_to_their_objects(api, indexed):
    answer = get_json(api, "/api/v1/search?q=evictions&sort=newest")
    kinds = {(h["kind"], h["id"]) for h in answer["results"]}
    assert ("component", indexed.evictions.pk) in kinds and ("story", indexed.story.pk) in kinds
    for hit in answer["results"]:
        assert get_json(api, hit["api_url"].removeprefix("http://127.0.0.1:8000"))["id"] == hit["id"]
        assert hit["score"] is None  # sorted by date, not relevance


def test_search_pages_by_cursor_through_every_result_once(api, indexed):
    expected = search(SearchParams(sort="newest"), page_size=100).total
    seen, url = [], "/api/v1/search?sort=newest&limit=2"
    while url:
        page = get_json(api, url)
        seen += [(h["kind"], h["id"]) for h in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == expected >= 6


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("company=no-such-company", "company"),
        ("kind=planet", "kind"),
        ("country=kenya&country=atlantis", "country"),
        ("language=not a language", "language"),
    ],
)
def test_an_unknown_filter_value_is_a_400_rather_than_everything(api, indexed, query, parameter):
    answer = get_json(api, f"/api/v1/search?{query}", status=400)
    assert answer["parameter"] == parameter and answer["error"] == "unknown_value"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("date_from=2020-02-30", "date_from"),
        ("sort=random", "sort"),
        ("date_to=soon", "date_to"),
        ("q=" + "x" * 2001, "q"),
    ],
)
def test_malformed_search_parameters_are_a_400_naming_them(api, indexed, query, parameter):
    assert get_json(api, f"/api/v1/search?{query}", status=400)["parameter"] == parameter


def test_a_search_cursor_made_for_another_limit_or_list_is_refused(api, indexed):
    next_url = get_json(api, "/api/v1/search?limit=2")["next"]
    assert api.get(next_url.replace("limit=2", "limit=3")).status_code == 400
    cursor = next_url.split("cursor=")[1]
    assert api.get(f"/api/v1/components?cursor={cursor}").status_code == 400


def test_a_long_query_is_cut_with_a_warning(api, indexed):
    answer = get_json(api, "/api/v1/search?q=" + "kestrel%20" * 100)
    assert answer["warnings"] and "500" in answer["warnings"][0]


def test_while_the_index_is_missing_search_answers_503_in_json(api, world):
    answer = get_json(api, "/api/v1/search?q=kestrel", status=503)
    assert answer["error"] == "search_unavailable"
