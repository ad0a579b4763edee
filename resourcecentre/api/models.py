"""API keys: a client's own, higher rate limit.

Only a SHA-256 digest of a key is stored. The key itself is shown once, when it is issued,
and cannot be recovered: a lost key is revoked and a new one issued.
"""

import hashlib

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Keys read "rc_" and 43 URL-safe characters (256 random bits); the prefix tells a leaked key
# apart in logs and secret scanners.
KEY_PREFIX = "rc_"


def key_digest(key: str) -> str:
    """What is stored for a key. A plain hash suffices: keys are random, not chosen by people."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self) -> "ApiKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    name = models.CharField(
        _("name"), max_length=200, help_text=_("What the key is for, e.g. “University mirror”.")
    )
    owner = models.CharField(
        _("owner"), max_length=254, blank=True, help_text=_("Who holds it: a person or an e-mail address.")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, shown in the admin so that an editor can tell keys apart.
    hint = models.CharField(max_length=12, editable=False)
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        default="600/m",
        validators=[RegexValidator(r"^[1-9][0-9]*/[1-9]?[0-9]*[smhd]$", _("Write it like 600/m or 20/s."))],
        help_text=_("Requests allowed, as count/period: 600/m, 20/s, 50000/d."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
