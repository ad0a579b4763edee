"""Automated monitoring: the feeds we watch, what they bring, and the editors' inbox.

A `Feed` is polled on its interval. Every entry it yields is an `Entry` (one per feed item,
never fetched twice). Entries that report the same news (the same canonical URL, the same
title from one source within days, or near-identical text) are merged into one `Candidate`,
which carries the suggested tags (`SuggestedTag`, with confidence and the text span that
triggered each) and the suggested story, and waits in the inbox for an editor.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Who may work the editorial inbox.
INBOX_PERMISSION = "ingest.change_candidate"


class Feed(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", _("RSS or Atom feed")
        SITEMAP = "sitemap", _("sitemap")

    name = models.CharField(_("name"), max_length=255)
    url = models.URLField(_("address"), max_length=2000, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FEED)
    source = models.ForeignKey(
        "news.Source",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feeds",
        help_text=_("The organisation accepted items are credited to."),
    )
    language = models.CharField(_("language"), max_length=12, blank=True)
    country = models.ForeignKey(
        "taxonomy.Country", verbose_name=_("country"), null=True, blank=True, on_delete=models.SET_NULL
    )
    poll_minutes = models.PositiveIntegerField(_("polling interval (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)

    # Conditional GET
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    # Health
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error"), null=True, blank=True)
    last_error = models.TextField(_("last error message"), blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_items = models.PositiveIntegerField(_("items in the last pass"), default=0)
    new_items = models.PositiveIntegerField(_("new items in the last pass"), default=0)
    total_items = models.PositiveIntegerField(_("items found in all"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("monitored feed")
        verbose_name_plural = _("monitored feeds")

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    """One piece of news, however many feeds brought it; an editor accepts or rejects it."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    title = models.CharField(_("title"), max_length=500)
    url = models.URLField(_("address"), max_length=2000)
    text = models.TextField(_("text"), blank=True)
    author = models.CharField(_("author"), max_length=255, blank=True)
    published_at = models.DateTimeField(_("published"), db_index=True)
    language = models.CharField(_("language"), max_length=12, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    confidence = models.FloatField(_("confidence"), default=0, db_index=True, help_text=_("Of its best tag."))
    # Duplicate detection: the normalised title, and the MinHash bands of its text.
    title_key = models.CharField(max_length=255, db_index=True, blank=True)
    suggested_story = models.ForeignKey(
        "news.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    story_score = models.FloatField(default=0)
    component = models.ForeignKey(
        "news.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reject_reason = models.CharField(_("reason"), max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return self.title


class Entry(models.Model):
    """One item of one feed, as the feed gave it: the unit of 'seen before'."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="entries")
    guid = models.CharField(max_length=1000)
    url = models.URLField(max_length=2000)
    canonical_url = models.CharField(max_length=2000, db_index=True)
    title = models.CharField(max_length=500)
    # The entry's own text, so that an entry split off a wrong merge takes it along.
    text = models.TextField(blank=True)
    published_at = models.DateTimeField()
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = _("entries")
        constraints = [models.UniqueConstraint(fields=["feed", "guid"], name="entry_once_per_feed")]

    def __str__(self) -> str:
        return self.title


class TextBand(models.Model):
    """One locality-sensitive hash band of a candidate's text: candidates sharing a band are
    compared for near-duplicate text."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="bands")
    band = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.band}"


class SuggestedTag(models.Model):
    """A tag the tagger proposed, or an editor added; the editor's decision is kept, so that
    tagging quality can be measured over time."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        COUNTRY = "country", _("country")
        ISSUE = "issue", _("issue")

    class Origin(models.TextChoices):
        TAGGER = "tagger", _("tagger")
        EDITOR = "editor", _("editor")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    company = models.ForeignKey("companies.Company", null=True, blank=True, on_delete=models.CASCADE)
    country = models.ForeignKey("taxonomy.Country", null=True, blank=True, on_delete=models.CASCADE)
    issue = models.ForeignKey("taxonomy.Issue", null=True, blank=True, on_delete=models.CASCADE)
    confidence = models.FloatField(default=1.0)
    matched = models.CharField(_("matched text"), max_length=255, blank=True)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    field = models.CharField(max_length=10, default="text", help_text=_("title or text"))
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.TAGGER)
    # None: undecided; True: the editor kept it (or added it); False: the editor removed it.
    accepted = models.BooleanField(null=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-confidence"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.term}"

    @property
    def term(self) -> models.Model | None:
        """The company, country or issue the tag names."""
        return self.company or self.country or self.issue


class IssueKeyword(models.Model):
    """A word or phrase that signals an issue, in one language; editors extend the lexicon."""

    issue = models.ForeignKey("taxonomy.Issue", on_delete=models.CASCADE, related_name="keywords")
    language = models.CharField(_("language"), max_length=12)
    phrase = models.CharField(_("phrase"), max_length=200)
    # Other processes rebuild their tagger when the lexicon's latest change moves.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["issue", "language", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "language", "phrase"], name="unique_issue_keyword")
        ]

    def __str__(self) -> str:
        return self.phrase
