"""The nightly dump of everything published: written atomically, described, the last few kept."""

import datetime
import fcntl
import gzip
import hashlib
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Component, Story
from resourcecentre.taxonomy.models import TERM_MODELS

from .queries import DUMP_NAME, DumpInfo, dump_dir, dump_name, dump_records, dumps, sidecar

Progress = Callable[[str, int, int], None]
LINES_PER_WRITE = 500
# A dump queued but not written by then (a worker down, a failed task) is queued again.
REQUEUE_AFTER = datetime.timedelta(hours=2)
PUBLIC_FILE_MODE = 0o644


class DumpInProgress(Exception):
    """Another process is writing a dump into the same folder."""


def utc_today() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


class _Hashing:
    """A binary file that hashes and counts what goes through it."""

    def __init__(self, raw) -> None:
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


@contextmanager
def _lock(directory: Path) -> Iterator[None]:
    with (directory / ".dump.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DumpInProgress(f"A dump is being written in {directory}.") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL, read everything from one snapshot so references inside the dump agree.

    SQLite is left alone: a transaction there takes the write lock (IMMEDIATE mode) and would
    hold editors off for the whole dump.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as raw:
        raw.write(data)
        raw.flush()
        os.fsync(raw.fileno())


def _temporary(directory: Path, prefix: str) -> Path:
    """A new hidden file in `directory`, readable by all (mkstemp makes 0600; a web server may
    serve the folder), that the stale-file sweep recognises."""
    descriptor, name = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=".tmp")
    os.close(descriptor)
    path = Path(name)
    path.chmod(PUBLIC_FILE_MODE)
    return path


def _totals() -> dict[str, int]:
    totals = {model._meta.model_name: model.objects.count() for model in TERM_MODELS.values()}
    totals["company"] = Company.objects.count()
    totals["component"] = Component.objects.published().count()
    totals["story"] = Story.objects.published().count()
    return totals


def dump_write(
    *, day: datetime.date | None = None, force: bool = False, progress: Progress | None = None
) -> DumpInfo | None:
    """Write `dump-<day>.jsonl.gz` (gzip, one JSON object per line) and its description.

    None when that day's dump exists already, unless `force`. The file is written under a
    temporary name, synced and renamed, and the description (size, sha256, counts) is renamed
    into place last: a dump cut short leaves no file anyone can see and the earlier dumps as
    they were. Keeps the newest `settings.OPEN_DATA_KEEP` dumps. Raises `DumpInProgress` when
    another process is writing one.
    """
    day = day or utc_today()
    directory = dump_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with _lock(directory):
        for stale in directory.glob(".dump-*.tmp"):
            stale.unlink(missing_ok=True)  # left by a process killed mid-dump
        path = directory / dump_name(day)
        if not force and any(info.name == path.name for info in dumps()):
            return None
        started = time.monotonic()
        data_tmp = _temporary(directory, f".{path.name}.")
        info_tmp = _temporary(directory, f".{path.stem}.")
        try:
            counts, digest, size = _write_data(data_tmp, day, progress)
            info = DumpInfo(
                name=path.name,
                date=day,
                created_at=timezone.now().isoformat(timespec="seconds"),
                size=size,
                sha256=digest,
                counts=counts,
                seconds=round(time.monotonic() - started, 1),
            )
            _write_synced(info_tmp, info.to_json().encode())
            # A new file for a day already dumped: its old description goes first, so no moment
            # shows the old description beside the new file.
            sidecar(path).unlink(missing_ok=True)
            os.replace(data_tmp, path)
            os.replace(info_tmp, sidecar(path))
            _fsync_dir(directory)
        finally:
            data_tmp.unlink(missing_ok=True)
            info_tmp.unlink(missing_ok=True)
        _prune(directory, settings.OPEN_DATA_KEEP)
    return info


def _write_data(path: Path, day: datetime.date, progress: Progress | None) -> tuple[dict[str, int], str, int]:
    """Write the records gzipped into `path` and sync it; (counts by type, sha256, size)."""
    counts: Counter = Counter()
    totals = _totals() if progress else {}
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    moment = int(datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC).timestamp())
    with path.open("wb") as raw:
        hashing = _Hashing(raw)
        with gzip.GzipFile(fileobj=hashing, mode="wb", compresslevel=6, mtime=moment) as compressed:
            lines: list[str] = []
            # URLs in the site's default language, whoever runs the dump.
            with translation.override(settings.LANGUAGE_CODE), _snapshot():
                for record in dump_records():
                    kind = record["type"]
                    counts[kind] += 1
                    lines.append(encode(record))
                    if len(lines) >= LINES_PER_WRITE:
                        compressed.write(("\n".join(lines) + "\n").encode())
                        lines.clear()
                    if progress:
                        progress(kind, counts[kind], max(totals.get(kind, 0), counts[kind]))
            if lines:
                compressed.write(("\n".join(lines) + "\n").encode())
        raw.flush()
        os.fsync(raw.fileno())
    return dict(counts), hashing.sha256.hexdigest(), hashing.size


def _prune(directory: Path, keep: int) -> None:
    """Keep the newest `keep` complete dumps; remove older ones and any file left unlisted."""
    kept = {info.name for info in dumps()[: max(1, keep)]}
    for path in directory.glob("dump-*"):
        match = DUMP_NAME.match(path.name)
        if match and path.name in kept:
            continue
        if path.suffix == ".json" and path.name.removesuffix(".json") + ".jsonl.gz" in kept:
            continue
        path.unlink(missing_ok=True)
    for marker in directory.glob(".queued-*"):
        if marker.name != f".queued-{utc_today().isoformat()}":
            marker.unlink(missing_ok=True)


def dump_enqueue_if_due() -> bool:
    """Queue the dump task unless today's dump exists or was queued in the last two hours.

    Run every minute (`dump_open_data --enqueue`), it queues one dump a day, shortly after
    midnight UTC, and queues it again if the first attempt produced nothing.
    """
    from .tasks import write_open_data_dump

    today = utc_today()
    directory = dump_dir()
    directory.mkdir(parents=True, exist_ok=True)
    if any(info.date == today for info in dumps()):
        return False
    marker = directory / f".queued-{today.isoformat()}"
    try:
        queued_at = marker.stat().st_mtime
    except FileNotFoundError:
        queued_at = None
    if queued_at is not None and time.time() - queued_at < REQUEUE_AFTER.total_seconds():
        return False
    marker.touch()
    write_open_data_dump.enqueue()
    return True
