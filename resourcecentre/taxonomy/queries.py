from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import TERM_MODELS, Country, Region, Term


def published_term(kind: str, slug: str) -> Term:
    return get_object_or_404(TERM_MODELS[kind], slug=slug)


def tag_condition(term) -> Q:
    """What a story or component tagged with `term` matches; a region takes in its countries."""
    from resourcecentre.companies.models import Company

    if isinstance(term, Company):
        return Q(companies=term)
    if isinstance(term, Region):
        return Q(regions=term) | Q(countries__region=term)
    if isinstance(term, Country):
        return Q(countries=term)
    return Q(**{term.kind: term})
