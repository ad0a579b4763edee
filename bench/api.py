"""API search against the search page, on the same query mix and corpus, in one run.

    .venv/bin/python bench/api.py --components 100000
    .venv/bin/python bench/api.py --components 1000000

Reuses bench/search.py's corpus (var/bench-<N>/ for SQLite, or the PostgreSQL database named
in DATABASE_URL) and its query mix. Each query class is requested through Django's full
request handling, middleware included, as GET /en/search/?… (the HTML page) and as
GET /api/v1/search?… (JSON, 20 results and facet counts), alternating the two so that both
see the same machine load. Ends with one line:
api_p95_ms=<api> page_p95_ms=<page> ratio=<api/page> components=<N>.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import cpu_model, ensure_corpus, percentile, query_mix, setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per query class and door")
    args = parser.parse_args()
    # The measurement is of serving, not of refusing: no rate limit may interfere.
    os.environ.setdefault("RATE_LIMIT_API", "1000000/m")
    os.environ.setdefault("RATE_LIMIT_SEARCH", "1000000/m")
    setup(args.components)
    # One log line per request would bury the figures.
    logging.getLogger("resourcecentre.requests").setLevel(logging.WARNING)

    from django.db import connection
    from django.test import Client

    total = ensure_corpus(args.components, args.companies)
    mix, big_company, big, rare_word = query_mix()
    client = Client(HTTP_HOST="127.0.0.1")

    def get(url: str) -> float:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return elapsed

    print(f"\n{total:,} components, database: {connection.vendor}")
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"big company: {big_company.name} ({big['n']:,} components); rare term: {rare_word}\n")
    header = ("query class", "page median", "page p95", "api median", "api p95", "api total")
    print("{:<18} {:>12} {:>10} {:>11} {:>9} {:>10}".format(*header))
    page_all, api_all = [], []
    for name, params in mix.items():
        query = urlencode(params)
        page_url, api_url = f"/en/search/?{query}", f"/api/v1/search?{query}"
        for _ in range(3):
            get(page_url), get(api_url)
        page_times, api_times = [], []
        for _ in range(args.runs):
            page_times.append(get(page_url))
            api_times.append(get(api_url))
        found = client.get(api_url).json()["total"]
        page_all += page_times
        api_all += api_times
        print(
            f"{name:<18} {statistics.median(page_times):>10.1f}ms {percentile(page_times, 0.95):>8.1f}ms "
            f"{statistics.median(api_times):>9.1f}ms {percentile(api_times, 0.95):>7.1f}ms {found:>10,}",
            flush=True,
        )
    page_p95, api_p95 = percentile(page_all, 0.95), percentile(api_all, 0.95)
    print(
        f"{'overall':<18} {statistics.median(page_all):>10.1f}ms {page_p95:>8.1f}ms "
        f"{statistics.median(api_all):>9.1f}ms {api_p95:>7.1f}ms"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    ratio = api_p95 / page_p95
    print(f"api_p95_ms={api_p95:.1f} page_p95_ms={page_p95:.1f} ratio={ratio:.2f} components={total}")


if __name__ == "__main__":
    main()
