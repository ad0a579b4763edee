"""Faults the site must ride out without a restart (the live versions are in bench/faults.sh)."""

import shutil

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import CompanyFactory, ComponentFactory, StoryFactory

pytestmark = pytest.mark.django_db


def test_with_the_search_index_deleted_pages_render_and_search_says_it_is_rebuilding(client, rebuild_index):
    company = CompanyFactory(name="Heron Oil")
    component = ComponentFactory(title="Heron Oil pipeline leak reported")
    component.companies.add(company)
    component.save()
    story = StoryFactory(headline="Pipeline leak in the delta", components=[component])
    rebuild_index()
    shutil.rmtree(settings.SEARCH_INDEX_DIR)

    assert "Heron Oil pipeline leak reported" in client.get(story.get_absolute_url()).content.decode()
    assert client.get(company.get_absolute_url()).status_code == 200
    search = client.get("/en/search/", {"q": "pipeline"})
    assert search.status_code == 503
    assert "Search is being rebuilt" in search.content.decode()
    assert client.get("/readyz").status_code == 503

    call_command("rebuild_search_index", verbosity=0)

    search = client.get("/en/search/", {"q": "pipeline"})
    assert search.status_code == 200
    assert "Heron Oil pipeline leak reported" in search.content.decode()
    assert client.get("/readyz").status_code == 200
