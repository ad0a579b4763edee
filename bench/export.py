"""Streaming a search export: rows per second and the peak memory of the process that streams it.

    .venv/bin/python bench/export.py --components 100000
    .venv/bin/python bench/export.py --components 1000000

Builds the corpus as `bench/search.py` does (`generate_corpus`, 20,000 companies, seed 1, and
the search index), or reuses it: SQLite files and index under var/bench-<N>/ (with a PostgreSQL
DATABASE_URL, that database and var/bench-pg-<database>/). Then, in a fresh child process (so
that building the corpus does not count towards its memory), it requests the export through
django.test.Client (full middleware, no HTTP server) and reads the streamed response to its end,
discarding it. The child reports rows, seconds and its RSS high-water mark
(VmHWM, as `getrusage().ru_maxrss` would give it without a parent) before and after the export.

The baseline, in its own child process too, is what a plain Django view would do: model
instances with `prefetch_related` for the tags, the whole CSV built in memory, then sent. It is
run on the first `--baseline-rows` components only (default 100,000), since it grows with them.

Ends with one line: export_rows_per_s=<x> rows=<n> peak_mb=<m>.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def prepare(components: int, companies: int) -> None:
    """The corpus and index of `bench/search.py`, built the same way or reused."""
    from search import ensure_corpus, setup

    setup(components)
    ensure_corpus(components, companies)


def max_rss_mb() -> float:
    """This process's RSS high-water mark. `/proc/self/status` VmHWM where there is one: Linux
    carries `getrusage().ru_maxrss` over `exec`, so a child started by a parent that built a big
    corpus would report the parent's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def rss_parts_mb() -> dict[str, int]:
    """This process's resident memory now, split into its own (anonymous) pages and pages of
    mapped files (the search index, libraries), which the kernel can drop and share."""
    parts = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile", "RssShmem"):
            parts[name] = round(int(value.split()[0]) / 1024)
    return parts


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_export(components: int, query: str, export_format: str) -> dict:
    """Runs in the child: stream the export through the test client and read it to the end."""
    from search import setup

    setup(components)
    from django.test import Client

    client = Client()
    # A first request loads the URLconf, the views and the index reader: the process as a
    # server's worker is before any export, so what follows is the export's own growth.
    warm_up = client.get(f"/en/search/export.{export_format}?q=zzzzunmatched")
    assert warm_up.status_code == 200, warm_up.content[:500]
    b"".join(warm_up.streaming_content)
    rss_before = max_rss_mb()
    parts_before = rss_parts_mb()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    response = client.get(f"/en/search/export.{export_format}?{query}")
    assert response.status_code == 200, response.content[:500]
    first_byte = None
    size = lines = 0
    # The high-water mark as the rows go by: flat after the first batches if memory is constant.
    total = int(response["X-Total-Count"])
    marks, rss_by_share = [total * share // 4 for share in (1, 2, 3, 4)], []
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
        while marks and lines >= marks[0]:
            rss_by_share.append(round(max_rss_mb()))
            marks.pop(0)
    seconds = time.perf_counter() - started
    rows = lines - 1 if export_format == "csv" else lines  # the CSV's header line
    return {
        "rows": rows,
        "seconds": seconds,
        "first_byte_s": first_byte or seconds,
        "bytes": size,
        "rss_before_mb": rss_before,
        "peak_mb": max_rss_mb(),
        "cpu_s": cpu_seconds() - cpu_before,
        "rss_by_share": rss_by_share,
        "parts_before": parts_before,
        "parts_after": rss_parts_mb(),
    }


def child_baseline(components: int, limit: int) -> dict:
    """Runs in the child: the naive export of the first `limit` published components."""
    from search import setup

    setup(components)
    import csv
    import io

    from django.conf import settings

    from resourcecentre.news.models import Component

    rss_before = max_rss_mb()
    started = time.perf_counter()
    items = list(
        Component.objects.published()
        .select_related("source")
        .prefetch_related("companies", "countries", "issues")
        .order_by("-date", "-id")[:limit]
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "kind", "title", "url", "date", "source", "companies", "countries", "issues"])
    for item in items:
        writer.writerow(
            [
                item.pk,
                "component",
                item.title,
                settings.SITE_URL + item.get_absolute_url(),
                item.date.isoformat(),
                item.source.name if item.source else "",
                "; ".join(c.name for c in item.companies.all()),
                "; ".join(c.name for c in item.countries.all()),
                "; ".join(i.name for i in item.issues.all()),
                item.language,
                item.updated_at.isoformat(),
            ]
        )
    body = buffer.getvalue().encode()
    seconds = time.perf_counter() - started
    return {
        "rows": len(items),
        "seconds": seconds,
        "bytes": len(body),
        "rss_before_mb": rss_before,
        "peak_mb": max_rss_mb(),
    }


def run_child(*args: str) -> dict:
    env = {**os.environ, "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}
    # The test client's requests all come from one address: lift the export's rate limit.
    env["RATE_LIMIT_EXPORT"] = "1000/m"
    result = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"child failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--query", default="kind=component", help="the search's query string")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv", dest="export_format")
    parser.add_argument("--baseline-rows", type=int, default=100_000, help="0 skips the baseline")
    parser.add_argument("--child", choices=("export", "baseline"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "export":
        print(json.dumps(child_export(args.components, args.query, args.export_format)))
        return
    if args.child == "baseline":
        print(json.dumps(child_baseline(args.components, args.baseline_rows)))
        return

    prepare(args.components, args.companies)
    load_start = os.getloadavg()
    common = ["--components", str(args.components)]
    ours = run_child(*common, "--child", "export", "--query", args.query, "--format", args.export_format)
    base = None
    if args.baseline_rows:
        base = run_child(*common, "--child", "baseline", "--baseline-rows", str(args.baseline_rows))
    load_end = os.getloadavg()

    from django.db import connection

    print(
        f"\ndatabase: {connection.vendor}; {os.cpu_count()} cores; load average {load_start[0]:.2f} at "
        f"the start, {load_end[0]:.2f} at the end; query: {args.query}; format: {args.export_format}\n"
    )
    print(
        f"{'':<34} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'MB out':>8} {'RSS before':>11} {'peak RSS':>9}"
    )
    rate = ours["rows"] / ours["seconds"]
    print(
        f"{'streamed export (ours)':<34} {ours['rows']:>10,} {ours['seconds']:>8.1f} {rate:>9,.0f} "
        f"{ours['bytes'] / 1e6:>8.1f} {ours['rss_before_mb']:>10.0f}M {ours['peak_mb']:>8.0f}M"
    )
    if base:
        print(
            f"{'baseline (instances, in memory)':<34} {base['rows']:>10,} {base['seconds']:>8.1f} "
            f"{base['rows'] / base['seconds']:>9,.0f} {base['bytes'] / 1e6:>8.1f} "
            f"{base['rss_before_mb']:>10.0f}M {base['peak_mb']:>8.0f}M"
        )
    print(
        f"\nfirst byte after {ours['first_byte_s'] * 1000:.0f} ms; CPU {ours['cpu_s']:.1f} s of "
        f"{ours['seconds']:.1f} s wall (CPU above wall: the index reader's threads; below: waiting)"
    )
    print(
        f"rows per CPU second: {ours['rows'] / ours['cpu_s']:,.0f} (the rate with a core to itself); "
        f"the export's own growth: {ours['peak_mb'] - ours['rss_before_mb']:.0f} MB"
    )
    print(f"peak RSS after a quarter, half, three quarters and all of the rows: {ours['rss_by_share']} MB")
    print(f"resident before the export: {ours['parts_before']} MB; at its end: {ours['parts_after']} MB")
    print(f"export_rows_per_s={rate:.0f} rows={ours['rows']} peak_mb={ours['peak_mb']:.0f}")


if __name__ == "__main__":
    main()
