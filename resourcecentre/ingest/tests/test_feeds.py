import datetime
import time
import tracemalloc
from pathlib import Path

import pytest

from resourcecentre.ingest.feeds import FeedError, canonical_url, parse_feed

FEEDS = Path(__file__).parent / "feeds"
BASE = "https://base.example/feeds/rss.xml"


def parse(name: str, **options):
    return parse_feed((FEEDS / name).read_bytes(), url=BASE, **options)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def test_it_reads_netscape_rss_091_in_latin_1():
    entries = parse("rss091.xml")

    assert [entry.title for entry in entries] == [
        "Grève chez Sodexo : les salariés dénoncent leurs conditions de travail",
        "TotalEnergies attaquée en justice pour devoir de vigilance",
    ]
    assert entries[0].summary == "Les salariés de la cantine évoquent des cadences intenables."
    assert entries[0].url == "https://multinationales.example/greve-sodexo"
    assert {entry.language for entry in entries} == {"fr"}


def test_it_reads_rss_10_with_dublin_core_and_full_content():
    garment, cobalt = parse("rss10.rdf")

    assert garment.guid == "https://labourwatch.example/2024/05/garment-wages"
    assert garment.author == "Nusrat Jahan"
    assert garment.published_at == utc(2024, 5, 2, 2, 30)
    assert garment.text == (
        "Unions say the new minimum wage falls short.\nFactories supplying H&M and Inditex were named."
    )
    assert garment.language == "en"
    assert cobalt.text == ""
    assert cobalt.published_at == utc(2024, 5, 1)


def test_it_reads_rss_20_and_credits_the_name_not_the_address():
    shell, mining, untitled = parse("rss20.xml")

    assert shell.guid == "rightsdaily-48213"
    assert shell.url == "https://rightsdaily.example/news/shell-niger-delta?utm_source=rss&utm_medium=feed"
    assert shell.published_at == utc(2024, 5, 2, 8, 15)
    assert shell.summary == "Farmers from Ogoniland filed the claim in London."
    assert shell.text.splitlines() == [
        "Farmers from Ogoniland filed the claim in London.",
        "They say decades of spills have ruined their land.",
    ]
    assert shell.language == "en-gb"
    assert mining.guid == mining.url == "https://rightsdaily.example/news/mining-response"
    assert mining.author == "Tom Reyes"
    assert untitled.title.startswith("An item with no title")
    assert untitled.url == "https://rightsdaily.example/news/untitled"


def test_it_reads_atom_resolving_links_against_xml_base():
    minera, vale = parse("atom.xml")

    assert minera.title == "Minera Cerro Verde acusada de contaminar el río"
    assert minera.url == "https://derechos.example/noticias/minera-cerro-verde"
    assert minera.author == "Lucía Quispe"
    assert minera.published_at == utc(2024, 5, 2, 12, 0)
    assert (
        minera.text
        == "Comunidades de Arequipa denuncian metales pesados en el agua.\nLa empresa niega los hechos."
    )
    assert minera.language == "es"
    assert vale.url == "https://derechos.example/pt/vale-barragem"
    assert vale.language == "pt"
    assert vale.published_at == utc(2024, 5, 1, 12, 0)


def test_it_reads_a_google_news_sitemap():
    palm_oil, layoffs = parse("news-sitemap.xml")

    assert palm_oil.title == "Palm oil supplier linked to deforestation in Borneo"
    assert (
        palm_oil.url == palm_oil.guid == "https://gazette.example/business/2024/05/02/palm-oil-deforestation"
    )
    assert palm_oil.published_at == utc(2024, 5, 2, 8, 30)
    assert palm_oil.language == "en"
    assert layoffs.published_at == utc(2024, 5, 1)
    assert not palm_oil.is_sitemap


def test_a_plain_sitemap_gives_addresses_and_dates_without_titles():
    first, second = parse("sitemap-2024-05.xml")

    assert (first.url, first.title, first.published_at) == (
        "https://gazette.example/2024/05/first",
        "",
        utc(2024, 5, 10),
    )
    assert second.url == "https://gazette.example/2024/05/second"


def test_a_sitemap_index_lists_its_child_sitemaps():
    children = parse("sitemap-index.xml")

    assert all(child.is_sitemap for child in children)
    assert [child.url for child in children] == [
        "https://base.example/sitemap-2024-03.xml",
        "https://base.example/sitemap-2024-05.xml",
        "https://base.example/sitemap-2024-04.xml",
    ]
    assert children[1].published_at == utc(2024, 5, 2)


def test_it_keeps_what_it_can_read_of_broken_xml():
    entries = parse("broken.xml")

    assert [entry.title for entry in entries] == [
        "Workers & managers meet at the plant",
        "Second story survives the damage",
        "The file ends in the middle of this item",
    ]
    assert entries[0].summary == "An unescaped ampersand and a bold tag left open."


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("declared-latin1-but-utf8.xml", "Grève à l’usine Renault de Flins"),
        ("declared-utf8-but-latin1.xml", "Grève à l'usine Renault de Flins"),
        ("undeclared-windows1252.xml", "Grève à l’usine Renault de Flins"),
        ("utf8-bom.xml", "Grève à l’usine Renault de Flins"),
        ("utf16-bom.xml", "Grève à l’usine Renault de Flins"),
        ("koi8r-declared.xml", 'Забастовка на заводе "Норникеля"'),
    ],
)
def test_it_reads_feeds_whatever_their_encoding_claims(name, title):
    (entry,) = parse(name)

    assert entry.title == title
    assert "Ã" not in entry.summary


def test_the_http_charset_decides_when_the_body_is_not_utf_8_and_declares_nothing():
    body = (
        '<rss version="2.0"><channel><item><title>Забастовка шахтёров</title>'
        "<link>https://enc.example/1</link></item></channel></rss>"
    ).encode("cp1251")

    (entry,) = parse_feed(body, url=BASE, content_type="application/rss+xml; charset=windows-1251")

    assert entry.title == "Забастовка шахтёров"


def test_html_entities_and_tags_in_titles_become_plain_text():
    titles = [entry.title for entry in parse("entities.xml")]

    assert titles == [
        'AT&T & Verizon sued over "spy" programme',
        "Nestlé ’s water plant — a review",
        "Breaking: Rio Tinto & the Juukan caves",
        "Café chain settles wage claim",
    ]


def test_relative_links_are_resolved_against_the_feed_address_and_other_schemes_left_out():
    entries = parse("relative-links.xml")

    assert [entry.url for entry in entries] == [
        "https://base.example/news/rooted",
        "https://base.example/feeds/news/relative#comments",
    ]


def huge_feed(items: int) -> bytes:
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    body = "".join(
        f"<item><title>Story {i}</title><link>https://huge.example/{i}</link>"
        f"<pubDate>{(start + datetime.timedelta(hours=i)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>"
        "<description>A story among very many.</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>{body}</channel></rss>'.encode()
    )


def test_a_huge_feed_gives_only_its_newest_entries(settings):
    settings.INGEST_MAX_ENTRIES = 500

    entries = parse_feed(huge_feed(1500), url=BASE)

    assert len(entries) == 500
    assert entries[0].title == "Story 1499"
    assert entries[-1].title == "Story 1000"


def test_the_entry_cap_defaults_to_a_thousand():
    assert len(parse_feed(huge_feed(1200), url=BASE)) == 1000


@pytest.mark.parametrize("name", ["billion-laughs.xml", "billion-laughs-one-line.xml", "external-entity.xml"])
def test_entities_declared_by_the_feed_are_never_expanded(name):
    tracemalloc.start()
    started = time.monotonic()
    try:
        entries = parse(name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert time.monotonic() - started < 1
    assert peak < 10 * 1024 * 1024
    (entry,) = entries
    assert entry.title.startswith(("Harmless title", "Quadratic", "Leak"))
    assert len(entry.title) < 40
    assert "lollol" not in entry.title + entry.summary
    assert "root:" not in entry.title


def test_a_web_page_is_not_a_feed():
    with pytest.raises(FeedError, match="web page, not a feed"):
        parse_feed(b"<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>", url=BASE)


@pytest.mark.parametrize(
    "body", [b"", b"   \n", b"Service temporarily unavailable", b'<rss version="2.0"><channel><title>cut']
)
def test_what_cannot_be_read_at_all_is_a_feed_error_fit_for_an_editor(body):
    with pytest.raises(FeedError) as raised:
        parse_feed(body, url=BASE)

    assert str(raised.value).startswith("The ")


def test_an_unterminated_document_type_is_a_feed_error():
    with pytest.raises(FeedError, match="never ends"):
        parse_feed(b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">', url=BASE)


def test_a_valid_feed_without_items_is_empty_not_an_error():
    assert parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', url=BASE) == []


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTPS://News.Example:443/Story/42/?utm_source=rss&utm_medium=feed&fbclid=abc#comments",
            "https://news.example/Story/42",
        ),
        ("http://news.example:80/a?gclid=1&id=7&mc_cid=2&mc_eid=3", "http://news.example/a?id=7"),
        ("https://news.example/a?page=2&id=7", "https://news.example/a?id=7&page=2"),
        ("https://news.example/a?story=3", "https://news.example/a?story=3"),
        ("https://news.example:8443/a", "https://news.example:8443/a"),
        ("  https://news.example/a&amp;  ", "https://news.example/a"),
        ("https://news.example", "https://news.example/"),
    ],
)
def test_canonical_urls_drop_what_does_not_name_the_article(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "HTTPS://News.Example:443/Story/42/?utm_source=rss#x",
        "https://news.example/a b/c?q=caf%C3%A9&x=1+2",
        "https://news.example/path//double/./dot/../x?b=2&a=1",
        "https://xn--caf-dma.example/é",
        "https://news.example/?",
        "not a url",
    ],
)
def test_canonical_urls_are_stable(url):
    once = canonical_url(url)

    assert canonical_url(once) == once
