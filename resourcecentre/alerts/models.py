"""Subscribers, their alerts, the digests sent to them, and the Weekly Update.

A subscriber is an e-mail address with a language: no account, no name, no tracking. What
an alert follows is stored as the saved filter the followed page and its feed use (a search
query string normalised through `search.queries.SearchParams`), or a story.
"""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import DraftStateMixin, Orderable, PreviewableMixin, RevisionMixin

from resourcecentre.news.models import language_choices


def address_hash(email: str) -> str:
    """A SHA-256 of the address in lower case (mailbox names are case-blind in practice):
    what identifies a subscriber, and what the send log and the suppression list keep.

    Unkeyed on purpose, so it survives a SECRET_KEY rotation (a suppressed address must stay
    suppressed). It is pseudonymous, not anonymous: whoever knows an address can test it.
    """
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def normalise_email(email: str) -> str:
    local, _at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip().lower()


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("As soon as there is news")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week")


class Subscriber(models.Model):
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    email_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=12, default="en")
    # Signs the manage and unsubscribe links; replacing it revokes every link sent before.
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        self.email_hash = address_hash(self.email)
        super().save(*args, **kwargs)


class AlertKind(models.TextChoices):
    SEARCH = "search", _("Search")
    STORY = "story", _("Story")
    WEEKLY_UPDATE = "weekly_update", _("The Weekly Update")


class AlertQuerySet(models.QuerySet):
    def active(self):
        """Confirmed alerts of subscribers we may write to."""
        return self.filter(confirmed_at__isnull=False).exclude(
            subscriber__email_hash__in=Suppression.objects.values("email_hash")
        )


class Alert(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    # search: the normalised query string; weekly_update: the edition ("language=fr&region=…").
    query = models.CharField(max_length=2000, blank=True, default="")
    story = models.ForeignKey("news.Story", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=500, help_text=_("What the subscriber sees this alert called."))
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "kind", "query", "story"], name="alert_once"),
            models.UniqueConstraint(
                fields=["subscriber", "kind", "query"],
                condition=models.Q(story__isnull=True),
                name="alert_once_without_story",
            ),
        ]
        indexes = [models.Index(fields=["frequency", "kind", "query"], name="alert_filter")]

    def __str__(self) -> str:
        return self.label

    @property
    def page_url(self) -> str:
        if self.kind == AlertKind.STORY and self.story_id:
            return self.story.get_absolute_url()
        if self.kind == AlertKind.WEEKLY_UPDATE:
            return reverse("alerts:weekly_update_archive")
        return f"{reverse('search:search')}?{self.query}"


class Suppression(models.Model):
    """An address that bounced or complained: nothing more is sent to it."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Bounce")
        COMPLAINT = "complaint", _("Complaint")

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.reason} {self.email_hash[:12]}"


class DigestRun(models.Model):
    """One period of one frequency whose digests have been composed.

    A run starts where the last one of its frequency ended, so a scheduler that stopped for
    a while catches up in one larger digest instead of skipping the periods it missed.
    """

    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    composed_at = models.DateTimeField(null=True, blank=True)
    digests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["frequency", "period_end"], name="one_run_per_period")]

    def __str__(self) -> str:
        return f"{self.frequency} {self.period_start:%Y-%m-%d %H:%M}–{self.period_end:%Y-%m-%d %H:%M}"


class SendState(models.TextChoices):
    PENDING = "pending", _("Pending")
    CLAIMED = "claimed", _("Claimed by a sender")
    SENDING = "sending", _("Handed to the mail server")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class DigestSend(models.Model):
    """One e-mail to one subscriber for one period (or one Weekly Update issue).

    Created before anything is sent, unique per address and `key`, so a restarted sender
    resumes and never composes the same e-mail twice. After the subscriber deletes their
    data the row keeps only the address's hash.
    """

    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="sends"
    )
    email_hash = models.CharField(max_length=64)
    key = models.CharField(max_length=80)  # "daily:2026-12-03T00:00" or "weekly-update:12"
    run = models.ForeignKey(DigestRun, null=True, blank=True, on_delete=models.CASCADE, related_name="sends")
    weekly_update = models.ForeignKey(
        "WeeklyUpdate", null=True, blank=True, on_delete=models.CASCADE, related_name="sends"
    )
    items = models.JSONField(default=list, blank=True)  # ["component:12", "story:3"]
    state = models.CharField(max_length=10, choices=SendState.choices, default=SendState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email_hash", "key"], name="one_send_per_address")]
        indexes = [models.Index(fields=["state", "id"], name="digest_send_state")]

    def __str__(self) -> str:
        return f"{self.key} {self.state}"

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt, so a mailbox that already holds it can drop a
        repeat (see docs/decisions: the in-flight message is sent at least once)."""
        host = settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "localhost"
        return f"<digest-{self.pk}.{self.email_hash[:16]}@{host}>"


class WeeklyUpdateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live=True)


class WeeklyUpdate(DraftStateMixin, RevisionMixin, PreviewableMixin, ClusterableModel):
    """One issue of the Weekly Update, for one language and optionally one region.

    Publishing it (now, or at the go-live time set in the publishing panel) puts it in the
    archive and sends it to the edition's subscribers on the next `send_alerts` run.
    """

    date = models.DateField(_("date"))
    language = models.CharField(_("language"), max_length=12, default="en", choices=language_choices)
    region = models.ForeignKey(
        "taxonomy.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the edition covering every region."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    # When its e-mails were queued (one DigestSend per subscriber of the edition).
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="weekly_update")

    objects = WeeklyUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("Weekly Update")
        verbose_name_plural = _("Weekly Updates")
        constraints = [
            models.UniqueConstraint(fields=["date", "language", "region"], name="one_issue_per_edition"),
            models.UniqueConstraint(
                fields=["date", "language"], condition=models.Q(region__isnull=True), name="one_global_issue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.date:%Y-%m-%d}, {self.edition})"

    @property
    def edition(self) -> str:
        """The edition key subscribers follow: "language=fr" or "language=fr&region=europe"."""
        return edition_key(self.language, self.region.slug if self.region_id else "")

    def get_absolute_url(self) -> str:
        kwargs = {"day": self.date}
        if self.edition != edition_key(settings.LANGUAGE_CODE, ""):
            kwargs["edition"] = self.edition_slug
            return reverse("alerts:weekly_update_edition", kwargs=kwargs)
        return reverse("alerts:weekly_update", kwargs=kwargs)

    @property
    def edition_slug(self) -> str:
        return f"{self.language}-{self.region.slug}" if self.region_id else self.language

    def get_preview_template(self, request, mode_name):
        return "alerts/email/weekly_update_preview.html"

    def get_preview_context(self, request, mode_name):
        from .emails import weekly_update_context

        return {**super().get_preview_context(request, mode_name), **weekly_update_context(self, None)}


def edition_key(language: str, region_slug: str) -> str:
    return f"language={language}" + (f"&region={region_slug}" if region_slug else "")


class WeeklyUpdateStory(Orderable):
    issue = ParentalKey(WeeklyUpdate, on_delete=models.CASCADE, related_name="stories")
    story = models.ForeignKey(
        "news.Story", verbose_name=_("story"), on_delete=models.CASCADE, related_name="+"
    )
    note = models.TextField(_("editor's note"), blank=True)

    panels = [FieldPanel("story"), FieldPanel("note")]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["issue", "story"], name="story_once_per_issue")]
