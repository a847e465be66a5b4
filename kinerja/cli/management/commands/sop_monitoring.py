"""manage.py sop_monitoring SOP-011 --period 2026-2 [--prepare-as USER] [--docx F] [--pdf F]:
the figures of an SOP's half-year, and its Tabel 7 (Monitoring Pelaksanaan SOP AP)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kinerja.actions import sop_monitoring as actions
from kinerja.core.errors import DomainError
from kinerja.documents import sop_monitoring_table as table
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Assessment
from kinerja.workflow.monitoring import Period, monitor
from kinerja.workflow.monitoring_records import record_for


class Command(BaseCommand):
    help = "Show the monitoring figures of an SOP for a half-year; write its Tabel 7."

    def add_arguments(self, parser):
        parser.add_argument("sop", metavar="SOP", help="e.g. SOP-011")
        parser.add_argument(
            "--period", default="", help="The half-year: 2026-1 or 2026-2 (default: the current)"
        )
        parser.add_argument(
            "--prepare-as",
            default="",
            metavar="USERNAME",
            help="Prepare Tabel 7 of the period as this supervising official, if not made yet.",
        )
        parser.add_argument("--docx", type=Path, help="Write Tabel 7 as DOCX to this file.")
        parser.add_argument("--pdf", type=Path, help="Write Tabel 7 as PDF to this file.")

    def handle(self, *args, **options):
        try:
            self._handle(options)
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None

    def _handle(self, options):
        sop = find_sop(options["sop"])
        period = Period.parse(options["period"]) if options["period"] else Period.current()
        figures = monitor(sop, period)
        self.stdout.write(f"{sop.number} · {figures.version.name} · {period.label}")
        labels = dict(Assessment.choices)
        for step in figures.steps:
            proposal = labels.get(step.proposed, "-")
            self.stdout.write(f"{step.number:>3}. {step.figures_text()} [{proposal}]")
            if step.flag:
                self.stdout.write(f"     ! {step.flag_text()}")
        record = record_for(sop, period)
        if record is None and options["prepare_as"]:
            user = get_user_model().objects.filter(username=options["prepare_as"]).first()
            if user is None:
                raise CommandError(
                    _("There is no user %(name)s.") % {"name": options["prepare_as"]}
                )
            record = actions.prepare_monitoring(sop=sop, period=period, by=user, figures=figures)
            self.stdout.write(_("Tabel 7 of %(period)s is prepared.") % {"period": period.label})
        for ext in ("docx", "pdf"):
            target = options[ext]
            if not target:
                continue
            if record is None:
                raise CommandError(
                    _("Tabel 7 of %(period)s is not prepared yet: add --prepare-as USERNAME.")
                    % {"period": period.label}
                )
            data = table.render_docx(record) if ext == "docx" else table.render_pdf(record)
            try:
                target.write_bytes(data)
            except OSError as exc:
                raise CommandError(
                    _("Cannot write %(file)s: %(reason)s")
                    % {"file": target, "reason": exc.strerror}
                ) from None
            self.stdout.write(_("Written: %(file)s") % {"file": target})
