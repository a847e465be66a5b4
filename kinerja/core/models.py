"""Base model shared by the domain apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


from .audit_models import *  # noqa: E402,F401,F403
from .calendar_models import *  # noqa: E402,F401,F403
from .token_models import *  # noqa: E402,F401,F403
