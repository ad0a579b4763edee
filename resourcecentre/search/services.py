"""Keeping the search index in step with the database."""

import datetime
import fcntl
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .documents import DOCUMENTS, INDEXED_KINDS, all_ids
from .engine import IndexStore, SearchIndex, SearchUnavailable
from .models import SearchIndexChange

logger = logging.getLogger(__name__)

APPLIED_FILE = "applied_change_id"
SYNC_BATCH = 5000
LATE_COMMIT_SECONDS = 300
REBUILD_HEAP_BYTES = 256_000_000
_stores: dict[Path, IndexStore] = {}


def index_store() -> IndexStore:
    """This process's handle on the index directory named by SEARCH_INDEX_DIR."""
    root = Path(settings.SEARCH_INDEX_DIR)
    if root not in _stores:
        _stores[root] = IndexStore(root)
    return _stores[root]


@contextmanager
def _host_lock(root: Path) -> Iterator[None]:
    """One writer per host: tantivy allows a single writer per index directory."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".writer.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _applied(path: Path) -> int:
    try:
        return int((path / APPLIED_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return 0


def _set_applied(path: Path, change_id: int) -> None:
    temporary = path / f"{APPLIED_FILE}.tmp"
    temporary.write_text(str(change_id))
    temporary.replace(path / APPLIED_FILE)


def search_index_record_change(*, kind: str, object_ids: list[int]) -> None:
    """Log that these objects changed; the index picks them up after the transaction commits."""
    SearchIndexChange.objects.bulk_create(SearchIndexChange(kind=kind, object_id=i) for i in object_ids)
    pending = any(func is _enqueue_sync for _, func, _ in connection.run_on_commit)
    if not pending:
        transaction.on_commit(_enqueue_sync)


def _enqueue_sync() -> None:
    from .tasks import sync_search_index

    sync_search_index.enqueue()


def _write(index: SearchIndex, keys: dict[str, set[int]]) -> int:
    """Replace the documents of these objects with their current published state."""
    if not keys:
        return 0
    written = 0
    writer = index.writer()
    for kind, ids in keys.items():
        for object_id in ids:
            writer.delete_documents_by_term("key", f"{kind}:{object_id}")
        for document in DOCUMENTS[kind](ids):
            writer.add_document(document.to_tantivy())
            index.mark_overflow(document.overflowing)
            written += 1
    writer.commit()
    writer.wait_merging_threads()
    return written


def search_index_sync() -> int:
    """Apply the change log to this host's index, from the last change it applied.

    Safe to run at any time and any number of times: re-applying a change rewrites the same
    document. Changes of the last few minutes are applied again on every run, because on
    PostgreSQL a transaction can commit after one that took a later id. Returns the number of
    new changes applied.
    """
    store = index_store()
    applied_total = 0
    with _host_lock(store.root):
        try:
            path = store.current_path()
        except SearchUnavailable:
            logger.warning("No search index yet; run rebuild_search_index")
            return 0
        index = SearchIndex(path)
        recent = timezone.now() - datetime.timedelta(seconds=LATE_COMMIT_SECONDS)
        late = SearchIndexChange.objects.filter(id__lte=_applied(path), created_at__gte=recent)
        _write(index, _keys(late.values_list("id", "kind", "object_id")[:SYNC_BATCH]))
        while True:
            last = _applied(path)
            changes = list(
                SearchIndexChange.objects.filter(id__gt=last)
                .order_by("id")
                .values_list("id", "kind", "object_id")[:SYNC_BATCH]
            )
            if not changes:
                break
            _write(index, _keys(changes))
            _set_applied(path, changes[-1][0])
            applied_total += len(changes)
    forgotten = timezone.now() - datetime.timedelta(days=settings.SEARCH_CHANGE_LOG_DAYS)
    SearchIndexChange.objects.filter(created_at__lt=forgotten).delete()
    return applied_total


def _keys(changes) -> dict[str, set[int]]:
    keys: dict[str, set[int]] = defaultdict(set)
    for _, kind, object_id in changes:
        keys[kind].add(object_id)
    return keys


def search_index_rebuild(*, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Build a fresh index from the database beside the current one, then swap it in.

    Changes logged while the rebuild runs are applied by the next sync, because the new
    index records the last change id seen *before* reading began.
    """
    store = index_store()
    last_change = SearchIndexChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    path = store.new_build_path()
    index = SearchIndex(path, create=True)
    writer = index.writer(heap_bytes=REBUILD_HEAP_BYTES)
    total = 0
    for kind in INDEXED_KINDS:
        ids = all_ids(kind)
        for done, document in enumerate(DOCUMENTS[kind](ids), start=1):
            writer.add_document(document.to_tantivy())
            index.mark_overflow(document.overflowing)
            if progress and done % 1000 == 0:
                progress(kind, done, len(ids))
        if progress:
            progress(kind, len(ids), len(ids))
        total += len(ids)
    writer.commit()
    writer.wait_merging_threads()
    _set_applied(path, last_change)
    with _host_lock(store.root):
        store.swap_to(path)
    search_index_sync()
    return total
