import email
import email.policy
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.database import database_copy, database_restore

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


@pytest.fixture(autouse=True)
def _own_open_data_dir(settings, tmp_path):
    """Each test writes open data dumps into its own folder, never into var/."""
    settings.OPEN_DATA_DIR = tmp_path / "open-data"


@pytest.fixture
def rebuild_index():
    """Build the search index from the database now, as `rebuild_search_index` does."""
    from resourcecentre.search.services import search_index_rebuild

    return search_index_rebuild


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request through the test client leaves the
    language of the page it fetched active in the thread (`/ja/…` leaves Japanese)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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


@pytest.fixture(scope="session", autouse=True)
def _migrated_rows(django_db_setup, django_db_blocker):
    """What the migrations loaded (countries, regions, component types, Wagtail's root objects),
    copied before any test runs so that `committed_db` can put it back."""
    with django_db_blocker.unblock():
        return database_copy()


@pytest.fixture
def committed_db(transactional_db, _migrated_rows) -> None:
    """A database whose writes are committed (for a live server or a worker process to see),
    starting from what the migrations loaded (countries, regions, component types, Wagtail's
    root objects) whatever ran before.

    Every transactional test ends with a flush that also deletes the migrations' rows, so they
    are written back here.
    """
    database_restore(_migrated_rows)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis of the tests' own: `redis-server` started on a free port for this run.

    It keeps nothing on disk and stops with the run, so the tests neither need nor touch a Redis
    the machine may already run.
    """
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail(
            "No redis-server on PATH. Install it (Debian/Ubuntu: apt-get install redis-server); "
            "the tests start their own on a free port. Redis tests do not skip.",
            pytrace=False,
        )
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (our own argument list, no shell)
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {port}", pytrace=False)
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class SmtpServer:
    """A real SMTP server on localhost; `messages` holds what it received, parsed."""

    host: str
    port: int
    messages: list[email.message.EmailMessage]


@pytest.fixture
def smtp_server(settings):
    """Start aiosmtpd and point Django's SMTP backend at it."""
    from aiosmtpd.controller import Controller

    received: list[email.message.EmailMessage] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        yield SmtpServer("127.0.0.1", port, received)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def _demo_rows() -> list:
    """The database with the demo loaded, copied the first time a test asks for it."""
    return []


@pytest.fixture
def demo(committed_db, rebuild_index, _demo_rows):
    """The demo data set, committed (for a browser to see through `live_server`); returns the
    seed story.

    The first test that asks loads it through the models as `make run` does; every later one gets
    a copy of that database, which is the same data some fifty times faster. Company and tag pages
    list their news from the search index, so it is built too.
    """
    from resourcecentre.demo.services import SEED_HEADLINE, demo_load
    from resourcecentre.news.models import Story

    if _demo_rows:
        database_restore(_demo_rows[0])
    else:
        demo_load()
        _demo_rows.append(database_copy())
    rebuild_index()
    return Story.objects.get(headline=SEED_HEADLINE)
