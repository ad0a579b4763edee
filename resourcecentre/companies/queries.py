from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from .models import Company, CompanyName


def published_company(slug: str) -> Company:
    return get_object_or_404(
        Company.objects.select_related("hq_country").prefetch_related(
            "sectors", "identifiers", Prefetch("names", CompanyName.objects.order_by("kind", "name"))
        ),
        slug=slug,
    )
