"""manage.py document verify FILE | sweep [--delete] | classifications FILE [--dry-run]:
documents from the command line."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kinerja.core.errors import DomainError
from kinerja.org.nip import format_nip

# Exit codes of `document verify`: scripts tell a broken document from bad input.
EXIT_VALID, EXIT_INVALID, EXIT_BAD_INPUT = 0, 1, 2


class Command(BaseCommand):
    help = (
        "Work with documents: verify the electronic signatures of a PDF; find (and delete) "
        "stored files that no record names and stale temporary uploads."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = sub.add_parser(
            "verify",
            help="Check the electronic signatures of a PDF (exit 0 valid, 1 not valid, 2 bad input).",
        )
        verify.add_argument("file", type=Path, metavar="FILE")
        sweep = sub.add_parser(
            "sweep",
            help=(
                "List stored files that no document version names, and temporary upload files "
                "a stopped server left behind (older than an hour)."
            ),
        )
        sweep.add_argument("--delete", action="store_true", help="Delete them.")
        codes = sub.add_parser(
            "classifications",
            help=(
                "Update the archive classification codes and their retention (JRA) from a "
                "YAML file shaped like kinerja/documents/data/classifications.yaml: new codes "
                "are added, listed codes updated, none removed."
            ),
        )
        codes.add_argument("file", type=Path, metavar="FILE")
        codes.add_argument(
            "--dry-run", action="store_true", help="Say what would change, change nothing."
        )

    def handle(self, *args, **options):
        try:
            getattr(self, "do_" + options["action"])(options)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=EXIT_BAD_INPUT) from None

    def do_classifications(self, options):
        from django.contrib.auth import get_user_model

        from kinerja.documents.reference import import_classifications

        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path}, returncode=EXIT_BAD_INPUT)
        # The change is recorded as the system's: a command has no logged-in user.
        by = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        report = import_classifications(path=path, by=by, dry_run=options["dry_run"])
        for code in report.created:
            self.stdout.write(_("new: %(code)s") % {"code": code})
        for code in report.updated:
            self.stdout.write(_("updated: %(code)s") % {"code": code})
        for code in report.not_in_file:
            self.stdout.write(
                _("kept, not in the file: %(code)s (documents may be filed under it)")
                % {"code": code}
            )
        if report.to_check:
            self.stdout.write(
                _("to confirm against the regulation or the JRA (check: true): %(codes)s")
                % {"codes": ", ".join(report.to_check)}
            )
        summary = _("%(new)d new, %(updated)d updated, %(same)d unchanged.") % {
            "new": len(report.created),
            "updated": len(report.updated),
            "same": report.unchanged,
        }
        if options["dry_run"]:
            summary += " " + _("Nothing was changed (--dry-run).")
        self.stdout.write(summary)

    def do_sweep(self, options):
        from kinerja.documents import sweep

        found = sweep.orphans()
        for item in found:
            self.stdout.write(f"{item.name} ({item.size} B)")
        if options["delete"]:
            removed = sweep.remove(found)
            self.stdout.write(
                ngettext(
                    "%(n)d file without a record deleted.",
                    "%(n)d files without a record deleted.",
                    removed,
                )
                % {"n": removed}
            )
        else:
            self.stdout.write(
                ngettext(
                    "%(n)d file without a record (run with --delete to delete it).",
                    "%(n)d files without a record (run with --delete to delete them).",
                    len(found),
                )
                % {"n": len(found)}
            )

    def do_verify(self, options):
        from kinerja.documents import verification

        path: Path = options["file"]
        try:
            # Read as an upload is: at most the upload limit, whatever the file's size.
            with path.open("rb") as file:
                data = verification.read_upload(file)
        except FileNotFoundError:
            raise DomainError(_("File not found: %(file)s") % {"file": path}) from None
        except IsADirectoryError:
            raise DomainError(_("%(file)s is a folder, not a file.") % {"file": path}) from None
        except OSError as exc:
            raise DomainError(
                _("%(file)s cannot be read: %(reason)s") % {"file": path, "reason": exc.strerror}
            ) from None
        if not verification.is_pdf(data):
            raise DomainError(_("The file is not a PDF document."))
        report = verification.verify_signatures(data)
        word = {
            "valid": _("INTACT"),
            "unsigned": _("UNSIGNED"),
            "untrusted": _("NOT TRUSTED"),
            "broken": _("BROKEN"),
        }[report.status]
        self.stdout.write(f"{word}: {report.message}")
        for number, sig in enumerate(report.signatures, start=1):
            when = (
                timezone.localtime(sig.signed_at).strftime("%Y-%m-%d %H:%M %Z")
                if sig.signed_at
                else _("time unknown")
            )
            who = f"{sig.signer} (NIP {format_nip(sig.nip)})" if sig.nip else sig.signer
            trust = _("trusted") if sig.trusted else _("not trusted")
            self.stdout.write(
                _(
                    "%(n)d. %(who)s, %(when)s; certificate %(serial)s from %(issuer)s, "
                    "%(trust)s. %(summary)s"
                )
                % {
                    "n": number,
                    "who": who,
                    "when": when,
                    "serial": sig.serial,
                    "issuer": sig.issuer,
                    "trust": trust,
                    "summary": sig.summary,
                }
            )
        if not report.valid:
            sys.exit(EXIT_INVALID)
