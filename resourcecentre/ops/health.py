"""What /readyz checks: the database, the cache and this host's search index."""

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from resourcecentre.search.services import index_store


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"ops:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise RuntimeError("the cache did not keep a value")


def check_search() -> None:
    index_store().reader()


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "search": check_search,
}


def readiness() -> dict[str, str]:
    """Each check's result: "ok", or the error's class name (never its text, which may hold a DSN)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure means not ready
            results[name] = type(error).__name__
        else:
            results[name] = "ok"
    return results
