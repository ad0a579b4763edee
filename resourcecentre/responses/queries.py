"""Reads of the response mechanism: a story's responses, a company's record, response rates.

What the rates count (stated on /responses/ too): every invitation put to a company, except
withdrawn ones and those that never reached the company (no contact found). A company has
responded when it sent an answer, published or off the record; declining to respond and
letting the deadline pass are not responses. Open invitations are shown as pending and left
out of the rate until they close.
"""

import csv
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resourcecentre.news.models import Story

from .models import COUNTED_STATUSES, OPEN_STATUSES, Invitation, Response, Status

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
    return Invitation.objects.filter(status__in=(*COUNTED_STATUSES, *OPEN_STATUSES))


def _row(label: str, values: dict, **extra) -> RateRow:
    return RateRow(label=label, **{name: values[name] for name, _css, _label in SEGMENTS}, **extra)


def overall_rate(invitations: QuerySet[Invitation] | None = None) -> RateRow:
    values = (_counted() if invitations is None else invitations).aggregate(**COUNTS)
    return _row(str(_("All companies")), values)


def rates_by_year(invitations: QuerySet[Invitation] | None = None) -> list[RateRow]:
    rows = (
        (_counted() if invitations is None else invitations)
        .annotate(year=ExtractYear("request__opened_at"))
        .values("year")
        .annotate(**COUNTS)
        .order_by("year")
    )
    return [_row(str(r["year"]), r, key=str(r["year"])) for r in rows]


def _grouped(path: str, label: str, url_name: str | None, slug: str = "slug") -> list[RateRow]:
    rows = (
        _counted()
        .filter(**{f"{path}__isnull": False})
        .values(f"{path}__{slug}", f"{path}__{label}")
        .annotate(**COUNTS)
    )
    result = [
        _row(
            r[f"{path}__{label}"],
            r,
            key=r[f"{path}__{slug}"],
            url=reverse(url_name, kwargs={"slug": r[f"{path}__{slug}"]}) if url_name else "",
        )
        for r in rows
    ]
    return sorted(result, key=lambda row: (-row.requests, row.label))


def response_rates() -> dict:
    """Everything /responses/ shows: the overall rate, by year, and by company, sector,
    headquarters country and issue (the tables keep the rows with the most requests)."""
    tables = [
        RateTable("company", _("By company"), _("Company"), _grouped("company", "name", "companies:company")),
        RateTable(
            "sector", _("By sector"), _("Sector"), _grouped("company__sectors", "name", "taxonomy:sectors")
        ),
        RateTable(
            "country",
            _("By headquarters country"),
            _("Country"),
            _grouped("company__hq_country", "name", "taxonomy:countries"),
        ),
        RateTable(
            "issue", _("By issue"), _("Issue"), _grouped("request__story__issues", "name", "taxonomy:issues")
        ),
    ]
    for table in tables:
        table.total_rows = len(table.rows)
        table.rows = table.rows[:TOP_ROWS]
    return {"overall": overall_rate(), "years": rates_by_year(), "tables": tables}


def write_rates_csv(out) -> None:
    """Every figure of /responses/ with no row left out, one line per group."""
    writer = csv.writer(out)
    writer.writerow(
        ["group", "key", "label", "requests", "responded", "declined", "no_response", "pending", "rate"]
    )
    groups = [
        ("all", [overall_rate()]),
        ("year", rates_by_year()),
        ("company", _grouped("company", "name", None)),
        ("sector", _grouped("company__sectors", "name", None)),
        ("hq_country", _grouped("company__hq_country", "name", None)),
        ("issue", _grouped("request__story__issues", "name", None)),
    ]
    for group, rows in groups:
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
