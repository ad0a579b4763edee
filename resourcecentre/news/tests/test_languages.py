"""The site in every interface language: lang and dir, the switcher, hreflang, localised section
names and their redirects, dates, the notice for content not in the reader's language, and the
editors' translation status."""

import datetime
import re
from html import unescape
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from resourcecentre.news.models import ComponentTranslation
from tests.factories import ComponentFactory, StoryFactory
from tests.languages import page, said, url_in

pytestmark = pytest.mark.django_db

INTERFACE = ["en", "es", "fr", "pt", "de", "zh-hans", "ja", "ko", "ar", "ru"]


@pytest.fixture
def story():
    item = ComponentFactory(
        title="Amazon halts police use of its facial recognition technology", date=datetime.date(2020, 6, 12)
    )
    ComponentTranslation.objects.create(
        component=item,
        language="ja",
        title="アマゾン、顔認識技術の警察利用を停止",
        excerpt="<p>アマゾンは…</p>",
    )
    return StoryFactory(headline="USA: Amazon CEO announces support for regulation", components=[item])


def test_the_ten_interface_languages_are_offered():
    assert [code for code, _name in settings.LANGUAGES] == INTERFACE


@pytest.mark.parametrize("language", INTERFACE)
def test_each_languages_story_page_has_its_lang_and_direction(client, story, language):
    html = page(client, url_in(language, "news:story", slug=story.slug))
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert '<article class="story" lang="en" dir="ltr">' in html  # the content keeps its own


def test_navigation_is_translated_where_django_has_the_words(client):
    # Until the catalogues are written the site's own words fall back to English; Django's own
    # catalogue already names the page's skip link target language-neutrally, so check the
    # localised section addresses the navigation links to.
    html = page(client, "/es/")
    assert 'href="/es/ultimas-noticias/"' in html
    assert 'href="/es/buscar/?kind=story&amp;sort=newest"' in html
    html = page(client, "/ja/")
    assert f'href="{url_in("ja", "news:latest_news")}"' in html
    assert unquote(url_in("ja", "news:latest_news")) == "/ja/最新ニュース/"


def test_section_names_are_localised_as_the_issue_asks():
    assert url_in("es", "news:latest_news") == "/es/ultimas-noticias/"
    assert unquote(url_in("ja", "news:latest_news")) == "/ja/最新ニュース/"
    assert url_in("en", "news:latest_news") == "/en/latest-news/"
    # Other languages name sections as their catalogues do, and in English until they do.
    assert url_in("fr", "news:latest_news") == f"/fr/{said('fr', 'latest-news/')}"


def test_the_switcher_keeps_the_reader_on_the_same_page_and_query(client, story):
    html = page(client, url_in("en", "news:story", slug=story.slug) + "?dateorder=dateasc&componenttype=all")
    switcher = html[html.index('class="language-switcher"') :]
    switcher = switcher[: switcher.index("</nav>")]
    links = dict(re.findall(r'<a href="([^"]+)" lang="([^"]+)"', switcher))
    assert sorted(links.values()) == sorted(INTERFACE)
    by_language = {code: href for href, code in links.items()}
    assert by_language["es"] == f"/es/historias/{story.slug}/?dateorder=dateasc&amp;componenttype=all"
    assert unquote(by_language["ja"]).startswith(f"/ja/ストーリー/{story.slug}/?")
    assert 'lang="ar" hreflang="ar" dir="rtl"' in switcher
    assert 'lang="en" hreflang="en" dir="ltr" aria-current="true">English<' in switcher
    assert "<summary>" in switcher and "<script" not in switcher


def test_every_language_is_an_hreflang_alternate_with_english_as_the_default(client, story):
    html = page(client, url_in("ja", "news:story", slug=story.slug))
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert sorted(alternates) == sorted([*INTERFACE, "x-default"])
    assert alternates["es"] == f"http://testserver/es/historias/{story.slug}/"
    assert alternates["x-default"] == alternates["en"] == f"http://testserver/en/stories/{story.slug}/"


def test_a_missing_page_has_no_alternates(client):
    response = client.get("/es/historias/no-such-story-at-all/")
    assert response.status_code == 404
    assert '<link rel="alternate" hreflang' not in response.content.decode()


def test_an_address_that_means_nothing_offers_each_languages_home(client):
    response = client.get("/es/no-such-section/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<a href="/ja/" lang="ja" hreflang="ja" dir="ltr">日本語</a>' in html
    assert '<link rel="alternate" hreflang' not in html


def test_english_section_names_under_another_prefix_redirect_for_good(client, story):
    response = client.get(f"/es/stories/{story.slug}/?dateorder=dateasc")
    assert response.status_code == 301
    assert response["Location"] == f"/es/historias/{story.slug}/?dateorder=dateasc"
    response = client.get("/ja/latest-news/")
    assert response.status_code == 301 and unquote(response["Location"]) == "/ja/最新ニュース/"


def test_another_languages_section_names_redirect_too(client):
    response = client.get("/en/ultimas-noticias/")
    assert (response.status_code, response["Location"]) == (301, "/en/latest-news/")
    response = client.get("/es/最新ニュース/")
    assert (response.status_code, response["Location"]) == (301, "/es/ultimas-noticias/")


def test_a_path_without_a_prefix_goes_to_the_readers_language(client, story):
    response = client.get("/latest-news/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert (response.status_code, response["Location"]) == (302, "/es/ultimas-noticias/")
    assert "Accept-Language" in response["Vary"]
    response = client.get(f"/stories/{story.slug}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 302 and unquote(response["Location"]) == f"/ja/ストーリー/{story.slug}/"
    response = client.get("/ultimas-noticias/", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response["Location"]) == (302, "/en/latest-news/")


@pytest.mark.parametrize(
    "path",
    [
        "/es/no-such-section/",
        "/es//evil.example/",
        "//evil.example/latest-news/",
        "/es/stories/",
        "/es/latest-news/%00/",
        "/admin-nope/",
        "/ja/検索/../../etc/passwd",
    ],
)
def test_wrong_or_hostile_paths_stay_not_found_and_never_leave_the_site(client, path):
    response = client.get(path)
    assert response.status_code in (404, 301, 302)
    if response.status_code != 404:
        assert response["Location"].startswith("/") and not response["Location"].startswith("//")


def test_a_redirect_is_only_for_reading(client):
    assert client.post("/es/latest-news/").status_code == 404


def test_dates_are_written_in_the_readers_language(client, story):
    assert "12 June 2020" in page(client, url_in("en", "news:story", slug=story.slug))
    # Marked with the reader's language: the date sits inside an English news item.
    assert '<time datetime="2020-06-12" lang="es">12 de junio de 2020</time>' in page(
        client, url_in("es", "news:story", slug=story.slug)
    )
    assert "2020年6月12日" in page(client, url_in("ja", "news:story", slug=story.slug))
    assert "12 June 2020" not in page(client, url_in("ar", "news:latest_news"))


def test_content_not_in_the_readers_language_says_so_and_lists_its_languages(client, story):
    html = unescape(page(client, url_in("es", "news:story", slug=story.slug)))
    message = "This page is not available in %(wanted)s and is being displayed in %(shown)s."
    assert said("es", message, wanted="español", shown="inglés") in html
    notice = html[html.index('class="content-language"') :]
    notice = notice[: notice.index("</aside>")]
    assert f'<a href="/en/stories/{story.slug}/" lang="en" hreflang="en" dir="ltr">English</a>' in notice


def test_content_in_the_readers_language_shows_no_notice(client, story):
    assert 'class="content-language"' not in page(client, url_in("en", "news:story", slug=story.slug))


def test_a_japanese_story_is_first_class_and_english_readers_are_told(client):
    story = StoryFactory(headline="日本：技能実習生の賃金未払い", language="ja")
    html = page(client, url_in("ja", "news:story", slug=story.slug))
    assert 'class="content-language"' not in html
    assert '<article class="story" lang="ja" dir="ltr">' in html
    html = page(client, url_in("en", "news:story", slug=story.slug))
    assert "This page is not available in English and is being displayed in Japanese." in html
    assert f'href="{url_in("ja", "news:story", slug=story.slug)}" lang="ja"' in html


def test_a_translation_is_shown_with_the_original_one_click_away(client, story):
    component = story.story_components.get().component
    html = page(client, url_in("ja", "news:component", slug=component.slug))
    assert '<h1 class="component__title">アマゾン、顔認識技術の警察利用を停止</h1>' in html
    read_original = said("ja", "Read the original (%(name)s)", name="English")
    assert f'<a href="/en/latest-news/{component.slug}/" hreflang="en">{read_original}</a>' in unescape(html)
    assert 'id="original"' in html and "Amazon halts police use of its facial recognition technology" in html
    message = "This page is not available in %(wanted)s and is being displayed in %(shown)s."
    assert said("ja", message, wanted="日本語", shown="英語") not in unescape(html)


def test_a_component_lists_its_translations_when_the_reader_has_none(client, story):
    component = story.story_components.get().component
    html = page(client, url_in("ko", "news:component", slug=component.slug))
    message = "This page is not available in %(wanted)s and is being displayed in %(shown)s."
    assert said("ko", message, wanted="한국어", shown="영어") in unescape(html)
    assert f'href="{url_in("ja", "news:component", slug=component.slug)}" lang="ja"' in html


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="a-long-test-password")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_editors_see_which_languages_each_item_lacks(client, editor, story):
    StoryFactory(headline="Spain: Farmworkers report heat deaths", language="es")
    client.force_login(editor)
    html = page(client, reverse("news_translation_status"))
    assert "USA: Amazon CEO announces support for regulation" in html
    assert "Spain: Farmworkers report heat deaths" in html
    html = page(client, reverse("news_translation_status"), data={"language": "es"})
    assert "USA: Amazon CEO announces support for regulation" in html
    assert "Spain: Farmworkers report heat deaths" not in html


def test_components_count_their_translations(client, editor, story):
    client.force_login(editor)
    url = reverse("news_translation_status")
    html = page(client, url, data={"kind": "component"})
    row = html[html.index("Amazon halts police use") :]
    row = row[: row.index("</tr>")]
    assert '<td data-language="en">original</td>' in row
    assert '<td data-language="ja">translated</td>' in row
    assert '<td data-language="ko"><strong>missing</strong></td>' in row
    assert "Amazon halts police use" not in page(client, url, data={"kind": "component", "language": "ja"})
    assert "Amazon halts police use" in page(client, url, data={"kind": "component", "language": "ko"})


def test_unknown_filters_fall_back_to_everything(client, editor, story):
    client.force_login(editor)
    html = page(
        client, reverse("news_translation_status"), data={"language": "<script>", "kind": "x", "p": "-1"}
    )
    assert "USA: Amazon CEO announces support for regulation" in html and "<script>" not in html


def test_the_translation_status_is_for_editors_only(client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="a-long-test-password")
    reader.user_permissions.add(
        *Group.objects.get(name="Editors").permissions.filter(codename="access_admin")
    )
    client.force_login(reader)
    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    response = client.get(reverse("news_translation_status"))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    client.logout()
    response = client.get(reverse("news_translation_status"))
    assert response.status_code == 302 and "/login/" in response["Location"]
