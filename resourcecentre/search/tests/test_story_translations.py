"""A story's translations are indexed in their own languages' fields, as components' are, and hits
of either kind are shown in the reader's language."""

import pytest
from django.urls import reverse
from django.utils.translation import override

from resourcecentre.news.models import ComponentTranslation, StoryTranslation
from resourcecentre.search.documents import story_documents
from resourcecentre.search.queries import SearchParams, search
from tests.factories import ComponentFactory, StoryFactory

pytestmark = pytest.mark.django_db

HEADLINE = "Kenya: Flower farm workers report exposure to pesticides"


@pytest.fixture
def story():
    story = StoryFactory(headline=HEADLINE, summary="<p>Workers spray without protection.</p>")
    StoryTranslation.objects.create(
        story=story,
        language="es",
        headline="Kenia: Trabajadoras de fincas de flores denuncian exposición a pesticidas",
        summary="<p>Las trabajadoras dicen que fumigan sin equipo de protección.</p>",
    )
    StoryTranslation.objects.create(story=story, language="ja", headline="ケニア：花農園で農薬被害")
    return story


def _story_keys(q: str) -> list[str]:
    results = search(SearchParams(q=q, filters={"kind": ("story",)}))
    return [f"{hit.kind}:{hit.object.pk}" for hit in results.hits]


def _search_page(client, language: str, q: str) -> str:
    with override(language):
        return client.get(reverse("search:search"), {"q": q}).content.decode()


def _first_hit(html: str) -> str:
    """The first hit's markup, from its `<li>` up to its end."""
    hit = html[html.index('<li class="hit"') :]
    return hit[: hit.index("</li>")]


def test_each_translation_is_indexed_in_its_own_languages_field(story):
    (document,) = story_documents([story.pk])
    languages = [language for language, _text in document.texts]
    assert languages == ["en", "es", "ja"]
    assert document.language == "en", "the language facet stays the original's"
    assert "sin equipo de protección" in document.texts[1][1]


def test_a_spanish_word_finds_the_english_story_through_its_translation(story, rebuild_index):
    StoryFactory(headline="Global: Unrelated story about mining")
    rebuild_index()
    # "fumigaciones" only matches through Spanish stemming of the translation ("fumigan").
    assert _story_keys("fumigaciones") == [f"story:{story.pk}"]
    assert _story_keys("農薬") == [f"story:{story.pk}"]
    assert _story_keys("pesticides") == [f"story:{story.pk}"]


def test_a_translation_saved_later_reaches_the_index(story, rebuild_index, run_tasks):
    rebuild_index()
    assert _story_keys("Ernteeinsatz") == []
    StoryTranslation.objects.create(
        story=story, language="de", headline="Kenia: Blumenfarm", summary="<p>Ernteeinsatz</p>"
    )
    run_tasks()
    assert _story_keys("Ernteeinsatz") == [f"story:{story.pk}"]
    StoryTranslation.objects.filter(language="de").get().delete()
    run_tasks()
    assert _story_keys("Ernteeinsatz") == []


def test_the_search_page_shows_the_hit_in_the_readers_language(client, story, rebuild_index):
    rebuild_index()
    hit = _first_hit(_search_page(client, "es", "fumigaciones"))
    assert hit.startswith('<li class="hit" lang="es" dir="ltr">')
    assert "Kenia: Trabajadoras de fincas de flores denuncian exposición a pesticidas</a>" in hit
    assert "<mark>fumigan</mark> sin equipo" in hit, "the snippet is from the version shown"
    html = _search_page(client, "en", "fumigaciones")
    assert '<li class="hit" lang="en" dir="ltr">' in html and f">{HEADLINE}</a>" in html


def test_a_news_item_is_shown_in_the_readers_language_too(client, rebuild_index):
    component = ComponentFactory(
        title="Kenya: Flower farm workers report pesticide exposure",
        original_title="Wafanyakazi wa mashamba ya maua",
        excerpt="<p>Workers spray without protection.</p>",
    )
    ComponentTranslation.objects.create(
        component=component,
        language="es",
        title="Kenia: Trabajadoras de fincas de flores denuncian pesticidas",
        excerpt="<p>Dicen que fumigan sin equipo de protección.</p>",
    )
    rebuild_index()
    hit = _first_hit(_search_page(client, "es", "fumigaciones"))
    assert hit.startswith('<li class="hit" lang="es" dir="ltr">')
    assert "Kenia: Trabajadoras de fincas de flores denuncian pesticidas</a>" in hit
    assert "<mark>fumigan</mark> sin equipo" in hit and "Wafanyakazi" not in hit
    french = _search_page(client, "fr", "pesticide")  # no French translation: the original, in English
    assert '<li class="hit" lang="en" dir="ltr">' in french
    assert "Kenya: Flower farm workers report pesticide exposure</a>" in french
