import string

from anyascii import anyascii
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable
from wagtail.search import index

from resourcecentre.slugs import unique_slug


def index_initial(name: str) -> str:
    first = anyascii(name.strip())[:1].upper()
    return first if first in string.ascii_uppercase else "#"


def language_choices() -> list[tuple[str, str]]:
    from resourcecentre.lib.languages import language_name

    return [(code, language_name(code)) for code in settings.CONTENT_LANGUAGES]


class Company(index.Indexed, ClusterableModel):
    class Listing(models.TextChoices):
        LISTED = "listed", _("publicly listed")
        PRIVATE = "private", _("privately held")
        STATE_OWNED = "state-owned", _("state-owned")
        DELISTED = "delisted", _("delisted")

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True, allow_unicode=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    sectors = ParentalManyToManyField(
        "taxonomy.Sector", verbose_name=_("sectors"), blank=True, related_name="companies"
    )
    hq_country = models.ForeignKey(
        "taxonomy.Country",
        verbose_name=_("headquarters country"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headquartered_companies",
    )
    countries = ParentalManyToManyField(
        "taxonomy.Country",
        verbose_name=_("countries of operation"),
        blank=True,
        related_name="operating_companies",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
    )
    website = models.URLField(_("website"), blank=True)
    listing = models.CharField(_("listing status"), max_length=20, choices=Listing.choices, blank=True)
    language = models.CharField(
        _("language for correspondence"),
        max_length=12,
        blank=True,
        choices=language_choices,
        help_text=_(
            "Response requests are e-mailed in this language where they are translated into it, "
            "otherwise in the site's default language; blank for the site's default."
        ),
    )
    # The letter the A–Z index files it under: the first letter of its name in Latin letters
    # ("Électricité" under E, "Волков" under V), "#" for a digit or a sign.
    initial = models.CharField(max_length=1, editable=False, db_index=True, default="#")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.RelatedFields("names", [index.SearchField("name")]),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(Company, self.name)
        self.initial = index_initial(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("companies:company", kwargs={"slug": self.slug})


class CompanyName(Orderable):
    """Another name a company goes by: an alias, a former name, or its name in another script."""

    class Kind(models.TextChoices):
        ALIAS = "alias", _("other name")
        FORMER = "former", _("former name")

    company = ParentalKey(Company, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ALIAS)

    def __str__(self) -> str:
        return self.name


class CompanyIdentifier(Orderable):
    class Scheme(models.TextChoices):
        LEI = "lei", "LEI"
        ISIN = "isin", "ISIN"
        WIKIDATA = "wikidata", "Wikidata"
        OPENCORPORATES = "opencorporates", "OpenCorporates"

    company = ParentalKey(Company, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    value = models.CharField(_("value"), max_length=100)

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["scheme", "value"], name="unique_company_identifier")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class CompanyContact(Orderable):
    """An address response requests go to, kept for the next request."""

    company = ParentalKey(Company, on_delete=models.CASCADE, related_name="contacts")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name or role"), max_length=255, blank=True)

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["company", "email"], name="unique_company_contact")]

    def __str__(self) -> str:
        return self.email
