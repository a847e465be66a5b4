"""manage.py performance nomenclature FILE: the performance data's reference lists."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.performance.nomenclature import load_nomenclature


class Command(BaseCommand):
    help = "Load the reference lists of the performance data."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        codes = sub.add_parser(
            "nomenclature",
            help="Load the program/kegiatan/sub kegiatan codes (Kepmendagri 050-5889/2021) "
            "from a YAML file laid out as kinerja/performance/data/nomenclature.yaml: all or "
            "nothing; codes the file no longer lists are marked inactive, never deleted.",
        )
        codes.add_argument("file", metavar="FILE")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            counts = load_nomenclature(path)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("%(created)d codes added, %(updated)d changed, %(deactivated)d marked inactive.")
            % counts
        )
