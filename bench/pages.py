"""Server time of the story and home pages, against a plain Django view of the same data.

Run from the project root:

    .venv/bin/python bench/pages.py [--components 200] [--requests 300]

It builds a throwaway SQLite database in a temporary directory (the project's settings with
their embedded defaults, only DATABASE_URL and VAR_DIR pointed there), loads one story with
N published components and ~30 other stories with 100 components for the home page, then
times in-process requests through django.test.Client: the full middleware stack, URL routing,
view, templates and context processors, but no HTTP server. Each timed request ends as a real
server's does (`close_old_connections`), which keeps or closes the database connection as
CONN_MAX_AGE says, inside the timed span.

The baseline is a view defined here, routed by a urlconf module that is this script (the
project's urls plus one path), so it goes through the same client and middleware; the table
also shows it called directly with RequestFactory, without middleware.
"""

import argparse
import datetime
import functools
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED = 20200612
OTHER_STORIES = 30
HOME_COMPONENTS = 100
STORY_SLUG = "bench-story"

# Filled in once Django is set up; settings.ROOT_URLCONF points at this module.
urlpatterns: list = []

# The baseline renders what includes/component.html shows, with plain Django only: no base
# template, no site message, no language names or text direction, excerpts marked safe.
BASELINE_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Components</title></head><body><main>
{% for c in components %}<article class="component" lang="{{ c.language }}">
<p><span>{{ c.type.name }}</span>
<time datetime="{{ c.date|date:'Y-m-d' }}">{{ c.date|date:"j F Y" }}</time></p>
<h3><a href="{{ c.get_absolute_url }}">{{ c.title }}</a></h3>
{% if c.author_line %}<p>Author: {{ c.author_line }}</p>{% endif %}
{% if c.original_title %}<p>“{{ c.original_title }}”{% if c.original_date %},
{{ c.original_date|date:"j F Y" }}{% endif %}</p>{% endif %}
<div>{{ c.excerpt|safe }}</div>
{% if c.url %}<p><a href="{{ c.url }}" rel="noopener noreferrer nofollow">Read the full post here</a></p>
{% endif %}
{% for t in c.translations.all %}<details lang="{{ t.language }}"><summary>{{ t.language }}</summary>
<p><strong>{{ t.title }}</strong></p>{{ t.excerpt|safe }}</details>{% endfor %}
</article>
{% endfor %}</main></body></html>"""

COMPANIES = ["Amazon", "Nike", "Glencore", "Shein", "Vale", "TotalEnergies", "Meta", "Rio Tinto", "H&M"]
COUNTRIES = ["USA", "Brazil", "Bangladesh", "Peru", "DRC", "Myanmar", "India", "Indonesia", "Mexico"]
SUBJECTS = [
    "workers allege unpaid overtime at supplier factories",
    "community groups say mine expansion threatens water supply",
    "investors press for human rights due diligence disclosures",
    "union leaders report dismissals after organising drive",
    "indigenous leaders reject consultation over pipeline route",
    "civil society warns facial recognition contract enables surveillance",
    "lawsuit alleges forced labour in cotton supply chain",
    "activists call for remediation after tailings dam failure",
]
AUTHORS = ["Bobby Allyn", "Todd Bishop", "Ana Ruiz", "Priya Natarajan", "Kwame Mensah", "Li Wei", ""]
SOURCES = [
    "NPR",
    "GeekWire",
    "Reuters",
    "The Guardian",
    "Al Jazeera",
    "Human Rights Watch",
    "Amnesty International",
    "Business Standard",
    "Folha de S.Paulo",
    "Mongabay",
    "Clean Clothes Campaign",
    "Financial Times",
]
SENTENCES = [
    "Workers interviewed by the researchers said they had not been paid for overtime hours for months.",
    "The company said it takes the allegations seriously and has opened an internal investigation.",
    "Local organisations have documented at least a dozen incidents since the project began in 2018.",
    "According to the report, subcontracted staff were denied the protective equipment they asked for.",
    "A spokesperson for the ministry declined to comment on the ongoing proceedings.",
    "Residents say the consultation process excluded the communities most affected by the expansion.",
    "<em>We were told that anyone who joined the union would lose their job</em>, one worker said.",
    'The findings echo concerns raised by <a href="https://example.org/report">an earlier report</a>.',
    "Investors holding shares worth more than 2 billion dollars have asked the board for a response.",
    "The lawsuit seeks compensation for families and an independent audit of the supply chain.",
    "Human rights groups urged regulators to suspend the permits until an assessment is published.",
    "In a statement, the firm said it had strengthened its supplier code of conduct last year.",
]
TRANSLATIONS = {
    "es": ("Trabajadores denuncian horas extra no pagadas", "Los trabajadores dijeron que no se les pagó."),
    "fr": (
        "Des travailleurs dénoncent des heures non payées",
        "Les travailleurs affirment ne pas être payés.",
    ),
    "ja": ("労働者が未払いの残業を訴える", "労働者たちは数か月間残業代が支払われていないと述べた。"),
    "ar": ("عمال يشتكون من ساعات عمل إضافية غير مدفوعة", "قال العمال إنهم لم يتلقوا أجور العمل الإضافي."),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--components", type=int, default=200, help="components in the measured story")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    return parser.parse_args()


def setup_django(var_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "resourcecentre.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["VAR_DIR"] = str(var_dir)
    sys.path.insert(0, str(PROJECT_DIR))

    import django

    django.setup()


def machine() -> list[str]:
    import django
    import wagtail

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine: {cpu}; nproc={len(os.sched_getaffinity(0))}; load average {load}",
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"Django {django.get_version()}, Wagtail {wagtail.__version__}, SQLite {sqlite3.sqlite_version}",
    ]


def effective_settings() -> str:
    from django.conf import settings

    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    database = settings.DATABASES["default"]
    return (
        f"settings: DEBUG={settings.DEBUG}, cache={cache}, "
        f"database={database['ENGINE'].rsplit('.', 1)[-1]} (CONN_MAX_AGE={database['CONN_MAX_AGE']}), "
        f"STORY_COMPONENTS_PER_PAGE={settings.STORY_COMPONENTS_PER_PAGE}"
    )


# --- Data -------------------------------------------------------------------------------------


def excerpt(rng: random.Random, words: int = 150) -> str:
    paragraphs, current, count = [], [], 0
    while count < words:
        sentence = rng.choice(SENTENCES)
        current.append(sentence)
        count += len(sentence.split())
        if len(current) == 3:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return "".join(f"<p>... {' '.join(p)} ...</p>" for p in paragraphs)


def build_components(rng: random.Random, count: int, prefix: str, first_date: datetime.date) -> list:
    from django.utils import timezone
    from django.utils.text import slugify

    from resourcecentre.lib.html import sanitize_html
    from resourcecentre.news.models import Component, ComponentType, Source

    types = list(ComponentType.objects.all())
    weights = [8 if t.slug == "article" else 1 for t in types]
    sources = {s.name: s for s in Source.objects.all()}
    now = timezone.now()
    components = []
    for i in range(count):
        subject = rng.choice(SUBJECTS)
        title = f"{rng.choice(COUNTRIES)}: {rng.choice(COMPANIES)} {subject} ({prefix} {i + 1})"
        date = first_date + datetime.timedelta(days=rng.randrange(0, 3 * 365))
        quoted = rng.random() < 0.5
        components.append(
            Component(
                title=title,
                slug=f"{slugify(title)[:120]}-{prefix}-{i}",
                type=rng.choices(types, weights)[0],
                date=date,
                author=rng.choice(AUTHORS),
                source=sources[rng.choice(SOURCES)],
                original_title=subject.capitalize() + ", report says" if quoted else "",
                original_date=date - datetime.timedelta(days=rng.randrange(1, 20)) if quoted else None,
                excerpt=sanitize_html(excerpt(rng)),
                url=f"https://news.example/{prefix}/{i}",
                language=rng.choices(["en", "es", "fr", "ar"], [85, 6, 5, 4])[0],
                live=True,
                first_published_at=now,
                last_published_at=now,
            )
        )
    return Component.objects.bulk_create(components)


def translate_some(components: list) -> None:
    from resourcecentre.news.models import ComponentTranslation

    rows = []
    for i, component in enumerate(components):
        if i % 10 == 3:
            languages = ["es", "ja"] if i % 30 == 3 else ["fr"] if i % 20 == 3 else ["ar"]
            for order, language in enumerate(languages):
                title, text = TRANSLATIONS[language]
                rows.append(
                    ComponentTranslation(
                        component=component,
                        language=language,
                        title=title,
                        excerpt=f"<p>{text}</p>",
                        sort_order=order,
                    )
                )
    ComponentTranslation.objects.bulk_create(rows)


def make_story(headline: str, slug: str, date: datetime.date, components: list, tags: dict | None = None):
    from resourcecentre.news.models import Story, StoryComponent

    story = Story(
        headline=headline,
        slug=slug,
        summary=f"<p>{' '.join(SENTENCES[:3])}</p>",
        date=date,
        live=True,
    )
    story.save()
    for name, terms in (tags or {}).items():
        getattr(story, name).set(terms)
    if tags:
        story.save()
    StoryComponent.objects.bulk_create(
        StoryComponent(story=story, component=c, sort_order=i) for i, c in enumerate(components)
    )
    return story


def load_data(n_components: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from resourcecentre.companies.models import Company
    from resourcecentre.news.models import Component, Source
    from resourcecentre.site_messages.models import SiteMessage
    from resourcecentre.taxonomy.models import Country, Issue, Region, Sector

    rng = random.Random(SEED)
    with transaction.atomic():
        Source.objects.bulk_create(Source(name=name) for name in SOURCES)
        companies = [Company.objects.create(name=name) for name in COMPANIES[:3]]
        issues = [Issue.objects.create(name=name) for name in ("Labour rights", "Right to privacy")]
        tags = {
            "companies": companies,
            "countries": list(Country.objects.filter(code__in=["US", "BR"])),
            "regions": list(Region.objects.all()[:1]),
            "issues": issues,
            "sectors": [Sector.objects.create(name="Technology")],
        }
        story_components = build_components(rng, n_components, "story", datetime.date(2018, 1, 1))
        translate_some(story_components)
        make_story(
            "USA: Amazon CEO announces support for facial recognition regulation",
            STORY_SLUG,
            datetime.date(2020, 6, 12),
            story_components,
            tags,
        )

        others = build_components(rng, HOME_COMPONENTS, "home", datetime.date(2021, 1, 1))
        translate_some(others)
        Component.objects.filter(pk__in=[c.pk for c in others[::25]]).update(live=False)
        per_story = math.ceil(HOME_COMPONENTS / OTHER_STORIES)
        for i in range(OTHER_STORIES):
            subject = SUBJECTS[i % len(SUBJECTS)].capitalize()
            make_story(
                f"{COUNTRIES[i % len(COUNTRIES)]}: {subject} (story {i + 1})",
                f"other-story-{i + 1}",
                datetime.date(2021, 1, 1) + datetime.timedelta(days=20 * i),
                others[i * per_story : (i + 1) * per_story],
            )

        SiteMessage.objects.create(
            title="Updating the Resource Centre",
            body="<p>We are refreshing the site. Tell us what you think.</p>",
            link_url="/en/",
            link_label="Find Out More",
            starts_at=timezone.now() - datetime.timedelta(days=1),
        )


# --- Baseline ---------------------------------------------------------------------------------


def baseline_story(request, slug: str):
    """The story's newest components, one select_related query plus the translations prefetch."""
    from django.http import HttpResponse
    from django.template import Context

    from resourcecentre.news.models import Component

    limit = int(request.GET.get("limit", 50))
    components = list(
        Component.objects.filter(live=True, story_links__story__slug=slug)
        .select_related("type", "source")
        .prefetch_related("translations")
        .order_by("-date", "-id")[:limit]
    )
    return HttpResponse(baseline_template().render(Context({"components": components})))


@functools.cache
def baseline_template():
    """A bare template engine, compiled once as the project's cached loader does."""
    from django.template import Engine

    return Engine().from_string(BASELINE_TEMPLATE)


def install_urlconf() -> None:
    from django.conf import settings
    from django.urls import clear_url_caches, path

    from resourcecentre import urls as project_urls

    urlpatterns[:] = [
        *project_urls.urlpatterns,
        path("bench/baseline/<slug:slug>/", baseline_story, name="bench_baseline"),
    ]
    settings.ROOT_URLCONF = __name__
    clear_url_caches()


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    label: str
    url: str
    marker: str
    settings: dict = field(default_factory=dict)
    direct: Callable | None = None
    timings: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    queries: int = 0
    items: int = 0
    size: int = 0


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def request_once(client, target: Target):
    from django.db import close_old_connections
    from django.test import override_settings

    with override_settings(**target.settings):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = target.direct() if target.direct else client.get(target.url)
        # A WSGI server ends every request this way (closing the connection if CONN_MAX_AGE
        # says so); the test client skips it, so it is done here, inside the timed span.
        close_old_connections()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    if response.status_code != 200:
        raise SystemExit(f"{target.url} answered {response.status_code}")
    return response, elapsed, cpu


def measure(targets: list[Target], requests: int, warmup: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # SERVER_NAME "localhost" is in the default ALLOWED_HOSTS, so the settings stay untouched.
    client = Client(SERVER_NAME="localhost")
    for _ in range(warmup):
        for target in targets:
            request_once(client, target)
    for target in targets:
        with CaptureQueriesContext(connection) as captured:
            response, _, _ = request_once(client, target)
        target.queries = len(captured.captured_queries)
        content = response.content.decode()
        target.items = content.count(target.marker)
        target.size = len(response.content)
    # Round-robin, so that a burst of load on a shared machine spreads over every page.
    for _ in range(requests):
        for target in targets:
            _, elapsed, cpu = request_once(client, target)
            target.timings.append(elapsed * 1000)
            target.cpu.append(cpu * 1000)


def make_targets(n_components: int) -> list[Target]:
    from django.conf import settings
    from django.test import RequestFactory

    per_page = settings.STORY_COMPONENTS_PER_PAGE
    story_url = f"/en/stories/{STORY_SLUG}/"
    baseline_url = f"/bench/baseline/{STORY_SLUG}/"
    component = '<article class="component"'
    factory = RequestFactory(SERVER_NAME="localhost")

    def direct():
        return baseline_story(factory.get(baseline_url, {"limit": per_page}), slug=STORY_SLUG)

    return [
        Target("story", f"story, page 1 ({per_page} per page)", story_url, component),
        Target("story_page4", "story, page 4", story_url + "?page=4", component),
        Target(
            "story_all",
            f"story, all {n_components} on one page",
            story_url,
            component,
            settings={"STORY_COMPONENTS_PER_PAGE": max(n_components, 1)},
        ),
        Target("home", "home", "/en/", '<li class="teaser"'),
        Target(
            "baseline",
            f"baseline, {per_page} (client + urlconf)",
            f"{baseline_url}?limit={per_page}",
            component,
        ),
        Target(
            "baseline_all",
            f"baseline, {n_components} (client + urlconf)",
            f"{baseline_url}?limit={n_components}",
            component,
        ),
        Target(
            "baseline_direct",
            f"baseline, {per_page} (view called with RequestFactory, no middleware)",
            "(no URL)",
            component,
            direct=direct,
        ),
    ]


def table(targets: list[Target]) -> str:
    rows = [
        "| page | URL | items | KB | queries | median ms | p95 ms | CPU median ms |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for t in targets:
        rows.append(
            f"| {t.label} | `{t.url}` | {t.items} | {t.size / 1024:.0f} | {t.queries} "
            f"| {statistics.median(t.timings):.1f} | {p95(t.timings):.1f} | {statistics.median(t.cpu):.1f} |"
        )
    return "\n".join(rows)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="rc-bench-") as tmp:
        setup_django(Path(tmp))
        from django.core.management import call_command

        for line in machine():
            print(line)
        print(effective_settings())
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        load_data(args.components)
        install_urlconf()
        print(f"database: {tmp}/bench.sqlite3, set up in {time.perf_counter() - started:.1f} s")
        print(
            f"timing: django.test.Client in-process, {args.warmup} warm-up then {args.requests} timed "
            "requests per page, round-robin; p95 is nearest-rank; queries counted on one extra request"
        )
        print(
            "baseline: a view in bench/pages.py, routed by ROOT_URLCONF=<this script> (project urls + "
            "one path) through the client; also called directly with RequestFactory"
        )
        targets = make_targets(args.components)
        measure(targets, args.requests, args.warmup)
        print()
        print(table(targets))
        print()
        wall = sum(sum(t.timings) for t in targets)
        cpu = sum(sum(t.cpu) for t in targets)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"CPU time was {cpu / wall:.0%} of wall time over the timed requests (well below 100 % means "
            f"other processes had the CPU); load average now {load}"
        )
        by_name = {t.name: p95(t.timings) for t in targets}
        print(
            f"story_p95_ms={by_name['story']:.1f} story_all200_p95_ms={by_name['story_all']:.1f} "
            f"home_p95_ms={by_name['home']:.1f} baseline_p95_ms={by_name['baseline']:.1f} "
            f"components={args.components}"
        )


if __name__ == "__main__":
    main()
