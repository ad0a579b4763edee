"""Measure the tagger against labelled items: precision, recall and F1 per kind of tag.

FILE.jsonl holds one JSON object a line, of two shapes:

* a labelled item: {"title", "text", "url", "language", "companies": [names],
  "countries": [ISO 3166-1 alpha-2], "issues": [issue names]};
* a register entry: {"company": name, "aliases": [...], "former_names": [...]}, for
  companies the items name, as the register would hold them.

Companies missing from the register (from register entries or the items' labels) are added
for the run inside a transaction that is rolled back, so the database is left as it was.
A tag counts when its confidence reaches the threshold (the tagger's suggestion threshold).
"""

import json
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.ingest.language import detect_language
from resourcecentre.ingest.tagging import COMPANY, COUNTRY, ISSUE, SUGGEST_THRESHOLD, Tagger
from resourcecentre.taxonomy.models import Country, Issue

KINDS = (COMPANY, COUNTRY, ISSUE)
LABELS = {COMPANY: "companies", COUNTRY: "countries", ISSUE: "issues"}


class Command(BaseCommand):
    help = "Run the tagger on labelled items (JSON lines) and report precision, recall and F1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--threshold", type=float, default=SUGGEST_THRESHOLD)
        parser.add_argument("--errors", action="store_true", help="List every missed or wrong tag.")

    def handle(self, *args, file: Path, threshold: float, errors: bool, **options: object) -> None:
        try:
            rows = [
                json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        items = [row for row in rows if "title" in row]
        if not items:
            raise CommandError(f"No labelled items in {file}.")
        with transaction.atomic():
            counts = self._evaluate(rows, items, threshold, errors)
            transaction.set_rollback(True)
        self._report(counts, len(items))

    def _evaluate(
        self, rows: list[dict], items: list[dict], threshold: float, errors: bool
    ) -> dict[str, Counter]:
        company_ids = _register([row for row in rows if "company" in row], items)
        country_ids = dict(Country.objects.values_list("code", "pk"))
        issue_ids = dict(Issue.objects.values_list("name", "pk"))
        unknown = {name for item in items for name in item.get("issues", [])} - set(issue_ids)
        if unknown:
            self.stderr.write(f"Issues not in the database (count as misses): {', '.join(sorted(unknown))}")
        tagger = Tagger.from_database()
        counts = {kind: Counter() for kind in KINDS}
        for item in items:
            language = detect_language(
                f"{item['title']}\n{item.get('text', '')}", hint=item.get("language", "")
            )
            found = {kind: set() for kind in KINDS}
            for tag in tagger.tag(item["title"], item.get("text", ""), language):
                if tag.confidence >= threshold:
                    found[tag.kind].add(tag.term_id)
            expected = {
                COMPANY: {company_ids[name] for name in item.get("companies", [])},
                COUNTRY: {country_ids.get(code.upper(), f"?{code}") for code in item.get("countries", [])},
                ISSUE: {issue_ids.get(name, f"?{name}") for name in item.get("issues", [])},
            }
            for kind in KINDS:
                counts[kind]["tp"] += len(found[kind] & expected[kind])
                counts[kind]["fp"] += len(found[kind] - expected[kind])
                counts[kind]["fn"] += len(expected[kind] - found[kind])
                if errors and found[kind] != expected[kind]:
                    self.stdout.write(
                        f"{item['title'][:70]}\n  {kind}: missed {_names(kind, expected[kind] - found[kind])}"
                        f", wrong {_names(kind, found[kind] - expected[kind])}"
                    )
        return counts

    def _report(self, counts: dict[str, Counter], items: int) -> None:
        self.stdout.write(f"{'':<10} {'precision':>9} {'recall':>7} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}")
        scores = {}
        for kind in KINDS:
            c = counts[kind]
            precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
            recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            scores[kind] = f1
            counted = f"{c['tp']:>5} {c['fp']:>5} {c['fn']:>5}"
            self.stdout.write(f"{LABELS[kind]:<10} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f} {counted}")
        self.stdout.write(
            f"companies_f1={scores[COMPANY]:.3f} countries_f1={scores[COUNTRY]:.3f} "
            f"issues_f1={scores[ISSUE]:.3f} items={items}"
        )


def _register(entries: list[dict], items: list[dict]) -> dict[str, int]:
    """Company.pk for every company name the file uses, adding the missing ones."""
    wanted = {entry["company"]: entry for entry in entries}
    for item in items:
        for name in item.get("companies", []):
            wanted.setdefault(name, {"company": name})
    ids = {}
    for name, entry in wanted.items():
        company = Company.objects.filter(Q(name=name) | Q(names__name=name)).first()
        if company is None:
            company = Company.objects.create(name=name)
        known = set(company.names.values_list("name", flat=True)) | {company.name}
        CompanyName.objects.bulk_create(
            [
                CompanyName(company=company, name=other, kind=kind)
                for kind, key in (
                    (CompanyName.Kind.ALIAS, "aliases"),
                    (CompanyName.Kind.FORMER, "former_names"),
                )
                for other in entry.get(key, [])
                if other not in known
            ]
        )
        ids[name] = company.pk
    return ids


def _names(kind: str, ids: set) -> str:
    model = {COMPANY: Company, COUNTRY: Country, ISSUE: Issue}[kind]
    known = dict(
        model.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list("pk", "name")
    )
    return ", ".join(sorted(known.get(i, str(i)) for i in ids)) or "-"
