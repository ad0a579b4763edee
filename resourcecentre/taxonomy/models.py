"""The vocabularies stories and components are tagged with.

Countries and regions come from real sources (ISO 3166 through pycountry, regions from the
CLDR territory containment through babel, see `lib/regions.py`); sectors, issues and
stakeholders are editorial lists kept in the admin.
"""

from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class Term(models.Model):
    """A named, sluggable tag. `kind` names its public URL segment."""

    kind: str = ""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(f"taxonomy:{self.kind}", kwargs={"slug": self.slug})

    def get_feed_url(self, feed_format: str = "rss") -> str:
        return reverse(f"taxonomy:{self.kind}_feed", kwargs={"slug": self.slug, "feed_format": feed_format})


class Region(Term):
    kind = "regions"

    class Meta(Term.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Country(Term):
    kind = "countries"

    code = models.CharField(_("ISO 3166-1 alpha-2 code"), max_length=2, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="countries"
    )

    class Meta(Term.Meta):
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Sector(Term):
    kind = "sectors"

    class Meta(Term.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class Issue(Term):
    kind = "issues"

    class Meta(Term.Meta):
        verbose_name = _("issue")
        verbose_name_plural = _("issues")


class Stakeholder(Term):
    kind = "stakeholders"

    class Meta(Term.Meta):
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")


TERM_MODELS: dict[str, type[Term]] = {
    model.kind: model for model in (Country, Region, Issue, Sector, Stakeholder)
}
