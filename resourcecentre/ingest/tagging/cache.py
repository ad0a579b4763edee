"""The process's tagger, built once and rebuilt when the register or the lexicon changes: at
once in this process (model signals), and in other processes (the task worker) when the
fingerprint of the tables differs, checked at most every `RECHECK_SECONDS`.

The fingerprint is what each table can tell cheaply and surely:
* companies and issue keywords: their count (a deletion) and their latest `updated_at` (an
  addition or an edit, of a keyword's phrase, issue or language, or of a company's name);
* company names (aliases and former names) carry no time of change, but the admin saves them
  with their company, whose `updated_at` moves; their count and highest id catch names added
  or removed any other way;
* issues: their names are keywords, and `taxonomy.Term` keeps no time of change; the list
  is an editorial one of a few dozen rows, so the names themselves are compared;
* countries: the tagger reads only their ISO codes (names come from `data/countries.json`),
  which never change: their count and highest id.
"""

import threading
import time

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.ingest.models import IssueKeyword
from resourcecentre.taxonomy.models import Country, Issue

from .tagger import Tagger

RECHECK_SECONDS = 30.0


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tagger: Tagger | None = None
        self.fingerprint: tuple | None = None
        self.checked_at = 0.0
        self.stale = False


_cache = _Cache()


def _fingerprint() -> tuple:
    changed = {"n": Count("pk"), "changed": Max("updated_at")}
    added = {"n": Count("pk"), "last": Max("pk")}
    return (
        tuple(Company.objects.aggregate(**changed).values()),
        tuple(CompanyName.objects.aggregate(**added).values()),
        tuple(IssueKeyword.objects.aggregate(**changed).values()),
        tuple(Issue.objects.order_by("pk").values_list("pk", "name")),
        tuple(Country.objects.aggregate(**added).values()),
    )


def get_tagger() -> Tagger:
    """The process's tagger, rebuilt when the company register or the issue lexicon changed."""
    now = time.monotonic()
    with _cache.lock:
        if _cache.tagger is not None and not _cache.stale and now - _cache.checked_at < RECHECK_SECONDS:
            return _cache.tagger
        fingerprint = _fingerprint()
        _cache.checked_at = now
        if _cache.tagger is None or _cache.stale or fingerprint != _cache.fingerprint:
            _cache.stale = False
            _cache.tagger = Tagger.from_database()
            _cache.fingerprint = fingerprint
        return _cache.tagger


def invalidate_tagger(**kwargs: object) -> None:
    """Rebuild the tagger on its next use (a signal receiver, and for callers that bulk-load)."""
    _cache.stale = True


for _model in (Company, CompanyName, IssueKeyword, Issue, Country):
    post_save.connect(invalidate_tagger, sender=_model, dispatch_uid=f"ingest-tagger-{_model.__name__}-save")
    post_delete.connect(
        invalidate_tagger, sender=_model, dispatch_uid=f"ingest-tagger-{_model.__name__}-delete"
    )
