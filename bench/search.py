"""Search speed at scale: our search service against a naive ORM baseline, in one run.

    .venv/bin/python bench/search.py --components 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_1m \
        .venv/bin/python bench/search.py --components 1000000

Builds the corpus with `generate_corpus` (or reuses it: the database and index are kept under
var/bench-<N>/ for SQLite, or in the named PostgreSQL database), then runs a fixed mix of
queries, each with facet counts. Prints median and p95 per query class and overall for both,
and ends with one line: overall_p95_ms=<ours> baseline_p95_ms=<baseline> components=<N>.

The baseline is what a plain Django site would do: `icontains` over title and excerpt, joins
for the filters, `Count` per facet, sorting in the database.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(components: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resourcecentre.settings")
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / f"bench-{components}"))
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
        os.environ["VAR_DIR"] = str(ROOT / "var" / f"bench-pg-{name}")
    import django

    django.setup()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def ensure_corpus(components: int, companies: int) -> int:
    """Migrate, generate the synthetic corpus up to `components` and build the index if missing;
    the number of components. (Also used by bench/api.py.)"""
    from django.core.management import call_command

    from resourcecentre.news.models import Component
    from resourcecentre.search.engine import SearchUnavailable
    from resourcecentre.search.services import index_store

    call_command("migrate", verbosity=0)
    have = Component.objects.count()
    if have < components:
        print(f"Generating {components - have:,} components …", flush=True)
        call_command("generate_corpus", components=components - have, companies=companies, seed=have + 1)
    try:
        index_store().reader()
    except SearchUnavailable:
        print("Building the search index …", flush=True)
        call_command("rebuild_search_index")
    return Component.objects.count()


def query_mix() -> tuple[dict[str, dict], object, dict, str]:
    """The query classes measured, picked from the corpus: (mix, big company, its count, rare word)."""
    from django.db.models import Count

    from resourcecentre.companies.models import Company
    from resourcecentre.news.models import Component
    from resourcecentre.taxonomy.models import Country, Issue

    through = Component.companies.through
    big = through.objects.values("company_id").annotate(n=Count("id")).order_by("-n").first()
    big_company = Company.objects.get(pk=big["company_id"])
    rare_company = Company.objects.order_by("-id")[10]
    country = Country.objects.get(
        pk=Component.countries.through.objects.values("country_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["country_id"]
    )
    issue = Issue.objects.get(name="Land rights")
    rare_word = rare_company.name.split()[0]

    mix = {
        "common term": {"q": "workers"},
        "rare term": {"q": rare_word},
        "phrase": {"q": '"unpaid overtime"'},
        "two filters": {"country": country.slug, "issue": issue.slug},
        "text + 3 filters": {"q": "mine", "country": country.slug, "issue": issue.slug, "language": "en"},
        "company by date": {"company": big_company.slug, "kind": "component", "sort": "newest"},
    }
    return mix, big_company, big, rare_word


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query class for our search")
    parser.add_argument("--baseline-runs", type=int, default=5, help="timed runs per class for the baseline")
    args = parser.parse_args()
    setup(args.components)

    from django.db import connection
    from django.db.models import Count, Q
    from django.http import QueryDict

    from resourcecentre.companies.models import Company
    from resourcecentre.news.models import Component
    from resourcecentre.search.queries import SearchParams, search

    total = ensure_corpus(args.components, args.companies)
    mix, big_company, big, rare_word = query_mix()

    def ours(params: dict):
        query = QueryDict(mutable=True)
        for key, value in params.items():
            query[key] = value
        return lambda: search(SearchParams.from_query(query))

    def baseline(params: dict):
        def run():
            items = Component.objects.filter(live=True)
            if "q" in params:
                for word in (
                    params["q"].replace('"', "").split()
                    if not params["q"].startswith('"')
                    else [params["q"].strip('"')]
                ):
                    items = items.filter(Q(title__icontains=word) | Q(excerpt__icontains=word))
            if "country" in params:
                items = items.filter(countries__slug=params["country"])
            if "issue" in params:
                items = items.filter(issues__slug=params["issue"])
            if "company" in params:
                items = items.filter(companies__slug=params["company"])
            if "language" in params:
                items = items.filter(language=params["language"])
            list(items.select_related("type", "source").order_by("-date")[:20])
            items.count()
            for field in ("companies", "countries", "issues", "type", "language"):
                list(items.values(field).annotate(n=Count("id")).order_by("-n")[:10])

        return run

    print(f"\n{total:,} components, {Company.objects.count():,} companies, database: {connection.vendor}")
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {cpu_model()}")
    print(f"big company: {big_company.name} ({big['n']:,} components); rare term: {rare_word}\n")

    def row(name: str, ours_times: list[float], hits, base_times: list[float]) -> str:
        return (
            f"{name:<18} {statistics.median(ours_times):>10.1f}ms {percentile(ours_times, 0.95):>8.1f}ms "
            f"{hits:>9} {statistics.median(base_times):>14.1f}ms {percentile(base_times, 0.95):>11.1f}ms"
        )

    header = ("query class", "ours median", "ours p95", "hits", "baseline median", "baseline p95")
    print("{:<18} {:>12} {:>10} {:>9} {:>16} {:>13}".format(*header))
    ours_all, base_all = [], []
    for name, params in mix.items():
        run = ours(params)
        for _ in range(3):
            results = run()
        ours_times = timed(run, args.runs)
        base_times = timed(baseline(params), args.baseline_runs)
        ours_all += ours_times
        base_all += base_times
        print(row(name, ours_times, f"{results.total:,}", base_times), flush=True)
    print(row("overall", ours_all, "", base_all) + "\n")
    ours_p95, base_p95 = percentile(ours_all, 0.95), percentile(base_all, 0.95)
    print(f"overall_p95_ms={ours_p95:.1f} baseline_p95_ms={base_p95:.1f} components={total}")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
