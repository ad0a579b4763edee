"""Response rates: every figure of /responses/, its CSV and a company's record against a recount.

The recount here reads plain rows (statuses, dates, and the tags through the M2M tables) and
tallies them in Python with its own copy of the method, so that it shares nothing with the
aggregation in `queries`.
"""

import csv
import datetime
import io
from collections import defaultdict

import pytest
from django.utils import timezone
from lxml import html

from resourcecentre.companies.models import Company
from resourcecentre.demo.response_corpus import generate_response_corpus
from resourcecentre.news.models import Story
from resourcecentre.responses import queries, services
from resourcecentre.responses.models import Invitation, ResponseRequest, Status
from resourcecentre.taxonomy.models import Country, Issue, Sector
from tests.factories import CompanyFactory, StoryFactory

# The method, written out again: what each status counts as; a status not here is not counted.
OUTCOME = {
    "responded": "responded",
    "declined": "declined",
    "no-response": "no_response",
    "requested": "pending",
    "reminded": "pending",
}
FIGURES = ("requests", "responded", "declined", "no_response", "pending", "rate")
# The page's tables, and the CSV group each matches.
TABLE_GROUPS = {"company": "company", "sector": "sector", "country": "hq_country", "issue": "issue"}
HEADER = ["group", "key", "label", "requests", "responded", "declined", "no_response", "pending", "rate"]


@pytest.fixture
def corpus(db):
    """60 generated companies and 600 invitations over six years, plus three requests opened
    today through the service (one company reminded, one never reached, one just asked)."""
    generate_response_corpus(companies=60, requests=600)
    first, second, third = Company.objects.order_by("pk")[:3]
    story = Story.objects.order_by("pk").first()
    deadline = services.default_deadline()
    services.response_request_open(
        story=story,
        allegation="Guards threatened protesters outside the mine.",
        deadline=deadline,
        contacts={first: ["press@first.example"], second: []},
    )
    services.reminders_send(now=deadline - datetime.timedelta(days=1))
    services.response_request_open(
        story=story,
        allegation="Wages were withheld for months.",
        deadline=deadline,
        contacts={third: ["press@third.example"]},
    )


def recount() -> dict[str, dict[str, dict]]:
    """{group: {key: {"label", "responded", "declined", "no_response", "pending"}}}, from raw rows."""
    companies = {c["id"]: c for c in Company.objects.values("id", "name", "slug", "hq_country_id")}
    countries = {c["id"]: c for c in Country.objects.values("id", "name", "slug")}
    sectors = {s["id"]: s for s in Sector.objects.values("id", "name", "slug")}
    issues = {i["id"]: i for i in Issue.objects.values("id", "name", "slug")}
    sectors_of, issues_of = defaultdict(list), defaultdict(list)
    for company_id, sector_id in Company.sectors.through.objects.values_list("company_id", "sector_id"):
        sectors_of[company_id].append(sectors[sector_id])
    for story_id, issue_id in Story.issues.through.objects.values_list("story_id", "issue_id"):
        issues_of[story_id].append(issues[issue_id])

    groups: dict[str, dict[str, dict]] = defaultdict(dict)

    def add(group: str, key: str, label: str, outcome: str) -> None:
        tally = groups[group].setdefault(
            key, {"label": label, "responded": 0, "declined": 0, "no_response": 0, "pending": 0}
        )
        tally[outcome] += 1

    for row in Invitation.objects.values("status", "company_id", "request__opened_at", "request__story_id"):
        outcome = OUTCOME.get(row["status"])
        if outcome is None:
            continue
        company = companies[row["company_id"]]
        year = str(timezone.localtime(row["request__opened_at"]).year)
        add("all", "", "All companies", outcome)
        add("year", year, year, outcome)
        add("company", company["slug"], company["name"], outcome)
        for sector in sectors_of[company["id"]]:
            add("sector", sector["slug"], sector["name"], outcome)
        if company["hq_country_id"] is not None:
            country = countries[company["hq_country_id"]]
            add("hq_country", country["slug"], country["name"], outcome)
        for issue in issues_of[row["request__story_id"]]:
            add("issue", issue["slug"], issue["name"], outcome)
    return groups


def expected_rows(tallies: dict[str, dict], *, by_year: bool = False) -> list[tuple]:
    """(key, label, requests, responded, declined, no_response, pending, rate), in page order."""
    rows = []
    for key, t in tallies.items():
        closed = t["responded"] + t["declined"] + t["no_response"]
        rate = 100 * t["responded"] / closed if closed else None
        rows.append(
            (key, t["label"], closed + t["pending"], t["responded"], t["declined"], t["no_response"])
            + (t["pending"], rate)
        )
    return sorted(rows, key=lambda r: int(r[0]) if by_year else (-r[2], r[1]))


def as_tuple(row: queries.RateRow) -> tuple:
    return (row.key, row.label, *(getattr(row, name) for name in FIGURES))


def figures(row) -> tuple:
    return tuple(getattr(row, name) for name in FIGURES)


def invite(company: Company, status: Status, *, story: Story | None = None, year: int = 2024) -> Invitation:
    opened = datetime.datetime(year, 3, 1, tzinfo=datetime.UTC)
    request = ResponseRequest.objects.create(
        story=story or StoryFactory(), allegation="Unpaid overtime.", opened_at=opened
    )
    return Invitation.objects.create(
        request=request,
        company=company,
        status=status,
        deadline=opened + datetime.timedelta(days=7),
        nonce="n" * 43,
    )


# The generated set --------------------------------------------------------------------------


def test_the_generated_set_counts_each_invitation_as_a_request(db):
    generate_response_corpus(companies=60, requests=600)
    assert Company.objects.count() == 60
    assert Invitation.objects.count() == 600
    # Some allegations went to several companies.
    assert 300 < ResponseRequest.objects.count() < 600
    assert not Invitation.objects.filter(nonce="").exists()
    assert Company.objects.filter(hq_country=None).exists()
    assert Company.objects.filter(sectors=None).exists()
    statuses = set(Invitation.objects.values_list("status", flat=True))
    assert {"responded", "declined", "no-response", "withdrawn", "contact-not-found"} <= statuses
    assert not Invitation.objects.filter(status__in=["requested", "reminded"], deadline__lt=timezone.now())


def test_the_test_set_has_every_status_and_tag(corpus):
    assert set(Invitation.objects.values_list("status", flat=True)) == set(Status.values)
    groups = recount()
    assert len(groups["company"]) > queries.TOP_ROWS
    assert len(groups["year"]) >= 5
    assert groups["sector"] and groups["hq_country"] and groups["issue"]


# Every figure against the recount --------------------------------------------------------


def test_every_figure_of_the_rates_page_equals_a_recount(corpus):
    groups = recount()
    stats = queries.response_rates()

    assert figures(stats["overall"]) == expected_rows(groups["all"])[0][2:]
    assert [as_tuple(row) for row in stats["years"]] == expected_rows(groups["year"], by_year=True)
    tables = {table.key: table for table in stats["tables"]}
    for key, group in TABLE_GROUPS.items():
        expected = expected_rows(groups[group])
        assert tables[key].total_rows == len(expected), key
        assert [as_tuple(row) for row in tables[key].rows] == expected[: queries.TOP_ROWS], key


def test_the_csv_holds_every_figure_with_no_row_left_out(corpus):
    out = io.StringIO()
    queries.write_rates_csv(out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))

    groups = recount()
    expected = [HEADER]
    for group in ("all", "year", "company", "sector", "hq_country", "issue"):
        for key, label, *counts, rate in expected_rows(groups[group], by_year=group == "year"):
            expected.append([group, key, label, *map(str, counts), "" if rate is None else f"{rate:.1f}"])
    assert lines == expected


def test_every_company_record_equals_a_recount(corpus):
    rows = list(
        Invitation.objects.values(
            "pk",
            "company_id",
            "status",
            "request__opened_at",
            "request__story__live",
            "response_component__live",
            "response_component__date",
        )
    )
    for company in Company.objects.all():
        mine = [row for row in rows if row["company_id"] == company.pk]
        tallies: dict[str, dict] = {}
        for row in mine:
            if row["status"] in OUTCOME:
                year = str(timezone.localtime(row["request__opened_at"]).year)
                for key in ("total", year):
                    tally = tallies.setdefault(
                        key, {"label": key, "responded": 0, "declined": 0, "no_response": 0, "pending": 0}
                    )
                    tally[OUTCOME[row["status"]]] += 1
        published = sorted(
            (row for row in mine if row["response_component__live"] and row["request__story__live"]),
            key=lambda row: (row["response_component__date"], row["pk"]),
            reverse=True,
        )

        record = queries.company_record(company)

        total = tallies.pop("total", None)
        expected_total = expected_rows({"": total})[0][2:] if total else (0, 0, 0, 0, 0, None)
        assert figures(record["total"]) == expected_total, company.name
        assert [as_tuple(row) for row in record["years"]] == expected_rows(tallies, by_year=True)
        assert [invitation.pk for invitation in record["latest"]] == [row["pk"] for row in published[:10]]


# The method -------------------------------------------------------------------------------


def test_withdrawn_requests_and_those_that_never_reached_the_company_are_not_counted(db):
    company = CompanyFactory(name="Kestrel Mining")
    invite(company, Status.RESPONDED)
    invite(company, Status.WITHDRAWN)
    invite(company, Status.CONTACT_NOT_FOUND)

    overall = queries.response_rates()["overall"]
    assert (overall.requests, overall.responded, overall.rate) == (1, 1, 100)
    assert figures(queries.company_record(company)["total"]) == (1, 1, 0, 0, 0, 100)


def test_open_requests_are_pending_and_left_out_of_the_rate(db):
    company = CompanyFactory(name="Kestrel Mining")
    invite(company, Status.RESPONDED)
    invite(company, Status.NO_RESPONSE)
    invite(company, Status.REQUESTED)
    invite(company, Status.REMINDED)

    overall = queries.response_rates()["overall"]
    assert (overall.requests, overall.closed, overall.pending, overall.rate) == (4, 2, 2, 50)


def test_declining_to_respond_is_not_a_response(db):
    company = CompanyFactory(name="Kestrel Mining")
    invite(company, Status.RESPONDED)
    invite(company, Status.DECLINED)
    invite(company, Status.DECLINED)
    invite(company, Status.NO_RESPONSE)

    assert figures(queries.response_rates()["overall"]) == (4, 1, 2, 1, 0, 25)


def test_the_rate_is_empty_while_nothing_has_closed(db, client):
    waiting = CompanyFactory(name="Heron Textiles")
    invite(waiting, Status.REQUESTED, year=2025)
    invite(CompanyFactory(name="Kestrel Mining"), Status.RESPONDED, year=2024)

    years = {row.label: row.rate for row in queries.rates_by_year()}
    assert years == {"2024": 100, "2025": None}
    assert queries.company_record(waiting)["total"].rate is None
    lines = list(csv.reader(io.StringIO(client.get("/en/responses/response-rates.csv").content.decode())))
    assert ["company", waiting.slug, "Heron Textiles", "1", "0", "0", "0", "1", ""] in lines
    page = html.fromstring(client.get("/en/responses/").content)
    heron = page.xpath("//section[@aria-labelledby='company-heading']//tbody/tr[th='Heron Textiles']")[0]
    assert heron.xpath("td/text()")[-1] == "–"


# The pages --------------------------------------------------------------------------------


def test_the_rates_page_states_the_overall_rate_and_how_it_is_counted(corpus, client):
    overall = expected_rows(recount()["all"])[0]
    requests, responded, declined, no_response, pending, rate = overall[2:]

    response = client.get("/en/responses/")

    assert response.status_code == 200
    text = " ".join(html.fromstring(response.content).text_content().split())
    closed = responded + declined + no_response
    assert (
        f"Companies responded to {rate:.0f} % of our requests ({responded} of {closed} closed requests)."
        in text
    )
    assert f"{pending} requests are awaiting an answer." in text
    assert "How we count" in text
    assert "Declining to respond, and letting the deadline pass, are not responses." in text
    assert "requests still open are shown as awaiting and left out until they close" in text
    assert "Withdrawn requests, and those we could not send for want of a contact, are not counted." in text


def test_the_rates_page_draws_charts_with_the_numbers_in_a_table(corpus, client):
    groups = recount()
    page = html.fromstring(client.get("/en/responses/").content)

    charts = page.xpath("//svg[@role='img']")
    assert len(charts) == 5
    assert all(chart.xpath("title/text()") for chart in charts)

    def table(section: str) -> list[list[str]]:
        rows = page.xpath(f"//section[@aria-labelledby='{section}-heading']//table/tbody/tr")
        return [[row.xpath("string(th)")] + row.xpath("td/text()") for row in rows]

    def shown(rows: list[tuple]) -> list[list[str]]:
        return [
            [label, *map(str, counts), "–" if rate is None else f"{rate:.0f} %"]
            for _key, label, *counts, rate in rows
        ]

    assert table("years") == shown(expected_rows(groups["year"], by_year=True))
    companies = expected_rows(groups["company"])
    assert table("company") == shown(companies[: queries.TOP_ROWS])
    assert f"The 20 with the most requests, of {len(companies)}" in page.text_content()
    # Each year's bar has one part per outcome, titled with its count.
    bars = charts[0].xpath("g")
    assert len(bars) == len(groups["year"])
    first_year = expected_rows(groups["year"], by_year=True)[0]
    assert f"Responded: {first_year[3]}" in bars[0].xpath("rect/title/text()")


def test_the_csv_download_has_a_header_and_one_row_per_company(corpus, client):
    response = client.get("/en/responses/response-rates.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == HEADER
    company_rows = [line for line in lines if line[0] == "company"]
    counted = recount()["company"]
    assert sorted(line[1] for line in company_rows) == sorted(counted)
