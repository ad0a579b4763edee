"""Fixtures for the browser tests: the demo data set served by a live server."""

import pytest
from django.conf import settings
from django.utils.translation import override

from resourcecentre.demo.services import demo_load
from resourcecentre.news.models import Story
from tests.database import database_copy, database_restore

from .pages import SEED_HEADLINE


@pytest.fixture(scope="session")
def _demo_rows() -> list:
    """The database with the demo loaded, copied the first time a test asks for it."""
    return []


@pytest.fixture
def demo(committed_db, rebuild_index, _demo_rows) -> Story:
    """The demo data set, committed for a browser to see through `live_server`; returns the seed story.

    The first test that asks loads it through the models as `make run` does; every later one gets
    a copy of that database, which is the same data some fifty times faster. Company and tag pages
    list their news from the search index, so it is built too.
    """
    if _demo_rows:
        database_restore(_demo_rows[0])
    else:
        demo_load()
        _demo_rows.append(database_copy())
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
