import pytest
from django.urls import reverse

from resourcecentre.news.models import ComponentTranslation, Story, StoryTranslation

from .conftest import SECRETS, get_json

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def test_a_component_carries_its_ids_canonical_urls_iso_dates_tags_and_translations(api, world):
    item = get_json(api, f"/api/v1/components/{world.evictions.pk}")
    assert item["id"] == world.evictions.pk
    assert item["url"] == f"{SITE}/en/latest-news/{world.evictions.slug}/"
    assert item["api_url"] == f"{SITE}/api/v1/components/{world.evictions.pk}"
    assert item["date"] == "2021-05-01"
    assert item["updated_at"].endswith("Z") and "T" in item["updated_at"]
    assert item["translations"] == [
        {"language": "es", "title": "Kestrel acusada de desalojos", "excerpt": "<p>desalojos</p>"}
    ]
    assert [c["name"] for c in item["companies"]] == ["Kestrel Mining plc"]
    assert item["companies"][0]["api_url"] == f"{SITE}/api/v1/companies/{world.kestrel.pk}"
    assert [c["slug"] for c in item["countries"]] == ["kenya"]
    assert item["countries"][0]["url"] == f"{SITE}/en/countries/kenya/"
    assert item["source"] == {"name": "Daily Ledger", "website": "https://outlet-Ledger.example"}
    assert item["stories"] == [world.story.pk]  # not the draft story it also sits in


def test_every_api_url_in_a_list_answers_with_the_same_object(api, world):
    for collection in ("stories", "components", "companies"):
        for item in get_json(api, f"/api/v1/{collection}")["results"]:
            assert get_json(api, item["api_url"].removeprefix(SITE)) == item


def test_a_story_lists_only_its_published_components_newest_first(api, world):
    story = get_json(api, f"/api/v1/stories/{world.story.pk}")
    assert story["components"] == [world.water.pk, world.evictions.pk]
    assert story["headline"] == "Kenya: Kestrel Mining accused of evictions"
    assert story["url"] == f"{SITE}/en/stories/{world.story.slug}/"


def test_a_story_carries_its_published_translations_but_not_one_added_in_a_draft(api, world):
    assert world.story.get_latest_revision().as_object().translations.count() == 2
    story = get_json(api, f"/api/v1/stories/{world.story.pk}")
    assert story["translations"] == [
        {
            "language": "es",
            "headline": "Kenia: Kestrel Mining acusada de desalojos",
            "summary": "<p>Kenia</p>",
        }
    ]
    [listed] = get_json(api, "/api/v1/stories")["results"]
    assert listed["translations"] == story["translations"]


def test_a_company_has_its_other_names_and_identifiers_but_never_its_contacts(api, world):
    company = get_json(api, f"/api/v1/companies/{world.kestrel.pk}")
    assert company["other_names"] == [{"name": "Kestrel Resources", "kind": "former"}]
    assert company["identifiers"] == [{"scheme": "lei", "value": "529900T8BM49AURSDO55"}]
    assert company["hq_country"]["name"] == "Kenya"
    assert "contacts" not in company and "privatecontact" not in str(company)


def test_drafts_answer_404_as_if_they_did_not_exist(api, world):
    assert api.get(f"/api/v1/components/{world.draft.pk}").status_code == 404
    assert api.get(f"/api/v1/stories/{world.draft_story.pk}").status_code == 404
    assert api.get("/api/v1/components/999999").json()["error"] == "not_found"


def test_no_endpoint_ever_shows_drafts_unpublished_revisions_contacts_or_unpublished_responses(
    api, world, rebuild_index
):
    assert Story.objects.get(pk=world.story.pk).has_unpublished_changes
    rebuild_index()
    urls = [
        "/api/v1/stories",
        "/api/v1/components",
        "/api/v1/companies",
        f"/api/v1/stories/{world.story.pk}",
        f"/api/v1/companies/{world.kestrel.pk}",
        f"/api/v1/companies/{world.northwind.pk}",
        "/api/v1/responses/statistics",
        "/api/v1/search",
        "/api/v1/search?q=kestrel",
        "/api/v1/search?q=DRAFTCOMPONENT",
        "/api/v1/search?q=UNPUBLISHEDREVISION",
        "/api/v1/search?kind=story",
        *[f"/api/v1/taxonomy/{kind}?limit=100" for kind in ("countries", "regions", "issues", "sectors")],
        "/api/v1/openapi.json",
    ]
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (secret, url)
    components = get_json(api, "/api/v1/components")["results"]
    assert {c["id"] for c in components} == {world.evictions.pk, world.water.pk, world.wages.pk}
    assert [s["id"] for s in get_json(api, "/api/v1/stories")["results"]] == [world.story.pk]


def test_taxonomy_lists_each_vocabulary_with_regions_for_countries(api, world):
    countries, url = [], "/api/v1/taxonomy/countries?limit=100"
    while url:
        page = get_json(api, url)
        countries += page["results"]
        url = page["next"]
    assert len(countries) == len({c["id"] for c in countries}) > 240
    kenya = next(c for c in countries if c["slug"] == "kenya")
    assert kenya["code"] == "KE" and kenya["region"]["name"] == "Africa"
    assert kenya["api_url"] == f"{SITE}/api/v1/taxonomy/countries/{kenya['id']}"
    assert get_json(api, kenya["api_url"].removeprefix(SITE)) == kenya
    issues = get_json(api, "/api/v1/taxonomy/issues")["results"]
    assert "Land rights" in [i["name"] for i in issues]
    assert api.get("/api/v1/taxonomy/planets").status_code == 400


def test_response_statistics_are_the_figures_of_the_responses_csv(api, world, client):
    stats = get_json(api, "/api/v1/responses/statistics")
    csv_lines = client.get(reverse("responses:rates_csv")).content.decode().splitlines()[1:]
    from_csv = {tuple(line.split(",")[:3]): line.split(",")[3:] for line in csv_lines}
    from_api = {
        (group["group"], row["key"], row["label"]): [
            str(row[f]) for f in ("requests", "responded", "declined", "no_response", "pending")
        ]
        + ["" if row["rate"] is None else f"{row['rate']:.1f}"]
        for group in stats["groups"]
        for row in group["rows"]
    }
    assert from_api == from_csv
    overall = stats["groups"][0]["rows"][0]
    assert (overall["requests"], overall["responded"], overall["pending"]) == (2, 1, 1)
    assert stats["url"] == f"{SITE}/en/responses/"


@pytest.mark.parametrize(("collection", "budget"), [("stories", 9), ("components", 9), ("companies", 5)])
def test_a_full_page_costs_a_fixed_number_of_queries(
    api, world, django_assert_max_num_queries, collection, budget
):
    from tests.factories import CompanyFactory, ComponentFactory, StoryFactory

    for _ in range(25):
        component = ComponentFactory()
        component.companies.set([world.kestrel])
        ComponentTranslation.objects.create(component=component, language="fr", title="Titre")
        story = StoryFactory(components=[component])
        story.companies.set([world.northwind])
        StoryTranslation.objects.create(story=story, language="fr", headline="Titre")
        CompanyFactory()
    with django_assert_max_num_queries(budget):
        page = get_json(api, f"/api/v1/{collection}?limit=100")
    assert len(page["results"]) > 25


def test_the_api_root_links_the_documentation_and_every_collection(api, rebuild_index):
    rebuild_index()
    index = get_json(api, "/api/v1/")
    assert index["documentation"] == f"{SITE}/api/v1/docs"
    assert index["openapi"] == f"{SITE}/api/v1/openapi.json"
    assert index["open_data"] == f"{SITE}/en/data/"
    assert sorted(index["taxonomy"]) == ["countries", "issues", "regions", "sectors", "stakeholders"]
    links = [index["stories"], index["components"], index["companies"], index["response_statistics"]]
    links += [index["search"], *index["taxonomy"].values()]
    for link in links:
        assert link.startswith(f"{SITE}/api/v1/")
        assert api.get(link.removeprefix(SITE)).status_code == 200, link
