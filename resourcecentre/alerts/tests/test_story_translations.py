"""Stories in digests and the Weekly Update are shown in the reader's language when translated."""

from django.core.management import call_command

from resourcecentre.alerts.emails import DigestRenderer, load_items
from resourcecentre.news.models import StoryTranslation
from tests.factories import StoryFactory

from .conftest import body
from .test_digests import YESTERDAY_NOON, digests_to, send_all, subscribe
from .test_weekly_update import issue, weekly_subscriber

SPANISH = "Perú: Trabajadores de la mina Ruby denuncian salarios impagos"


def translated_story(headline: str = "Peru: Ruby mine workers report unpaid wages", **kwargs):
    story = StoryFactory(headline=headline, summary="<p>Workers at the Ruby mine.</p>", **kwargs)
    StoryTranslation.objects.create(
        story=story, language="es", headline=SPANISH, summary="<p>Trabajadores de la mina Ruby.</p>"
    )
    return story


def test_a_spanish_subscriber_gets_a_new_storys_spanish_headline_and_an_english_one_the_original(
    kestrel, smtp_server, rebuild_index
):
    story = translated_story(first_published_at=YESTERDAY_NOON)
    story.companies.set([kestrel])
    story.save()  # parental many-to-many tags are written on save
    rebuild_index()
    subscribe("es@example.org", f"company={kestrel.slug}", language="es")
    subscribe("en@example.org", f"company={kestrel.slug}", language="en")
    assert send_all().sent == 2

    [spanish] = digests_to(smtp_server, "es@example.org")
    [english] = digests_to(smtp_server, "en@example.org")
    assert SPANISH in body(spanish) and "Trabajadores de la mina Ruby." in body(spanish)
    assert 'dir="ltr" lang="es"' in body(spanish, "html") and SPANISH in body(spanish, "html")
    assert "Peru: Ruby mine workers" not in body(spanish)
    assert "Peru: Ruby mine workers report unpaid wages" in body(english)
    assert SPANISH not in body(english) and 'dir="ltr" lang="es"' not in body(english, "html")


def test_each_weekly_update_edition_shows_a_story_in_its_own_language(db, smtp_server):
    story = translated_story()
    spanish_issue = issue("es", subject="Esta semana")
    spanish_issue.stories.update(story=story)
    english_issue = issue("en")
    english_issue.stories.update(story=story)
    weekly_subscriber("es@example.org", "language=es")
    weekly_subscriber("en@example.org", "language=en")
    call_command("send_alerts", "--foreground")  # one batch: the story is rendered per language

    [spanish] = digests_to(smtp_server, "es@example.org")
    [english] = digests_to(smtp_server, "en@example.org")
    assert SPANISH in body(spanish) and SPANISH in body(spanish, "html")
    assert "Peru: Ruby mine workers" not in body(spanish)
    assert "Peru: Ruby mine workers report unpaid wages" in body(english) and SPANISH not in body(english)


def test_a_translation_only_in_a_draft_is_not_sent(db, smtp_server):
    story = translated_story()
    story.translations.add(StoryTranslation(language="fr", headline="Pérou : brouillon non publié"))
    story.save_revision()
    french_issue = issue("fr", subject="Cette semaine")
    french_issue.stories.update(story=story)
    weekly_subscriber("fr@example.org", "language=fr")
    call_command("send_alerts", "--foreground")
    [french] = smtp_server.messages
    assert "brouillon" not in body(french) and "Peru: Ruby mine workers report unpaid wages" in body(french)


def test_a_translated_headline_is_escaped_in_the_html_mail(db, smtp_server):
    story = StoryFactory(headline="Peru: Ruby mine")
    StoryTranslation.objects.create(story=story, language="es", headline='Perú <script>alert("x")</script>')
    spanish_issue = issue("es", subject="Esta semana")
    spanish_issue.stories.update(story=story)
    weekly_subscriber("es@example.org", "language=es")
    call_command("send_alerts", "--foreground")
    html = body(smtp_server.messages[0], "html")
    assert "<script" not in html and "Perú &lt;script&gt;" in html


def test_the_translations_of_a_batchs_stories_are_read_in_one_query(db, django_assert_num_queries):
    keys = {f"story:{translated_story(headline=f'Story {n}').pk}" for n in range(12)}
    renderer = DigestRenderer()
    with django_assert_num_queries(2):  # the stories, then all their translations
        renderer.objects = load_items(keys)
        items = [renderer.fragment(key, "es")[0] for key in keys]
    assert {item.title for item in items} == {SPANISH} and {item.language for item in items} == {"es"}
