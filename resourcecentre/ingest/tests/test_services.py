"""The inbox decisions as services: what an accepted component quotes, and what a split leaves."""

import datetime

import pytest

from resourcecentre.ingest import services
from resourcecentre.ingest.feeds import FeedEntry
from resourcecentre.ingest.models import Candidate, Entry, Feed
from resourcecentre.ingest.tagging import get_tagger, invalidate_tagger
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
SENTENCE = "Workers at the plant said they had not been paid for overtime since the spring. "


def accepted_excerpt(text: str) -> str:
    candidate = Candidate.objects.create(
        title="Workers unpaid", url="https://news.example/1", text=text, published_at=MONDAY
    )
    return services.candidate_accept(candidate=candidate, tags=services.TagChoice()).excerpt


def test_a_long_paragraph_is_cut_on_a_sentence_with_an_elision():
    text = (SENTENCE * 125).strip()  # one paragraph of 10,000 characters

    excerpt = accepted_excerpt(text)

    assert excerpt.startswith("<p>Workers at the plant") and excerpt.endswith("since the spring. ...</p>")
    quoted = excerpt.removeprefix("<p>").removesuffix(" ...</p>")
    assert services.EXCERPT_CHARS // 2 <= len(quoted) <= services.EXCERPT_CHARS
    assert text.startswith(quoted)


def test_a_paragraph_without_sentences_is_cut_on_a_word():
    text = "wages " * 2000

    excerpt = accepted_excerpt(text)

    assert excerpt.endswith("wages ...</p>") and "wag ..." not in excerpt
    assert len(excerpt) <= len("<p></p>") + services.EXCERPT_CHARS + len(" ...")


def test_short_paragraphs_are_kept_whole_and_those_left_out_are_elided():
    assert accepted_excerpt("First & last.\n\nSecond <b>line</b>.") == (
        "<p>First &amp; last.</p><p>Second &lt;b&gt;line&lt;/b&gt;.</p>"
    )
    long_first = SENTENCE * 7  # 567 characters: too little room is left to cut the next one
    excerpt = accepted_excerpt(f"{long_first}\n{SENTENCE * 3}\nThe end.")
    assert excerpt == f"<p>{long_first.strip()}</p><p>...</p>"


KESTREL_TEXT = (
    "Workers at a Kestrel Mining copper mine in Peru say they were not paid for overtime during the past "
    "six months. The union said the company ignored complaints about unpaid wages and unsafe shafts."
)
VELORA_TEXT = (
    "Velora Foods said on Monday that it would close its packing plant near Valparaíso in Chile, where "
    "two hundred seasonal workers had complained about heat and a lack of drinking water."
)


def item(url: str, title: str, text: str) -> FeedEntry:
    return FeedEntry(
        guid=url,
        url=url,
        title=title,
        summary="",
        text=text,
        author="",
        published_at=MONDAY,
        language="en",
    )


def places_and_companies(candidate: Candidate) -> set[str]:
    """What the inbox ticks for the candidate, of its companies and countries."""
    tags = candidate.tags.filter(kind__in=["company", "country"], confidence__gte=0.5)
    return {str(tag.term) for tag in tags}


def test_splitting_a_wrong_merge_retags_both_items_from_the_text_each_keeps():
    kestrel, velora = CompanyFactory(name="Kestrel Mining plc"), CompanyFactory(name="Velora Foods S.A.")
    invalidate_tagger()
    wire, courier = (Feed.objects.create(name=name, url=f"https://{name}.example/rss") for name in "ab")
    # The same address with a tracking parameter: merged as the same news, wrongly.
    for feed, url, title, text in [
        (wire, "https://wire.example/story", "Miners unpaid", KESTREL_TEXT),
        (courier, "https://wire.example/story?utm_source=rss", "Packing plant to close", VELORA_TEXT),
    ]:
        services.entry_ingest(
            feed=feed, item=item(url, title, text), tagger=get_tagger(), fetch_articles=False
        )
    merged = Candidate.objects.get()
    assert places_and_companies(merged) == {"Kestrel Mining plc", "Peru"}

    split_off = services.entry_split(entry=Entry.objects.get(feed=wire))

    assert (split_off.title, split_off.text) == ("Miners unpaid", KESTREL_TEXT)
    assert places_and_companies(split_off) == {"Kestrel Mining plc", "Peru"}
    merged.refresh_from_db()
    assert (merged.title, merged.text) == ("Packing plant to close", VELORA_TEXT)
    assert places_and_companies(merged) == {
        "Velora Foods S.A.",
        "Chile",
    }  # nothing left of the text that went
    assert merged.confidence == max(tag.confidence for tag in merged.tags.all())
    assert not merged.tags.filter(company=kestrel).exists()
    assert not split_off.tags.filter(company=velora).exists()
