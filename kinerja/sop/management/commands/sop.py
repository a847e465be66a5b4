"""manage.py sop import|export|lint|render: the SOP catalogue from the command line."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.sop import services
from kinerja.sop.models import Sop, SopVersion
from kinerja.sop.sopfile import SopFileError


class Command(BaseCommand):
    help = "Import, export, check and draw SOPs (SOP AP format)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = sub.add_parser("import", help="Import SOP files (YAML), all or nothing.")
        imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
        imp.add_argument("--draft", action="store_true", help="Keep new versions as drafts.")
        exp = sub.add_parser("export", help="Write an SOP as YAML or BPMN 2.0.")
        exp.add_argument("number", metavar="NUMBER", help="e.g. SOP-011 or SOP-011/SETDA")
        exp.add_argument("--format", choices=["yaml", "bpmn"], default="yaml")
        exp.add_argument(
            "--version", type=int, dest="version_number", help="Version (default: published)"
        )
        exp.add_argument(
            "-o", "--output", type=Path, help="File to write (default: standard output)"
        )
        lint = sub.add_parser("lint", help="Check SOPs for defects.")
        lint.add_argument("number", nargs="?", metavar="NUMBER")
        ren = sub.add_parser("render", help="Draw an SOP as an A4 landscape PDF.")
        ren.add_argument("number", metavar="NUMBER")
        ren.add_argument("--pdf", type=Path, required=True, metavar="FILE")
        ren.add_argument("--version", type=int, dest="version_number")

    def handle(self, *args, **options):
        try:
            getattr(self, "do_" + options["action"])(options)
        except SopFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was imported: %(n)d problem(s) found.") % {"n": len(exc.problems)}
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _version(self, options) -> SopVersion:
        sop = services.find_sop(options["number"])
        if options.get("version_number"):
            version = (
                SopVersion.objects.with_content()
                .filter(sop=sop, version=options["version_number"])
                .first()
            )
            if version is None:
                raise DomainError(
                    _("SOP %(number)s has no version %(v)d.")
                    % {"number": sop.number, "v": options["version_number"]}
                )
            return version
        return services.current_version(sop)

    def do_import(self, options):
        missing = [str(p) for p in options["files"] if not p.is_file()]
        if missing:
            raise DomainError(_("File not found: %(files)s") % {"files": ", ".join(missing)})
        for result in services.import_files(options["files"], draft=options["draft"]):
            if result.created:
                self.stdout.write(
                    _("%(number)s: imported as version %(v)d.")
                    % {"number": result.number, "v": result.version}
                )
            else:
                self.stdout.write(
                    _("%(number)s: unchanged (version %(v)d).")
                    % {"number": result.number, "v": result.version}
                )

    def do_export(self, options):
        version = self._version(options)
        if options["format"] == "bpmn":
            from kinerja.sop.bpmn import export_bpmn

            data = export_bpmn(version)
        else:
            data = services.export_yaml(version).encode("utf-8")
        if options["output"]:
            options["output"].write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()

    def do_lint(self, options):
        from kinerja.sop.lint import lint_version

        if options["number"]:
            versions = [self._version(options)]
        else:
            sops = Sop.objects.order_by("number")
            versions = [services.current_version(sop) for sop in sops]
        total = 0
        for version in versions:
            findings = lint_version(version)
            total += len(findings)
            for f in findings:
                step = _("step %(n)d") % {"n": f.step} if f.step else _("SOP")
                self.stdout.write(f"{version.sop.number}\t{f.code}\t{step}\t{f.message}")
        self.stdout.write(
            _("%(n)d finding(s) in %(sops)d SOP(s).") % {"n": total, "sops": len(versions)}
        )
        if total:
            sys.exit(1)

    def do_render(self, options):
        from kinerja.sop.render import render_pdf

        version = self._version(options)
        options["pdf"].write_bytes(render_pdf(version))
        self.stdout.write(
            _("%(number)s written to %(file)s.")
            % {"number": version.sop.number, "file": options["pdf"]}
        )
