import hashlib
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField

from resourcecentre.lib.html import sanitize_html


def validate_link(value: str) -> None:
    """Only web addresses and paths on this site; never javascript: or data: links."""
    if value.startswith("/") and not value.startswith("//"):
        return
    if urlsplit(value).scheme not in {"http", "https"}:
        raise ValidationError(_("Enter an address starting with https:// or a path starting with /."))


class SiteMessageQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return (
            self.filter(starts_at__lte=now)
            .filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now))
            .order_by("-starts_at")
        )


class SiteMessage(models.Model):
    """The dismissible banner shown on every public page while it is active."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        READERS = "readers", _("Readers who are not signed in")
        EDITORS = "editors", _("Signed-in editors")

    title = models.CharField(_("title"), max_length=255)
    body = RichTextField(_("body"), features=["bold", "italic", "link"])
    link_url = models.CharField(
        _("“Find Out More” link"),
        max_length=500,
        blank=True,
        help_text=_("A URL or a site path."),
        validators=[validate_link],
    )
    link_label = models.CharField(_("link label"), max_length=100, blank=True, default=_("Find Out More"))
    starts_at = models.DateTimeField(_("show from"), default=timezone.now)
    ends_at = models.DateTimeField(_("show until"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("site message")
        verbose_name_plural = _("site messages")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    @property
    def safe_link(self) -> str:
        """The link, unless it is of a kind the form would refuse (rows written around it)."""
        try:
            validate_link(self.link_url)
        except ValidationError:
            return ""
        return self.link_url

    @property
    def version(self) -> str:
        """Changes whenever the message is edited, so a hidden banner returns when it changes."""
        content = f"{self.pk}|{self.title}|{self.body}|{self.link_url}|{self.link_label}"
        return hashlib.sha256(content.encode()).hexdigest()[:16]

    def is_for(self, user) -> bool:
        signed_in = user.is_authenticated
        return (
            self.audience == self.Audience.EVERYONE
            or (self.audience == self.Audience.READERS and not signed_in)
            or (self.audience == self.Audience.EDITORS and signed_in)
        )
