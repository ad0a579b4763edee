"""The search page's hits and facet checkboxes, which are built in Python (search_tags.py): what
editors, companies and other sites wrote is escaped, and each kind of hit shows its own parts."""

import datetime
import re

import pytest

from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, ComponentFactory, StoryFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & <b onmouseover=1>'


def _hits(html: str) -> list[str]:
    return re.findall(r'<li class="hit".*?</li>', html, re.DOTALL)


def test_hostile_titles_names_and_labels_are_escaped(client, rebuild_index):
    company = CompanyFactory(name=f"Plover {HOSTILE}")
    component = ComponentFactory(title=f"Plover mine {HOSTILE}", excerpt=f"<p>Plover {HOSTILE}</p>")
    component.companies.set([company])
    component.save()
    rebuild_index()

    html = client.get("/en/search/", {"q": "plover"}).content.decode()

    assert "<script>" not in html.split("<main", 1)[1]
    assert "<b onmouseover" not in html
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b onmouseover=1&gt;"
    assert f'<a href="{component.get_absolute_url()}">Plover mine {escaped}</a>' in html
    assert f'<a href="{company.get_absolute_url()}">Plover {escaped}</a>' in html
    # The companies facet counts the news item and the company itself.
    assert f'value="{company.slug}"> Plover {escaped} <span class="facet__count">(2)</span>' in html


def test_each_kind_of_hit_shows_its_language_kind_date_and_highlighted_passage(client, rebuild_index):
    ComponentFactory(
        title="Heron workers strike",
        excerpt="<p>Heron workers walked out.</p>",
        language="fr",
        date=datetime.date(2024, 3, 5),
    )
    StoryFactory(headline="Heron: the strike", summary="<p>Heron workers and the strike.</p>")
    CompanyFactory(name="Heron Holdings", summary="Heron makes things.")
    rebuild_index()

    hits = {
        re.search(r'class="component__type">([^<]+)<', hit).group(1): hit
        for hit in _hits(client.get("/en/search/", {"q": "heron", "sort": "newest"}).content.decode())
    }

    news_type = next(kind for kind in hits if kind not in ("Story", "Company"))
    assert 'lang="fr"' in hits[news_type]
    assert '<time datetime="2024-03-05" lang="en">5 March 2024</time>' in hits[news_type]
    assert "<mark>Heron</mark> workers walked out." in hits[news_type]
    assert 'lang="en"' in hits["Story"] and "Heron: the strike" in hits["Story"]
    assert '<p class="hit__snippet"><mark>Heron</mark> workers and the strike.</p>' in hits["Story"]
    assert 'lang="und"' in hits["Company"] and "<time" not in hits["Company"]
    assert "<mark>Heron</mark> makes things." in hits["Company"]


def test_a_selected_facet_value_stays_checked_and_the_others_do_not(client, rebuild_index):
    kenya, peru = Country.objects.get(code="KE"), Country.objects.get(code="PE")
    for number, country in enumerate([kenya, kenya, peru]):
        component = ComponentFactory(title=f"Egret report {number}")
        component.countries.set([country])
        component.save()
    rebuild_index()

    html = client.get("/en/search/", {"q": "egret", "country": kenya.slug}).content.decode()

    assert f'name="country" value="{kenya.slug}" checked> Kenya <span class="facet__count">(2)</span>' in html
    assert f'name="country" value="{peru.slug}"> Peru <span class="facet__count">(1)</span>' in html
