from django_tasks import task

from .services import search_index_sync


@task()
def sync_search_index() -> int:
    """Bring this host's search index up to date with the change log."""
    return search_index_sync()
