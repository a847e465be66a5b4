"""manage.py performance nomenclature|export|import: the performance data from the command line.

export/import handle the quarter's realisasi sheet (the default, --what realisasi) or the
Renja (--what renja): its table in the Bappeda layout, or with --template the proposals
sheet a bagian fills in, read back all or nothing by import."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.performance import permissions
from kinerja.performance.models import Renja, Renstra
from kinerja.performance.nomenclature import load_nomenclature
from kinerja.performance.renja import proposing_units
from kinerja.performance.renja_sheets import proposals_template, renja_workbook
from kinerja.performance.spreadsheets import realisasi_workbook

MAX_FILE_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Load reference lists, and export or import the quarter's realisasi or the Renja's "
        "proposals (XLSX)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        codes = sub.add_parser(
            "nomenclature",
            help="Load the program/kegiatan/sub kegiatan codes (Kepmendagri 050-5889/2021) "
            "from a YAML file laid out as kinerja/performance/data/nomenclature.yaml: all or "
            "nothing; codes the file no longer lists are marked inactive, never deleted.",
        )
        codes.add_argument("file", metavar="FILE")
        for name, text in (
            (
                "export",
                "Write the quarter's realisasi sheet (XLSX) for what USER may enter; with "
                "--what renja the Renja's table as USER reads it, or with --template the "
                "proposals sheet of USER's bagian.",
            ),
            (
                "import",
                "Enter the realisasi of a filled-in sheet as USER, or with --what renja the "
                "proposals of a filled-in proposals sheet: all or nothing.",
            ),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument("file", metavar="FILE")
            command.add_argument(
                "--what", choices=["realisasi", "renja"], default="realisasi", help="which table"
            )
            command.add_argument("--renstra", type=int, help="the Renstra's id (realisasi)")
            command.add_argument("--year", type=int, help="the year (realisasi)")
            command.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="(realisasi)")
            command.add_argument("--renja", type=int, help="the Renja's id (renja)")
            command.add_argument("--by", required=True, help="username of the person")
            if name == "export":
                command.add_argument(
                    "--template",
                    action="store_true",
                    help="with --what renja: the proposals sheet instead of the table",
                )

    def handle(self, *args, **options):
        try:
            getattr(self, "do_" + options["action"])(options)
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None

    def do_nomenclature(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        counts = load_nomenclature(path)
        self.stdout.write(
            _("%(created)d codes added, %(updated)d changed, %(deactivated)d marked inactive.")
            % counts
        )

    def _user(self, options):
        user = (
            get_user_model().objects.select_related("person").filter(username=options["by"]).first()
        )
        if user is None:
            raise CommandError(_("There is no user %(name)s.") % {"name": options["by"]})
        return user

    def _renja(self, options):
        if options.get("renja") is None:
            raise CommandError(_("Give the Renja's id with --renja."))
        renja = Renja.objects.select_related("unit", "renstra").filter(pk=options["renja"]).first()
        if renja is None:
            raise CommandError(_("There is no Renja %(id)s.") % {"id": options["renja"]})
        return renja, self._user(options)

    def _scene(self, options):
        missing = [f"--{k}" for k in ("renstra", "year", "quarter") if options.get(k) is None]
        if missing:
            raise CommandError(
                _("The realisasi sheet needs %(options)s.") % {"options": ", ".join(missing)}
            )
        renstra = Renstra.objects.filter(pk=options["renstra"]).first()
        if renstra is None:
            raise CommandError(_("There is no Renstra %(id)s.") % {"id": options["renstra"]})
        return renstra, self._user(options)

    def do_export(self, options):
        if options["what"] == "renja":
            renja, user = self._renja(options)
            day = timezone.localdate()
            if options["template"]:
                data = proposals_template(
                    renja=renja, units=[u.pk for u in proposing_units(renja, user, day)]
                )
            else:
                data = renja_workbook(
                    renja=renja, units=permissions.readable_units(renja.renstra, user, day)
                )
            Path(options["file"]).write_bytes(data)
            self.stdout.write(_("Written: %(path)s") % {"path": options["file"]})
            return
        renstra, user = self._scene(options)
        data = realisasi_workbook(
            renstra=renstra, year=options["year"], quarter=options["quarter"], by=user
        )
        Path(options["file"]).write_bytes(data)
        self.stdout.write(_("Written: %(path)s") % {"path": options["file"]})

    def do_import(self, options):
        path = Path(options["file"])
        if options["what"] == "renja":
            renja, user = self._renja(options)
            count = actions.performance.import_proposals(
                renja=renja, content=self._read(path), by=user
            )
            self.stdout.write(_("%(n)d proposals saved.") % {"n": count})
            return
        renstra, user = self._scene(options)
        content = self._read(path)
        count = actions.performance.import_realisasi(
            renstra=renstra,
            year=options["year"],
            quarter=options["quarter"],
            content=content,
            by=user,
        )
        self.stdout.write(_("%(n)d realisasi entered.") % {"n": count})

    def _read(self, path: Path) -> bytes:
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        with path.open("rb") as file:
            return file.read(MAX_FILE_BYTES + 1)
