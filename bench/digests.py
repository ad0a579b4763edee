"""Compose and send the daily digests of N subscribers with 3 alerts each, against a local SMTP sink.

Run from the project root:

    .venv/bin/python bench/digests.py --subscribers 10000
    .venv/bin/python bench/digests.py --subscribers 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_digests .venv/bin/python bench/digests.py

Without DATABASE_URL it builds a throwaway SQLite database in a temporary directory (the
project's settings with their embedded defaults; only DATABASE_URL, VAR_DIR and the e-mail
host are pointed elsewhere). With a PostgreSQL DATABASE_URL it creates the named database,
which must not exist yet, and drops it at the end.

The world: `--companies` companies and 30 issues; `--items` news items first published
yesterday, each tagged with one or two companies (popular ones more often) and one issue;
N confirmed subscribers, each with 3 distinct daily alerts drawn from company pages (70 %),
issue pages (25 %) and text searches (5 %), companies chosen with a Zipf-like skew, so many
subscribers share filters, as a company's followers do.

The timed part is the real command, `manage.py send_alerts --foreground`, in its own process
(its wall time and its peak resident memory, from wait4), against an aiosmtpd sink in
another process that counts what it receives. The script then checks that every subscriber
with news got exactly one digest and nobody else got any, and times rendering alone (no
SMTP, no database writes) on a sample, to say how much of the time is Django's templates.

The last line is `digests_per_s=<x> subscribers=<n> peak_mb=<m>`.
"""

import argparse
import multiprocessing
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from throwaway import drop_database, setup_django  # beside this script

PROJECT_DIR = Path(__file__).resolve().parent.parent

TARGET_SECONDS_PER_100K = 600
SEARCHES = [
    "forced labour",
    "unpaid wages",
    "child labour",
    "land rights",
    "pollution",
    "strike",
    "surveillance",
    "deforestation",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300, help="news items published in the period")
    parser.add_argument("--batch-size", type=int, default=None, help="messages per SMTP connection")
    parser.add_argument("--senders", type=int, default=2, help="sending processes side by side")
    parser.add_argument("--seed", type=int, default=8)
    return parser.parse_args()


# --- The sink ----------------------------------------------------------------------------------


def sink_process(port: int, ready, stop, results) -> None:
    """An aiosmtpd server in its own process; on `stop` it reports how many each address got."""
    from aiosmtpd.controller import Controller

    received: Counter = Counter()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            for recipient in envelope.rcpt_tos:
                received[recipient] += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.put((dict(received), time.process_time()))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The world ---------------------------------------------------------------------------------


def build_world(args) -> dict[str, set]:
    """Companies, issues, yesterday's news, subscribers and alerts; returns {email: items expected}."""
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from resourcecentre.alerts.models import Alert, Subscriber
    from resourcecentre.alerts.periods import period_end
    from resourcecentre.companies.models import Company
    from resourcecentre.news.models import Component, ComponentType
    from resourcecentre.search.services import search_index_rebuild
    from resourcecentre.taxonomy.models import Issue

    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    companies = Company.objects.bulk_create(
        Company(name=f"Company {n} Holdings", slug=f"company-{n}") for n in range(args.companies)
    )
    issues = Issue.objects.bulk_create(Issue(name=f"Issue {n}", slug=f"issue-{n}") for n in range(30))
    article = ComponentType.objects.get(slug="article")
    end = period_end("daily", timezone.now())
    weights = [1 / (rank + 1) for rank in range(len(companies))]
    components = Component.objects.bulk_create(
        Component(
            title=f"{rng.choice(SEARCHES).capitalize()} alleged at site {n}",
            slug=f"item-{n}",
            type=article,
            date=end.date() - datetime.timedelta(days=1),
            excerpt=f"<p>Workers describe {rng.choice(SEARCHES)} at site {n}. "
            + "Details follow. " * 20
            + "</p>",
            url=f"https://news.example/{n}",
            live=True,
            first_published_at=end - datetime.timedelta(hours=rng.uniform(0.5, 23.5)),
        )
        for n in range(args.items)
    )
    tags_company, tags_issue = Component.companies.through, Component.issues.through
    tagged_company, tagged_issue = [], []
    for component in components:
        for company in set(rng.choices(companies, weights, k=rng.choice((1, 2)))):
            tagged_company.append(tags_company(component_id=component.pk, company_id=company.pk))
        tagged_issue.append(tags_issue(component_id=component.pk, issue_id=rng.choice(issues).pk))
    tags_company.objects.bulk_create(tagged_company)
    tags_issue.objects.bulk_create(tagged_issue)
    search_index_rebuild()

    confirmed = end - datetime.timedelta(days=2)
    for start in range(0, args.subscribers, 5000):
        chunk = range(start, min(start + 5000, args.subscribers))
        subscribers = Subscriber.objects.bulk_create(
            Subscriber(
                email=f"reader{n}@example.org",
                email_hash=f"{n:064d}",
                nonce=f"nonce-{n}",
                confirmed_at=confirmed,
            )
            for n in chunk
        )
        alerts = []
        for subscriber in subscribers:
            chosen: dict[str, str] = {}
            while len(chosen) < 3:
                roll = rng.random()
                if roll < 0.70:
                    slug = rng.choices(companies, weights)[0].slug
                    chosen[f"company={slug}"] = slug
                elif roll < 0.95:
                    slug = rng.choice(issues).slug
                    chosen[f"issue={slug}"] = slug
                else:
                    words = rng.choice(SEARCHES)
                    chosen[f"q={words.replace(' ', '+')}"] = words
            alerts += [
                Alert(
                    subscriber=subscriber,
                    kind="search",
                    query=query,
                    label=label,
                    frequency="daily",
                    confirmed_at=confirmed,
                )
                for query, label in chosen.items()
            ]
        Alert.objects.bulk_create(alerts)
    return expected_digests()


def expected_digests() -> set[str]:
    """Who should get a digest, recounted with plain database reads (tags) and a text scan."""
    from resourcecentre.alerts.models import Alert
    from resourcecentre.news.models import Component

    by_company, by_issue, titles = set(), set(), []
    for slug in Component.companies.through.objects.values_list("company__slug", flat=True):
        by_company.add(slug)
    for slug in Component.issues.through.objects.values_list("issue__slug", flat=True):
        by_issue.add(slug)
    for title, excerpt in Component.objects.values_list("title", "excerpt"):
        titles.append(f"{title} {excerpt}".lower())
    words_found = {words for words in SEARCHES if any(words in text for text in titles)}
    expected = set()
    for email, query in Alert.objects.values_list("subscriber__email", "query").iterator(chunk_size=10000):
        kind, _sep, value = query.partition("=")
        value = value.replace("+", " ")
        if (
            (kind == "company" and value in by_company)
            or (kind == "issue" and value in by_issue)
            or (kind == "q" and value in words_found)
        ):
            expected.add(email)
    return expected


# --- Measuring ---------------------------------------------------------------------------------


def run_processes(commands: list[list[str]], env: dict) -> tuple[float, float, list[str]]:
    """Run these commands side by side: (wall seconds, the largest peak RSS in MB, their output)."""
    started = time.perf_counter()
    processes = [
        subprocess.Popen(c, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for c in commands
    ]
    peak, cpu, outputs = 0.0, 0.0, []
    for process in processes:
        _pid, status, usage = os.wait4(process.pid, 0)
        out, err = process.stdout.read().decode(), process.stderr.read().decode()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(process.args)} failed:\n{err[-3000:]}")
        peak = max(peak, usage.ru_maxrss / 1024)
        cpu += usage.ru_utime + usage.ru_stime
        outputs.append(f"{out.strip()} [cpu {usage.ru_utime + usage.ru_stime:.1f} s]")
    return time.perf_counter() - started, peak, outputs


def run_sender(env: dict, batch_size: int | None, senders: int) -> tuple[float, float, list[str]]:
    """`send_alerts` composes (and would queue tasks; no worker runs here), then `senders`
    processes of `send_alerts --foreground` send side by side, as task workers would."""
    manage = [sys.executable, "manage.py", "send_alerts"]
    compose_s, compose_mb, composed = run_processes([manage], env)
    send = [*manage, "--foreground", *(["--batch-size", str(batch_size)] if batch_size else [])]
    send_s, send_mb, sent = run_processes([send] * senders, env)
    return (
        compose_s + send_s,
        max(compose_mb, send_mb),
        [f"compose {compose_s:.1f} s: {composed[0]}"]
        + [f"sender {n} ({send_s:.1f} s for all): {line}" for n, line in enumerate(sent)],
    )


def render_only(sample: int) -> tuple[float, float]:
    """CPU milliseconds per digest to render its templates, and to build its MIME bytes, with
    no SMTP and no database writes."""
    from resourcecentre.alerts.emails import DigestRenderer
    from resourcecentre.alerts.models import DigestSend

    sends = list(DigestSend.objects.select_related("subscriber").order_by("id")[:sample])
    templates = mime = 0.0
    for start in range(0, len(sends), 200):
        batch = sends[start : start + 200]
        renderer = DigestRenderer()
        renderer.prepare(batch)
        for send in batch:
            began = time.process_time()
            message = renderer.message(send)
            rendered = time.process_time()
            message.message().as_bytes(linesep="\r\n")
            templates, mime = templates + rendered - began, mime + time.process_time() - rendered
    return templates * 1000 / max(1, len(sends)), mime * 1000 / max(1, len(sends))


def main() -> None:
    args = parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-digests-") as var_dir:
        created = setup_django(
            Path(var_dir), EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), LOG_LEVEL="WARNING"
        )
        try:
            from django.conf import settings
            from django.db import connection

            from resourcecentre.alerts.models import DigestSend

            print(
                f"machine: nproc={len(os.sched_getaffinity(0))}; load average "
                f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (before); "
                f"python {platform.python_version()}; database: {connection.vendor}"
            )
            started = time.perf_counter()
            expected = build_world(args)
            print(
                f"world: {args.subscribers} subscribers x 3 alerts, {args.companies} companies, "
                f"{args.items} new items; built in {time.perf_counter() - started:.0f} s; "
                f"{len(expected)} subscribers have news"
            )
            ready, stop, results = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Queue()
            sink = multiprocessing.Process(
                target=sink_process, args=(port, ready, stop, results), daemon=True
            )
            sink.start()
            ready.wait(10)
            env = {
                **os.environ,
                "DATABASE_URL": os.environ["DATABASE_URL"],
                "SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR),
            }
            seconds, peak_mb, summary = run_sender(env, args.batch_size, args.senders)
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            stop.set()
            received, sink_cpu = results.get(timeout=60)
            sink.join(10)

            digests = DigestSend.objects.filter(state="sent").count()
            items = sum(len(i) for i in DigestSend.objects.values_list("items", flat=True).iterator()) / max(
                1, digests
            )
            created_at = DigestSend.objects.order_by("created_at").values_list("created_at", flat=True)
            sent_at = (
                DigestSend.objects.exclude(sent_at=None).order_by("sent_at").values_list("sent_at", flat=True)
            )
            compose_s = (created_at.last() - created_at.first()).total_seconds() if digests else 0
            send_s = (sent_at.last() - sent_at.first()).total_seconds() if digests else 0
            print("\n".join(summary))
            print(
                f"{args.senders} senders: {seconds:.1f} s wall in all, peak RSS {peak_mb:.0f} MB; "
                f"composing ≈ "
                f"{compose_s:.1f} s (first to last digest row), sending {send_s:.1f} s (first to last sent)"
            )
            print(f"load average after: {load}; {items:.1f} items per digest on average")
            templates_ms, mime_ms = render_only(min(2000, digests))
            cpu = sum(float(line.rsplit("[cpu ", 1)[1].split(" ")[0]) for line in summary)
            print(
                f"cpu: {cpu:.0f} s in the sender processes, {cpu * 1000 / max(1, digests):.1f} ms per "
                f"digest (of which templates {templates_ms:.2f} ms and MIME {mime_ms:.2f} ms, measured "
                f"alone on {min(2000, digests)} digests); the SMTP sink {sink_cpu:.0f} s"
            )
            wrong = {a for a, n in received.items() if n != 1} | (set(received) ^ expected)
            print(
                f"check: {len(received)} addresses received {sum(received.values())} messages; expected "
                f"{len(expected)}; {'OK' if not wrong else f'{len(wrong)} WRONG, e.g. {sorted(wrong)[:3]}'}"
            )
            per_100k = seconds * 100_000 / max(1, args.subscribers)
            print(
                f"target: 100,000 in under {TARGET_SECONDS_PER_100K} s; this run scales to {per_100k:.0f} s "
                f"per 100,000 subscribers ({'met' if per_100k < TARGET_SECONDS_PER_100K else 'NOT met'})"
            )
            if wrong:
                raise SystemExit(1)
            print(
                f"digests_per_s={digests / seconds:.1f} subscribers={args.subscribers} peak_mb={peak_mb:.0f}"
            )
        finally:
            if created:
                drop_database(created)


if __name__ == "__main__":
    main()
