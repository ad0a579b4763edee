"""A generated history of response requests, for the response-rate pages and their benchmark.

`requests` counts invitations: one company asked about one allegation, which is what the rates
count. Most allegations go to one company and some to two or three, so the number of
`ResponseRequest` rows is about four fifths of `requests`, and there is one story for every
four invitations. With `requests=20_000`, as the benchmark uses, there are exactly 20,000
invitations.

The rows are fixed by the seed, relative to the moment of the run: requests are spread over
the six years before it, more of them in recent years, so those of the last week are still
open. A few companies are asked often and most rarely, and each company has its own
propensity to answer. Every invitation has its first-round `Response`, as `open_request`
creates it, and most answers are published as a "company response" component on the story.
Rows go in with `bulk_create`: no `save()`, no signals, no search index, no audit log.
"""

import datetime
import itertools
import random
import string

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from resourcecentre.companies.models import Company, index_initial
from resourcecentre.news.models import Component, ComponentType, Story, StoryComponent
from resourcecentre.responses.models import Invitation, Response, ResponseRequest, Status
from resourcecentre.taxonomy.models import Country, Issue, Sector

from .corpus import ISSUES, LEGAL_FORMS, SECTORS, SYLLABLES, WORDS

BATCH = 2000
YEARS = 6
SECTOR_COUNT = 8
# Where most multinationals have their headquarters, most frequent first.
HQ_COUNTRIES = ["US", "CN", "GB", "JP", "DE", "FR", "CA", "IN", "CH", "KR", "NL", "BR", "AU", "ZA", "SE"]
HQ_COUNTRIES += ["IT", "ES", "MX", "SG", "NO", "AE", "ID", "MY", "TH", "CL", "NG", "KE", "RU", "TR", "SA"]
# How many companies one allegation is put to, and how often.
COMPANIES_PER_REQUEST = ((1, 80), (2, 14), (3, 6))
# Why an invitation is not counted: no address was found, or the editors withdrew it.
CONTACT_NOT_FOUND_SHARE = 0.06
WITHDRAWN_SHARE = 0.05
# Of those that do not answer, how many say so rather than let the deadline pass.
DECLINE_SHARE = 0.3
# Of the invitations still open, how many were answered before the deadline.
EARLY_ANSWER_SHARE = 0.4
PUBLISHED_SHARE = 0.85


def generate_response_corpus(*, companies: int, requests: int, seed: int = 20200612) -> None:
    """Add `companies` companies and `requests` invitations to respond (see the module)."""
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        company_rows = _companies(rng, companies, seed)
        stories = _stories(rng, max(1, requests // 4), now, seed)
        _requests(rng, company_rows, stories, requests, now, seed)


def _companies(rng: random.Random, count: int, seed: int) -> list[tuple[Company, float]]:
    """The companies, each with its propensity to answer."""
    sectors = [Sector.objects.get_or_create(name=name)[0].pk for name in SECTORS[:SECTOR_COUNT]]
    codes = dict(Country.objects.values_list("code", "pk"))
    countries = [codes[code] for code in HQ_COUNTRIES if code in codes]
    # Headquarters cluster in a few countries, as they do.
    country_weights = [1 / rank for rank in range(1, len(countries) + 1)]
    names: set[str] = set()
    made = []
    for n in range(count):
        name = ""
        while not name or name in names:
            stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            name = f"{stem} {rng.choice(LEGAL_FORMS)}"
        names.add(name)
        made.append(
            Company(
                name=name,
                initial=index_initial(name),
                slug=f"{slugify(name)}-r{seed}-{n}",
                hq_country_id=rng.choices(countries, country_weights)[0] if rng.random() > 0.08 else None,
                summary=f"{stem} operates in {rng.randint(2, 60)} countries.",
            )
        )
    created = Company.objects.bulk_create(made, batch_size=BATCH)
    Company.sectors.through.objects.bulk_create(
        [
            Company.sectors.through(company_id=company.pk, sector_id=sector)
            for company in created
            for sector in rng.sample(sectors, rng.choices((0, 1, 2), (6, 80, 14))[0])
        ],
        batch_size=BATCH,
    )
    return [(company, rng.betavariate(3, 1.5)) for company in created]


def _stories(rng: random.Random, count: int, now: datetime.datetime, seed: int) -> list[Story]:
    issues = [Issue.objects.get_or_create(name=name)[0].pk for name in ISSUES]
    subjects, verbs, objects = WORDS["en"]
    countries = list(Country.objects.order_by("code").values_list("name", flat=True))
    stories = []
    for n in range(count):
        # The square root skews the dates towards now: the mechanism is used more every year.
        published = now - datetime.timedelta(days=(1 - rng.random() ** 0.5) * YEARS * 365)
        headline = (
            f"{rng.choice(countries)}: {rng.choice(subjects).capitalize()} {rng.choice(verbs)} "
            f"{rng.choice(objects)}"
        )
        stories.append(
            Story(
                headline=headline,
                slug=f"{slugify(headline)[:100]}-r{seed}-{n}",
                summary=f"<p>{headline}, according to a report published this week.</p>",
                date=published.date(),
                live=True,
                first_published_at=published,
                last_published_at=published,
            )
        )
    created = Story.objects.bulk_create(stories, batch_size=BATCH)
    Story.issues.through.objects.bulk_create(
        [
            Story.issues.through(story_id=story.pk, issue_id=issue)
            for story in created
            for issue in rng.sample(issues, rng.randint(1, 3))
        ],
        batch_size=BATCH,
    )
    return created


def _requests(
    rng: random.Random,
    company_rows: list[tuple[Company, float]],
    stories: list[Story],
    count: int,
    now: datetime.datetime,
    seed: int,
) -> None:
    """`count` invitations, with their requests, first-round responses and published answers."""
    deadline_days = datetime.timedelta(days=settings.RESPONSE_DEADLINE_DAYS)
    # A few companies are in the news every week, most rarely (a Zipf-like law).
    cumulative = list(itertools.accumulate(1 / rank**0.8 for rank in range(1, len(company_rows) + 1)))
    sizes, size_weights = zip(*COMPANIES_PER_REQUEST, strict=True)
    subjects, verbs, objects = WORDS["en"]
    response_type = ComponentType.objects.get(slug="company-response")

    requests, pairs = [], []
    made = 0
    while made < count:
        story = rng.choice(stories)
        # Most allegations are put as the story is prepared, some after it is out.
        opened = min(
            now - datetime.timedelta(minutes=5),
            story.first_published_at + datetime.timedelta(days=rng.uniform(-10, 5)),
        )
        asked: dict[int, tuple[Company, float]] = {}
        wanted = min(rng.choices(sizes, size_weights)[0], count - made, len(company_rows))
        while len(asked) < wanted:
            company = rng.choices(company_rows, cum_weights=cumulative)[0]
            asked[company[0].pk] = company
        requests.append(
            ResponseRequest(
                story=story,
                allegation=(
                    f"{rng.choice(subjects).capitalize()} {rng.choice(verbs)} {rng.choice(objects)}."
                ),
                opened_at=opened,
            )
        )
        pairs.append(list(asked.values()))
        made += wanted
    ResponseRequest.objects.bulk_create(requests, batch_size=BATCH)

    invitations, answers, components = [], [], []
    for request, asked in zip(requests, pairs, strict=True):
        for company, propensity in asked:
            deadline = request.opened_at + deadline_days
            status, answered = _outcome(rng, propensity, is_open=deadline > now)
            invitation = Invitation(
                request=request,
                company=company,
                status=status,
                deadline=deadline,
                nonce="".join(rng.choices(string.ascii_letters + string.digits, k=43)),
                invited_at=request.opened_at,
                reminded_at=deadline - datetime.timedelta(days=2) if status == Status.REMINDED else None,
            )
            response = Response(invitation=invitation, round=1, declines=status == Status.DECLINED)
            if answered:
                response.submitted_at = response.saved_at = min(
                    now, request.opened_at + (deadline - request.opened_at) * rng.uniform(0.05, 1)
                )
                response.version = 1
            if status == Status.RESPONDED:
                response.body = f"{company.name} takes these allegations seriously. {request.allegation}"
                if rng.random() < PUBLISHED_SHARE:
                    component = Component(
                        title=f"Response from {company.name}",
                        slug=f"response-{slugify(company.name)}-r{seed}-{len(components)}",
                        type=response_type,
                        date=response.submitted_at.date(),
                        excerpt=f"<p>{response.body}</p>",
                        live=True,
                        first_published_at=response.submitted_at,
                        last_published_at=response.submitted_at,
                    )
                    components.append((component, invitation, request.story_id))
                    invitation.response_component = response.component = component
                else:
                    invitation.off_record = True
            invitations.append(invitation)
            answers.append(response)

    Component.objects.bulk_create([component for component, _, _ in components], batch_size=BATCH)
    Component.companies.through.objects.bulk_create(
        [
            Component.companies.through(component_id=component.pk, company_id=invitation.company_id)
            for component, invitation, _ in components
        ],
        batch_size=BATCH,
    )
    StoryComponent.objects.bulk_create(
        [
            StoryComponent(story_id=story_id, component=component, sort_order=order)
            for order, (component, _, story_id) in enumerate(components)
        ],
        batch_size=BATCH,
    )
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    Response.objects.bulk_create(answers, batch_size=BATCH)
    Story.companies.through.objects.bulk_create(
        [
            Story.companies.through(story_id=story_id, company_id=company_id)
            for story_id, company_id in sorted({(i.request.story_id, i.company_id) for i in invitations})
        ],
        batch_size=BATCH,
    )


def _outcome(rng: random.Random, propensity: float, *, is_open: bool) -> tuple[Status, bool]:
    """An invitation's status, and whether the company sent an answer (a response or a refusal)."""
    draw = rng.random()
    if draw < CONTACT_NOT_FOUND_SHARE:
        return Status.CONTACT_NOT_FOUND, False
    if draw < CONTACT_NOT_FOUND_SHARE + WITHDRAWN_SHARE:
        return Status.WITHDRAWN, False
    if is_open and rng.random() > EARLY_ANSWER_SHARE:
        return (Status.REMINDED if rng.random() < 0.3 else Status.REQUESTED), False
    if rng.random() < propensity:
        return Status.RESPONDED, True
    if rng.random() < DECLINE_SHARE:
        return Status.DECLINED, True
    return Status.NO_RESPONSE, False
