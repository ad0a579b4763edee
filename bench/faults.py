"""Fault drills against the production stack, each under load, on servers of its own.

A private PostgreSQL cluster (port 5439, under VAR_DIR) and a private Redis (port 6390) are
started for the run, so the machine's shared servers are never restarted. gunicorn serves
the demo data with deploy/gunicorn.conf.py; client threads request a cached story page, an
uncached listing and searches for the whole drill, and every answer is recorded with its time.

* postgres: the cluster is stopped for a few seconds, then started. Errors are allowed only
  while it is down (plus a second for in-flight requests); afterwards every request must
  succeed without restarting gunicorn.
* redis: Redis is killed, later restarted. No request may fail.
* index: the search index directory is deleted. Pages must keep answering 200, search must
  answer 503 with its "being rebuilt" notice, and `rebuild_search_index` must bring it back.
* Before each fault a component is written; after it, it must still be there.

Ends with: faults=<passed>/<run> postgres_errors_outside_outage=<n> redis_errors=<n> index_page_errors=<n>
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5439
REDIS_PORT = 6390
WEB_PORT = 8766


def run(command: list[str], env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, check=True, cwd=ROOT, **kwargs)


class Stack:
    def __init__(self, var_dir: Path) -> None:
        self.var = var_dir
        self.pg_data = var_dir / "pg"
        self.env = {
            **os.environ,
            "VAR_DIR": str(var_dir),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/rc_faults",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "DEBUG": "false",
            "SECRET_KEY": "fault-drill-only-" + os.urandom(12).hex(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_SEARCH": "100000000/m",
            "GUNICORN_BIND": f"127.0.0.1:{WEB_PORT}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "DJANGO_SETTINGS_MODULE": "resourcecentre.settings",
        }
        self.redis: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None

    # PostgreSQL, as the postgres user (initdb refuses root)
    def pg(self, *args: str) -> None:
        run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), *args],
            stdout=subprocess.DEVNULL,
        )

    def pg_start(self) -> None:
        self.pg(
            "-o",
            f"-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1",
            "-w",
            "-l",
            str(self.pg_data / "server.log"),
            "start",
        )

    def pg_stop(self) -> None:
        self.pg("-m", "fast", "-w", "stop")

    def redis_start(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)

    def redis_kill(self) -> None:
        if self.redis:
            self.redis.kill()
            self.redis.wait()
            self.redis = None

    def manage(self, *args: str) -> None:
        run([sys.executable, "manage.py", *args], env=self.env, stdout=subprocess.DEVNULL)

    def setup(self) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        if not self.pg_data.exists():
            self.pg_data.mkdir()
            shutil.chown(self.pg_data, "postgres", "postgres")
            run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.pg_data),
                    "--auth=trust",
                    "-U",
                    "postgres",
                ],
                stdout=subprocess.DEVNULL,
            )
            shutil.chown(self.var, "root", "root")
        self.pg_start()
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(PG_PORT),
                "-U",
                "postgres",
                "-qc",
                "create database rc_faults",
            ],
            stderr=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        self.redis_start()
        self.manage("migrate", "--no-input")
        self.manage("load_demo")
        self.manage("rebuild_search_index")
        self.web = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "resourcecentre.wsgi"],
            cwd=ROOT,
            env=self.env,
            stderr=(self.var / "gunicorn.log").open("w"),  # noqa: SIM115 - kept open for the server's life
        )
        for _ in range(60):
            if status(f"http://127.0.0.1:{WEB_PORT}/healthz") == 200:
                return
            time.sleep(0.5)
        raise SystemExit("gunicorn did not start; see " + str(self.var / "gunicorn.log"))

    def teardown(self) -> None:
        if self.web:
            self.web.send_signal(signal.SIGTERM)
            self.web.wait(timeout=30)
        self.redis_kill()
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_stop()

    def write_marker(self, name: str) -> None:
        code = f"from tests.factories import ComponentFactory; ComponentFactory(title={name!r})"
        run([sys.executable, "manage.py", "shell", "-c", code], env=self.env, stdout=subprocess.DEVNULL)

    def marker_exists(self, name: str) -> bool:
        code = (
            "from resourcecentre.news.models import Component; "
            f"import sys; sys.exit(0 if Component.objects.filter(title={name!r}).exists() else 3)"
        )
        return (
            subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", code],
                env=self.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            ).returncode
            == 0
        )


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own loopback server
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


class Load:
    """Client threads that record (seconds since start, kind, status) until stopped."""

    def __init__(self, base: str, paths: dict[str, list[str]], threads: int) -> None:
        self.base, self.paths, self.threads = base, paths, threads
        self.records: list[tuple[float, str, int]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _client(self, number: int) -> None:
        count = 0
        kinds = list(self.paths)
        while not self.stop.is_set() and count < 100_000:
            kind = kinds[count % len(kinds)]
            choices = self.paths[kind]
            path = choices[(count * 7 + number) % len(choices)]
            code = status(self.base + path)
            with self.lock:
                self.records.append((time.monotonic() - self.started, kind, code))
            count += 1

    def __enter__(self) -> "Load":
        self.started = time.monotonic()
        self.workers = [threading.Thread(target=self._client, args=(n,)) for n in range(self.threads)]
        for worker in self.workers:
            worker.start()
        return self

    def now(self) -> float:
        return time.monotonic() - self.started

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join()


def failures(records, *, kinds=None, outside: tuple[float, float] | None = None, ok=(200,)) -> int:
    bad = 0
    for at, kind, code in records:
        if kinds and kind not in kinds:
            continue
        if outside and outside[0] <= at <= outside[1]:
            continue
        bad += code not in ok
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var" / "prod-faults")
    parser.add_argument("--outage", type=float, default=4.0, help="seconds each server stays down")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--only", choices=["postgres", "redis", "index"], action="append")
    args = parser.parse_args()
    stack = Stack(args.var_dir)
    stack.setup()
    base = f"http://127.0.0.1:{WEB_PORT}"
    paths = {
        "story": [
            "/en/stories/usa-amazon-ceo-announces-support-for-facial-recognition-regulation-while-own-product-faces-privacy-discrimination-related-concerns/"
        ],
        "listing": [f"/en/latest-news/?page={n}" for n in range(1, 4)],
        "search": [f"/en/search/?q={word}" for word in ("workers", "privacy", "mine", "union")],
    }
    if status(base + paths["story"][0]) != 200:
        paths["story"] = ["/en/latest-news/"]
    results: dict[str, object] = {}
    drills = args.only or ["postgres", "redis", "index"]
    try:
        if "postgres" in drills:
            stack.write_marker("Written before the PostgreSQL outage")
            with Load(base, paths, args.threads) as load:
                time.sleep(3)
                down = load.now()
                stack.pg_stop()
                time.sleep(args.outage)
                stack.pg_start()
                up = load.now()
                time.sleep(5)
            after = [r for r in load.records if r[0] > up + 1.0]
            results["postgres_errors_outside_outage"] = failures(load.records, outside=(down, up + 1.0))
            results["postgres_errors_during_outage"] = (
                failures(load.records) - results["postgres_errors_outside_outage"]
            )
            results["postgres_recovered"] = bool(after) and failures(after) == 0
            results["postgres_kept_writes"] = stack.marker_exists("Written before the PostgreSQL outage")
            print(
                f"postgres: down {down:.1f}s → up {up:.1f}s; {len(load.records)} requests, "
                f"{results['postgres_errors_during_outage']} failed during the outage, "
                f"{results['postgres_errors_outside_outage']} outside it; "
                f"recovered={results['postgres_recovered']}"
            )
        if "redis" in drills:
            stack.write_marker("Written before the Redis outage")
            with Load(base, paths, args.threads) as load:
                time.sleep(3)
                stack.redis_kill()
                time.sleep(args.outage + 2)
                stack.redis_start()
                time.sleep(4)
            results["redis_errors"] = failures(load.records)
            results["redis_kept_writes"] = stack.marker_exists("Written before the Redis outage")
            print(f"redis: {len(load.records)} requests, {results['redis_errors']} failed")
        if "index" in drills:
            stack.write_marker("Written before the index was deleted")
            index = args.var_dir / "search"
            with Load(base, paths, args.threads) as load:
                time.sleep(2)
                shutil.rmtree(index)
                gone = load.now()
                time.sleep(3)
                rebuilt_from = load.now()
                stack.manage("rebuild_search_index")
                rebuilt = load.now()
                time.sleep(3)
            while_gone = [r for r in load.records if gone + 0.5 < r[0] < rebuilt_from and r[1] == "search"]
            results["index_page_errors"] = failures(load.records, kinds={"story", "listing"})
            results["index_search_said_rebuilding"] = bool(while_gone) and all(
                r[2] == 503 for r in while_gone
            )
            back = [r for r in load.records if r[0] > rebuilt + 1 and r[1] == "search"]
            results["index_search_back"] = bool(back) and failures(back) == 0
            results["index_kept_writes"] = stack.marker_exists("Written before the index was deleted")
            print(
                f"index: {len(load.records)} requests; pages failed {results['index_page_errors']}; "
                f"search 503 while gone={results['index_search_said_rebuilding']}; "
                f"back={results['index_search_back']}"
            )
    finally:
        stack.teardown()

    checks = {
        "postgres": lambda: (
            results["postgres_errors_outside_outage"] == 0
            and results["postgres_recovered"]
            and results["postgres_kept_writes"]
        ),
        "redis": lambda: results["redis_errors"] == 0 and results["redis_kept_writes"],
        "index": lambda: (
            results["index_page_errors"] == 0
            and results["index_search_said_rebuilding"]
            and results["index_search_back"]
            and results["index_kept_writes"]
        ),
    }
    passed = sum(1 for drill in drills if checks[drill]())
    print(
        f"faults={passed}/{len(drills)} "
        f"postgres_errors_outside_outage={results.get('postgres_errors_outside_outage', 'n/a')} "
        f"redis_errors={results.get('redis_errors', 'n/a')} "
        f"index_page_errors={results.get('index_page_errors', 'n/a')}"
    )
    sys.exit(0 if passed == len(drills) else 1)


if __name__ == "__main__":
    main()
