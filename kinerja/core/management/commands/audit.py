"""manage.py audit: check the audit record, the rows it describes, and the heads kept outside.

audit verify [--full] [--workers N] [--stream KEY]
                                 the hash chains: nobody changed, removed or inserted an event;
                                 from the last checkpoints on, or every event with --full
audit reconcile                  the rows (tasks, versions, numbers ...) against their events
audit heads export FILE          the head of every stream, to a file kept elsewhere
audit heads check FILE           every head of that file still in its stream, same hash
audit check [--heads FILE] [--full] [--workers N]
                                 verify and reconcile (and heads check): the nightly check
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kinerja.core import audit, audit_checkpoints, audit_heads, reconcile
from kinerja.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Check the audit record's hash chains, the rows it describes and the heads kept "
        "outside the database (exits 1 when something was tampered with)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = sub.add_parser(
            "verify", help="Recompute every chain; report the first bad event of each stream."
        )
        verify.add_argument("--stream", metavar="KEY", help="Only this stream, e.g. process:42")
        self._verify_arguments(verify)
        sub.add_parser(
            "reconcile",
            help="Compare each row the record describes with its last event; report each difference.",
        )
        heads = sub.add_parser("heads", help="Export the streams' heads, or check an export.")
        heads_sub = heads.add_subparsers(dest="heads_action", required=True, metavar="ACTION")
        export = heads_sub.add_parser(
            "export", help="Write the head of every stream to FILE ('-': standard output)."
        )
        export.add_argument("file", metavar="FILE")
        check = heads_sub.add_parser(
            "check", help="Check that every head in FILE is still in its stream with its hash."
        )
        check.add_argument("file", metavar="FILE")
        nightly = sub.add_parser(
            "check", help="verify and reconcile; with --heads, also check an export of the heads."
        )
        nightly.add_argument("--heads", metavar="FILE", help="An export of the heads to check.")
        self._verify_arguments(nightly)

    def _verify_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="Read every event, not only those after each stream's checkpoint (weekly).",
        )
        parser.add_argument(
            "--workers",
            metavar="N",
            help="Processes reading the streams of a full check on PostgreSQL "
            "(default: the number of cores).",
        )

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action in ("verify", "check"):
                workers = self._workers(options["workers"])
            if action == "verify":
                failures = [self._verify(options["stream"], options["full"], workers)]
            elif action == "reconcile":
                failures = [self._reconcile()]
            elif action == "heads" and options["heads_action"] == "export":
                count = audit_heads.export_heads(options["file"])
                if options["file"] != "-":
                    self.stdout.write(
                        _("Exported the heads of %(n)d streams to %(file)s.")
                        % {"n": count, "file": options["file"]}
                    )
                failures = []
            elif action == "heads":
                failures = [self._heads(options["file"])]
            else:
                failures = [self._verify(None, options["full"], workers), self._reconcile()]
                if options["heads"]:
                    failures.append(self._heads(options["heads"]))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        failed = [summary for summary in failures if summary]
        if failed:
            raise CommandError(" ".join(failed))

    def _workers(self, value: str | None) -> int:
        if value is None:
            return audit_checkpoints.default_workers()
        top = 64
        try:
            workers = int(value)
        except ValueError:
            workers = 0
        if not 1 <= workers <= top:
            raise DomainError(
                _("--workers takes a whole number from 1 to %(top)d, not “%(value)s”.")
                % {"top": top, "value": value[:40]}
            )
        return workers

    def _verify(self, stream: str | None, full: bool, workers: int) -> str:
        if stream is not None:
            result = audit.verify_record(stream)
            return self._report(
                [problem.message for problem in result.problems],
                _("The audit record was tampered with: %(n)d stream(s) affected."),
                _("OK: %(events)d events in %(streams)d streams.")
                % {"events": result.events, "streams": result.streams},
            )
        result = audit.verify_record(incremental=not full, checkpoint=True, workers=workers)
        values = {
            "events": result.events,
            "streams": result.streams,
            "skipped_events": result.skipped_events,
            "skipped_streams": result.skipped_streams,
            "since": result.since or 0,
            "workers": result.workers,
            "run": result.run or 0,
        }
        if result.mode == "incremental":
            what = _("incremental check since verify run %(since)d") % values
            counts = _(
                "%(events)d new events in %(streams)d streams checked; %(skipped_events)d "
                "events verified before were skipped, %(skipped_streams)d streams without "
                "reading any of their events"
            )
        else:
            if result.workers > 1:
                what = _("full check, %(workers)d processes") % values
            else:
                what = _("full check")
            if not full and not result.problems:
                what += "; " + _("no checkpoint yet")
            counts = _("%(events)d events in %(streams)d streams checked")
        line = {"what": what, "counts": counts % values}
        done = ""
        if result.run:
            done = " " + _("Checkpoints recorded as verify run %(run)d.") % values
        if result.problems:
            self.stdout.write(_("Checked (%(what)s): %(counts)s.") % line + done)
        return self._report(
            [problem.message for problem in result.problems],
            _("The audit record was tampered with: %(n)d stream(s) affected."),
            _("OK (%(what)s): %(counts)s.") % line + done,
        )

    def _reconcile(self) -> str:
        result = reconcile.reconcile()
        return self._report(
            [mismatch.message for mismatch in result.mismatches],
            _("The database does not match the audit record: %(n)d difference(s)."),
            _("OK: %(rows)d records in %(tables)d tables match the audit record.")
            % {"rows": result.rows, "tables": result.tables},
        )

    def _heads(self, path: str) -> str:
        result = audit_heads.check_heads(path)
        return self._report(
            result.problems,
            _(
                "The audit record was cut back or rewritten since its heads were exported: "
                "%(n)d stream(s) affected."
            ),
            _("OK: the %(n)d heads exported on %(exported)s are still in their streams.")
            % {"n": result.heads, "exported": result.exported_at},
        )

    def _report(self, problems: list[str], failed: str, ok: str) -> str:
        """Each problem on standard error and the summary of the failure, or the OK line."""
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            return failed % {"n": len(problems)}
        self.stdout.write(ok)
        return ""
