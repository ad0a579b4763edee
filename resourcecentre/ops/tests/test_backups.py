import io
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict

from resourcecentre.news.models import Component, Story
from resourcecentre.search.queries import SearchParams, search
from tests.factories import ComponentFactory, StoryFactory


@pytest.fixture
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.BACKUP_DIR = tmp_path / "backups"
    (settings.MEDIA_ROOT / "documents").mkdir(parents=True)
    (settings.MEDIA_ROOT / "documents" / "report.pdf").write_bytes(b"%PDF-1.4 the report")
    settings.PRIVATE_MEDIA_ROOT.mkdir()
    (settings.PRIVATE_MEDIA_ROOT / "answer.pdf").write_bytes(b"%PDF-1.4 a company's answer")
    return settings


def _search(text: str) -> list[str]:
    return [str(hit.object) for hit in search(SearchParams.from_query(QueryDict(f"q={text}"))).hits]


def test_a_backup_restores_the_database_files_and_search_after_everything_was_lost(
    committed_db, files, rebuild_index, tmp_path
):
    kept = ComponentFactory(title="Refinery fined for river pollution")
    StoryFactory(headline="Refinery pollution case", components=[kept])
    rebuild_index()
    archive_out = io.StringIO()
    call_command("backup", stdout=archive_out)
    archives = list(files.BACKUP_DIR.glob("resourcecentre-*.tar.gz"))
    assert len(archives) == 1
    assert "Backup written" in archive_out.getvalue()

    # Disaster: content deleted, a later item added, files gone, index wiped.
    Story.objects.all().delete()
    Component.objects.all().delete()
    ComponentFactory(title="Written after the backup")
    (files.MEDIA_ROOT / "documents" / "report.pdf").unlink()
    (files.PRIVATE_MEDIA_ROOT / "answer.pdf").unlink()

    out = io.StringIO()
    call_command("restore", str(archives[0]), "--yes", stdout=out)

    assert "search index rebuilt" in out.getvalue()
    assert list(Component.objects.values_list("title", flat=True)) == ["Refinery fined for river pollution"]
    assert Story.objects.get().headline == "Refinery pollution case"
    assert (files.MEDIA_ROOT / "documents" / "report.pdf").read_bytes() == b"%PDF-1.4 the report"
    assert (files.PRIVATE_MEDIA_ROOT / "answer.pdf").read_bytes() == b"%PDF-1.4 a company's answer"
    assert "Refinery fined for river pollution" in _search("refinery")
    assert "Written after the backup" not in _search("written")


def test_a_restore_refuses_an_archive_that_climbs_out_of_its_folder(committed_db, files, tmp_path):
    hostile = tmp_path / "hostile.tar.gz"
    with tarfile.open(hostile, "w:gz") as archive:
        payload = b'{"format": 1}'
        member = tarfile.TarInfo("../../etc/evil")
        member.size = len(payload)
        archive.addfile(member, io.BytesIO(payload))
    with pytest.raises(CommandError, match="not a readable backup"):
        call_command("restore", str(hostile), "--yes")
    assert not (tmp_path.parent.parent / "etc" / "evil").exists()


def test_a_restore_refuses_a_file_that_is_not_a_backup(committed_db, files, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    kept = ComponentFactory(title="Still here")
    with pytest.raises(CommandError, match="not a readable backup"):
        call_command("restore", str(junk), "--yes")
    assert Component.objects.filter(pk=kept.pk).exists()
