import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from resourcecentre.search.tasks import sync_search_index
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db


def test_a_task_whose_worker_died_is_run_again_and_its_effect_applied_once(rebuild_index, run_tasks, commit):
    rebuild_index()
    ComponentFactory(title="Tailings dam cracks after heavy rain")
    commit()
    result = DBTaskResult.objects.ready().get(task_path=sync_search_index.module_path)
    # A worker claims it and is killed before finishing: the row stays RUNNING.
    result.claim("worker-that-died")
    DBTaskResult.objects.filter(pk=result.pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))

    call_command("requeue_stale_tasks", "--minutes", "60")

    assert DBTaskResult.objects.get(pk=result.pk).status == TaskResultStatus.READY
    assert run_tasks() >= 1
    finished = DBTaskResult.objects.get(pk=result.pk)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.worker_ids == ["worker-that-died", "test-worker"]
    from django.http import QueryDict

    from resourcecentre.search.queries import SearchParams, search

    hits = search(SearchParams.from_query(QueryDict("q=tailings"))).hits
    assert [str(hit.object) for hit in hits].count("Tailings dam cracks after heavy rain") == 1


def test_a_task_still_within_its_time_is_left_to_its_worker(commit):
    ComponentFactory(title="Anything")
    commit()
    result = DBTaskResult.objects.ready().first()
    result.claim("busy-worker")
    call_command("requeue_stale_tasks", "--minutes", "60")
    assert DBTaskResult.objects.get(pk=result.pk).status == TaskResultStatus.RUNNING
