import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resourcecentre.taxonomy.models import Country, Issue, Region
from tests.factories import CompanyFactory, ComponentFactory, StoryFactory

pytestmark = pytest.mark.django_db


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_the_home_page_shows_the_latest_stories_and_news(client):
    StoryFactory(headline="Older story", date=datetime.date(2019, 1, 1))
    StoryFactory(headline="Newest story", date=datetime.date(2024, 1, 1))
    StoryFactory(headline="Draft story", draft=True)
    ComponentFactory(title="Latest item")
    html = client.get("/en/").content.decode()
    assert html.index("Newest story") < html.index("Older story")
    assert "Draft story" not in html
    assert "Latest item" in html
    assert _jsonld(html)["@type"] == "WebSite"


def test_the_root_redirects_to_the_language_prefixed_home(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_a_component_page_names_the_stories_it_belongs_to(client):
    component = ComponentFactory(title="Union statement on the strike", author="", excerpt="<p>We stand…</p>")
    first = StoryFactory(headline="Bangladesh: Garment strike", components=[component])
    second = StoryFactory(headline="Global: Wage campaigns", components=[component])
    StoryFactory(headline="Hidden draft", draft=True, components=[component])
    html = client.get(component.get_absolute_url()).content.decode()
    assert "<h1" in html and "Union statement on the strike" in html
    assert "Part of these stories" in html
    assert f'href="{first.get_absolute_url()}"' in html and f'href="{second.get_absolute_url()}"' in html
    assert "Hidden draft" not in html
    data = _jsonld(html)
    assert data["@type"] == "NewsArticle" and data["author"] == {
        "@type": "Organization",
        "name": "Daily Ledger",
    }


def test_a_draft_component_is_not_public(client):
    assert client.get(ComponentFactory(draft=True).get_absolute_url()).status_code == 404


def test_pages_carry_title_description_canonical_and_open_graph(client):
    story = StoryFactory(
        headline="Peru: Mine accused of water contamination",
        summary="<p>Residents say <b>rivers</b> changed.</p>",
    )
    html = client.get(story.get_absolute_url() + "?page=1").content.decode()
    assert "<title>Peru: Mine accused of water contamination – Resource Centre</title>" in html
    assert '<meta name="description" content="Residents say rivers changed.">' in html
    assert f'<link rel="canonical" href="http://testserver{story.get_absolute_url()}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'type="application/rss+xml"' in html
    assert _jsonld(html)["headline"] == "Peru: Mine accused of water contamination"


def test_json_ld_cannot_be_broken_out_of(client):
    story = StoryFactory(headline="</script><script>alert(1)</script>")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    assert _jsonld(html)["headline"] == "</script><script>alert(1)</script>"


def test_a_company_page_lists_its_stories_and_news_newest_first(client):
    company = CompanyFactory(name="Kestrel Mining plc", website="https://kestrel.example")
    company.names.create(name="ケストレル鉱業", kind="alias")
    company.identifiers.create(scheme="lei", value="529900T8BM49AURSDO55")
    company.save()
    old = ComponentFactory(title="Old allegation", date=datetime.date(2018, 1, 1))
    new = ComponentFactory(title="New allegation", date=datetime.date(2023, 1, 1))
    for component in (old, new):
        component.companies.set([company])
        component.save()
    story = StoryFactory(headline="Chile: Kestrel and water rights", components=[old])
    story.companies.set([company])
    story.save()
    ComponentFactory(title="Someone else's news")
    html = client.get(company.get_absolute_url()).content.decode()
    assert "Kestrel Mining plc" in html and "ケストレル鉱業" in html and "529900T8BM49AURSDO55" in html
    assert html.index("New allegation") < html.index("Old allegation")
    assert "Chile: Kestrel and water rights" in html
    assert "Someone else" not in html
    assert "Get RSS feed of these results" in html
    data = _jsonld(html)
    assert data["@type"] == "Organization" and data["leiCode"] == "529900T8BM49AURSDO55"


def test_tag_pages_list_what_is_tagged_and_a_region_includes_its_countries(client):
    kenya = Country.objects.get(code="KE")
    issue = Issue.objects.create(name="Pesticides")
    component = ComponentFactory(title="Flower farms and pesticides")
    component.countries.set([kenya])
    component.issues.set([issue])
    component.save()
    ComponentFactory(title="Untagged item")
    for url in (
        kenya.get_absolute_url(),
        issue.get_absolute_url(),
        Region.objects.get(name="Africa").get_absolute_url(),
    ):
        html = client.get(url).content.decode()
        assert "Flower farms and pesticides" in html, url
        assert "Untagged item" not in html, url
    assert client.get(Region.objects.get(name="North America").get_absolute_url()).status_code == 200
    assert (
        "Flower farms"
        not in client.get(Region.objects.get(name="North America").get_absolute_url()).content.decode()
    )
    assert client.get("/en/issues/no-such-issue/").status_code == 404


def test_listing_pages_use_a_fixed_number_of_queries(client):
    company = CompanyFactory()
    counts = []
    for count in (2, 25):
        for component in ComponentFactory.create_batch(count):
            component.companies.set([company])
            component.save()
        client.get(company.get_absolute_url())
        with CaptureQueriesContext(connection) as company_queries:
            client.get(company.get_absolute_url())
        with CaptureQueriesContext(connection) as home_queries:
            client.get("/en/")
        counts.append((len(company_queries), len(home_queries)))
    assert counts[0] == counts[1]
    assert counts[1][0] <= 12 and counts[1][1] <= 6


def test_robots_and_sitemap_point_at_public_content(client):
    story = StoryFactory()
    ComponentFactory(draft=True, title="draft")
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-stories.xml" in index and "sitemap-news.xml" in index
    stories = client.get("/sitemap-stories.xml").content.decode()
    assert story.get_absolute_url() in stories


def test_the_header_reaches_search_stories_and_about(client):
    html = client.get("/en/").content.decode()
    assert 'href="/en/search/"' in html
    assert 'href="/en/search/?kind=story&amp;sort=newest"' in html
    assert 'href="/en/about/"' in html and 'rel="icon"' in html
    about = client.get("/en/about/")
    assert about.status_code == 200 and "tracks what companies do to human rights" in about.content.decode()
