"""Rendered components, cached: the story page's cost is mostly rendering its components.

A component's HTML depends on its own row, its translations, its type's and source's names
and the reader's language. The key holds the component's `updated_at` (translations touch
it when saved or deleted), a version that any change to a type or source sets anew, and a
hash of the template. With several processes, the version must live in a shared cache
(Redis) for a renamed type to show everywhere at once; in-process caches see it on expiry.
"""

import hashlib
import time
from functools import lru_cache

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .models import Component

FRAGMENT_SECONDS = 7 * 24 * 3600
VERSION_KEY = "component-html:version"


def fragments_version() -> int:
    # Seeded with the time, so a version key lost from the cache never returns to an old value.
    return cache.get_or_set(VERSION_KEY, lambda: time.time_ns(), None)


def fragments_invalidate() -> None:
    """Forget every rendered component (a type or a source was renamed)."""
    cache.set(VERSION_KEY, time.time_ns(), None)


@lru_cache(maxsize=1)
def template_version() -> str:
    """Changes when the component template does, so a deploy never serves old markup."""
    source = get_template("includes/component.html").template.source
    return hashlib.sha256(source.encode()).hexdigest()[:8]


def rendered_components(components: list[Component], *, heading: int) -> list[SafeString]:
    """The HTML of each component as `includes/component.html` renders it, from the cache
    where it can be; only the components missing from it are loaded in full and rendered."""
    prefix = f"component-html:{template_version()}:{fragments_version()}:{get_language()}:{heading}"
    keys = {c.pk: f"{prefix}:{c.pk}:{c.updated_at.timestamp()}" for c in components}
    found = cache.get_many(list(keys.values()))
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        for component in Component.objects.for_listing().filter(pk__in=missing):
            html = render_to_string("includes/component.html", {"component": component, "heading": heading})
            found[keys[component.pk]] = html
        cache.set_many({keys[pk]: found[keys[pk]] for pk in missing}, FRAGMENT_SECONDS)
    return [mark_safe(found[keys[c.pk]]) for c in components]  # noqa: S308 (rendered by our template)
