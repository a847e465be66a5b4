"""Personal API tokens: make one (shown once), check one on each API call, revoke one.

A token reads `knj_` followed by 43 URL-safe characters (32 random bytes). The
database keeps its SHA-256 digest and its first 12 characters, never the token.
Looking a token up by digest is one indexed query; the time it was last used
is written at most once a minute (LAST_USED_EVERY), so a script calling the API
in a loop does not turn every read into a write.
"""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, limits
from .errors import DomainError
from .token_models import ApiToken

TOKEN_PREFIX = "knj_"
PREFIX_LENGTH = 12  # "knj_" and 8 random characters: enough to tell one's tokens apart
MAX_ACTIVE_TOKENS = 20
LAST_USED_EVERY = dt.timedelta(minutes=1)


class TokenRefused(Exception):
    """The token sent is unknown, revoked, or its user may no longer log in."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _stream(user: AbstractBaseUser) -> str:
    return f"user:{user.pk}"


@transaction.atomic
def create_token(*, by: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token of `by`, and its text: the only time the text exists outside the caller."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the token: what is it for?"), field="name")
    if len(name) > limits.TOKEN_NAME:
        raise DomainError(
            _("The token's name may have at most %(n)d characters.") % {"n": limits.TOKEN_NAME},
            field="name",
        )
    # Lock the user row so that two requests at once cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=by.pk).exists()
    active = ApiToken.objects.filter(user=by, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise DomainError(
            _("You already have %(n)d active tokens; revoke one you no longer use first.")
            % {"n": active},
            field="name",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=by, name=name, prefix=raw[:PREFIX_LENGTH], digest=digest_of(raw)
    )
    audit.record(
        stream=_stream(by),
        action="token-create",
        actor=by,
        obj=token,
        after={"name": name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken, by: AbstractBaseUser) -> ApiToken:
    """Revoke a token of one's own; from now on it is refused. Revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk:
        raise PermissionDenied(_("This token is not yours."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        stream=_stream(by),
        action="token-revoke",
        actor=by,
        obj=token,
        before={"name": token.name, "prefix": token.prefix},
        after={"revoked_at": token.revoked_at},
    )
    return token


def user_for_token(raw: str, *, now: dt.datetime | None = None) -> AbstractBaseUser:
    """The user a token belongs to, or TokenRefused with the reason.

    One query; a second (an UPDATE of one row) at most once a minute per token.
    """
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX):
        raise TokenRefused(_("This is not a Kinerja API token."))
    token = (
        ApiToken.objects.select_related("user", "user__person")
        .filter(digest=digest_of(raw))
        .first()
    )
    if token is None:
        raise TokenRefused(_("The API token is unknown."))
    if token.revoked_at is not None:
        raise TokenRefused(_("The API token was revoked."))
    if not token.user.is_active:
        raise TokenRefused(_("The API token's user may no longer log in."))
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
