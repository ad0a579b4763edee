import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from resourcecentre.search.queries import SearchParams, search
from resourcecentre.search.services import search_index_sync
from tests.factories import ComponentFactory

ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _found(q: str) -> bool:
    return search(SearchParams(q=q), with_facets=False).total > 0


@pytest.fixture
def worker(settings):
    """The real task worker (`manage.py db_worker`) in its own process, on the test database."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR)}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "Starting worker" in line or not line:
            break
    yield process
    process.terminate()
    process.wait(timeout=10)


def test_a_published_component_is_findable_within_five_seconds(committed_db, rebuild_index, worker):
    rebuild_index()
    ComponentFactory(title="Fresh allegation about cobalt smelters")
    published = time.monotonic()
    while not _found("smelters") and time.monotonic() - published < 10:
        time.sleep(0.1)
    elapsed = time.monotonic() - published
    assert _found("smelters"), "not findable after 10 s"
    assert elapsed < 5, f"findable only after {elapsed:.1f} s"


@pytest.mark.django_db
def test_a_sync_that_dies_half_way_is_completed_by_the_next_one(rebuild_index, monkeypatch):
    rebuild_index()
    ComponentFactory(title="First item about tanneries")
    ComponentFactory(title="Second item about tanneries")

    from resourcecentre.search import services

    real_write = services._write

    def dying_write(index, keys):
        real_write(index, keys)
        raise SystemExit("worker killed after writing, before recording progress")

    monkeypatch.setattr(services, "_write", dying_write)
    with pytest.raises(SystemExit):
        search_index_sync()
    monkeypatch.setattr(services, "_write", real_write)
    assert search_index_sync() == 2
    assert search(SearchParams(q="tanneries"), with_facets=False).total == 2
    assert search_index_sync() == 0
