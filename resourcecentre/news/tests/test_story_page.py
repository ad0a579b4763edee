import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resourcecentre.news.models import ComponentTranslation, StoryComponent
from tests.factories import ComponentFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_story():
    npr = SourceFactory(name="NPR")
    older = ComponentFactory(
        title="Amazon announces facial recognition support after own technology faces privacy concerns",
        date=datetime.date(2019, 10, 16),
        author="Todd Bishop",
        source=SourceFactory(name="GeekWire"),
        original_title="Bezos: Facial recognition 'a perfect example' of the need for regulation",
        original_date=datetime.date(2019, 9, 25),
        url="https://www.geekwire.com/2019/bezos-facial-recognition/",
    )
    newer = ComponentFactory(
        title="Amazon implements a one-year moratorium on police use of its facial recognition technology",
        date=datetime.date(2020, 6, 12),
        author="Bobby Allyn",
        source=npr,
        original_title="Amazon halts police use of its facial recognition technology",
        excerpt="<p>... [t]he proposed bill would limit how much ... could use it ...</p>",
    )
    ComponentTranslation.objects.create(
        component=newer,
        language="ja",
        title="アマゾン、顔認識技術の警察利用を停止",
        excerpt="<p>アマゾンは…</p>",
    )
    draft = ComponentFactory(title="An unpublished draft item", draft=True, date=datetime.date(2021, 1, 1))
    return StoryFactory(
        headline="USA: Amazon CEO announces support for facial recognition regulation",
        summary="<p>The company says it backs some regulation; civil society groups raise concerns.</p>",
        components=[older, newer, draft],
    )


def test_it_shows_the_story_like_the_original(client, seed_story):
    response = client.get(seed_story.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "USA: Amazon CEO announces support for facial recognition regulation" in html
    assert "civil society groups raise concerns" in html
    assert "Get RSS feed of these results" in html
    assert "All components of this story" in html
    assert "Author: Bobby Allyn, NPR" in html
    assert "“Amazon halts police use of its facial recognition technology”" in html
    assert "“Bezos: Facial recognition &#x27;a perfect example&#x27; of the need for regulation”, " in html
    assert "25 September 2019" in html and "12 June 2020" in html
    assert "[t]he proposed bill would limit how much ... could use it ..." in html
    assert html.count("Read the full post here") == 2


def test_it_lists_components_newest_first_and_hides_drafts(client, seed_story):
    html = client.get(seed_story.get_absolute_url()).content.decode()
    assert html.index("one-year moratorium") < html.index("Amazon announces facial recognition support")
    assert "An unpublished draft item" not in html


def test_it_sorts_oldest_first_on_request(client, seed_story):
    html = client.get(seed_story.get_absolute_url() + "?dateorder=dateasc").content.decode()
    assert html.index("one-year moratorium") > html.index("Amazon announces facial recognition support")


def test_it_filters_by_component_type(client, seed_story):
    response_item = ComponentFactory(title="Amazon's response to the allegations", response=True)
    StoryComponent.objects.create(story=seed_story, component=response_item)
    html = client.get(seed_story.get_absolute_url() + "?componenttype=company-response").content.decode()
    assert "Amazon&#x27;s response to the allegations" in html
    assert "one-year moratorium" not in html


def test_unknown_or_malformed_parameters_fall_back_to_defaults(client, seed_story):
    url = seed_story.get_absolute_url() + "?dateorder=<script>&page=abc&componenttype=nope&x=1"
    response = client.get(url)
    assert response.status_code == 200
    assert "No components match these choices." in response.content.decode()
    response = client.get(seed_story.get_absolute_url() + "?page=999")
    assert "one-year moratorium" in response.content.decode()


def test_translations_sit_behind_a_toggle_named_in_their_own_language(client, seed_story):
    html = client.get(seed_story.get_absolute_url()).content.decode()
    assert re.search(
        r'<details class="translation">\s*<summary><span class="translation__show" lang="ja">\+ 日本語', html
    )
    assert "- Hide" in html
    assert '<div class="translation__body" lang="ja" dir="ltr">' in html
    assert "アマゾン、顔認識技術の警察利用を停止" in html


def test_it_pages_long_stories(client, settings):
    settings.STORY_COMPONENTS_PER_PAGE = 5
    story = StoryFactory(components=ComponentFactory.create_batch(12))
    page_three = client.get(story.get_absolute_url() + "?page=3").content.decode()
    assert page_three.count('<article class="component"') == 2
    assert "Page 3 of 3" in page_three
    assert 'rel="prev" href="?page=2"' in page_three


def test_the_number_of_queries_does_not_grow_with_components(client):
    small = StoryFactory(components=ComponentFactory.create_batch(3))
    large = StoryFactory(components=ComponentFactory.create_batch(40))
    cold, warm = [], []
    for story in (small, large):
        for component in story.story_components.all()[:3]:
            ComponentTranslation.objects.create(component=component.component, language="fr", title="Titre")
        cache.clear()
        for counts in (cold, warm):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(story.get_absolute_url()).status_code == 200
            counts.append(len(queries))
    assert cold[0] == cold[1] and warm[0] == warm[1]
    assert cold[1] <= 15 and warm[1] <= 6


def test_hostile_excerpts_render_as_harmless_text(client):
    component = ComponentFactory(
        excerpt='<p>Hi<script>alert("x")</script><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">click</a> <b>broken'
    )
    story = StoryFactory(components=[component])
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:alert" not in html
    assert "click" in html and "<b>broken</b>" in html


def test_an_unknown_story_gives_a_styled_404(client):
    response = client.get("/en/stories/no-such-story/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "site.css" in response.content.decode()


def test_a_draft_story_is_not_public(client):
    story = StoryFactory(draft=True)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_cached_components_show_edits_translations_and_renamed_types(client, seed_story):
    url = seed_story.get_absolute_url()
    client.get(url)
    component = seed_story.story_components.get(component__author="Bobby Allyn").component
    component.title = "A corrected headline for the NPR item"
    component.save()
    assert "A corrected headline for the NPR item" in client.get(url).content.decode()
    ComponentTranslation.objects.create(component=component, language="es", title="Título en español")
    html = client.get(url).content.decode()
    assert "+ Español" in html and "Título en español" in html
    article = component.type
    article.name = "News article"
    article.save()
    assert "News article" in client.get(url).content.decode()
