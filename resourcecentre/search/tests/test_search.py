import datetime
import re
from collections import Counter
from html import unescape

import feedparser
import pytest
from django.core.management import call_command

from resourcecentre.news.models import Component, ComponentTranslation, ComponentType
from resourcecentre.taxonomy.models import Country, Region
from tests.factories import CompanyFactory, ComponentFactory, IssueFactory, StoryFactory

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    html = response.content.decode()
    return [unescape(t) for t in re.findall(r'<h3 class="teaser__title"><a href="[^"]+">([^<]+)</a>', html)]


def _facet(response, param: str) -> dict[str, int]:
    """{label: count} of one facet as the page shows it."""
    html = response.content.decode()
    return {
        unescape(label.strip()): int(count)
        for label, count in re.findall(
            rf'name="{param}" value="[^"]*"(?: checked)?> ([^<]+?) <span class="facet__count">\((\d+)\)', html
        )
    }


def _tag(component, **tags):
    for field, values in tags.items():
        getattr(component, field).set(values)
    component.save()
    return component


@pytest.fixture
def world(rebuild_index):
    kestrel = CompanyFactory(name="Kestrel Mining plc")
    northwind = CompanyFactory(name="Northwind Apparel Ltd")
    kenya, peru, france = (Country.objects.get(code=c) for c in ("KE", "PE", "FR"))
    land, wages = IssueFactory(name="Land rights"), IssueFactory(name="Wages")
    response_type = ComponentType.objects.get(slug="company-response")
    items = {
        "evictions": _tag(
            ComponentFactory(title="Kestrel accused over evictions", date=datetime.date(2021, 5, 1)),
            companies=[kestrel],
            countries=[kenya],
            issues=[land],
        ),
        "water": _tag(
            ComponentFactory(
                title="Peruvian villagers say the mine poisoned their water", date=datetime.date(2023, 2, 1)
            ),
            companies=[kestrel],
            countries=[peru],
            issues=[land],
        ),
        "reply": _tag(
            ComponentFactory(
                title="Kestrel Mining's response", type=response_type, date=datetime.date(2023, 3, 1)
            ),
            companies=[kestrel],
            countries=[peru],
        ),
        "strike": _tag(
            ComponentFactory(
                title="Garment workers strike over unpaid wages", date=datetime.date(2019, 1, 1)
            ),
            companies=[northwind],
            countries=[kenya],
            issues=[wages],
        ),
        "spanish": _tag(
            ComponentFactory(
                title="Los trabajadores denuncian despidos",
                excerpt="<p>El sindicato afirma que la empresa despidió a cien trabajadoras en Perú.</p>",
                language="es",
                date=datetime.date(2022, 7, 1),
            ),
            countries=[peru],
            issues=[wages],
        ),
        "japanese": ComponentFactory(
            title="技能実習生が長時間労働を訴え",
            excerpt="<p>縫製工場のベトナム人技能実習生が残業代の未払いを訴えた。</p>",
            language="ja",
            date=datetime.date(2024, 1, 10),
        ),
        "arabic": ComponentFactory(
            title="عمال التوصيل يشكون من الحر الشديد",
            excerpt="<p>قال العمال إن الشركة خصمت من أجورهم.</p>",
            language="ar",
            date=datetime.date(2024, 6, 1),
        ),
        "french": _tag(
            ComponentFactory(
                title="Le café des coopératives sous la loupe",
                excerpt="<p>Des enfants travaillent dans les plantations.</p>",
                language="fr",
                date=datetime.date(2020, 9, 1),
            ),
            countries=[france],
        ),
        "draft": ComponentFactory(title="Kestrel draft that must stay hidden", draft=True),
    }
    story = StoryFactory(headline="Peru: Kestrel mine and water", components=[items["water"], items["reply"]])
    story.companies.set([kestrel])
    story.countries.set([peru])
    story.save()
    rebuild_index()
    return {**items, "story": story, "kestrel": kestrel, "northwind": northwind, "land": land}


def test_one_box_finds_stories_news_and_companies(client, world):
    response = client.get("/en/search/", {"q": "kestrel"})
    titles = _titles(response)
    assert "Kestrel Mining plc" in titles
    assert "Peru: Kestrel mine and water" in titles
    assert "Kestrel accused over evictions" in titles
    assert "Kestrel draft that must stay hidden" not in titles
    assert _facet(response, "kind") == {"News items": 3, "Stories": 1, "Companies": 1}


def test_facet_counts_equal_a_direct_database_count(client, world):
    response = client.get("/en/search/", {"kind": "component"})
    published = Component.objects.published()
    countries = _facet(response, "country")
    for code, name in (("KE", "Kenya"), ("PE", "Peru"), ("FR", "France")):
        assert countries[name] == published.filter(countries__code=code).count()
    assert (
        _facet(response, "company")["Kestrel Mining plc"]
        == published.filter(companies=world["kestrel"]).count()
    )
    assert _facet(response, "issue")["Land rights"] == published.filter(issues=world["land"]).count()
    regions = _facet(response, "region")
    assert (
        regions["Latin America & Caribbean"]
        == published.filter(countries__region__name="Latin America & Caribbean").distinct().count()
    )
    assert _facet(response, "language") == {
        "English": published.filter(language="en").count(),
        "Español": 1,
        "日本語": 1,
        "العربية": 1,
        "Français": 1,
    }


def test_filters_combine_with_and_across_and_or_within(client, world):
    both = client.get("/en/search/", {"country": ["kenya", "peru"], "kind": "component"})
    assert len(_titles(both)) == 5
    narrowed = client.get(
        "/en/search/", {"country": ["kenya", "peru"], "issue": "land-rights", "kind": "component"}
    )
    assert sorted(_titles(narrowed)) == [
        "Kestrel accused over evictions",
        "Peruvian villagers say the mine poisoned their water",
    ]
    # A selected facet still shows the counts of its other values, so a reader can add them.
    counts = _facet(client.get("/en/search/", {"country": "kenya", "kind": "component"}), "country")
    assert counts["Kenya"] == 2 and counts["Peru"] == 3


def test_type_language_region_and_date_filters(client, world):
    assert _titles(client.get("/en/search/", {"type": "company-response"})) == ["Kestrel Mining's response"]
    assert _titles(client.get("/en/search/", {"language": "ja"})) == ["技能実習生が長時間労働を訴え"]
    africa = client.get("/en/search/", {"region": "africa", "kind": "component"})
    assert sorted(_titles(africa)) == [
        "Garment workers strike over unpaid wages",
        "Kestrel accused over evictions",
    ]
    dated = client.get(
        "/en/search/", {"date_from": "2023-01-01", "date_to": "2023-12-31", "kind": "component"}
    )
    assert sorted(_titles(dated)) == [
        "Kestrel Mining's response",
        "Peruvian villagers say the mine poisoned their water",
    ]


def test_sorting_by_date_either_way(client, world):
    newest = _titles(client.get("/en/search/", {"q": "kestrel", "kind": "component", "sort": "newest"}))
    assert newest == [
        "Kestrel Mining's response",
        "Peruvian villagers say the mine poisoned their water",
        "Kestrel accused over evictions",
    ]
    oldest = _titles(client.get("/en/search/", {"q": "kestrel", "kind": "component", "sort": "oldest"}))
    assert oldest == list(reversed(newest))


def test_language_aware_matching(client, world):
    # Spanish stemming: an inflected form finds the item; accents are folded.
    assert "Los trabajadores denuncian despidos" in _titles(
        client.get("/en/search/", {"q": "trabajador despido"})
    )
    assert "Le café des coopératives sous la loupe" in _titles(
        client.get("/en/search/", {"q": "cafe cooperative"})
    )
    assert "Le café des coopératives sous la loupe" in _titles(client.get("/en/search/", {"q": "enfant"}))
    # English stemming.
    assert "Garment workers strike over unpaid wages" in _titles(
        client.get("/en/search/", {"q": "striking worker"})
    )
    # CJK: a substring of a Japanese title finds it.
    assert "技能実習生が長時間労働を訴え" in _titles(client.get("/en/search/", {"q": "長時間労働"}))
    assert "技能実習生が長時間労働を訴え" in _titles(client.get("/en/search/", {"q": "実習"}))
    # Arabic: a word with the definite article finds the form without it.
    assert "عمال التوصيل يشكون من الحر الشديد" in _titles(client.get("/en/search/", {"q": "العمال"}))


def test_phrases_and_exclusions(client, world):
    phrase = {"q": '"unpaid wages"', "kind": "component"}
    assert _titles(client.get("/en/search/", phrase)) == ["Garment workers strike over unpaid wages"]
    assert _titles(client.get("/en/search/", {"q": '"wages unpaid"', "kind": "component"})) == []
    three = {"q": '"strike over unpaid"', "kind": "component"}
    assert _titles(client.get("/en/search/", three)) == ["Garment workers strike over unpaid wages"]
    assert _titles(client.get("/en/search/", {"q": '"strike unpaid over"', "kind": "component"})) == []
    assert _titles(client.get("/en/search/", {"q": '"長時間労働"'})) == ["技能実習生が長時間労働を訴え"]
    excluded = _titles(client.get("/en/search/", {"q": "kestrel -evictions", "kind": "component"}))
    assert "Kestrel accused over evictions" not in excluded and excluded


def test_matches_are_highlighted_in_snippets(client, world):
    html = client.get("/en/search/", {"q": "trabajadoras"}).content.decode()
    assert "<mark>trabajadoras</mark>" in html


def test_hostile_and_odd_queries_never_fail(client, world):
    components = Component.objects.count()
    for q in [
        '"',
        "*",
        "NEAR",
        "-",
        "(",
        'kestrel" OR 1=1 --',
        "'; DROP TABLE news_component; --",
        "title:kestrel^10",
        "a" * 5000,
        "\\",
        "AND OR NOT",
    ]:
        response = client.get("/en/search/", {"q": q})
        assert response.status_code == 200, q
    assert Component.objects.count() == components
    for params in (
        {"q": "kestrel\x00"},
        {"country": "\x00"},
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
    ):
        assert client.get("/en/search/", params).status_code == 200, params
    assert "outside the archive" in client.get("/en/search/", {"date_from": "0001-01-01"}).content.decode()
    assert client.get("/en/search/companies.json", {"q": "ke\x00"}).status_code == 200
    # Punctuation between words is not a word that must match.
    assert "Kestrel Mining plc" in _titles(client.get("/en/search/", {"q": "Kestrel & mining - plc"}))
    long_query = client.get("/en/search/", {"q": "kestrel " * 200})
    assert "only its first 500 characters were used" in long_query.content.decode()


def test_unknown_and_malformed_parameters_are_ignored_with_a_note(client, world):
    response = client.get(
        "/en/search/",
        {
            "q": "kestrel",
            "page": "-3",
            "sort": "sideways",
            "date_from": "yesterday",
            "country": "atlantis",
            "x": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a date like 2020-06-12" in html
    assert "Some Countries choices were not recognised" in html
    assert "Kestrel Mining plc" in html


def test_pagination_edges(client, world, rebuild_index):
    ComponentFactory.create_batch(45, title="Routine audit report")
    rebuild_index()
    pages = [_titles(client.get("/en/search/", {"q": "routine", "page": n})) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [20, 20, 5]
    assert Counter(pages[0] + pages[1] + pages[2]) == Counter({"Routine audit report": 45})
    beyond = client.get("/en/search/", {"q": "routine", "page": 99})
    assert beyond.status_code == 200 and "Page 3 of 3" in beyond.content.decode()
    assert len(_titles(beyond)) == 5


def test_zero_results_say_so_and_suggest_removing_a_filter(client, world):
    response = client.get("/en/search/", {"q": "kestrel", "country": "france"})
    html = response.content.decode()
    assert "Nothing matches this search." in html
    assert "Without France: 5 results" in html
    assert 'href="?q=kestrel"' in html


def test_the_state_lives_in_the_url(client, world):
    response = client.get("/en/search/", {"q": "kestrel", "country": "peru", "sort": "newest"})
    html = response.content.decode()
    assert 'value="peru" checked' in html
    assert '<option value="newest" selected>' in html
    assert "/en/search/rss/?q=kestrel&amp;country=peru&amp;sort=newest" in html


def test_company_names_autocomplete(client, world):
    world["kestrel"].names.create(name="ケストレル鉱業", kind="alias")
    world["kestrel"].save()
    data = client.get("/en/search/companies.json", {"q": "kes"}).json()
    assert [c["name"] for c in data["results"]] == ["Kestrel Mining plc"]
    assert (
        client.get("/en/search/companies.json", {"q": "ケスト"}).json()["results"][0]["slug"]
        == world["kestrel"].slug
    )
    # Without JavaScript the typed name becomes a filter.
    response = client.get("/en/search/", {"company_lookup": "Northwind", "q": "strike"})
    assert response.status_code == 302
    assert response["Location"] == f"/en/search/?q=strike&company={world['northwind'].slug}"


def test_search_feeds_carry_the_same_filters(client, world):
    for feed_format, version in (("rss", "rss20"), ("atom", "atom10")):
        response = client.get(f"/en/search/{feed_format}/", {"q": "kestrel", "country": "peru"})
        feed = feedparser.parse(response.content)
        assert not feed.bozo and feed.version == version
        assert [e.title for e in feed.entries] == [
            "Kestrel Mining's response",
            "Peru: Kestrel mine and water",
            "Peruvian villagers say the mine poisoned their water",
        ] or [e.title for e in feed.entries] == [
            "Kestrel Mining's response",
            "Peruvian villagers say the mine poisoned their water",
            "Peru: Kestrel mine and water",
        ]
        assert {e.id.split(":")[-2] for e in feed.entries} == {"component", "story"}
        second = client.get(
            f"/en/search/{feed_format}/",
            {"q": "kestrel", "country": "peru"},
            HTTP_IF_NONE_MATCH=response["ETag"],
        )
        assert second.status_code == 304
    json_feed = client.get("/en/search/json/", {"q": "kestrel", "country": "peru"}).json()
    assert json_feed["version"] == "https://jsonfeed.org/version/1.1"
    assert len(json_feed["items"]) == 3 and all(item["id"].startswith("tag:") for item in json_feed["items"])


def test_without_an_index_search_says_it_is_rebuilding_and_pages_still_render(client, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "nowhere"
    company = CompanyFactory(name="Kestrel Mining plc")
    _tag(ComponentFactory(title="Kestrel accused over evictions"), companies=[company])
    response = client.get("/en/search/", {"q": "kestrel"})
    assert response.status_code == 503
    assert "Search is being rebuilt" in response.content.decode()
    assert "Kestrel accused over evictions" in client.get(company.get_absolute_url()).content.decode()


def test_an_empty_index_finds_nothing_politely(client, rebuild_index):
    rebuild_index()
    response = client.get("/en/search/", {"q": "anything"})
    assert response.status_code == 200
    assert "Nothing matches this search." in response.content.decode()


def test_publishing_unpublishing_and_deleting_reach_the_index_through_the_task_queue(
    client, rebuild_index, run_tasks
):
    rebuild_index()
    component = ComponentFactory(title="Newly published allegation about tailings")
    ComponentTranslation.objects.create(
        component=component, language="fr", title="Allégation sur les résidus miniers"
    )
    assert _titles(client.get("/en/search/", {"q": "tailings"})) == []
    assert run_tasks() >= 1
    assert _titles(client.get("/en/search/", {"q": "tailings"})) == [
        "Newly published allegation about tailings"
    ]
    assert _titles(client.get("/en/search/", {"q": "résidus"})) == [
        "Newly published allegation about tailings"
    ]

    component.live = False
    component.save()
    run_tasks()
    assert _titles(client.get("/en/search/", {"q": "tailings"})) == []

    component.live = True
    component.save()
    run_tasks()
    component.delete()
    run_tasks()
    assert _titles(client.get("/en/search/", {"q": "tailings"})) == []


def test_retagging_reaches_the_facets(client, rebuild_index, run_tasks):
    component = ComponentFactory(title="Flower farm report")
    rebuild_index()
    component.countries.set([Country.objects.get(code="KE")])
    component.save()
    run_tasks()
    assert _facet(client.get("/en/search/", {"q": "flower"}), "country") == {"Kenya": 1}
    assert _facet(client.get("/en/search/", {"q": "flower"}), "region") == {"Africa": 1}


def test_rebuild_command_shows_progress_and_a_summary(capsys):
    ComponentFactory.create_batch(3)
    call_command("rebuild_search_index")
    captured = capsys.readouterr()
    assert "Indexed 3 items" in captured.out
    assert "100.0%" in captured.err


def test_region_tag_pages_are_served_from_the_index(client, world):
    html = client.get(Region.objects.get(name="Africa").get_absolute_url()).content.decode()
    assert "Kestrel accused over evictions" in html and "Garment workers strike" in html
    assert "Peruvian villagers" not in html


def test_a_company_search_finds_what_is_tagged_with_it_even_after_a_rename(client, world, run_tasks):
    untagged_text = "Peruvian villagers say the mine poisoned their water"
    assert untagged_text in _titles(client.get("/en/search/", {"q": "kestrel", "kind": "component"}))
    kestrel = world["kestrel"]
    kestrel.name = "Falcon Minerals plc"
    kestrel.save()
    run_tasks()
    assert untagged_text in _titles(client.get("/en/search/", {"q": "falcon", "kind": "component"}))


def test_a_mistyped_year_does_not_stop_the_index(client, rebuild_index, run_tasks):
    rebuild_index()
    ComponentFactory(title="Typo in the year", date=datetime.date(202, 1, 1))
    ComponentFactory(title="Next item about quarries")
    run_tasks()
    assert _titles(client.get("/en/search/", {"q": "quarries"})) == ["Next item about quarries"]
    assert _titles(client.get("/en/search/", {"q": "typo"})) == ["Typo in the year"]


def test_the_search_feed_says_when_the_index_is_missing(client, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "nowhere"
    response = client.get("/en/search/rss/", {"q": "kestrel"})
    assert response.status_code == 503 and response["Retry-After"] == "120"


def test_deleting_a_tag_or_renaming_a_source_reaches_the_index(client, world, run_tasks):
    assert _facet(client.get("/en/search/", {"kind": "component"}), "issue")["Land rights"] == 2
    world["land"].delete()
    run_tasks()
    assert "Land rights" not in _facet(client.get("/en/search/", {"kind": "component"}), "issue")
    source = world["strike"].source
    source.name = "The Morning Bulletin"
    source.save()
    run_tasks()
    assert "Garment workers strike over unpaid wages" in _titles(client.get("/en/search/", {"q": "bulletin"}))


def test_an_index_from_another_release_is_treated_as_missing(client, rebuild_index, settings):
    rebuild_index()
    assert client.get("/en/search/").status_code == 200
    (settings.SEARCH_INDEX_DIR / "current" / "schema_version").write_text("0")
    from resourcecentre.search.services import index_store

    index_store()._open = None
    assert client.get("/en/search/").status_code == 503


def test_items_with_many_countries_count_under_each(client, rebuild_index, run_tasks):
    codes = ["KE", "UG", "TZ", "RW", "BI"]
    _tag(
        ComponentFactory(title="Great Lakes supply chain report"),
        countries=Country.objects.filter(code__in=codes),
    )
    _tag(ComponentFactory(title="Kenya only report"), countries=[Country.objects.get(code="KE")])
    rebuild_index()
    counts = _facet(client.get("/en/search/", {"q": "report"}), "country")
    assert counts == {"Kenya": 2, "Uganda": 1, "Tanzania": 1, "Rwanda": 1, "Burundi": 1}
    _tag(
        ComponentFactory(title="A later report on five countries"),
        countries=Country.objects.filter(code__in=codes),
    )
    run_tasks()
    assert _facet(client.get("/en/search/", {"q": "report"}), "country")["Burundi"] == 2


def test_archive_wide_counts_of_a_selected_facet_follow_the_index(client, world, run_tasks):
    counts = _facet(
        client.get("/en/search/", {"company": world["kestrel"].slug, "kind": "component"}), "company"
    )
    assert counts == {"Kestrel Mining plc": 3, "Northwind Apparel Ltd": 1}
    _tag(ComponentFactory(title="Another Northwind item"), companies=[world["northwind"]])
    run_tasks()
    counts = _facet(
        client.get("/en/search/", {"company": world["kestrel"].slug, "kind": "component"}), "company"
    )
    assert counts == {"Kestrel Mining plc": 3, "Northwind Apparel Ltd": 2}
