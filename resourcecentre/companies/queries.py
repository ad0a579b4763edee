import string
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from resourcecentre.taxonomy.models import Country, Sector

from .models import Company, CompanyName

LETTERS = list(string.ascii_uppercase) + ["#"]


def published_company(slug: str) -> Company:
    return get_object_or_404(
        Company.objects.select_related("hq_country", "parent").prefetch_related(
            "sectors",
            "countries",
            "identifiers",
            "subsidiaries",
            Prefetch("names", CompanyName.objects.order_by("kind", "name")),
        ),
        slug=slug,
    )


@dataclass(frozen=True)
class CompanyFilter:
    """The company index's choices, as they appear in the URL; unknown values are ignored."""

    letter: str = ""
    sector: str = ""
    country: str = ""

    @classmethod
    def from_query(cls, query) -> "CompanyFilter":
        letter = query.get("letter", "").upper()
        return cls(
            letter=letter if letter in LETTERS else "",
            sector=query.get("sector", "").replace("\x00", "")[:200],
            country=query.get("country", "").replace("\x00", "")[:200],
        )


def company_index(company_filter: CompanyFilter) -> QuerySet[Company]:
    """Companies by name; a country matches headquarters and countries of operation."""
    companies = (
        Company.objects.select_related("hq_country").prefetch_related("sectors").order_by("name", "id")
    )
    if company_filter.letter:
        companies = companies.filter(initial=company_filter.letter)
    if company_filter.sector:
        companies = companies.filter(sectors__slug=company_filter.sector)
    if company_filter.country:
        companies = companies.filter(
            Q(hq_country__slug=company_filter.country) | Q(countries__slug=company_filter.country)
        )
    return companies.distinct()


def index_choices() -> dict[str, QuerySet]:
    """The sectors and countries that have companies, for the index's filters."""
    return {
        "sectors": Sector.objects.filter(companies__isnull=False).distinct().order_by("name"),
        "countries": Country.objects.filter(
            Q(headquartered_companies__isnull=False) | Q(operating_companies__isnull=False)
        )
        .distinct()
        .order_by("name"),
    }
