import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).parent / "var" / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in the test thread; the tests' own ORM calls are
# still synchronous, so Django's async-safety guard would refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        pytest.fail(
            f"No Chromium at {chromium}. Install it (Debian/Ubuntu: apt-get install chromium) "
            "or set CHROMIUM=/path/to/chrome. Browser tests do not skip.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _own_search_index(settings, tmp_path):
    """Each test has its own search index directory, empty until it builds one."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"


@pytest.fixture
def rebuild_index():
    """Build the search index from the database now, as `rebuild_search_index` does."""
    from resourcecentre.search.services import search_index_rebuild

    return search_index_rebuild


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def run_tasks():
    """Run every queued background task now with the database worker's own code.

    The `db_worker` command itself closes database connections between tasks, which would
    end the test's transaction, so the loop is repeated here around `Worker.run_task`.
    """
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    def run() -> int:
        # The test's transaction never commits; run what its commit would have started.
        from django.db import connection

        pending, connection.run_on_commit = connection.run_on_commit, []
        for _, callback, _ in pending:
            callback()
        ran = 0
        while (result := DBTaskResult.objects.ready().first()) is not None:
            result.claim(worker.worker_id)
            worker.run_task(result)
            ran += 1
        return ran

    return run
