import datetime

import pytest
from django.utils import timezone

from resourcecentre.news.models import Component
from tests.factories import ComponentFactory

from .conftest import get_json

pytestmark = pytest.mark.django_db


def _all(api, url: str) -> list[dict]:
    items = []
    while url:
        page = get_json(api, url)
        items += page["results"]
        url = page["next"]
    return items


def test_following_next_reads_every_item_once_in_the_order_of_change(api, db):
    ComponentFactory.create_batch(7)
    items = _all(api, "/api/v1/components?limit=3")
    assert len(items) == 7 == len({i["id"] for i in items})
    assert [(i["updated_at"], i["id"]) for i in items] == sorted((i["updated_at"], i["id"]) for i in items)


def test_an_item_added_while_paging_shifts_nothing_and_comes_at_the_end(api, db):
    first = ComponentFactory.create_batch(4)
    page = get_json(api, "/api/v1/components?limit=2")
    added = ComponentFactory(title="Added meanwhile")
    Component.objects.filter(pk=first[0].pk).update(updated_at=timezone.now())  # edited meanwhile
    rest = _all(api, page["next"])
    assert [i["id"] for i in page["results"]] == [first[0].pk, first[1].pk]
    assert [i["id"] for i in rest] == [first[2].pk, first[3].pk, added.pk, first[0].pk]


def test_updated_since_returns_what_changed_at_or_after_that_moment(api, db):
    old, recent = ComponentFactory(), ComponentFactory()
    moment = timezone.now() - datetime.timedelta(days=1)
    Component.objects.filter(pk=old.pk).update(updated_at=moment - datetime.timedelta(seconds=1))
    Component.objects.filter(pk=recent.pk).update(updated_at=moment)
    since = moment.isoformat().replace("+00:00", "Z")
    assert [i["id"] for i in get_json(api, f"/api/v1/components?updated_since={since}")["results"]] == [
        recent.pk
    ]
    # A moment without an offset is UTC; an offset is honoured.
    naive = moment.replace(tzinfo=None).isoformat()
    assert [i["id"] for i in get_json(api, f"/api/v1/components?updated_since={naive}")["results"]] == [
        recent.pk
    ]
    shifted = (moment + datetime.timedelta(hours=2)).replace(tzinfo=None).isoformat() + "%2B02:00"
    assert [i["id"] for i in get_json(api, f"/api/v1/components?updated_since={shifted}")["results"]] == [
        recent.pk
    ]


@pytest.mark.parametrize("collection", ["stories", "components", "companies"])
@pytest.mark.parametrize(
    "since",
    [
        "yesterday",
        "2024-13-01T00:00:00Z",
        "2024-01-01T25:00:00",
        "%00",
        "9" * 400,
        "2024-01-01T00:00:00+99:00",
        "1700000000",
        "0.5",
        "0001-01-01T00:00:00%2B05:00",
    ],
)
def test_a_malformed_updated_since_is_a_400_naming_it(api, db, collection, since):
    answer = get_json(api, f"/api/v1/{collection}?updated_since={since}", status=400)
    assert answer["parameter"] == "updated_since"


@pytest.mark.parametrize("since", ["0007-12-15T21:28:13-22:06", "9999-12-31T23:59:59Z", "1900-01-01"])
def test_odd_but_valid_moments_are_answered_on_every_database(api, db, since):
    ComponentFactory()
    assert isinstance(get_json(api, f"/api/v1/components?updated_since={since}")["results"], list)


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "",  # an empty cursor is the first page, not an error: tested below
        "WzJd",
        "WzJd:1xYxiy:forged-signature",
        "%00",
        "x" * 499,
        "x" * 501,
        "🙂",
    ],
)
def test_a_malformed_or_forged_cursor_is_a_400(api, db, cursor):
    ComponentFactory.create_batch(3)
    response = api.get("/api/v1/components", {"cursor": cursor, "limit": 1})
    if cursor == "":
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content
    assert response.json()["parameter"] == "cursor"


def test_a_cursor_from_another_list_is_refused(api, db):
    ComponentFactory.create_batch(2)
    next_url = get_json(api, "/api/v1/components?limit=1")["next"]
    cursor = next_url.split("cursor=")[1]
    assert get_json(api, f"/api/v1/stories?cursor={cursor}", status=400)["error"] == "invalid_cursor"
    assert (
        get_json(api, f"/api/v1/taxonomy/countries?cursor={cursor}", status=400)["error"] == "invalid_cursor"
    )


@pytest.mark.parametrize("limit", ["0", "-1", "101", "1000000", "99999999999999999999999", "ten", "1.5", ""])
def test_a_limit_outside_1_to_100_is_refused_not_clamped(api, db, limit):
    answer = get_json(api, f"/api/v1/components?limit={limit}", status=400)
    assert answer["parameter"] == "limit" and answer["error"] == "invalid_parameter"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/components?compnay=kestrel",
        "/api/v1/stories?page=2",
        "/api/v1/companies?updated-since=2020-01-01",
        "/api/v1/taxonomy/countries?updated_since=2020-01-01",
        "/api/v1/responses/statistics?year=2020",
        "/api/v1/search?q=x&contry=kenya",
        "/api/v1/search?page=2",
        "/api/v1/stories/1?format=xml",
    ],
)
def test_an_unknown_parameter_is_a_400_naming_it(api, db, url):
    answer = get_json(api, url, status=400)
    unknown = url.split("?")[1].split("&")[-1].split("=")[0]
    assert answer == {
        "error": "unknown_parameter",
        "message": answer["message"],
        "parameter": unknown,
    }
    assert f"“{unknown}”" in answer["message"]


def test_huge_and_hostile_ids_are_a_400_or_404_never_a_server_error(api, db):
    for path in [
        "/api/v1/components/0",
        "/api/v1/components/-1",
        "/api/v1/components/99999999999999999999999",
    ]:
        assert api.get(path).status_code in (400, 404)
    assert api.get("/api/v1/components/9223372036854775807").status_code == 404
