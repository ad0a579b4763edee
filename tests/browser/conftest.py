"""Fixtures for the browser tests (the demo data set, `demo`, is the root conftest's)."""

import pytest
from django.conf import settings
from django.utils.translation import override


@pytest.fixture(autouse=True)
def _english_addresses():
    """Paths built in a test (`get_absolute_url`, `translate_url`) start from English.

    Django's test client leaves the last request's language active in the test's thread, so a
    test that fetched a Russian page would otherwise hand the next test Russian addresses.
    """
    with override(settings.LANGUAGE_CODE):
        yield
