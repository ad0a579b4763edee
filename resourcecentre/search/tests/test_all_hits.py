"""`all_hits`: every hit of a search in the page's order, batch by batch, and its helpers."""

import datetime

import pytest
from django.http import QueryDict

from resourcecentre.search.engine import SearchUnavailable
from resourcecentre.search.queries import SearchParams, all_hits, recognised, search, unknown_params
from tests.factories import CompanyFactory, ComponentFactory, StoryFactory

pytestmark = pytest.mark.django_db


def _params(query: str) -> SearchParams:
    return SearchParams.from_query(QueryDict(query))


def _page_keys(params: SearchParams) -> list[tuple[str, int]]:
    results = search(params, page_size=100, with_facets=False)
    return [(hit.kind, hit.object.pk) for hit in results.hits]


def _all(params: SearchParams, batch_size: int) -> list[tuple[str, int]]:
    return [key for batch in all_hits(params, batch_size=batch_size).batches for key in batch]


@pytest.fixture
def archive(rebuild_index):
    """Thirty news items over six days (five a day), two stories and a company."""
    for n in range(30):
        ComponentFactory(title=f"Miners strike at site {n}", date=datetime.date(2024, 3, 1 + n // 5))
    StoryFactory(headline="Miners strike across the region", date=datetime.date(2024, 3, 3))
    StoryFactory(headline="Mine workers unionise", date=datetime.date(2024, 3, 9))
    CompanyFactory(name="Strike Minerals Ltd")
    rebuild_index()


def test_every_hit_comes_once_in_the_page_order_however_small_the_batches(archive):
    for query in ("", "sort=newest", "sort=oldest", "kind=component&sort=oldest", "q=strike"):
        params = _params(query)
        page = _page_keys(params)
        assert len(page) == search(params, with_facets=False).total
        for batch_size in (1, 4, 7, 1000):
            assert _all(params, batch_size) == page, (query, batch_size)


def test_relevance_order_follows_the_scores(archive):
    params = _params("q=miners+strike")
    assert _all(params, 3) == _page_keys(params)


def test_a_hit_is_never_repeated_when_a_whole_batch_shares_one_day(archive):
    keys = _all(_params("kind=component"), 2)
    assert len(keys) == len(set(keys)) == 30


def test_the_total_and_the_errors_are_known_before_the_first_batch(archive):
    hits = all_hits(_params("q=strike&date_from=2024-02-30&country=atlantis"))
    assert hits.total == 30 + 1 + 1  # the news items, one story, the company
    assert len(hits.errors) == 2


def test_without_an_index_it_says_the_search_is_unavailable(db):
    with pytest.raises(SearchUnavailable):
        all_hits(SearchParams())


def test_unknown_params_names_what_no_search_takes():
    query = QueryDict("q=x&page=2&country=kenya&colour=red&utm_source=mail")
    assert unknown_params(query) == ["colour", "utm_source"]


def test_recognised_drops_the_values_that_name_nothing(db):
    CompanyFactory(name="Kestrel Mining plc", slug="kestrel")
    params = _params("company=kestrel&company=atlantis&kind=story&kind=planet&language=en&language=%21%21")
    assert recognised(params).filters == {"company": ("kestrel",), "kind": ("story",), "language": ("en",)}
