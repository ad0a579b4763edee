"""A synthetic corpus the size of the real archive and larger, for benchmarks.

Reproducible from a seed: the same arguments give the same rows. Company mentions follow a
Zipf-like law (a few companies are in the news every day, most rarely), dates span twenty
years with more news in recent ones, stories hold 1 to 50 components, texts are in several
languages and of realistic length. Rows go in with bulk inserts and skip the change signals;
`rebuild_search_index` indexes them afterwards.
"""

import datetime
import itertools
import random
import time
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from resourcecentre.companies.models import Company, CompanyName, index_initial
from resourcecentre.news.models import (
    Component,
    ComponentTranslation,
    ComponentType,
    Source,
    Story,
    StoryComponent,
)
from resourcecentre.taxonomy.models import Country, Issue, Sector, Stakeholder

BATCH = 5000
YEARS = 20
# (language, share of items): most reporting is in English, as on the original platform.
LANGUAGES = [
    ("en", 0.74),
    ("es", 0.08),
    ("fr", 0.06),
    ("pt", 0.04),
    ("de", 0.02),
    ("ja", 0.03),
    ("ar", 0.02),
    ("zh-hans", 0.01),
]
ISSUES = [
    "Forced labour",
    "Child labour",
    "Living wage",
    "Health & safety",
    "Freedom of association",
    "Land rights",
    "Indigenous peoples",
    "Privacy",
    "Discrimination",
    "Surveillance",
    "Climate change",
    "Water",
    "Pollution",
    "Human rights defenders",
    "Migrant workers",
    "Gender equality",
    "Freedom of expression",
    "Corruption",
    "Access to remedy",
    "Deforestation",
]
SECTORS = [
    "Technology",
    "Apparel & footwear",
    "Mining",
    "Oil, gas & coal",
    "Agriculture & food",
    "Finance",
    "Construction",
    "Renewable energy",
    "Transport & logistics",
    "Retail",
    "Pharmaceuticals",
    "Hospitality",
]
STAKEHOLDERS = ["NGOs", "Trade unions", "Investors", "Governments", "Local communities", "Academics"]
LEGAL_FORMS = [
    "Ltd",
    "plc",
    "Inc.",
    "S.A.",
    "GmbH",
    "AG",
    "K.K.",
    "S.p.A.",
    "N.V.",
    "Holdings",
    "Group",
    "Corp.",
]
SYLLABLES = [
    "ka",
    "ri",
    "no",
    "ve",
    "sta",
    "lor",
    "men",
    "dar",
    "tio",
    "ber",
    "gan",
    "sol",
    "tre",
    "vik",
    "mar",
    "lun",
    "cor",
    "pal",
    "zen",
    "ord",
    "ast",
    "rel",
    "mon",
    "tek",
]
OUTLETS = [
    "Daily Ledger",
    "The Observer Desk",
    "Global Labour Wire",
    "Rights Monitor",
    "Mining Weekly Review",
    "Tech Policy Journal",
    "Agencia Sur",
    "Le Courrier Économique",
    "Nikkei Watch",
    "Gulf Labour News",
]

# Per language: subjects, actions and objects that combine into news-like sentences.
WORDS = {
    "en": (
        [
            "workers",
            "residents",
            "union members",
            "investors",
            "community leaders",
            "researchers",
            "activists",
            "employees",
        ],
        ["say", "allege", "report", "claim", "told investigators", "warn", "describe how"],
        [
            "unpaid overtime at the factory",
            "the mine contaminated the river",
            "wages were withheld for months",
            "security guards threatened protesters",
            "the company ignored safety complaints",
            "passports were confiscated",
            "data was shared with police without consent",
            "the dam flooded farmland without compensation",
            "children were found working on the plantation",
            "the supplier dismissed union organisers",
            "recruitment fees left them in debt",
            "the algorithm discriminated against older applicants",
        ],
    ),
    "es": (
        ["los trabajadores", "las comunidades", "el sindicato", "los vecinos", "las organizaciones"],
        ["denuncian que", "afirman que", "aseguran que", "informan que"],
        [
            "la empresa no pagó las horas extras",
            "la mina contaminó el río",
            "fueron despedidos tras la huelga",
            "no hubo consulta previa",
            "los guardias amenazaron a los manifestantes",
        ],
    ),
    "fr": (
        ["les travailleurs", "les habitants", "le syndicat", "les associations", "les riverains"],
        ["dénoncent que", "affirment que", "rapportent que", "accusent l'entreprise car"],
        [
            "les heures supplémentaires ne sont pas payées",
            "la mine a pollué la rivière",
            "des enfants travaillent dans les plantations",
            "les terres ont été saisies sans indemnisation",
            "les délégués syndicaux ont été licenciés",
        ],
    ),
    "pt": (
        ["os trabalhadores", "as comunidades", "o sindicato", "os moradores"],
        ["denunciam que", "afirmam que", "relatam que"],
        [
            "a empresa não pagou os salários",
            "a barragem contaminou o rio",
            "as terras foram griladas",
            "houve trabalho escravo na fazenda",
        ],
    ),
    "de": (
        ["die Beschäftigten", "die Gewerkschaft", "die Anwohner"],
        ["berichten, dass", "kritisieren, dass"],
        [
            "Überstunden nicht bezahlt wurden",
            "der Fluss verschmutzt wurde",
            "die Lieferkette nicht geprüft wurde",
        ],
    ),
    "ja": (
        ["労働者は", "技能実習生は", "住民は", "労働組合は"],
        ["と訴えた。", "と報告した。"],
        [
            "残業代が支払われなかった",
            "工場で長時間労働を強いられた",
            "パスポートを取り上げられた",
            "川が汚染された",
        ],
    ),
    "ar": (
        ["العمال", "السكان", "النقابة"],
        ["يقولون إن", "يشكون من أن"],
        ["الشركة لم تدفع الأجور", "العمل في الحر الشديد مستمر", "جوازات السفر صودرت"],
    ),
    "zh-hans": (
        ["工人", "村民", "工会"],
        ["表示", "投诉"],
        ["工厂拖欠工资", "矿山污染了河流", "加班费没有支付"],
    ),
}


AUTHORS = ["", "", "Ana Ruiz", "John Mensah", "Li Wei", "Sara Haddad", "Tom Becker"]
COMPONENT_COLUMNS = (
    "id",
    "title",
    "slug",
    "type_id",
    "date",
    "author",
    "source_id",
    "original_title",
    "excerpt",
    "url",
    "language",
    "created_at",
    "updated_at",
    "live",
    "has_unpublished_changes",
    "expired",
)
STORY_COLUMNS = (
    "id",
    "headline",
    "slug",
    "summary",
    "date",
    "language",
    "created_at",
    "updated_at",
    "live",
    "has_unpublished_changes",
    "expired",
)


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs: the ORM's per-object work would take most of the time."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608


def _reset_sequences() -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not advance."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Component, Story])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@dataclass
class CorpusSummary:
    companies: int
    stories: int
    components: int
    seconds: float = 0.0


class _Random(random.Random):
    def weighted(self, population, cumulative):
        return population[bisect(cumulative, self.random() * cumulative[-1])]


def _zipf_cumulative(n: int, exponent: float = 0.9) -> list[float]:
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


# How a sentence joins a subject, the company, the country, a verb and an object.
FORMS = {
    "en": "{s} at {c} in {p} {v} {o}.",
    "es": "{s} de {c} en {p} {v} {o}.",
    "fr": "{s} de {c} ({p}) {v} {o}.",
    "pt": "{s} da {c} em {p} {v} {o}.",
    "de": "{s} von {c} in {p} {v} {o}.",
    "ja": "{p}の{c}で、{s}{o}{v}",
    "ar": "{s} في {c} ({p}) {v} {o}.",
    "zh-hans": "{p}的{c}：{s}{v}{o}。",
}


def _sentence(rng: _Random, language: str, company: str, country: str) -> str:
    subjects, verbs, objects = WORDS[language]
    subject = rng.choice(subjects)
    return FORMS[language].format(
        s=subject[:1].upper() + subject[1:],
        c=company.rstrip("."),
        p=country,
        v=rng.choice(verbs),
        o=rng.choice(objects),
    )


def _excerpt(rng: _Random, language: str, company: str, country: str, words: int) -> str:
    paragraphs, sentences, count = [], [], 0
    while count < words:
        sentence = _sentence(rng, language, company, country)
        sentences.append(sentence)
        count += len(sentence.split()) if language not in {"ja", "zh-hans"} else len(sentence) // 2
        if len(sentences) == 3:
            paragraphs.append("<p>" + " ... ".join(sentences) + "</p>")
            sentences = []
    if sentences:
        paragraphs.append("<p>" + " [...] ".join(sentences) + "</p>")
    return "".join(paragraphs)


def _ensure_terms() -> tuple[list[int], list[int], list[int]]:
    for model, names in ((Issue, ISSUES), (Sector, SECTORS), (Stakeholder, STAKEHOLDERS)):
        for name in names:
            model.objects.get_or_create(name=name)
    return (
        list(Issue.objects.values_list("id", flat=True)),
        list(Sector.objects.values_list("id", flat=True)),
        list(Stakeholder.objects.values_list("id", flat=True)),
    )


def _companies(
    rng: _Random, count: int, sectors: list[int], countries: list[tuple[int, str]]
) -> list[tuple[int, str]]:
    made = []
    for n in range(count):
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        made.append(
            Company(
                name=f"{name} {rng.choice(LEGAL_FORMS)}",
                initial=index_initial(name),
                slug=f"{slugify(name)}-corpus-{n}",
                hq_country_id=rng.choice(countries)[0],
                summary=f"{name} operates in {rng.randint(2, 60)} countries.",
            )
        )
    created = Company.objects.bulk_create(made, batch_size=BATCH)
    CompanyName.objects.bulk_create(
        [
            CompanyName(company=c, name=f"{c.name.split()[0]} Group", kind="alias")
            for c in created[: count // 5]
        ],
        batch_size=BATCH,
    )
    Company.sectors.through.objects.bulk_create(
        [Company.sectors.through(company_id=c.pk, sector_id=rng.choice(sectors)) for c in created],
        batch_size=BATCH,
    )
    return [(c.pk, c.name) for c in created]


def generate_corpus(
    *, components: int, companies: int, seed: int = 1, progress: Callable[[str, int, int], None] | None = None
) -> CorpusSummary:
    started = time.monotonic()
    rng = _Random(seed)
    issues, sectors, stakeholders = _ensure_terms()
    countries = list(Country.objects.values_list("id", "name"))
    country_weights = _zipf_cumulative(len(countries), 0.8)
    types = dict(ComponentType.objects.values_list("slug", "id"))
    type_choices = (
        [types["article"]] * 14
        + [types["company-response"]] * 3
        + [types["statement"]] * 2
        + [types["briefing"], types["company-non-response"], types["rejoinder"]]
    )
    sources = [Source.objects.get_or_create(name=name)[0].pk for name in OUTLETS]
    languages = [code for code, _ in LANGUAGES]
    language_weights = list(itertools.accumulate(share for _, share in LANGUAGES))
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=365 * YEARS)

    with transaction.atomic():
        company_rows = _companies(rng, companies, sectors, countries)
    company_weights = _zipf_cumulative(len(company_rows))

    made = 0
    story_count = 0
    ids = {
        model: (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        for model in (Component, Story)
    }
    while made < components:
        with transaction.atomic():
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            rows: dict[str, list[tuple]] = defaultdict(list)
            batch_first = ids[Component]
            while len(rows["component"]) < BATCH and made + len(rows["component"]) < components:
                size = min(
                    50, max(1, int(rng.paretovariate(1.3))), components - made - len(rows["component"])
                )
                company = rng.weighted(company_rows, company_weights)
                country = rng.weighted(countries, country_weights)
                # Recent years carry more news: the square root skews days towards today.
                start = first_day + datetime.timedelta(days=int((rng.random() ** 0.5) * (365 * YEARS - 60)))
                first_of_story = ids[Component]
                last_day, lead = start, None
                for _ in range(size):
                    component_id = ids[Component]
                    ids[Component] += 1
                    language = rng.weighted(languages, language_weights)
                    mentioned = {company[0]} | {
                        rng.weighted(company_rows, company_weights)[0] for _ in range(rng.randint(0, 2))
                    }
                    place = country if rng.random() < 0.8 else rng.weighted(countries, country_weights)
                    title = _sentence(rng, language, company[1], place[1])[:140].rstrip(".")
                    day = min(today, start + datetime.timedelta(days=rng.randint(0, 60)))
                    last_day = max(last_day, day)
                    excerpt = _excerpt(rng, language, company[1], place[1], rng.randint(60, 220))
                    rows["component"].append(
                        (
                            component_id,
                            title,
                            f"{slugify(title, allow_unicode=True)[:80]}-g{seed}-{component_id}",
                            rng.choice(type_choices),
                            connection.ops.adapt_datefield_value(day),
                            rng.choice(AUTHORS),
                            rng.choice(sources),
                            "",
                            excerpt,
                            f"https://news.example/{seed}/{component_id}",
                            language,
                            now,
                            now,
                            True,
                            False,
                            False,
                        )
                    )
                    rows["companies"] += [(component_id, c) for c in sorted(mentioned)]
                    rows["countries"].append((component_id, place[0]))
                    rows["issues"] += [(component_id, i) for i in rng.sample(issues, rng.randint(1, 3))]
                    rows["sectors"].append((component_id, rng.choice(sectors)))
                    rows["stakeholders"] += [
                        (component_id, i) for i in rng.sample(stakeholders, rng.randint(0, 2))
                    ]
                    if rng.random() < 0.04:
                        other = "es" if language == "en" else "en"
                        rows["translations"].append((component_id, other, title, excerpt[:400], 0))
                    lead = lead or (title, excerpt, language)
                if size > 1 or rng.random() < 0.3:
                    story_id = ids[Story]
                    ids[Story] += 1
                    headline, summary, story_language = lead
                    rows["story"].append(
                        (
                            story_id,
                            f"{headline} – follow-up",
                            f"story-g{seed}-{story_id}",
                            summary[:500],
                            connection.ops.adapt_datefield_value(last_day),
                            story_language,
                            now,
                            now,
                            True,
                            False,
                            False,
                        )
                    )
                    rows["story_components"] += [
                        (story_id, first_of_story + order, order) for order in range(size)
                    ]
                    rows["story_companies"].append((story_id, company[0]))
                    rows["story_countries"].append((story_id, country[0]))
            _insert(Component, COMPONENT_COLUMNS, rows["component"])
            for field, column in (
                ("companies", "company_id"),
                ("countries", "country_id"),
                ("issues", "issue_id"),
                ("sectors", "sector_id"),
                ("stakeholders", "stakeholder_id"),
            ):
                _insert(getattr(Component, field).through, ("component_id", column), rows[field])
            _insert(
                ComponentTranslation,
                ("component_id", "language", "title", "excerpt", "sort_order"),
                rows["translations"],
            )
            _insert(Story, STORY_COLUMNS, rows["story"])
            _insert(StoryComponent, ("story_id", "component_id", "sort_order"), rows["story_components"])
            _insert(Story.companies.through, ("story_id", "company_id"), rows["story_companies"])
            _insert(Story.countries.through, ("story_id", "country_id"), rows["story_countries"])
        made += ids[Component] - batch_first
        story_count += len(rows["story"])
        if progress:
            progress("components", made, components)
    _reset_sequences()
    return CorpusSummary(
        companies=len(company_rows), stories=story_count, components=made, seconds=time.monotonic() - started
    )
