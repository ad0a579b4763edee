"""Fixtures for the browser tests: the demo data set served by a live server."""

import pytest
from django.conf import settings
from django.utils.translation import override

from resourcecentre.demo.services import demo_load
from resourcecentre.news.models import Story

from .pages import SEED_HEADLINE


@pytest.fixture
def demo(committed_db, rebuild_index) -> Story:
    """The demo data set, loaded for a browser to see through `live_server`; returns the seed story.

    The browser reads through the live server's own thread, so the data must be committed
    (`transactional_db`), and every transactional test ends with a flush that also deletes what
    the migrations loaded. Restoring that here, on a clean slate, makes each test start from the
    same database whatever ran before it (pytest-django's own restore is skipped on Playwright's
    connection, and a transactional test without serialized rollback leaves rows that clash with it).
    Company and tag pages list their news from the search index, so it is built too.
    """
    demo_load()
    rebuild_index()
    return Story.objects.get(headline=SEED_HEADLINE)


@pytest.fixture(autouse=True)
def _english_addresses():
    """Paths built in a test (`get_absolute_url`, `translate_url`) start from English.

    Django's test client leaves the last request's language active in the test's thread, so a
    test that fetched a Russian page would otherwise hand the next test Russian addresses.
    """
    with override(settings.LANGUAGE_CODE):
        yield
