from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reference_data(sender, **kwargs) -> None:
    from .nomenclature import ensure_nomenclature

    ensure_nomenclature()


class PerformanceConfig(AppConfig):
    """Kinerja: Renstra, cascade (pohon kinerja), Renja, PK, realisasi and capaian."""

    name = "kinerja.performance"
    label = "performance"
    verbose_name = _("Performance")

    def ready(self) -> None:
        post_migrate.connect(_reference_data, sender=self)
