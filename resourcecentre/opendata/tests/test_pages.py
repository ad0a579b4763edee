"""The /data/ page and the dump downloads."""

import datetime
import gzip
import hashlib
import re

import pytest

from resourcecentre.opendata.services import dump_write
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 12)


@pytest.fixture
def two_dumps(db):
    ComponentFactory(title="Kestrel accused over evictions")
    return dump_write(day=DAY - datetime.timedelta(days=1)), dump_write(day=DAY)


def test_the_data_page_explains_the_licence_the_fields_and_the_api(client, db):
    response = client.get("/en/data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "CC BY 4.0" in html and 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert 'href="/api/v1/docs"' in html
    for field in ("component_type", "translations", "hq_country", "updated_at", "source_url"):
        assert f"<code>{field}</code>" in html
    [story_fields] = re.findall(r"<th scope=\"row\"><code>story</code></th><td>(.*?)</td>", html)
    assert "<code>translations</code> (language, headline, summary)" in story_fields
    assert "No dump has been written yet" in html


def test_the_data_page_lists_each_dump_with_its_date_size_records_and_checksum(client, two_dumps):
    earlier, latest = two_dumps
    html = client.get("/en/data/").content.decode()
    rows = re.findall(r"<tr><th scope=\"row\"><time datetime=\"([\d-]+)\">.*?</tr>", html)
    assert rows == ["2026-06-12", "2026-06-11"]
    assert f'<a href="/data/{latest.name}">{latest.name}</a>' in html
    assert f'<code class="checksum">{earlier.sha256}</code>' in html
    assert f"<td>{latest.rows}</td>" in html
    assert f'echo "{latest.sha256}  {latest.name}" | sha256sum --check' in html


def test_a_dump_downloads_whole_with_the_checksum_the_page_gives(client, two_dumps):
    _earlier, latest = two_dumps
    response = client.get(f"/data/{latest.name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response  # the file itself is gzip: browsers must not unpack it
    assert response["Content-Disposition"] == f'attachment; filename="{latest.name}"'
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == latest.sha256
    assert b"Kestrel accused over evictions" in gzip.decompress(data)


def test_latest_points_at_the_newest_dump(client, two_dumps):
    response = client.get("/data/latest.jsonl.gz")
    assert response.status_code == 302
    assert response["Location"] == f"/data/{two_dumps[1].name}"


def test_latest_without_any_dump_is_not_found(client, db):
    assert client.get("/data/latest.jsonl.gz").status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "dump-2026-06-13.jsonl.gz",  # no such dump
        "dump-2026-06-12.json",  # the description is not a download
        ".dump.lock",
        "..%2F..%2Fsettings.py",
        "%2Fetc%2Fpasswd",
        "dump-2026-06-12.jsonl.gz%00.txt",
    ],
)
def test_nothing_but_a_listed_dump_is_served(client, two_dumps, name):
    assert client.get(f"/data/{name}").status_code == 404


def test_a_dump_without_its_description_is_neither_listed_nor_served(client, two_dumps, settings):
    (settings.OPEN_DATA_DIR / "dump-2026-06-12.json").unlink()
    assert client.get("/data/dump-2026-06-12.jsonl.gz").status_code == 404
    assert "dump-2026-06-12.jsonl.gz" not in client.get("/en/data/").content.decode()


def test_every_page_links_to_the_open_data_page_from_its_footer(client, db):
    html = client.get("/en/").content.decode()
    assert '<a href="/en/data/">Open data: downloads and the API</a>' in html
