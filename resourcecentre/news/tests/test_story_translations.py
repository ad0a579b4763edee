"""Stories in more than one language (issue 7, decision 0015): translation rows edited beside the
original, the reader's version on the page and in every list, and the original one click away."""

import json
import re
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError
from django.urls import reverse
from django.utils.translation import override

from resourcecentre.news.models import Component, ComponentTranslation, Story, StoryTranslation
from resourcecentre.news.tests.test_admin import _component_form, _draftail
from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, ComponentFactory, StoryFactory
from tests.languages import page, said, url_in

pytestmark = pytest.mark.django_db

HEADLINE = "Kenya: Flower farm workers report exposure to pesticides"
TITULAR = "Kenia: Trabajadoras de fincas de flores denuncian exposición a pesticidas"


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def not_available(language: str, wanted: str, shown: str) -> str:
    message = "This page is not available in %(wanted)s and is being displayed in %(shown)s."
    return said(language, message, wanted=wanted, shown=shown)


@pytest.fixture
def story():
    story = StoryFactory(
        headline=HEADLINE,
        summary="<p>Workers say they spray pesticides without protective equipment.</p>",
        components=[ComponentFactory(title="Pickers fall ill after spraying")],
    )
    StoryTranslation.objects.create(
        story=story,
        language="es",
        headline=TITULAR,
        summary="<p>Las trabajadoras dicen que fumigan sin equipo de protección.</p>",
    )
    return story


def test_the_reader_sees_the_story_in_their_language_with_the_original_one_click_away(client, story):
    html = page(client, url_in("es", "news:story", slug=story.slug))
    assert '<article class="story" lang="es" dir="ltr">' in html
    assert f'<h1 class="story__headline">{TITULAR}</h1>' in html
    assert "fumigan sin equipo de protección" in html
    read_original = said("es", "Read the original (%(name)s)", name="English")
    assert f'<a href="/en/stories/{story.slug}/" hreflang="en">{read_original}</a>' in unescape(html)
    original = html[html.index('id="original"') :]
    original = original[: original.index("</section>")]
    assert said("es", "Original (%(name)s)", name="English") in unescape(original)
    assert '<div lang="en" dir="ltr">' in original and HEADLINE in original
    assert not_available("es", "español", "inglés") not in unescape(html)


def test_the_title_description_and_structured_data_follow_the_version_shown(client, story):
    html = page(client, url_in("es", "news:story", slug=story.slug))
    assert f"<title>{TITULAR} – " in html
    assert '<meta name="description" content="Las trabajadoras dicen que fumigan' in html
    assert f'<meta property="og:title" content="{TITULAR}">' in html
    data = json_ld(html)
    assert (data["headline"], data["inLanguage"]) == (TITULAR, "es")
    assert data["description"].startswith("Las trabajadoras")
    assert data["translationOfWork"] == {"@type": "NewsArticle", "headline": HEADLINE, "inLanguage": "en"}
    # The address of the page and its alternates stay those of the page, whichever version it shows.
    assert f'<link rel="canonical" href="http://testserver/es/historias/{story.slug}/">' in html
    assert f'hreflang="en" href="http://testserver/en/stories/{story.slug}/"' in html


def test_readers_of_the_original_language_see_it_alone(client, story):
    html = page(client, url_in("en", "news:story", slug=story.slug))
    assert f'<h1 class="story__headline">{HEADLINE}</h1>' in html
    assert TITULAR not in html and 'id="original"' not in html
    assert 'class="content-language"' not in html
    data = json_ld(html)
    assert data["headline"] == HEADLINE and "translationOfWork" not in data


def test_a_reader_with_neither_is_told_every_language_the_story_is_in(client, story):
    html = page(client, url_in("ko", "news:story", slug=story.slug))
    assert not_available("ko", "한국어", "영어") in unescape(html)
    notice = html[html.index('class="content-language"') :]
    notice = notice[: notice.index("</aside>")]
    assert f'<a href="/en/stories/{story.slug}/" lang="en"' in notice
    assert f'<a href="/es/historias/{story.slug}/" lang="es" hreflang="es" dir="ltr">Español</a>' in notice
    assert f'<h1 class="story__headline">{HEADLINE}</h1>' in html


def test_chinese_scripts_are_not_each_others_translation(client):
    story = StoryFactory(headline="Global: Miners strike", language="en")
    StoryTranslation.objects.create(story=story, language="zh-hant", headline="全球：礦工罷工")
    html = page(client, url_in("zh-hans", "news:story", slug=story.slug))
    assert '<h1 class="story__headline">Global: Miners strike</h1>' in html
    assert not_available("zh-hans", "中文 (简体)", "英语") in unescape(html)


def test_every_list_of_stories_shows_the_readers_version(client, story, rebuild_index):
    company = CompanyFactory(name="Rosebloom Farms Ltd")
    kenya = Country.objects.get(code="KE")
    story.companies.set([company])
    story.countries.set([kenya])
    story.save()
    component = story.story_components.get().component
    rebuild_index()
    teaser = '<li class="teaser" lang="es" dir="ltr">'
    with override("es"):
        for path in (
            reverse("home"),
            company.get_absolute_url(),
            kenya.get_absolute_url(),
            component.get_absolute_url(),
        ):
            html = page(client, path)
            assert teaser in html and TITULAR in html, path
            assert HEADLINE not in html, path
        search = page(client, reverse("search:search"), data={"q": "pesticides"})
    assert '<li class="hit" lang="es" dir="ltr">' in search and f">{TITULAR}</a>" in search
    english = page(client, url_in("en", "home"))
    assert HEADLINE in english and TITULAR not in english


def test_lists_load_translations_in_one_query_however_many_stories(client, django_assert_max_num_queries):
    for number in range(8):
        translated = StoryFactory(headline=f"Story {number}")
        StoryTranslation.objects.create(story=translated, language="es", headline=f"Historia {number}")
    client.get(url_in("es", "home"))  # warm the caches every page shares
    with django_assert_max_num_queries(4):
        html = page(client, url_in("es", "home") + "?fresh=1")
    assert all(f"Historia {number}" in html for number in range(8))


def test_saving_or_deleting_a_translation_refreshes_the_cached_story_page(
    client, story, django_assert_num_queries
):
    path = url_in("es", "news:story", slug=story.slug)
    page(client, path)
    with django_assert_num_queries(0):
        assert TITULAR in page(client, path)  # from the page cache
    before = Story.objects.get(pk=story.pk).updated_at
    translation = story.translations.get()
    translation.headline = "Kenia: Corrección del titular"
    translation.save()
    assert Story.objects.get(pk=story.pk).updated_at > before
    assert "Kenia: Corrección del titular" in page(client, path)
    translation.delete()
    assert not_available("es", "español", "inglés") in unescape(page(client, path))


def test_summaries_are_sanitised_and_headlines_escaped(client, story):
    StoryTranslation.objects.create(
        story=story,
        language="fr",
        headline="<script>alert(1)</script> Kenya",
        summary='<p onclick="steal()">Texte <script>alert(2)</script><a href="javascript:x()">lien</a></p>',
    )
    saved = story.translations.get(language="fr")
    assert not any(bad in saved.summary for bad in ("<script", "onclick", "javascript:"))
    html = page(client, url_in("fr", "news:story", slug=story.slug))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Kenya" in html
    assert "<script>alert" not in html


def test_one_translation_per_language():
    story = StoryFactory()
    StoryTranslation.objects.create(story=story, language="es", headline="Uno")
    with pytest.raises(IntegrityError):
        StoryTranslation.objects.create(story=story, language="es", headline="Dos")


# The admin: translations beside the original, in drafts and revisions.


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="a-long-test-password")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def _inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        data.update({f"{prefix}-{number}-{key}": value for key, value in row.items()})
        data.setdefault(f"{prefix}-{number}-ORDER", str(number + 1))
    return data


def _story_form(translations: list[dict] = (), **overrides) -> dict:
    data = {
        "headline": HEADLINE,
        "summary": _draftail("Workers say they spray pesticides."),
        "date": "2024-05-02",
        "language": "en",
        **_inline("story_components", []),
        **_inline("translations", list(translations)),
    }
    data.update(overrides)
    return data


SPANISH = {"language": "es", "headline": TITULAR, "summary": _draftail("Las trabajadoras fumigan.")}


def test_an_editor_writes_a_translation_beside_the_original_and_publishes_both(client, editor):
    client.force_login(editor)
    form = page(client, "/admin/snippets/news/story/add/")
    assert (
        form.index('name="summary"')
        < form.index('id="id_translations-FORMS"')
        < form.index('id="id_story_components-FORMS"')
    ), "translations sit beside the original, before the components"
    response = client.post(
        "/admin/snippets/news/story/add/", _story_form([SPANISH], **{"action-publish": "action-publish"})
    )
    assert response.status_code == 302
    story = Story.objects.get(headline=HEADLINE)
    assert story.translations.get().headline == TITULAR
    assert TITULAR in page(client, url_in("es", "news:story", slug=story.slug))


def test_a_drafts_translation_is_not_public_until_published(client, editor):
    client.force_login(editor)
    client.post("/admin/snippets/news/story/add/", _story_form(**{"action-publish": "action-publish"}))
    story = Story.objects.get(headline=HEADLINE)
    client.logout()  # readers see the public page
    spanish_page = url_in("es", "news:story", slug=story.slug)
    assert TITULAR not in page(client, spanish_page)

    client.force_login(editor)
    response = client.post(f"/admin/snippets/news/story/edit/{story.pk}/", _story_form([SPANISH]))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.has_unpublished_changes and not story.translations.exists()
    draft = story.get_latest_revision_as_object()
    assert [t.headline for t in draft.translations.all()] == [TITULAR]
    editing = page(client, f"/admin/snippets/news/story/edit/{story.pk}/")
    assert TITULAR in editing, "the editor finds the draft's translation where they left it"
    client.logout()
    assert TITULAR not in page(client, spanish_page)

    story.get_latest_revision().publish()
    assert TITULAR in page(client, spanish_page)


def test_a_translation_into_the_storys_own_language_is_refused(client, editor):
    client.force_login(editor)
    english = {**SPANISH, "language": "en"}
    response = client.post("/admin/snippets/news/story/add/", _story_form([english]))
    assert response.status_code == 200
    assert "The original is in English: a translation must be in another language." in unescape(
        response.content.decode()
    )
    assert not Story.objects.exists()


def test_changing_the_original_language_to_a_translations_is_refused_too(client, editor):
    client.force_login(editor)
    response = client.post("/admin/snippets/news/story/add/", _story_form([SPANISH], language="es"))
    assert response.status_code == 200
    assert "The original is in Español: a translation must be in another language." in unescape(
        response.content.decode()
    )
    assert not Story.objects.exists()


def test_a_component_translation_into_its_own_language_is_refused(client, editor):
    client.force_login(editor)
    rows = [{"language": "en", "title": "Same language", "excerpt": _draftail("Text.")}]
    data = {**_component_form(), **_inline("translations", rows)}
    response = client.post("/admin/snippets/news/component/add/", data)
    assert response.status_code == 200
    assert "a translation must be in another language" in unescape(response.content.decode())
    assert not Component.objects.exists()
    rows[0]["language"] = "ja"
    data = {**_component_form(), **_inline("translations", rows)}
    assert client.post("/admin/snippets/news/component/add/", data).status_code == 302
    assert ComponentTranslation.objects.get().language == "ja"


def test_the_translation_status_counts_story_translations(client, editor, story):
    StoryFactory(headline="Spain: Farmworkers report heat deaths", language="es")
    client.force_login(editor)
    url = reverse("news_translation_status")
    html = page(client, url)
    row = html[html.index(HEADLINE) :]
    row = row[: row.index("</tr>")]
    assert '<td data-language="en">original</td>' in row
    assert '<td data-language="es">translated</td>' in row
    assert '<td data-language="ja"><strong>missing</strong></td>' in row
    assert HEADLINE not in page(client, url, data={"language": "es"})
    assert HEADLINE in page(client, url, data={"language": "ja"})


def test_the_preview_shows_the_translations(rf, editor):
    story = StoryFactory(headline=HEADLINE, draft=True)
    story.translations.add(StoryTranslation(language="es", headline=TITULAR))  # unsaved, as in the form
    request = rf.get("/admin/")
    request.user = editor
    html = story.make_preview_request(request).content.decode()
    assert HEADLINE in html and TITULAR in html and 'lang="es"' in html


def test_a_story_in_japanese_with_an_english_translation(client):
    story = StoryFactory(headline="日本：技能実習生の賃金未払い", language="ja")
    StoryTranslation.objects.create(
        story=story, language="en", headline="Japan: Technical interns report unpaid wages"
    )
    html = page(client, url_in("en", "news:story", slug=story.slug))
    assert '<h1 class="story__headline">Japan: Technical interns report unpaid wages</h1>' in html
    assert said("en", "Read the original (%(name)s)", name="日本語") in html
    html = page(client, url_in("ja", "news:story", slug=story.slug))
    assert '<h1 class="story__headline">日本：技能実習生の賃金未払い</h1>' in html
