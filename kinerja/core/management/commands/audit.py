"""manage.py audit verify: check that nobody changed, removed or inserted an audit event."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError


class Command(BaseCommand):
    help = "Check the audit record's hash chains (exits 1 when something was tampered with)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = sub.add_parser(
            "verify", help="Recompute every chain; report the first bad event of each stream."
        )
        verify.add_argument("--stream", metavar="KEY", help="Only this stream, e.g. process:42")

    def handle(self, *args, **options):
        try:
            result = audit.verify_record(options["stream"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for problem in result.problems:
            self.stderr.write(problem.message)
        if result.problems:
            raise CommandError(
                _("The audit record was tampered with: %(n)d stream(s) affected.")
                % {"n": len(result.problems)}
            )
        self.stdout.write(
            _("OK: %(events)d events in %(streams)d streams.")
            % {"events": result.events, "streams": result.streams}
        )
