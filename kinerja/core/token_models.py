"""Personal API tokens (token API pribadi): a user's key for calling the JSON API from a script.

Only the SHA-256 digest of a token is stored. A token is a high-entropy random
secret (256 bits from `secrets`), so a fast hash is enough: there is nothing to
guess, unlike a password, and a stolen table gives no usable token. The first
characters are kept in clear (`prefix`) so that a person can tell their tokens
apart on the tokens page.

kinerja.core.tokens makes, checks and revokes them; this module only holds them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ApiToken"]


class ApiToken(models.Model):
    """Token API: sent as `Authorization: Bearer <token>`; revoked, it is refused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    prefix = models.CharField(_("prefix"), max_length=16)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
