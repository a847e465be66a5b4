"""Stamps of reference data that the application servers keep in memory.

The working-time calendar and the organisation's assignments change a few times
a year but are read by every action. Each server process keeps what it built
from them together with the stamp it was built under; the database gives a data
set a new random stamp whenever one of its tables changes (triggers, migration
core 0005, so edits by the administration, bulk updates and raw SQL alike count),
and the engine reads the stamps in the statement that locks the task. A cached
copy is used only while its stamp is the current one.

Random rather than a counter, so that a stamp seen inside a transaction that was
rolled back never comes back for different data. No row (a flushed test
database): nothing is cached.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CacheStamp"]


class CacheStamp(models.Model):
    """The current stamp of one set of reference data (`calendar`, `org`)."""

    key = models.CharField(_("data"), max_length=40, primary_key=True)
    token = models.CharField(_("stamp"), max_length=64)

    class Meta:
        verbose_name = _("cache stamp")
        verbose_name_plural = _("cache stamps")

    def __str__(self) -> str:
        return f"{self.key}: {self.token}"
