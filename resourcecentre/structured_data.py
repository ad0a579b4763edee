"""schema.org descriptions of pages, for search engines and link previews (JSON-LD)."""

from django.conf import settings
from django.http import HttpRequest

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Component, Story, StoryTranslation


def _publisher() -> dict:
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL}


def website() -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL,
    }


def story(
    request: HttpRequest, story: Story, companies: list[Company], shown: Story | StoryTranslation
) -> dict:
    """The story as the page shows it: `shown` is the story or its translation into the reader's language."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": shown.headline[:110],
        "description": shown.description,
        "datePublished": story.date.isoformat(),
        "dateModified": story.updated_at.isoformat(),
        "inLanguage": shown.language,
        "url": request.build_absolute_uri(story.get_absolute_url()),
        "publisher": _publisher(),
        "about": [{"@type": "Organization", "name": c.name} for c in companies],
    }
    if shown is not story:
        data["translationOfWork"] = {
            "@type": "NewsArticle",
            "headline": story.headline[:110],
            "inLanguage": story.language,
        }
    return data


def component(request: HttpRequest, component: Component) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": component.title[:110],
        "description": component.description,
        "datePublished": component.date.isoformat(),
        "dateModified": component.updated_at.isoformat(),
        "inLanguage": component.language,
        "url": request.build_absolute_uri(component.get_absolute_url()),
        "publisher": _publisher(),
    }
    if component.author:
        data["author"] = {"@type": "Person", "name": component.author}
    elif component.source:
        data["author"] = {"@type": "Organization", "name": component.source.name}
    if component.url:
        data["isBasedOn"] = component.url
    return data


def company(request: HttpRequest, company: Company) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": company.name,
        "url": request.build_absolute_uri(company.get_absolute_url()),
        "alternateName": [name.name for name in company.names.all()],
    }
    if company.website:
        data["sameAs"] = [company.website]
    for identifier in company.identifiers.all():
        if identifier.scheme == identifier.Scheme.LEI:
            data["leiCode"] = identifier.value
        elif identifier.scheme == identifier.Scheme.WIKIDATA:
            data.setdefault("sameAs", []).append(f"https://www.wikidata.org/wiki/{identifier.value}")
    return data
