import pytest
from django.core.management import call_command
from django.utils.translation import override

from resourcecentre.companies.models import Company
from resourcecentre.demo.services import SEED_HEADLINE
from resourcecentre.ingest.models import Candidate
from resourcecentre.news.models import Component, ComponentTranslation, Story, StoryTranslation
from resourcecentre.responses.models import Invitation
from resourcecentre.site_messages.models import SiteMessage

pytestmark = pytest.mark.django_db

# The first test loads the demo through the command, twice. The others start from `demo`, a copy
# of a database the same loader filled (the root conftest's), and load again only what they test.


def _counts():
    return (
        Story.objects.count(),
        Component.objects.count(),
        Company.objects.count(),
        ComponentTranslation.objects.count(),
        StoryTranslation.objects.count(),
        SiteMessage.objects.count(),
        Invitation.objects.count(),
        Candidate.objects.count(),
    )


def test_load_demo_shows_every_feature_and_running_it_twice_changes_nothing(capsys, client):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    output = capsys.readouterr().out
    assert "Admin login: admin / " in output

    assert Story.objects.published().count() >= 31
    assert Component.objects.published().count() >= 151
    assert Component.objects.values("language").distinct().count() >= 4
    assert SiteMessage.objects.active().exists()

    seed = Story.objects.get(headline=SEED_HEADLINE)
    html = client.get(seed.get_absolute_url()).content.decode()
    assert "Author: Bobby Allyn, NPR" in html
    assert "Author: Access Now" in html
    assert "+ 日本語" in html
    assert {c.name for c in seed.companies.all()} >= {"Amazon"}
    assert {c.code for c in seed.countries.all()} == {"US"}
    assert {"Privacy", "Discrimination", "Surveillance"} <= {i.name for i in seed.issues.all()}


def test_the_demo_has_a_response_record_behind_its_company_responses(demo, client):
    kestrel = Invitation.objects.select_related("response_component").get(company__name="Kestrel Mining plc")
    assert kestrel.status == "responded" and kestrel.response_component.title == "Kestrel Mining's response"
    assert Invitation.objects.filter(status="no-response", company__name="Orion Cobalt SARL").exists()
    story_page = client.get(kestrel.request.story.get_absolute_url()).content.decode()
    assert "View response" in story_page and "No response" in story_page
    assert "Companies responded to" in client.get("/en/responses/").content.decode()


def test_the_demo_inbox_holds_tagged_candidates(demo):
    assert Candidate.objects.filter(status="new").count() >= 20
    kestrel = Company.objects.get(name="Kestrel Mining plc")
    assert Candidate.objects.filter(tags__company=kestrel).exists()


def test_the_seed_story_reads_in_spanish_also_in_a_database_loaded_before(demo, client):
    seed = demo
    with override("es"):
        html = client.get(seed.get_absolute_url()).content.decode()
    assert "EE. UU.: El director ejecutivo de Amazon anuncia su apoyo" in html
    assert '<article class="story" lang="es" dir="ltr">' in html
    seed.translations.all().delete()  # as in a database loaded before the translation was written
    call_command("load_demo")
    seed = Story.objects.get(headline=SEED_HEADLINE)
    assert [t.language for t in seed.translations.all()] == ["es"]
    assert [t.language for t in seed.get_latest_revision_as_object().translations.all()] == ["es"]


def test_loading_again_never_republishes_a_story_an_editor_withdrew(demo):
    seed = demo
    seed.translations.all().delete()
    seed.unpublish()
    call_command("load_demo")
    seed.refresh_from_db()
    assert not seed.live
    assert not seed.translations.exists()
