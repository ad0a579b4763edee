import hashlib

import pytest
from django.core.cache import caches
from django.test import Client

from resourcecentre.api import schemas
from resourcecentre.api.models import ApiKey
from resourcecentre.api.services import api_key_issue, api_key_revoke
from tests.factories import ComponentFactory, StoryFactory

from .conftest import get_json

pytestmark = pytest.mark.django_db


def test_a_repeated_get_with_its_etag_gets_a_304_until_the_data_changes(api, db):
    component = ComponentFactory()
    first = api.get("/api/v1/components")
    assert first.status_code == 200 and first["ETag"].startswith('"')
    again = api.get("/api/v1/components", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    component.title = "Renamed"
    component.save()
    changed = api.get("/api/v1/components", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["results"][0]["title"] == "Renamed"


def test_anonymous_answers_may_be_cached_publicly_for_a_minute(api, db):
    response = api.get("/api/v1/stories")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "X-API-Key" in response["Vary"]


def test_every_get_may_be_read_cross_origin_and_preflight_is_answered(api, db):
    for url in ("/api/v1/stories", "/api/v1/openapi.json", "/api/v1/stories?nope=1", "/api/v1/stories/1"):
        assert api.get(url, HTTP_ORIGIN="https://elsewhere.example")["Access-Control-Allow-Origin"] == "*"
    preflight = api.options(
        "/api/v1/stories",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "x-api-key" in preflight["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_without_cors_headers(api, db, method):
    response = getattr(api, method)("/api/v1/stories", HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 405
    assert "Access-Control-Allow-Origin" not in response


@pytest.fixture(params=["locmem", "redis"])
def rate_cache(request, settings):
    """Rate counts in the in-process cache (the default) and in a real Redis (production)."""
    if request.param == "redis":
        redis_url = request.getfixturevalue("redis_url")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "api-tests",
            }
        }
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_anonymous_clients_are_limited_per_address_with_retry_after(settings, db, rate_cache):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/m"}
    reader, neighbour = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.0.0.9")
    assert [reader.get("/api/v1/stories").status_code for _ in range(3)] == [200, 200, 200]
    refused = reader.get("/api/v1/stories")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"] == "too_many_requests"
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert neighbour.get("/api/v1/stories").status_code == 200


def test_a_key_has_its_own_higher_rate_in_either_header(settings, db, rate_cache):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "1/m"}
    api_key, key = api_key_issue(name="Mirror", rate="5/m")
    client = Client(HTTP_HOST="127.0.0.1")
    statuses = [client.get("/api/v1/stories", HTTP_X_API_KEY=key).status_code for _ in range(3)]
    statuses += [
        client.get("/api/v1/stories", HTTP_AUTHORIZATION=f"Bearer {key}").status_code for _ in range(2)
    ]
    assert statuses == [200] * 5
    assert client.get("/api/v1/stories", HTTP_X_API_KEY=key).status_code == 429
    assert client.get("/api/v1/stories").status_code == 200  # the anonymous allowance is separate
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_API_KEY": "rc_not-a-key"},
        {"HTTP_X_API_KEY": ""},
        {"HTTP_AUTHORIZATION": "Bearer rc_not-a-key"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_X_API_KEY": "x" * 10_000},
    ],
)
def test_a_bad_key_is_a_401_not_anonymous_access(api, db, headers):
    response = api.get("/api/v1/stories", **headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_api_key"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(api, db):
    api_key, key = api_key_issue(name="Old mirror")
    assert api.get("/api/v1/stories", HTTP_X_API_KEY=key).status_code == 200
    api_key_revoke(api_key=api_key)
    assert api.get("/api/v1/stories", HTTP_X_API_KEY=key).status_code == 401


def test_keyed_answers_are_private_to_the_client(api, db):
    _api_key, key = api_key_issue(name="Mirror")
    assert api.get("/api/v1/stories", HTTP_X_API_KEY=key)["Cache-Control"] == "private, max-age=60"


def test_only_a_digest_of_the_key_is_stored(db):
    api_key, key = api_key_issue(name="Mirror", owner="data@university.example")
    assert key.startswith("rc_") and len(key) > 40
    row = ApiKey.objects.filter(pk=api_key.pk).values().get()
    assert key not in str(row)
    assert row["digest"] == hashlib.sha256(key.encode()).hexdigest()


def test_an_unparseable_rate_is_refused_when_issuing(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        api_key_issue(name="Broken", rate="lots")


def test_the_schema_is_openapi_3_1_with_examples_and_documents_errors(api, db):
    schema = get_json(api, "/api/v1/openapi.json")
    assert schema["openapi"] == "3.1.0"
    assert schema["components"]["schemas"]["Component"]["examples"][0]["translations"]
    story_translations = schema["components"]["schemas"]["Story"]["properties"]["translations"]
    assert story_translations["items"] == {"$ref": "#/components/schemas/StoryTranslation"}
    assert schema["components"]["schemas"]["Story"]["examples"][0]["translations"][0]["headline"]
    for path, operations in schema["paths"].items():
        responses = operations["get"]["responses"]
        assert {"200", "400", "429"} <= responses.keys(), path
    search_parameters = {p["name"] for p in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {
        "q",
        "company",
        "country",
        "region",
        "issue",
        "sector",
        "kind",
        "language",
        "sort",
    } <= search_parameters


@pytest.mark.parametrize("name", ["Story", "StoryTranslation", "Component", "Translation", "Company"])
def test_each_example_in_the_schema_is_a_valid_answer(name):
    model = getattr(schemas, name)
    [example] = model.model_config["json_schema_extra"]["examples"]
    assert model.model_validate(example)


def test_no_cache_in_front_of_the_api_skips_the_key_check_or_the_limit(settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "2/m"}
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get("/api/v1/stories").status_code == 200
    assert client.get("/api/v1/stories", HTTP_X_API_KEY="rc_wrong").status_code == 401
    assert client.get("/api/v1/stories").status_code == 200
    assert client.get("/api/v1/stories").status_code == 429


@pytest.mark.parametrize(
    "url", ["/api/v1/", "/api/v1/stories", "/api/v1/openapi.json", "/api/v1/stories/999999999"]
)
def test_head_answers_the_headers_of_the_get_without_its_body(api, db, url):
    """Link checkers and `curl -I` ask with HEAD; it must not be a 405."""
    StoryFactory()
    got, head = api.get(url), api.head(url)
    assert head.status_code == got.status_code
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
    if got.status_code == 200:
        assert head["ETag"] == got["ETag"]
    assert int(head["Content-Length"]) == len(got.content)
    assert head["Access-Control-Allow-Origin"] == "*"
