"""Rendered components, cached: the story page's cost is mostly rendering its components.

A component's HTML depends on its own row, its translations, its type's and source's names
and the reader's language. The key holds the component's `updated_at` (translations touch
it when saved) and a version that any change to a type or source bumps.
"""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .models import Component

FRAGMENT_SECONDS = 7 * 24 * 3600
VERSION_KEY = "component-html:version"


def fragments_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def fragments_invalidate() -> None:
    """Forget every rendered component (a type or a source was renamed)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def rendered_components(components: list[Component], *, heading: int) -> list[SafeString]:
    """The HTML of each component as `includes/component.html` renders it, from the cache
    where it can be; only the components missing from it are loaded in full and rendered."""
    version, language = fragments_version(), get_language()
    keys = {
        c.pk: f"component-html:{version}:{c.pk}:{c.updated_at.timestamp()}:{language}:{heading}"
        for c in components
    }
    found = cache.get_many(list(keys.values()))
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        for component in Component.objects.for_listing().filter(pk__in=missing):
            html = render_to_string("includes/component.html", {"component": component, "heading": heading})
            found[keys[component.pk]] = html
        cache.set_many({keys[pk]: found[keys[pk]] for pk in missing}, FRAGMENT_SECONDS)
    return [mark_safe(found[keys[c.pk]]) for c in components]  # noqa: S308 (rendered by our template)
