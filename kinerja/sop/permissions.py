"""Who may do what with SOPs: one place for the views, the templates and the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def may_maintain(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Those who maintain the SOPs (revise, publish; staff of the administration) read the
    linter's findings; everyone else reads the SOP in force."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_staff", False))
