from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kinerja.core"
    label = "core"
    verbose_name = "Inti"

    def ready(self) -> None:
        from .uploads import ensure_temp_dir

        ensure_temp_dir()
