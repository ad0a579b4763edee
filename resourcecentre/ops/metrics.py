"""Prometheus metrics: request latency, page-cache results, task queue depth and failures.

Under gunicorn each worker process counts on its own; with ``PROMETHEUS_MULTIPROC_DIR`` set
(an empty directory, wiped at each start, see deploy/gunicorn.conf.py), prometheus_client
keeps the counts in files there and /metrics adds up every process of the host, task workers
included when they share the directory.
"""

import datetime

from django.db.models import Count
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from resourcecentre.lib.env import env_str

REQUEST_SECONDS = Histogram(
    "resourcecentre_http_request_duration_seconds",
    "Time to answer a request, by route (the URL pattern's name, never the path).",
    ["method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)
PAGE_CACHE = Counter(
    "resourcecentre_page_cache_requests_total",
    "Public page requests by page-cache result (hit, miss, bypass, error).",
    ["result"],
)
TASK_FAILURES = Counter(
    "resourcecentre_task_failures_total",
    "Background tasks that ended in failure in this host's workers, by task.",
    ["task"],
)
FAILED_WINDOW = datetime.timedelta(hours=1)


class TaskQueueCollector(Collector):
    """Read at scrape time from the task table, so every host reports the one shared queue."""

    def collect(self):
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "resourcecentre_task_queue_depth",
            "Tasks waiting or running, by queue.",
            labels=["queue", "status"],
        )
        waiting = (
            DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
            .values("queue_name", "status")
            .annotate(n=Count("id"))
        )
        for row in waiting:
            depth.add_metric([row["queue_name"], row["status"].lower()], row["n"])
        yield depth
        failed = GaugeMetricFamily(
            "resourcecentre_tasks_failed_last_hour",
            "Tasks recorded as failed in the last hour, any host, by task.",
            labels=["task"],
        )
        recent = (
            DBTaskResult.objects.filter(
                status=TaskResultStatus.FAILED, finished_at__gte=timezone.now() - FAILED_WINDOW
            )
            .values("task_path")
            .annotate(n=Count("id"))
        )
        for row in recent:
            failed.add_metric([row["task_path"]], row["n"])
        yield failed


def exposition() -> bytes:
    """This host's metrics in Prometheus' text format."""
    if env_str("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        output = generate_latest(processes)
    else:
        output = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(TaskQueueCollector())
    return output + generate_latest(queue)


def _count_failure(sender, task_result, **kwargs) -> None:
    from django_tasks import TaskResultStatus

    if task_result.status == TaskResultStatus.FAILED:
        TASK_FAILURES.labels(task_result.task.module_path).inc()


def connect() -> None:
    from django_tasks.signals import task_finished

    task_finished.connect(_count_failure, dispatch_uid="ops-count-task-failures")
