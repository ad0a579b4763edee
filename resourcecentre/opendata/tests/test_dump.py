"""The nightly dump: everything published and nothing else, written atomically, kept a week."""

import datetime
import fcntl
import gzip
import hashlib
import json

import pytest
from django.core.management import call_command

from resourcecentre.companies.models import CompanyContact, CompanyIdentifier, CompanyName
from resourcecentre.news.models import ComponentTranslation, StoryTranslation
from resourcecentre.opendata.queries import dumps
from resourcecentre.opendata.services import DumpInProgress, dump_enqueue_if_due, dump_write, utc_today
from resourcecentre.taxonomy.models import Country, Issue, Region
from tests.factories import CompanyFactory, ComponentFactory, IssueFactory, StoryFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 12)


@pytest.fixture
def archive():
    kestrel = CompanyFactory(name="Kestrel Mining plc", summary="A miner.")
    CompanyName.objects.create(company=kestrel, name="Kestrel Resources", kind="former")
    CompanyIdentifier.objects.create(company=kestrel, scheme="lei", value="5493001KJTIIGC8Y1R12")
    CompanyContact.objects.create(company=kestrel, email="secret-press-office@kestrel.example")
    kestrel.countries.set([Country.objects.get(code="PE")])
    evictions = ComponentFactory(title="Kestrel accused over evictions", date=datetime.date(2021, 5, 1))
    evictions.companies.set([kestrel])
    evictions.countries.set([Country.objects.get(code="KE")])
    evictions.issues.set([IssueFactory(name="Land rights")])
    evictions.save()
    ComponentTranslation.objects.create(
        component=evictions, language="es", title="Kestrel acusada de desalojos"
    )
    draft = ComponentFactory(title="Unpublished draft about Kestrel", draft=True)
    story = StoryFactory(headline="Kestrel: evictions in Kenya", components=[evictions, draft])
    StoryTranslation.objects.create(
        story=story, language="es", headline="Kestrel: desalojos en Kenia", summary="<p>Desalojos.</p>"
    )
    story.translations.add(StoryTranslation(language="fr", headline="Unpublished translation draft"))
    story.save_revision()  # a translation added in a draft stays in the revision
    StoryFactory(headline="A draft story nobody may see", draft=True)
    return {"kestrel": kestrel, "evictions": evictions, "draft": draft}


def _records(info, settings) -> list[dict]:
    with gzip.open(settings.OPEN_DATA_DIR / info.name, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _files(settings) -> set[str]:
    return {path.name for path in settings.OPEN_DATA_DIR.iterdir() if path.name != ".dump.lock"}


def test_the_dump_holds_every_published_record_once_with_its_type(archive, settings):
    info = dump_write(day=DAY)
    records = _records(info, settings)
    by_type: dict[str, list[dict]] = {}
    for record in records:
        by_type.setdefault(record["type"], []).append(record)
    assert len(by_type["region"]) == Region.objects.count()
    assert len(by_type["country"]) == Country.objects.count()
    assert len(by_type["issue"]) == Issue.objects.count()
    assert "Land rights" in {r["name"] for r in by_type["issue"]}
    assert [r["title"] for r in by_type["component"]] == ["Kestrel accused over evictions"]
    assert [r["headline"] for r in by_type["story"]] == ["Kestrel: evictions in Kenya"]
    assert info.counts == {kind: len(found) for kind, found in by_type.items()}
    # Each id is met before it is referred to.
    order = [record["type"] for record in records]
    assert order.index("component") > order.index("company") > order.index("country")
    assert order.index("story") > order.index("component")


def test_drafts_and_company_contacts_never_reach_the_dump(archive, settings):
    info = dump_write(day=DAY)
    text = gzip.decompress((settings.OPEN_DATA_DIR / info.name).read_bytes()).decode()
    assert "Unpublished draft" not in text
    assert "A draft story nobody may see" not in text
    assert "Unpublished translation draft" not in text
    assert "secret-press-office" not in text
    [story] = [r for r in _records(info, settings) if r["type"] == "story"]
    assert story["components"] == [archive["evictions"].pk]  # the draft component is not listed


def test_a_component_comes_with_its_translations_tags_and_stories(archive, settings):
    info = dump_write(day=DAY)
    records = _records(info, settings)
    [component] = [r for r in records if r["type"] == "component"]
    [story] = [r for r in records if r["type"] == "story"]
    countries = {r["id"]: r for r in records if r["type"] == "country"}
    assert component["translations"] == [
        {"language": "es", "title": "Kestrel acusada de desalojos", "excerpt": ""}
    ]
    assert component["companies"] == [archive["kestrel"].pk]
    assert countries[component["countries"][0]]["code"] == "KE"
    assert component["stories"] == [story["id"]]
    assert component["date"] == "2021-05-01"
    assert component["source"] == {"name": "Daily Ledger", "website": "https://outlet-Ledger.example"}
    assert component["url"] == settings.SITE_URL + archive["evictions"].get_absolute_url()
    [company] = [r for r in records if r["type"] == "company"]
    assert company["other_names"] == [{"name": "Kestrel Resources", "kind": "former"}]
    assert company["identifiers"] == [{"scheme": "lei", "value": "5493001KJTIIGC8Y1R12"}]


def test_a_story_comes_with_its_published_translations(archive, settings):
    [story] = [r for r in _records(dump_write(day=DAY), settings) if r["type"] == "story"]
    assert story["headline"] == "Kestrel: evictions in Kenya" and story["language"] == "en"
    assert story["translations"] == [
        {"language": "es", "headline": "Kestrel: desalojos en Kenia", "summary": "<p>Desalojos.</p>"}
    ]


def test_the_dump_is_described_by_its_size_rows_and_checksum(archive, settings):
    info = dump_write(day=DAY)
    data = (settings.OPEN_DATA_DIR / "dump-2026-06-12.jsonl.gz").read_bytes()
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.rows == len(gzip.decompress(data).splitlines())
    assert (settings.OPEN_DATA_DIR / info.name).stat().st_mode & 0o777 == 0o644  # a web server may serve it
    described = json.loads((settings.OPEN_DATA_DIR / "dump-2026-06-12.json").read_text())
    assert described["sha256"] == info.sha256 and described["bytes"] == info.size
    assert dumps() == [info]


def test_a_dump_cut_short_leaves_the_earlier_dump_as_it_was_and_no_half_file(archive, settings):
    earlier = dump_write(day=DAY - datetime.timedelta(days=1))
    before = (settings.OPEN_DATA_DIR / earlier.name).read_bytes()

    def crash(kind, done, total):
        if kind == "component":
            raise KeyboardInterrupt  # as if the operator pressed Ctrl-C mid-dump

    with pytest.raises(KeyboardInterrupt):
        dump_write(day=DAY, progress=crash)
    assert _files(settings) == {earlier.name, "dump-2026-06-11.json"}
    assert dumps() == [earlier]
    assert (settings.OPEN_DATA_DIR / earlier.name).read_bytes() == before


def test_rewriting_a_day_that_fails_keeps_that_days_dump(archive, settings):
    first = dump_write(day=DAY)

    def crash(kind, done, total):
        if kind == "story":
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        dump_write(day=DAY, force=True, progress=crash)
    assert dumps() == [first]
    assert hashlib.sha256((settings.OPEN_DATA_DIR / first.name).read_bytes()).hexdigest() == first.sha256


def test_a_second_dump_the_same_day_changes_nothing_unless_forced(archive, settings):
    first = dump_write(day=DAY)
    assert dump_write(day=DAY) is None
    ComponentFactory(title="Published after the first dump")
    again = dump_write(day=DAY, force=True)
    assert again.counts["component"] == first.counts["component"] + 1
    assert dumps() == [again]


def test_only_the_newest_dumps_are_kept(archive, settings):
    settings.OPEN_DATA_KEEP = 2
    for offset in range(4):
        dump_write(day=DAY + datetime.timedelta(days=offset))
    assert [info.date for info in dumps()] == [
        DAY + datetime.timedelta(days=3),
        DAY + datetime.timedelta(days=2),
    ]
    assert _files(settings) == {
        "dump-2026-06-15.jsonl.gz",
        "dump-2026-06-15.json",
        "dump-2026-06-14.jsonl.gz",
        "dump-2026-06-14.json",
    }


def test_a_temporary_file_left_by_a_killed_process_is_cleared_and_never_listed(archive, settings):
    settings.OPEN_DATA_DIR.mkdir(parents=True)
    (settings.OPEN_DATA_DIR / ".dump-2026-06-12.jsonl.gz.abc.tmp").write_bytes(b"\x1f\x8b half")
    (settings.OPEN_DATA_DIR / "dump-2026-06-10.jsonl.gz").write_bytes(b"no description: never finished")
    assert dumps() == []
    dump_write(day=DAY)
    assert _files(settings) == {"dump-2026-06-12.jsonl.gz", "dump-2026-06-12.json"}


def test_two_dumps_cannot_be_written_into_one_folder_at_once(archive, settings):
    settings.OPEN_DATA_DIR.mkdir(parents=True)
    with (settings.OPEN_DATA_DIR / ".dump.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(DumpInProgress):
            dump_write(day=DAY)
    assert dumps() == []


def test_the_scheduler_queues_one_dump_a_day_and_the_worker_writes_it(archive, settings, run_tasks):
    assert dump_enqueue_if_due() is True
    assert dump_enqueue_if_due() is False  # queued already: the next minute's run does nothing
    assert dumps() == []
    run_tasks()  # the search index's sync tasks run too
    [info] = dumps()
    assert info.date == utc_today()
    assert dump_enqueue_if_due() is False


def test_the_command_shows_a_summary_and_does_nothing_the_second_time(archive, settings, capsys):
    call_command("dump_open_data")
    out = capsys.readouterr().out
    assert f"Wrote dump-{utc_today().isoformat()}.jsonl.gz" in out
    assert "sha256 " + dumps()[0].sha256 in out
    call_command("dump_open_data")
    assert "exists already" in capsys.readouterr().out
