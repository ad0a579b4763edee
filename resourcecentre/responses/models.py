"""The company response mechanism.

A `ResponseRequest` puts an allegation from a story to one or more companies. Each company's
side of it is an `Invitation`, with its own status, deadline and private link. Each round of an
invitation (the first, then one after every rejoinder) has one `Response`, which the company
drafts and submits behind the link. Every step is recorded in Wagtail's audit log.
"""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def private_storage() -> Storage:
    """Where submitted attachments wait, out of public reach, until an editor publishes them
    as a document (the "private" entry of settings.STORAGES)."""
    return storages["private"]


class Status(models.TextChoices):
    REQUESTED = "requested", _("requested")
    REMINDED = "reminded", _("reminded")
    RESPONDED = "responded", _("responded")
    DECLINED = "declined", _("declined")
    NO_RESPONSE = "no-response", _("no response")
    CONTACT_NOT_FOUND = "contact-not-found", _("contact not found")
    WITHDRAWN = "withdrawn", _("withdrawn")


# The company can still answer: the link works (until the deadline and its grace period).
OPEN_STATUSES = (Status.REQUESTED, Status.REMINDED)
# What the response rate counts: a request that was put to a company and has an outcome.
COUNTED_STATUSES = (Status.RESPONDED, Status.DECLINED, Status.NO_RESPONSE)
# What the rates leave out: every other status is counted or pending.
UNCOUNTED_STATUSES = (Status.WITHDRAWN, Status.CONTACT_NOT_FOUND)


class ResponseRequest(models.Model):
    story = models.ForeignKey(
        "news.Story", verbose_name=_("story"), on_delete=models.PROTECT, related_name="response_requests"
    )
    allegation = models.TextField(
        _("allegation"), help_text=_("What the company is asked to respond to, as it will read it.")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("response request")
        verbose_name_plural = _("response requests")

    def __str__(self) -> str:
        return f"{self.story} ({self.opened_at:%Y-%m-%d})"


class Invitation(models.Model):
    request = models.ForeignKey(ResponseRequest, on_delete=models.CASCADE, related_name="invitations")
    company = models.ForeignKey(
        "companies.Company", verbose_name=_("company"), on_delete=models.PROTECT, related_name="invitations"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    # Part of the signed link; replaced when the invitation is withdrawn or re-opened, so
    # that links sent before stop working.
    nonce = models.CharField(max_length=43)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    off_record = models.BooleanField(_("responded off the record"), default=False)
    response_component = models.ForeignKey(
        "news.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    non_response_component = models.ForeignKey(
        "news.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["request", "company__name"]
        verbose_name = _("invitation to respond")
        verbose_name_plural = _("invitations to respond")
        constraints = [
            models.UniqueConstraint(fields=["request", "company"], name="one_invitation_per_company")
        ]
        # The response rates count invitations by company and by request, reading only these.
        indexes = [
            models.Index(fields=["company", "status"], name="invitation_company_status"),
            models.Index(fields=["request", "status"], name="invitation_request_status"),
        ]

    def __str__(self) -> str:
        return f"{self.company} – {self.request}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Response(models.Model):
    """What the company writes in one round: a response, or that it declines."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="responses")
    round = models.PositiveSmallIntegerField(_("round"))
    rejoinder = models.ForeignKey(
        "news.Component",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The rejoinder this round answers; none in the first round."),
    )
    body = models.TextField(_("response"), blank=True)
    attachment = models.FileField(
        _("attachment (PDF)"), storage=private_storage, upload_to="responses/%Y/%m/", blank=True
    )
    declines = models.BooleanField(_("declines to respond"), default=False)
    component = models.ForeignKey(
        "news.Component",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The component this response was published as."),
    )
    # Every save adds one; a form carrying an older number was overtaken by another tab.
    version = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invitation", "round"]
        constraints = [models.UniqueConstraint(fields=["invitation", "round"], name="one_response_per_round")]

    def __str__(self) -> str:
        return f"{self.invitation.company}, round {self.round}"
