"""Stories and their components (news items, statements, company responses).

A component is a dated excerpt of something published elsewhere; it stands alone as a news
item and may belong to several stories. A story is a headline and summary over an ordered set
of components. Both are Wagtail snippets with drafts, revisions, previews and scheduling; the
database row always holds the published version, drafts live in revisions.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

from resourcecentre.lib.html import plain_text, sanitize_html
from resourcecentre.slugs import unique_slug

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "blockquote"]


def language_choices() -> list[tuple[str, str]]:
    from resourcecentre.lib.languages import language_name

    return [(code, language_name(code)) for code in settings.CONTENT_LANGUAGES]


class Source(models.Model):
    """An organisation that publishes what components quote: an outlet, an NGO, a company."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class ComponentType(models.Model):
    """An editable list: article, briefing, company response, company non-response, …"""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("component type")
        verbose_name_plural = _("component types")

    def __str__(self) -> str:
        return self.name


class Tagged(models.Model):
    """The taxonomy every story and component carries."""

    companies = ParentalManyToManyField(
        "companies.Company", verbose_name=_("companies"), blank=True, related_name="+"
    )
    countries = ParentalManyToManyField(
        "taxonomy.Country", verbose_name=_("countries"), blank=True, related_name="+"
    )
    regions = ParentalManyToManyField(
        "taxonomy.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    issues = ParentalManyToManyField("taxonomy.Issue", verbose_name=_("issues"), blank=True, related_name="+")
    sectors = ParentalManyToManyField(
        "taxonomy.Sector", verbose_name=_("sectors"), blank=True, related_name="+"
    )
    stakeholders = ParentalManyToManyField(
        "taxonomy.Stakeholder", verbose_name=_("stakeholders"), blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live=True)

    def about(self, condition: models.Q) -> "PublishedQuerySet":
        """Items matching a tag condition such as `taxonomy.queries.tag_condition(term)`."""
        return self.filter(condition).distinct()


class ComponentQuerySet(PublishedQuerySet):
    def written_in(self, languages: tuple[str, ...]):
        """The items written in one of `languages`; all of them when none is given."""
        return self.filter(language__in=languages) if languages else self

    def for_teasers(self):
        """What a title-and-byline list shows: no translations."""
        return self.select_related("type", "source")

    def for_listing(self):
        """What a full component shows, translations included."""
        return self.for_teasers().prefetch_related("translations")

    def newest_first(self):
        return self.order_by("-date", "-id")


class Component(DraftStateMixin, RevisionMixin, PreviewableMixin, index.Indexed, Tagged, ClusterableModel):
    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=140, unique=True, allow_unicode=True, blank=True)
    type = models.ForeignKey(
        ComponentType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="components"
    )
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    author = models.CharField(
        _("author"), max_length=255, blank=True, help_text=_("A person, e.g. “Bobby Allyn”.")
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="components",
        help_text=_("The organisation, e.g. “NPR”."),
    )
    original_title = models.CharField(
        _("original headline"), max_length=500, blank=True, help_text=_("Only when it differs.")
    )
    original_date = models.DateField(_("original date"), null=True, blank=True)
    excerpt = RichTextField(_("excerpt"), features=RICH_TEXT_FEATURES, blank=True)
    url = models.URLField(_("source URL"), max_length=2000, blank=True)
    language = models.CharField(_("language"), max_length=12, default="en", choices=language_choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="component")

    objects = ComponentQuerySet.as_manager()

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("excerpt"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        indexes = [models.Index(fields=["live", "-date"], name="component_live_date")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.excerpt = sanitize_html(self.excerpt)
        if not self.slug:
            self.slug = unique_slug(Component, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("news:component", kwargs={"slug": self.slug})

    def get_preview_template(self, request, mode_name):
        return "news/component_preview.html"

    def get_preview_context(self, request, mode_name):
        return {**super().get_preview_context(request, mode_name), "component": self}

    @property
    def author_line(self) -> str:
        return ", ".join(part for part in (self.author, self.source and self.source.name) if part)

    @property
    def description(self) -> str:
        return plain_text(self.excerpt, limit=200)


class ItemTranslation(Orderable):
    """What component and story translations share: their rich text is sanitised like the
    original's, and saving or deleting one marks the item changed, since its pages, teasers
    and feeds show its translations."""

    item_field = ""  # the ParentalKey to the translated item
    rich_text_field = ""

    class Meta(Orderable.Meta):
        abstract = True

    def save(self, *args, **kwargs) -> None:
        setattr(self, self.rich_text_field, sanitize_html(getattr(self, self.rich_text_field)))
        super().save(*args, **kwargs)
        self._touch_item()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        self._touch_item()
        return deleted

    def _touch_item(self) -> None:
        item = self._meta.get_field(self.item_field)
        item.related_model.objects.filter(pk=getattr(self, item.attname)).update(updated_at=timezone.now())


class ComponentTranslation(ItemTranslation):
    component = ParentalKey(Component, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=12, choices=language_choices)
    title = models.CharField(_("title"), max_length=500)
    excerpt = RichTextField(_("excerpt"), features=RICH_TEXT_FEATURES, blank=True)

    item_field, rich_text_field = "component", "excerpt"

    class Meta(ItemTranslation.Meta):
        constraints = [
            models.UniqueConstraint(fields=["component", "language"], name="one_translation_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class StoryQuerySet(PublishedQuerySet):
    def for_listing(self):
        """Each story with its translations, to show the reader's version."""
        return self.prefetch_related("translations")

    def newest_first(self):
        return self.order_by("-date", "-id")


class Story(DraftStateMixin, RevisionMixin, PreviewableMixin, index.Indexed, Tagged, ClusterableModel):
    headline = models.CharField(_("headline"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=140, unique=True, allow_unicode=True, blank=True)
    summary = RichTextField(_("summary"), features=RICH_TEXT_FEATURES, blank=True)
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    language = models.CharField(_("language"), max_length=12, default="en", choices=language_choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="story")

    objects = StoryQuerySet.as_manager()

    search_fields = [
        index.SearchField("headline"),
        index.AutocompleteField("headline"),
        index.SearchField("summary"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        self.summary = sanitize_html(self.summary)
        if not self.slug:
            self.slug = unique_slug(Story, self.headline)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("news:story", kwargs={"slug": self.slug})

    def get_preview_template(self, request, mode_name):
        return "news/story_preview.html"

    @property
    def description(self) -> str:
        return plain_text(self.summary, limit=200)


class StoryTranslation(ItemTranslation):
    """A story's headline and summary in another language; its components and tags are shared."""

    story = ParentalKey(Story, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=12, choices=language_choices)
    headline = models.CharField(_("headline"), max_length=500)
    summary = RichTextField(_("summary"), features=RICH_TEXT_FEATURES, blank=True)

    item_field, rich_text_field = "story", "summary"

    class Meta(ItemTranslation.Meta):
        constraints = [
            models.UniqueConstraint(fields=["story", "language"], name="one_story_translation_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.headline} ({self.language})"

    @property
    def description(self) -> str:
        return plain_text(self.summary, limit=200)


class StoryComponent(Orderable):
    """A component's place in a story; a component may sit in several stories."""

    story = ParentalKey(Story, on_delete=models.CASCADE, related_name="story_components")
    component = models.ForeignKey(
        Component, verbose_name=_("component"), on_delete=models.CASCADE, related_name="story_links"
    )

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["story", "component"], name="component_once_per_story")
        ]
