"""Tasks left RUNNING by a worker that died (killed, host lost) go back to the queue.

django-tasks-db marks a task RUNNING when a worker claims it and nothing ever looks at it
again if that worker dies. Every task of ours is written to be run again safely (the index
sync re-applies the change log, e-mail tasks check what was already sent), so a task that has
been running for far longer than any task takes is put back as READY for another worker.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def tasks_requeue_stale(*, older_than: datetime.timedelta) -> list[str]:
    """Put RUNNING tasks started before ``older_than`` ago back in the queue; their ids."""
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        stale = list(
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
            .values_list("id", flat=True)
        )
        DBTaskResult.objects.filter(id__in=stale).update(status=TaskResultStatus.READY, started_at=None)
    return [str(task_id) for task_id in stale]
