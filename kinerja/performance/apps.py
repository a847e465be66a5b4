from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    """Kinerja: Renstra, cascade (pohon kinerja), Renja, PK, realisasi and capaian."""

    name = "kinerja.performance"
    label = "performance"
    verbose_name = _("Performance")
