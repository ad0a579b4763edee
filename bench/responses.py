"""Server time of the response-rate page, its CSV and a company page, at 20,000 requests.

Run from the project root:

    .venv/bin/python bench/responses.py [--companies 2000] [--requests 20000] [--runs 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_responses .venv/bin/python bench/responses.py

Without DATABASE_URL it builds a throwaway SQLite database in a temporary directory (the
project's settings with their embedded defaults, only DATABASE_URL and VAR_DIR pointed there).
With a PostgreSQL DATABASE_URL it creates the named database, which must not exist yet, and
drops it at the end. It generates the data with `generate_response_corpus` ("requests" counts
invitations: one company asked about one allegation), runs ANALYZE on PostgreSQL as autovacuum
soon would, and builds the search index the company page reads.

Before timing, it checks that every figure the page, the CSV and the company page show equals
a recount from plain rows in Python, and stops if one differs. It then times in-process
requests through django.test.Client (full middleware, no HTTP server), the pages taking turns,
with the cache cleared before every request so that no page leans on it. Each timed request
ends as a real server's does (`close_old_connections`), inside the timed span. It ends with the
queries of one request to /en/responses/, slowest first, and one line of key=value figures.
"""

import argparse
import csv
import io
import math
import os
import platform
import re
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from throwaway import drop_database, setup_django  # beside this script

RATES_URL = "/en/responses/"
CSV_URL = "/en/responses/response-rates.csv"
TARGET_P95_MS = 100
TOP_ROWS = 20
# The method, written out again for the recount: what each status counts as; others are not counted.
OUTCOME = {
    "responded": "responded",
    "declined": "declined",
    "no-response": "no_response",
    "requested": "pending",
    "reminded": "pending",
}
# The page's table sections, and the CSV group each matches.
SECTIONS = {"company": "company", "sector": "sector", "country": "hq_country", "issue": "issue"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=20_000, help="invitations to generate")
    parser.add_argument("--runs", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per page first")
    return parser.parse_args()


# --- Set-up -----------------------------------------------------------------------------------


def machine() -> list[str]:
    import django
    import wagtail
    from django.conf import settings
    from django.db import connection

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    database = settings.DATABASES["default"]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    with connection.cursor():
        if connection.vendor == "sqlite":
            version = connection.Database.sqlite_version
        else:
            version = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    return [
        f"machine: {cpu}; nproc={len(os.sched_getaffinity(0))}; load average {load}",
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}; "
        f"Django {django.get_version()}, Wagtail {wagtail.__version__}",
        f"database: {connection.vendor} {version} (CONN_MAX_AGE={database['CONN_MAX_AGE']}); "
        f"settings: DEBUG={settings.DEBUG}, cache={cache} (cleared before every request)",
    ]


# --- The recount --------------------------------------------------------------------------------


def recount() -> dict[str, dict[str, dict]]:
    """{group: {key: tally}} from plain rows, with none of the aggregation in `queries`."""
    from django.utils import timezone

    from resourcecentre.companies.models import Company
    from resourcecentre.news.models import Story
    from resourcecentre.responses.models import Invitation
    from resourcecentre.taxonomy.models import Country, Issue, Sector

    companies = {c["id"]: c for c in Company.objects.values("id", "name", "slug", "hq_country_id")}
    countries = {c["id"]: c for c in Country.objects.values("id", "name", "slug")}
    sectors = {s["id"]: s for s in Sector.objects.values("id", "name", "slug")}
    issues = {i["id"]: i for i in Issue.objects.values("id", "name", "slug")}
    sectors_of, issues_of = defaultdict(list), defaultdict(list)
    for company_id, sector_id in Company.sectors.through.objects.values_list("company_id", "sector_id"):
        sectors_of[company_id].append(sectors[sector_id])
    for story_id, issue_id in Story.issues.through.objects.values_list("story_id", "issue_id"):
        issues_of[story_id].append(issues[issue_id])

    groups: dict[str, dict[str, dict]] = defaultdict(dict)

    def add(group: str, key: str, label: str, outcome: str) -> None:
        tally = groups[group].setdefault(
            key, {"label": label, "responded": 0, "declined": 0, "no_response": 0, "pending": 0}
        )
        tally[outcome] += 1

    rows = Invitation.objects.values_list("status", "company_id", "request__opened_at", "request__story_id")
    for status, company_id, opened_at, story_id in rows.iterator(chunk_size=5000):
        outcome = OUTCOME.get(status)
        if outcome is None:
            continue
        company = companies[company_id]
        year = str(timezone.localtime(opened_at).year)
        add("all", "", "All companies", outcome)
        add("year", year, year, outcome)
        add("company", company["slug"], company["name"], outcome)
        add(f"company:{company['slug']}", year, year, outcome)
        for sector in sectors_of[company_id]:
            add("sector", sector["slug"], sector["name"], outcome)
        if company["hq_country_id"] is not None:
            country = countries[company["hq_country_id"]]
            add("hq_country", country["slug"], country["name"], outcome)
        for issue in issues_of[story_id]:
            add("issue", issue["slug"], issue["name"], outcome)
    return groups


def ordered(tallies: dict[str, dict], *, by_year: bool = False) -> list[tuple]:
    """(key, label, requests, responded, declined, no_response, pending, rate), in page order."""
    rows = []
    for key, t in tallies.items():
        closed = t["responded"] + t["declined"] + t["no_response"]
        rate = 100 * t["responded"] / closed if closed else None
        counts = (closed + t["pending"], t["responded"], t["declined"], t["no_response"], t["pending"])
        rows.append((key, t["label"], *counts, rate))
    return sorted(rows, key=lambda r: int(r[0]) if by_year else (-r[2], r[1]))


def shown(rows: list[tuple]) -> list[list[str]]:
    """Rows as a data table on the page shows them."""
    return [
        [label, *map(str, counts), "–" if rate is None else f"{rate:.0f} %"]
        for _, label, *counts, rate in rows
    ]


class Mismatch(list):
    def check(self, what: str, got, expected) -> None:
        if got != expected:
            self.append(f"{what}:\n  page:    {got!r:.600}\n  recount: {expected!r:.600}")


def table_rows(page, xpath: str) -> list[list[str]]:
    return [[row.xpath("string(th)")] + row.xpath("td/text()") for row in page.xpath(xpath + "//tbody/tr")]


def verify(client, groups: dict, company) -> list[str]:
    """Every figure of the rates page, the CSV and `company`'s page against the recount."""
    from lxml import html

    problems = Mismatch()
    page = html.fromstring(client.get(RATES_URL).content)
    text = " ".join(page.text_content().split())
    _, _, requests, responded, declined, no_response, pending, rate = ordered(groups["all"])[0]
    closed = responded + declined + no_response
    lead = re.search(
        r"Companies responded to (\S+ %) of our requests \((\d+) of (\d+) closed requests\)", text
    )
    problems.check("overall rate", lead and lead.groups(), (f"{rate:.0f} %", str(responded), str(closed)))
    awaiting = re.search(r"(\d+) requests? (?:is|are) awaiting an answer", text)
    problems.check("awaiting", awaiting and int(awaiting.group(1)), pending or None)
    problems.check(
        "by year",
        table_rows(page, "//section[@aria-labelledby='years-heading']"),
        shown(ordered(groups["year"], by_year=True)),
    )
    for section, group in SECTIONS.items():
        expected = ordered(groups[group])
        problems.check(
            f"by {section}",
            table_rows(page, f"//section[@aria-labelledby='{section}-heading']"),
            shown(expected[:TOP_ROWS]),
        )
        if len(expected) > TOP_ROWS:
            note = f"The {TOP_ROWS} with the most requests, of {len(expected)};"
            problems.check(f"by {section}, rows left out", note in text, True)

    lines = list(csv.reader(io.StringIO(client.get(CSV_URL).content.decode())))
    expected_csv = [
        ["group", "key", "label", "requests", "responded", "declined", "no_response", "pending", "rate"]
    ]
    for group in ("all", "year", "company", "sector", "hq_country", "issue"):
        for key, label, *counts, row_rate in ordered(groups[group], by_year=group == "year"):
            expected_csv.append(
                [group, key, label, *map(str, counts), "" if row_rate is None else f"{row_rate:.1f}"]
            )
    problems.check(f"CSV ({len(expected_csv) - 1} rows)", lines, expected_csv)

    page = html.fromstring(client.get(company.get_absolute_url()).content)
    text = " ".join(page.text_content().split())
    _, _, requests, responded, declined, no_response, pending, rate = ordered(
        {"": groups["company"][company.slug]}
    )[0]
    closed = responded + declined + no_response
    record = re.search(
        r"to respond (\d+) times?\. Response rate: (\S+ %) \((\d+) of (\d+) closed requests\)", text
    )
    problems.check(
        f"record of {company.name}",
        record and record.groups(),
        (str(requests), f"{rate:.0f} %", str(responded), str(closed)),
    )
    problems.check(
        f"record of {company.name}, by year",
        table_rows(page, "//figure[@aria-labelledby='chart-company-years-caption']"),
        shown(ordered(groups[f"company:{company.slug}"], by_year=True)),
    )
    return problems


# --- Timing -----------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    label: str
    url: str
    timings: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)
    size: int = 0


class QueryRecorder:
    """Keeps each query of a request, to be replayed and timed on its own afterwards."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records

    def __call__(self, execute, sql, params, many, context):
        self.records.append({"sql": sql, "params": params})
        return execute(sql, params, many, context)


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered_values = sorted(values)
    return ordered_values[math.ceil(0.95 * len(ordered_values)) - 1]


def request_once(client, target: Target) -> tuple:
    from django.core.cache import cache
    from django.db import close_old_connections

    cache.clear()
    start, start_cpu = time.perf_counter(), time.process_time()
    response = client.get(target.url)
    close_old_connections()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    if response.status_code != 200:
        raise SystemExit(f"{target.url} answered {response.status_code}")
    return response, elapsed, cpu


def measure(client, targets: list[Target], runs: int, warmup: int) -> None:
    from django.db import connection

    for _ in range(warmup):
        for target in targets:
            request_once(client, target)
    for target in targets:
        with connection.execute_wrapper(QueryRecorder(target.queries)):
            response, _, _ = request_once(client, target)
        target.size = len(response.content)
    # Round-robin, so that a burst of load on a shared machine spreads over every page.
    for _ in range(runs):
        for target in targets:
            _, elapsed, cpu = request_once(client, target)
            target.timings.append(elapsed * 1000)
            target.cpu.append(cpu * 1000)


def table(targets: list[Target]) -> str:
    rows = [
        "| page | URL | KB | queries | median ms | p95 ms | max ms | CPU median ms |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for t in targets:
        rows.append(
            f"| {t.label} | `{t.url}` | {t.size / 1024:.0f} | {len(t.queries)} "
            f"| {statistics.median(t.timings):.1f} | {p95(t.timings):.1f} | {max(t.timings):.1f} "
            f"| {statistics.median(t.cpu):.1f} |"
        )
    return "\n".join(rows)


def slowest_queries(target: Target, count: int = 8, runs: int = 5) -> str:
    """The request's queries replayed one by one, execution and fetching of every row timed
    (SQLite does much of a query's work while the rows are fetched), slowest first."""
    from django.db import connection

    timed = []
    with connection.cursor() as cursor:
        for query in target.queries:
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                cursor.execute(query["sql"], query["params"])
                cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
            timed.append((statistics.median(times), " ".join(query["sql"].split())))
    rows = ["| ms | query |", "|--:|---|"]
    for ms, sql in sorted(timed, key=lambda t: -t[0])[:count]:
        rows.append(f"| {ms:.1f} | `{sql[:150]}{'…' if len(sql) > 150 else ''}` |")
    rows.append(f"| {sum(ms for ms, _ in timed):.1f} | all {len(timed)} queries of one request |")
    return "\n".join(rows)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="rc-bench-responses-") as tmp:
        created = setup_django(Path(tmp))
        try:
            run(args)
        finally:
            if created:
                drop_database(created)


def run(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from resourcecentre.companies.models import Company
    from resourcecentre.demo.response_corpus import generate_response_corpus
    from resourcecentre.news.models import Component, Story
    from resourcecentre.responses.models import Invitation, ResponseRequest

    for line in machine():
        print(line)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate_response_corpus(companies=args.companies, requests=args.requests)
    generated = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # Autovacuum would gather the planner's statistics soon after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    call_command("rebuild_search_index", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    indexed = time.perf_counter() - started
    statuses = dict(Invitation.objects.values_list("status").annotate(n=Count("id")).order_by())
    print(
        f"data: {Company.objects.count():,} companies, {Invitation.objects.count():,} invitations "
        f"(requests to one company) in {ResponseRequest.objects.count():,} requests on "
        f"{Story.objects.count():,} stories, {Component.objects.count():,} published responses; "
        f"generated in {generated:.1f} s, indexed in {indexed:.1f} s"
    )
    print(
        "statuses: "
        + ", ".join(f"{status} {n:,}" for status, n in sorted(statuses.items(), key=lambda s: -s[1]))
    )

    top = Invitation.objects.values("company_id").annotate(n=Count("id")).order_by("-n", "company_id").first()
    company = Company.objects.get(pk=top["company_id"])
    # SERVER_NAME "localhost" is in the default ALLOWED_HOSTS, so the settings stay untouched.
    client = Client(SERVER_NAME="localhost")
    started = time.perf_counter()
    problems = verify(client, recount(), company)
    if problems:
        print("\nVERIFICATION FAILED: figures differ from the recount\n" + "\n".join(problems))
        raise SystemExit(1)
    print(
        f"verified in {time.perf_counter() - started:.1f} s: every figure of {RATES_URL}, the CSV and "
        f"the company page of {company.name} ({top['n']:,} invitations) equals a recount from the rows"
    )

    targets = [
        Target("rates", "response rates", RATES_URL),
        Target("csv", "CSV of every figure", CSV_URL),
        Target("company", f"company page, {top['n']:,} invitations", company.get_absolute_url()),
    ]
    print(
        f"timing: django.test.Client in-process, cache cleared before every request, {args.warmup} warm-up "
        f"then {args.runs} timed requests per page, round-robin; p95 is nearest-rank"
    )
    measure(client, targets, args.runs, args.warmup)
    print()
    print(table(targets))
    print()
    wall = sum(sum(t.timings) for t in targets)
    cpu = sum(sum(t.cpu) for t in targets)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"CPU time was {cpu / wall:.0%} of wall time over the timed requests (well below 100 % means "
        f"other processes had the CPU, or the database server did the work); load average now {load}"
    )
    rates = targets[0]
    verdict = "met" if p95(rates.timings) < TARGET_P95_MS else "NOT met"
    print(f"target: {RATES_URL} p95 under {TARGET_P95_MS} ms: {verdict} ({p95(rates.timings):.1f} ms)\n")
    print(f"Queries of one request to {RATES_URL}, each replayed 5 times (median), slowest first:\n")
    print(slowest_queries(rates))
    print()
    print(
        " ".join(
            f"{t.name}_p95_ms={p95(t.timings):.1f} {t.name}_median_ms={statistics.median(t.timings):.1f}"
            for t in targets
        )
        + f" invitations={Invitation.objects.count()} companies={Company.objects.count()} "
        f"database={connection.vendor} verified=yes"
    )


if __name__ == "__main__":
    main()
