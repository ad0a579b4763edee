from django_tasks import task

from .models import Feed
from .services import feed_run


@task()
def poll_feed_task(feed_id: int) -> dict:
    """One pass over one feed, on the task queue."""
    feed = Feed.objects.filter(pk=feed_id, active=True).first()
    if feed is None:
        return {"skipped": feed_id}
    return vars(feed_run(feed=feed))
