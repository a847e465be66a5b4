"""The abstract base model of the domain apps: when a row was made and last changed.

It lives apart from kinerja/core/models.py so that the core model modules and
every other app import it from one place, without importing the module that
gathers the core models for Django.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["TimeStampedModel"]


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
