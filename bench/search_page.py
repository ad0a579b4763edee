"""Where an uncached search page's CPU goes: the search service, template rendering, the rest.

    .venv/bin/python bench/search_page.py --components 100000
    .venv/bin/python bench/search_page.py --profile 30        # cProfile of the rendering only

Builds the corpus with `generate_corpus` (or reuses it: the SQLite database and the index are
kept under var/bench-page-<N>/), writes the search paths `bench/load.sh` replays with
`bench/load_urls.py` (same seed, same mix: one or two words, half with a country, 30 % with an
issue) and requests them in-process through Django's WSGI handler with the production profile
(DEBUG off, JSON logs, every middleware; the rate limit checked, never reached). The search
page is never served from the page cache. Per request it measures the process's CPU time
(the facet thread included) and splits it into:

* service: `search.queries.search` (the engine and loading the 20 hits);
* render: `render()` in the view (the template, its tags and filters, and any query they run);
* other: the rest (WSGI, middleware, URL resolution, the rate limit, logging).

Without REDIS_URL the cache (the rate limit's counters) is in memory; load.sh uses Redis.
Ends with one line of medians:
page_cpu_ms=<x> service_ms=<y> render_ms=<z> other_ms=<w> components=<n>.
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import cpu_model, ensure_corpus, percentile  # noqa: E402
from bench.throwaway import setup_django  # noqa: E402

# The production profile of bench/load.sh, less what needs servers (Redis unless given).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "search-page-bench-only-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "STATIC_MANIFEST": "true",
    "LOG_FORMAT": "json",
    "RATE_LIMIT_SEARCH": "100000000/m",
}


def search_paths(var_dir: Path) -> list[str]:
    """The search paths bench/load.sh would replay against this corpus (bench/load_urls.py)."""
    out = var_dir / "urls"
    if not (out / "search.paths").exists():
        command = [sys.executable, str(ROOT / "bench" / "load_urls.py"), "--out", str(out), "--api-path", ""]
        subprocess.run(command, check=True, env=os.environ, stdout=subprocess.DEVNULL)
    return (out / "search.paths").read_text().split()


class Split:
    """Process CPU time spent in the search service and in rendering, per request."""

    def __init__(self, profile: bool) -> None:
        self.service = self.render = 0.0
        self.profiler = cProfile.Profile() if profile else None

    def wrap(self, function, part: str):
        def timed(*args, **kwargs):
            if part == "render" and self.profiler:
                self.profiler.enable()
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                setattr(self, part, getattr(self, part) + time.process_time() - started)
                if part == "render" and self.profiler:
                    self.profiler.disable()

        return timed


def environ(path: str) -> dict:
    """A WSGI request for `path`, as gunicorn would pass it."""
    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": "bench/search_page.py",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=300, help="timed requests (the first paths of the mix)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first (other paths)")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print the N costliest rendering calls"
    )
    parser.add_argument("--save-html", type=Path, help="write each timed page here, to compare two versions")
    args = parser.parse_args()
    var_dir = ROOT / "var" / f"bench-page-{args.components}"
    var_dir.mkdir(parents=True, exist_ok=True)
    setup_django(var_dir, **{key: os.environ.get(key, value) for key, value in PRODUCTION.items()})
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from resourcecentre.search import views

    total = ensure_corpus(args.components, args.companies)
    if not (var_dir / "static" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    paths = search_paths(var_dir)
    warmup, timed_paths = paths[-args.warmup :] if args.warmup else [], paths[: args.runs]
    application = get_wsgi_application()  # sets logging up again
    # Logged as in production (JSON, every request), written nowhere.
    for handler in logging.getLogger().handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (open for the whole run)
    split = Split(profile=bool(args.profile))
    views.search = split.wrap(views.search, "service")
    views.render = split.wrap(views.render, "render")
    if args.save_html:
        args.save_html.mkdir(parents=True, exist_ok=True)

    def request(path: str) -> tuple[float, float, bytes]:
        """(process CPU ms, wall ms, body) of one request."""
        statuses = []
        cpu, wall = time.process_time(), time.perf_counter()
        response = application(environ(path), lambda status, headers: statuses.append(status))
        body = b"".join(response)
        response.close()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert statuses[0].startswith("200"), (path, statuses[0], body[:300])
        return cpu * 1000, wall * 1000, body

    cache = os.environ.get("REDIS_URL") or "in memory"
    print(f"\n{total:,} components, database: {connection.vendor}, cache: {cache}")
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for path in warmup:
        request(path)
    if split.profiler:
        split.profiler = cProfile.Profile()  # the timed requests only
    rows = []
    for number, path in enumerate(timed_paths):
        split.service = split.render = 0.0
        cpu, wall, body = request(path)
        rows.append((cpu, split.service * 1000, split.render * 1000, wall))
        if args.save_html:
            (args.save_html / f"{number:04}.html").write_bytes(body)
    page, service, render, wall = (list(column) for column in zip(*rows, strict=True))
    other = [p - s - r for p, s, r in zip(page, service, render, strict=True)]
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{len(rows)} search page requests from bench/load_urls.py's mix, e.g. {timed_paths[0]}\n")
    print(f"{'CPU per request':<16} {'median ms':>10} {'p95 ms':>8}")
    for name, values in (("page", page), ("service", service), ("render", render), ("other", other)):
        print(f"{name:<16} {statistics.median(values):>10.2f} {percentile(values, 0.95):>8.2f}")
    print(f"{'wall (page)':<16} {statistics.median(wall):>10.2f} {percentile(wall, 0.95):>8.2f}")
    page_ms = statistics.median(page)
    print(f"\nceiling on 2 cores doing nothing else: 2000 / {page_ms:.2f} = {2000 / page_ms:.0f} searches/s")
    if split.profiler:
        print(f"\nrendering, {len(rows)} requests, by own time:")
        pstats.Stats(split.profiler).sort_stats("tottime").print_stats(args.profile)
        pstats.Stats(split.profiler).sort_stats("cumulative").print_stats(args.profile)
    medians = {name: statistics.median(values) for name, values in (("service", service), ("render", render))}
    print(
        f"page_cpu_ms={page_ms:.2f} service_ms={medians['service']:.2f} render_ms={medians['render']:.2f} "
        f"other_ms={statistics.median(other):.2f} components={total}"
    )


if __name__ == "__main__":
    main()
