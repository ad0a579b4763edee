"""The export's rows as CSV and JSON Lines, written batch by batch (no Django).

A row is a tuple in `COLUMNS` order: numbers and text as they are, lists of names as lists,
dates already in ISO 8601 text, and None for what an item does not have (a company's date).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator

COLUMNS = (
    "id",
    "kind",
    "title",
    "url",
    "date",
    "source",
    "companies",
    "countries",
    "issues",
    "language",
    "updated_at",
)
LIST_SEPARATOR = "; "
# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV file without it as the local ANSI code page, garbling non-Latin names.
BYTE_ORDER_MARK = "\ufeff"

Row = tuple
Batches = Iterable[list[Row]]


def neutralise(cell: str) -> str:
    """Text a spreadsheet would run as a formula, made plain text by a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _text(value: str | None) -> str:
    return neutralise(value) if value else ""


def _joined(names: list[str]) -> str:
    return neutralise(LIST_SEPARATOR.join(names)) if names else ""


def csv_row(row: Row) -> tuple:
    """A row's CSV cells. Ids, kinds, URLs (on the site's address), dates and language codes
    cannot start like a formula; titles, sources and names can."""
    pk, kind, title, url, date, source, companies, countries, issues, language, updated_at = row
    return (
        pk,
        kind,
        _text(title),
        url,
        date or "",
        _text(source),
        _joined(companies),
        _joined(countries),
        _joined(issues),
        language or "",
        updated_at,
    )


def csv_chunks(batches: Batches) -> Iterator[bytes]:
    """UTF-8 with a byte order mark, a header row, then one chunk of bytes per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow(COLUMNS)
    yield buffer.getvalue().encode()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(csv_row, batch))
        yield buffer.getvalue().encode()


def jsonl_chunks(batches: Batches) -> Iterator[bytes]:
    """One JSON object per line, UTF-8 without escapes, one chunk of bytes per batch."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for batch in batches:
        yield "".join(encode(dict(zip(COLUMNS, row, strict=True))) + "\n" for row in batch).encode()
