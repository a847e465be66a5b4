"""manage.py performance nomenclature|export|import: the performance data from the command line.

export/import read and write the quarter's realisasi sheet by default (--year, --quarter);
`--table serapan` the year's serapan table (both ways); `--table capaian` the year's capaian with every formula through --quarter (export
only); `--table pk --position CODE` the
PK's targets and budget table (export only: a PK changes by a revision, not by a file),
with `--document pdf|docx` the PK itself as the paper to sign (without --position: every
PK of the year in one file);
`--table renja --renja ID` the Renja's table in the Bappeda layout, or with --template
the proposals sheet a bagian fills in (read back by import); `--table renja-evaluation
--renja ID --quarter N` the quarterly Renja evaluation (XLSX, or PDF when FILE ends in
.pdf; the quarter by default the last closed); `--plan` the Renstra's
indicators with their manual IKU and targets (the plan's sheet, both ways). Every import
is all or nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.performance import agreement_reads, permissions
from kinerja.performance.agreement_sheets import agreement_workbook
from kinerja.performance.capaian_sheets import capaian_workbook
from kinerja.performance.models import Renja, Renstra
from kinerja.performance.nomenclature import load_nomenclature
from kinerja.performance.plan_sheets import plan_workbook
from kinerja.performance.renja import proposing_units, renja_items
from kinerja.performance.renja_sheets import proposals_template, renja_workbook
from kinerja.performance.reports import pk as pk_document
from kinerja.performance.reports.renja_evaluation import evaluation_report
from kinerja.performance.selectors import capaian_table
from kinerja.performance.serapan_sheets import serapan_workbook
from kinerja.performance.spreadsheets import realisasi_workbook

MAX_FILE_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Load reference lists; export or import the quarter's realisasi, the year's serapan, "
        "the Renja's proposals or, with --plan, the Renstra's indicators and targets (XLSX); "
        "export a PK's targets and budget table or the Renja's table."
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
                "--table serapan the year's serapan table through --quarter (default TW IV); "
                "with --table pk --position CODE the newest revision of that PK (--document "
                "pdf|docx: the PK to sign; without --position every PK of the year); with --table "
                "renja --renja ID the Renja's table as USER reads it (--template: the proposals "
                "sheet of USER's bagian); with --plan, the Renstra's indicators, manual IKU and "
                "targets.",
            ),
            (
                "import",
                "Enter the realisasi of a filled-in sheet as USER (or, with --table serapan, "
                "every changed amount of a serapan table; with --table renja, the proposals of "
                "a proposals sheet), or with --plan save the plan's sheet: all or nothing.",
            ),
        ):
            command = sub.add_parser(name, help=text)
            command.add_argument("file", metavar="FILE")
            command.add_argument("--renstra", type=int, help="the Renstra's id")
            command.add_argument("--year", type=int, help="the year (not with --plan)")
            command.add_argument(
                "--quarter",
                type=int,
                choices=[1, 2, 3, 4],
                help="the quarter (required for the realisasi sheet)",
            )
            command.add_argument("--by", required=True, help="username of the person")
            command.add_argument(
                "--table",
                choices=["realisasi", "serapan", "pk", "renja", "renja-evaluation", "capaian"]
                if name == "export"
                else ["realisasi", "serapan", "renja"],
                default="realisasi",
                help="which table (default: realisasi)",
            )
            command.add_argument("--renja", type=int, help="the Renja's id (--table renja)")
            command.add_argument(
                "--plan", action="store_true", help="the plan's sheet instead of a year's table"
            )
            if name == "export":
                command.add_argument("--position", help="the PK's position code (--table pk)")
                command.add_argument(
                    "--document",
                    choices=["pdf", "docx"],
                    help="with --table pk: the PK as the paper to sign instead of its sheet "
                    "(without --position, every PK of the year in one file)",
                )
                command.add_argument(
                    "--template",
                    action="store_true",
                    help="with --table renja: the proposals sheet instead of the table",
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
        if options.get("renstra") is None:
            raise CommandError(_("Give the Renstra's id with --renstra."))
        renstra = Renstra.objects.filter(pk=options["renstra"]).first()
        if renstra is None:
            raise CommandError(_("There is no Renstra %(id)s.") % {"id": options["renstra"]})
        return renstra, self._user(options)

    def _quarter(self, options) -> int:
        if options["quarter"] is None:
            raise CommandError(_("Give the quarter: --quarter 1 to 4."))
        return options["quarter"]

    def _year(self, options) -> None:
        if options["year"] is None:
            raise CommandError(_("Give the year: --year, or --plan for the plan's sheet."))

    def do_export(self, options):
        if options["table"] == "renja-evaluation":
            renja, user = self._renja(options)
            units = permissions.readable_units(renja.renstra, user, timezone.localdate())
            if units is not None and not renja_items(renja, units).exists():
                raise CommandError(
                    _("%(name)s may read nothing of this Renja.") % {"name": options["by"]}
                )
            report = evaluation_report(renja, quarter=options["quarter"], units=units)
            pdf = str(options["file"]).lower().endswith(".pdf")
            Path(options["file"]).write_bytes((report.pdf if pdf else report.xlsx) or b"")
            self.stdout.write(_("Written: %(path)s") % {"path": options["file"]})
            return
        if options["table"] == "renja":
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
        if options["plan"]:
            units = permissions.readable_units(renstra, user, timezone.localdate())
            Path(options["file"]).write_bytes(plan_workbook(renstra=renstra, units=units))
            self.stdout.write(_("Written: %(path)s") % {"path": options["file"]})
            return
        self._year(options)
        if options["table"] == "capaian":
            units = permissions.readable_units(renstra, user, timezone.localdate())
            up_to = options["quarter"] or 4
            rows = [
                row
                for row in capaian_table(renstra, options["year"], up_to=up_to)
                if permissions.may_read_indicator(row.indicator, units)
            ]
            data = capaian_workbook(renstra=renstra, year=options["year"], up_to=up_to, rows=rows)
        elif options["table"] == "pk" and options.get("document"):
            data = self._agreement_document(renstra, user, options)
        elif options["table"] == "pk":
            data = self._agreement_sheet(renstra, user, options)
        elif options["table"] == "serapan":
            units = agreement_reads.units_for(renstra, user)
            if units is not None and not units:
                raise CommandError(
                    _("%(name)s may read nothing of this Renstra.") % {"name": options["by"]}
                )
            data = serapan_workbook(
                renstra=renstra,
                year=options["year"],
                up_to=options["quarter"] or 4,
                units=units,
                by=user,
            )
        else:
            data = realisasi_workbook(
                renstra=renstra, year=options["year"], quarter=self._quarter(options), by=user
            )
        Path(options["file"]).write_bytes(data)
        self.stdout.write(_("Written: %(path)s") % {"path": options["file"]})

    def do_import(self, options):
        path = Path(options["file"])
        if options["table"] == "renja":
            renja, user = self._renja(options)
            count = actions.performance.import_proposals(
                renja=renja, content=self._read(path), by=user
            )
            self.stdout.write(_("%(n)d proposals saved.") % {"n": count})
            return
        renstra, user = self._scene(options)
        content = self._read(path)
        if options["plan"]:
            counts = actions.performance.import_plan(renstra=renstra, content=content, by=user)
            self.stdout.write(
                _("%(indicators)d indicators and %(targets)d targets read from the sheet.") % counts
            )
            return
        self._year(options)
        if options["table"] == "serapan":
            count = actions.performance.import_serapan(
                renstra=renstra, year=options["year"], content=content, by=user
            )
            self.stdout.write(_("%(n)d serapan entered.") % {"n": count})
            return
        count = actions.performance.import_realisasi(
            renstra=renstra,
            year=options["year"],
            quarter=self._quarter(options),
            content=content,
            by=user,
        )
        self.stdout.write(_("%(n)d realisasi entered.") % {"n": count})

    def _agreement_sheet(self, renstra, user, options) -> bytes:
        code = options.get("position") or ""
        units = agreement_reads.units_for(renstra, user)
        chains = agreement_reads.agreements_of(renstra, options["year"], units)
        found = [chain[-1] for chain in chains if chain[-1].position.code == code]
        if not found:
            raise CommandError(
                _("There is no PK %(year)s of the position %(code)s that %(name)s may read.")
                % {"year": options["year"], "code": code or "?", "name": options["by"]}
            )
        return agreement_workbook(found[0])

    def _agreement_document(self, renstra, user, options) -> bytes:
        units = agreement_reads.units_for(renstra, user)
        now = timezone.now()
        if options.get("position"):
            code = options["position"]
            chains = agreement_reads.agreements_of(renstra, options["year"], units)
            found = [chain[-1] for chain in chains if chain[-1].position.code == code]
            if not found:
                raise CommandError(
                    _("There is no PK %(year)s of the position %(code)s that %(name)s may read.")
                    % {"year": options["year"], "code": code, "name": options["by"]}
                )
            made = pk_document.agreement_report(found[0], now=now)
        else:
            made = pk_document.unit_report(renstra, options["year"], units=units, now=now)
        return made.pdf if options["document"] == "pdf" else made.docx

    def _read(self, path: Path) -> bytes:
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        with path.open("rb") as file:
            return file.read(MAX_FILE_BYTES + 1)
