from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CliConfig(AppConfig):
    """The command line that runs processes (`manage.py process`): like the pages and the
    API, it changes a process only through kinerja.actions."""

    name = "kinerja.cli"
    label = "cli"
    verbose_name = _("Command line")
