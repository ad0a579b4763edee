"""Reads of the response mechanism: a story's responses, a company's record, response rates.

What the rates count (stated on /responses/ too): every invitation put to a company, except
withdrawn ones and those that never reached the company (no contact found). A company has
responded when it sent an answer, published or off the record; declining to respond and
letting the deadline pass are not responses. Open invitations are shown as pending and left
out of the rate until they close.
"""

import csv
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Story
from resourcecentre.taxonomy.models import Country, Issue, Sector

from .models import OPEN_STATUSES, UNCOUNTED_STATUSES, Invitation, Response, ResponseRequest, Status

# The parts of every bar, in order: (count field, CSS class, label).
SEGMENTS = (
    ("responded", "responded", _("Responded")),
    ("declined", "declined", _("Declined")),
    ("no_response", "no-response", _("No response")),
    ("pending", "pending", _("Awaiting response")),
)
COUNTS = {
    "responded": Count("id", filter=Q(status=Status.RESPONDED)),
    "declined": Count("id", filter=Q(status=Status.DECLINED)),
    "no_response": Count("id", filter=Q(status=Status.NO_RESPONSE)),
    "pending": Count("id", filter=Q(status__in=OPEN_STATUSES)),
}
TOP_ROWS = 20
URL_NAMES = {
    "company": "companies:company",
    "sector": "taxonomy:sectors",
    "country": "taxonomy:countries",
    "issue": "taxonomy:issues",
}


@dataclass
class RateRow:
    label: str
    responded: int = 0
    declined: int = 0
    no_response: int = 0
    pending: int = 0
    url: str = ""
    key: str = ""

    @property
    def requests(self) -> int:
        return self.responded + self.declined + self.no_response + self.pending

    @property
    def closed(self) -> int:
        return self.responded + self.declined + self.no_response

    @property
    def rate(self) -> float | None:
        """Responses as a share of closed requests, 0–100; None while nothing has closed."""
        return 100 * self.responded / self.closed if self.closed else None

    @property
    def segments(self) -> list[dict]:
        """The bar's parts with their offsets, as percentages of all requests."""
        parts, offset = [], 0.0
        for name, css, label in SEGMENTS:
            count = getattr(self, name)
            width = 100 * count / self.requests if self.requests else 0
            parts.append(
                {"css": css, "label": label, "count": count, "x": round(offset, 3), "width": round(width, 3)}
            )
            offset += width
        return parts


@dataclass
class RateTable:
    key: str
    title: str
    heading: str
    rows: list[RateRow] = field(default_factory=list)
    total_rows: int = 0


def _counted() -> QuerySet[Invitation]:
    # An exclusion, so that SQLite reads the (company, status) and (request, status) indexes
    # instead of looking every row up through the status index.
    return Invitation.objects.exclude(status__in=UNCOUNTED_STATUSES)


def _row(label: str, values: dict, **extra) -> RateRow:
    return RateRow(label=label, **{name: values[name] for name, _css, _label in SEGMENTS}, **extra)


def overall_rate(invitations: QuerySet[Invitation] | None = None) -> RateRow:
    values = (_counted() if invitations is None else invitations).aggregate(**COUNTS)
    return _row(str(_("All companies")), values)


def rates_by_year(invitations: QuerySet[Invitation] | None = None) -> list[RateRow]:
    span = ResponseRequest.objects.aggregate(first=Min("opened_at"), last=Max("opened_at"))
    if span["first"] is None:
        return []
    rows = (
        (_counted() if invitations is None else invitations)
        .annotate(year=_year("request__opened_at", span["first"], span["last"]))
        .values("year")
        .annotate(**COUNTS)
        .order_by("year")
    )
    return [_row(str(r["year"]), r, key=str(r["year"])) for r in rows]


def _year(path: str, first: datetime.datetime, last: datetime.datetime) -> Case:
    """The local year of `path` by comparison with the new years between `first` and `last`:
    SQLite's ExtractYear is a Python function called on every row."""
    zone = timezone.get_current_timezone()
    years = range(timezone.localtime(first).year, timezone.localtime(last).year + 1)
    return Case(
        *(When(**{f"{path}__lt": datetime.datetime(y + 1, 1, 1, tzinfo=zone)}, then=Value(y)) for y in years),
        output_field=IntegerField(),
    )


def _by_requests(rows) -> list[RateRow]:
    return sorted(rows, key=lambda row: (-row.requests, row.label))


def _labelled(counts: dict, model) -> list[RateRow]:
    """Rows for `counts` ({term id: counts}), labelled with their term's name, most requests first."""
    names = model.objects.filter(pk__in=counts).values_list("pk", "slug", "name")
    return _by_requests(_row(name, counts[pk], key=slug) for pk, slug, name in names)


def _add(total: dict, counts: dict) -> None:
    for name, _css, _label in SEGMENTS:
        total[name] = total.get(name, 0) + counts[name]


def _group_rates() -> dict[str, list[RateRow]]:
    """Rates by company, sector, headquarters country and issue: every row, most requests first.

    Invitations are counted by company in the database; a sector's or a country's figures are
    the sums of its companies'."""
    companies, by_company = [], {}
    by_sector: dict[int, dict] = defaultdict(dict)
    by_country: dict[int, dict] = defaultdict(dict)
    rows = _counted().values("company", "company__slug", "company__name", "company__hq_country")
    for r in rows.annotate(**COUNTS).order_by():
        companies.append(_row(r["company__name"], r, key=r["company__slug"]))
        by_company[r["company"]] = r
        if r["company__hq_country"] is not None:
            _add(by_country[r["company__hq_country"]], r)
    for company, sector in Company.sectors.through.objects.values_list("company", "sector"):
        if company in by_company:
            _add(by_sector[sector], by_company[company])
    # Likewise an issue's figures are the sums of its stories' (a story has a few issues).
    by_story = {
        r["request__story"]: r for r in _counted().values("request__story").annotate(**COUNTS).order_by()
    }
    by_issue: dict[int, dict] = defaultdict(dict)
    for story, issue in Story.issues.through.objects.values_list("story", "issue"):
        if story in by_story:
            _add(by_issue[issue], by_story[story])
    return {
        "company": _by_requests(companies),
        "sector": _labelled(by_sector, Sector),
        "country": _labelled(by_country, Country),
        "issue": _labelled(by_issue, Issue),
    }


def response_rates() -> dict:
    """Everything /responses/ shows: the overall rate, by year, and by company, sector,
    headquarters country and issue (the tables keep the rows with the most requests)."""
    groups = _group_rates()
    tables = [
        RateTable("company", _("By company"), _("Company")),
        RateTable("sector", _("By sector"), _("Sector")),
        RateTable("country", _("By headquarters country"), _("Country")),
        RateTable("issue", _("By issue"), _("Issue")),
    ]
    for table in tables:
        rows = groups[table.key]
        table.total_rows = len(rows)
        table.rows = rows[:TOP_ROWS]
        # Only the rows shown get a link: reversing 2,000 company URLs took 20 ms.
        for row in table.rows:
            row.url = reverse(URL_NAMES[table.key], kwargs={"slug": row.key})
    return {"overall": overall_rate(), "years": rates_by_year(), "tables": tables}


def rate_groups() -> list[tuple[str, list[RateRow]]]:
    """Every figure of /responses/ with no row left out, by group (for its CSV and the API)."""
    by = _group_rates()
    return [
        ("all", [overall_rate()]),
        ("year", rates_by_year()),
        ("company", by["company"]),
        ("sector", by["sector"]),
        ("hq_country", by["country"]),
        ("issue", by["issue"]),
    ]


def write_rates_csv(out) -> None:
    """Every figure of /responses/ with no row left out, one line per group."""
    writer = csv.writer(out)
    writer.writerow(
        ["group", "key", "label", "requests", "responded", "declined", "no_response", "pending", "rate"]
    )
    for group, rows in rate_groups():
        for row in rows:
            rate = "" if row.rate is None else f"{row.rate:.1f}"
            writer.writerow(
                [
                    group,
                    row.key,
                    row.label,
                    row.requests,
                    row.responded,
                    row.declined,
                    row.no_response,
                    row.pending,
                    rate,
                ]
            )


def story_responses(story: Story) -> list[Invitation]:
    """The companies invited to respond on `story`, for its "Company responses" block."""
    return list(
        Invitation.objects.filter(request__story=story)
        .exclude(status=Status.WITHDRAWN)
        .select_related("company", "response_component", "request")
        .order_by("company__name", "request__opened_at")
    )


def company_record(company) -> dict:
    """A company's response record: its totals, by year, and its latest published responses."""
    invitations = _counted().filter(company=company)
    latest = (
        Invitation.objects.filter(company=company, response_component__live=True)
        .select_related("response_component", "request__story")
        .filter(Exists(Story.objects.filter(pk=OuterRef("request__story"), live=True)))
        .order_by("-response_component__date", "-pk")[:10]
    )
    return {"total": overall_rate(invitations), "years": rates_by_year(invitations), "latest": list(latest)}


def invitation_history(invitation: Invitation) -> list[Response]:
    """The rounds of an invitation, oldest first, with their rejoinders."""
    return list(invitation.responses.select_related("rejoinder", "component").order_by("round"))
