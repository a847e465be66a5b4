"""Who is logging in from where: the client's address behind the reverse proxy, and what a
run of failed log-ins locks (django-axes calls both, see AXES_* in config/settings.py).

The address. Behind a reverse proxy every request comes from the proxy's address,
so counting failures by REMOTE_ADDR puts the whole office in one bucket: five
wrong passwords from anyone lock a user out for everyone. Each proxy appends the
address it received the request from to X-Forwarded-For, so with N trusted
proxies in front of the server the client is the N-th entry from the right.
Entries further left were written by the client and prove nothing. Unless
TRUSTED_PROXY_COUNT says how many proxies there are, the header is ignored
(anyone could send it to a server without a proxy).

What is locked, after AXES_FAILURE_LIMIT failures within AXES_COOLOFF_MINUTES:

- a log-in as a known user counts the failures of that username from that
  address: a person who forgot their password locks only their own account, and
  only at their own computer;
- a log-in with a username nobody has counts every failure from that address,
  whatever the username: trying new names one after another (each would be a
  fresh username+address pair) is stopped after the limit, before any password
  is hashed. Known users at that address can still log in.
"""

import ipaddress

from axes.helpers import get_client_username
from axes.models import AccessBase
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the person's computer, as the outermost trusted proxy saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def lockout_parameters(request_or_attempt, credentials: dict | None = None) -> list:
    """What django-axes counts failures by for this log-in (see the module)."""
    if isinstance(request_or_attempt, AccessBase):
        return _parameters(_is_known(request_or_attempt.username))
    username = get_client_username(request_or_attempt, credentials)
    # axes asks several times per log-in: one query per request and username.
    known = request_or_attempt.__dict__.setdefault("_kinerja_known_usernames", {})
    if username not in known:
        known[username] = _is_known(username)
    return _parameters(known[username])


def _is_known(username: str | None) -> bool:
    user_model = get_user_model()
    return bool(username) and (
        user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).exists()
    )


def _parameters(known_user: bool) -> list:
    return [["username", "ip_address"]] if known_user else ["ip_address"]
