from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_reference_data(sender, **kwargs) -> None:
    # After migrate, and after a test database is flushed (flush emits post_migrate too),
    # so archive codes and letter templates are always there. Adds only what is missing.
    from .reference import ensure_reference_data

    ensure_reference_data()


class DocumentsConfig(AppConfig):
    name = "kinerja.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        post_migrate.connect(_load_reference_data, sender=self)
