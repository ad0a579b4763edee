import json

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_says_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_when_database_cache_and_index_answer(client, rebuild_index):
    rebuild_index()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "ready": True,
        "checks": {"database": "ok", "cache": "ok", "search": "ok"},
    }


def test_readyz_is_not_ready_without_a_search_index(client):
    response = client.get("/readyz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["ready"] is False
    assert body["checks"]["search"] == "SearchUnavailable"
    assert body["checks"]["database"] == "ok"


def test_readyz_is_not_ready_when_the_database_fails(client, rebuild_index, monkeypatch):
    rebuild_index()

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused to db.internal:5432 user=secret")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"] == "OperationalError"
    assert b"secret" not in response.content


def test_readyz_reports_but_tolerates_a_cache_failure_by_default(client, rebuild_index, settings):
    rebuild_index()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/readyz")
    body = json.loads(response.content)
    assert body["checks"]["cache"] != "ok"
    assert response.status_code == 200
    settings.READYZ_REQUIRED = ["database", "cache", "search"]
    assert client.get("/readyz").status_code == 503


def test_health_endpoints_answer_plain_http_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/about/").status_code == 301
