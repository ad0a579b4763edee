import io
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from resourcecentre.ingest.models import Feed
from resourcecentre.ingest.opml import OPMLError, export_opml, import_opml
from resourcecentre.news.models import Source

pytestmark = pytest.mark.django_db

FEEDS = Path(__file__).parent / "feeds"
LE_MONDE_ECO = "https://lemonde.example/economie/rss.xml"


def sources_opml() -> bytes:
    return (FEEDS / "sources.opml").read_bytes()


def feed_rows() -> list[tuple]:
    return [
        (
            feed.url,
            feed.name,
            feed.kind,
            feed.language,
            feed.country.code if feed.country else None,
            feed.poll_minutes,
            feed.source.name if feed.source else None,
            feed.active,
        )
        for feed in Feed.objects.select_related("country", "source").order_by("url")
    ]


def test_importing_creates_the_feeds_with_what_the_outlines_say():
    summary = import_opml(sources_opml())

    assert str(summary) == "4 created, 0 updated, 0 unchanged, 2 skipped"
    economy = Feed.objects.get(url=LE_MONDE_ECO)
    assert economy.name == "Le Monde – Économie"
    assert (economy.language, economy.country.code, economy.poll_minutes) == ("fr", "FR", 30)
    assert economy.source.name == "Le Monde"
    assert economy.source.website == "https://lemonde.example/"
    international = Feed.objects.get(url="https://lemonde.example/international/rss.xml")
    assert international.source == economy.source
    assert international.poll_minutes == 60  # the default
    sitemap = Feed.objects.get(url="https://gazette.example/news-sitemap.xml")
    assert (sitemap.kind, sitemap.country.code) == (Feed.Kind.SITEMAP, "GB")
    assert sitemap.source.name == "Gazette news sitemap"
    assert sitemap.source.website == "https://gazette.example/"


def test_outlines_that_cannot_be_imported_are_reported_not_fatal():
    summary = import_opml(sources_opml())

    assert summary.skipped == [
        f"Copy of Le Monde: {LE_MONDE_ECO} is listed twice; the first outline was used.",
        "A podcast on a private network: “ftp://files.example/feed.xml” is not a web address we can monitor.",
    ]
    assert summary.warnings == [
        "Derechos y Empresas: “XX” is not an ISO 3166 country code; ignored.",
        "Derechos y Empresas: “often” is not a number of minutes; ignored.",
    ]
    derechos = Feed.objects.get(url="https://derechos.example/feed.atom")
    assert (derechos.language, derechos.country, derechos.poll_minutes) == ("es-pe", None, 60)


def test_importing_the_same_file_twice_changes_nothing():
    import_opml(sources_opml())
    before = feed_rows()

    summary = import_opml(sources_opml())

    assert str(summary) == "0 created, 0 updated, 4 unchanged, 2 skipped"
    assert feed_rows() == before
    assert Source.objects.count() == 3


def test_importing_a_changed_file_updates_name_language_and_interval():
    import_opml(sources_opml())
    changed = (
        sources_opml()
        .replace(b'title="Le Monde \xe2\x80\x93 \xc3\x89conomie"', b'title="Le Monde: economy"')
        .replace(b'pollMinutes="30"', b'pollMinutes="15"')
        .replace(b'language="fr" country="FR"', b'language="en" country="FR"')
    )

    summary = import_opml(changed)

    assert summary.updated == [LE_MONDE_ECO]
    economy = Feed.objects.get(url=LE_MONDE_ECO)
    assert (economy.name, economy.language, economy.poll_minutes) == ("Le Monde: economy", "en", 15)


def test_a_feed_readers_bare_export_does_not_erase_what_we_know():
    import_opml(sources_opml())
    bare = f"""<opml version="1.0"><body>
        <outline text="Le Monde – Économie" xmlUrl="{LE_MONDE_ECO}"/></body></opml>""".encode()

    summary = import_opml(bare)

    assert summary.unchanged == [LE_MONDE_ECO]
    economy = Feed.objects.get(url=LE_MONDE_ECO)
    assert (economy.language, economy.country.code, economy.poll_minutes) == ("fr", "FR", 30)
    assert economy.source.name == "Le Monde"


def test_importing_never_switches_monitoring_of_an_existing_feed():
    import_opml(sources_opml())
    Feed.objects.filter(url=LE_MONDE_ECO).update(active=False)

    import_opml(sources_opml())

    assert not Feed.objects.get(url=LE_MONDE_ECO).active


def test_an_export_imports_back_to_the_same_feeds():
    import_opml(sources_opml())
    Feed.objects.filter(url=LE_MONDE_ECO).update(active=False)
    rows = feed_rows()
    exported = export_opml()
    Feed.objects.all().delete()
    Source.objects.all().delete()

    summary = import_opml(exported)

    assert len(summary.created) == 4
    assert summary.skipped == summary.warnings == []
    assert feed_rows() == rows
    assert Source.objects.get(name="Le Monde").website == "https://lemonde.example/"
    assert export_opml() == exported


def test_the_export_is_opml_a_feed_reader_understands():
    import_opml(sources_opml())

    exported = export_opml().decode()

    assert exported.startswith("<?xml version='1.0' encoding='utf-8'?>\n<opml version=\"2.0\">")
    assert (
        f'<outline type="rss" text="Le Monde – Économie" title="Le Monde – Économie" xmlUrl="{LE_MONDE_ECO}" '
        'source="Le Monde" htmlUrl="https://lemonde.example/" language="fr" country="FR" pollMinutes="30" />'
    ) in exported


def test_an_entity_expansion_attack_is_refused_quickly():
    started = time.monotonic()

    with pytest.raises(OPMLError, match="declares XML entities"):
        import_opml((FEEDS / "billion-laughs.opml").read_bytes())

    assert time.monotonic() - started < 1
    assert not Feed.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<opml><body><outline", "not well-formed XML"),
        (b'<rss version="2.0"><channel/></rss>', "its root element is <rss>, not <opml>"),
        (b'<opml version="2.0"><head/></opml>', "has no <body>"),
    ],
)
def test_a_file_that_is_not_opml_is_refused_with_a_reason(data, message):
    with pytest.raises(OPMLError, match=message):
        import_opml(data)


def test_the_import_command_prints_what_it_did(tmp_path):
    path = tmp_path / "sources.opml"
    path.write_bytes(sources_opml())
    out, err = io.StringIO(), io.StringIO()

    call_command("import_sources", str(path), stdout=out, stderr=err)
    call_command("import_sources", str(path), stdout=out, stderr=err)

    assert out.getvalue().splitlines() == [
        "Feeds: 4 created, 0 updated, 0 unchanged, 2 skipped.",
        "Feeds: 0 created, 0 updated, 4 unchanged, 2 skipped.",
    ]
    assert "is listed twice" in err.getvalue()


def test_the_import_command_refuses_a_file_it_cannot_read(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_sources", str(tmp_path / "missing.opml"))
    (tmp_path / "feeds.opml").write_bytes(b"not xml")
    with pytest.raises(CommandError, match="not well-formed XML"):
        call_command("import_sources", str(tmp_path / "feeds.opml"))


def test_the_export_command_writes_to_the_standard_output_or_a_file(tmp_path):
    import_opml(sources_opml())
    out, err = io.StringIO(), io.StringIO()

    call_command("export_sources", stdout=out)
    call_command("export_sources", "--output", str(tmp_path / "feeds.opml"), stderr=err)

    assert out.getvalue().encode() == export_opml() == (tmp_path / "feeds.opml").read_bytes()
    assert err.getvalue() == f"Wrote 4 feeds to {tmp_path / 'feeds.opml'}.\n"
