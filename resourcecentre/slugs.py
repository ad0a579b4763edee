from django.db import models
from django.utils.text import slugify

SLUG_LENGTH = 120
# Words that end a listing's URL (its feeds): an item may not take them as its slug.
RESERVED = {"rss", "atom", "json"}


def unique_slug(model: type[models.Model], text: str, field: str = "slug") -> str:
    """A slug for `text` not yet used by any `model` row: "amazon", "amazon-2", …

    Unicode letters are kept so that a Japanese or Arabic headline keeps a readable URL.
    """
    base = slugify(text, allow_unicode=True)[:SLUG_LENGTH].strip("-") or "item"
    if base in RESERVED:
        base = f"{base}-item"
    taken = set(model._default_manager.filter(**{f"{field}__startswith": base}).values_list(field, flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
