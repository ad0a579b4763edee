import re

import pytest

from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def _metric(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_never_by_path(client):
    story = StoryFactory(headline="Miners strike over unpaid wages")
    before = _metric(
        client.get("/metrics").content.decode(),
        "resourcecentre_http_request_duration_seconds_count",
        route="news:story",
        status="200",
    )
    assert client.get(story.get_absolute_url()).status_code == 200
    text = client.get("/metrics").content.decode()
    after = _metric(
        text, "resourcecentre_http_request_duration_seconds_count", route="news:story", status="200"
    )
    assert after == before + 1
    assert story.slug not in text


def test_metrics_report_the_queue_depth_and_failed_tasks(client, run_tasks, settings):
    from resourcecentre.ops.tests import tasks_for_tests

    tasks_for_tests.explode.enqueue()
    text = client.get("/metrics").content.decode()
    assert _metric(text, "resourcecentre_task_queue_depth", queue="default", status="ready") >= 1
    run_tasks()
    text = client.get("/metrics").content.decode()
    assert _metric(text, "resourcecentre_task_queue_depth", queue="default", status="ready") == 0
    assert (
        _metric(
            text,
            "resourcecentre_tasks_failed_last_hour",
            task="resourcecentre.ops.tests.tasks_for_tests.explode",
        )
        == 1
    )
    assert (
        _metric(
            text,
            "resourcecentre_task_failures_total",
            task="resourcecentre.ops.tests.tasks_for_tests.explode",
        )
        >= 1
    )


def test_metrics_are_refused_to_strangers(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 200
    assert re.search(
        r"^# TYPE resourcecentre_http_request_duration_seconds histogram$", response.content.decode(), re.M
    )


def test_every_response_carries_a_request_id_and_a_forged_one_is_replaced(client):
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given["X-Request-ID"] == "abc-123"
    forged = client.get("/healthz", headers={"X-Request-ID": 'x"\n{"admin":true}'})
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])


def test_each_request_is_logged_with_its_route_and_duration(client, caplog):
    caplog.set_level("INFO", logger="resourcecentre.requests")
    client.get("/healthz")
    record = next(r for r in caplog.records if r.name == "resourcecentre.requests")
    assert record.route == "ops:healthz"
    assert record.status == 200
    assert record.duration_ms >= 0
