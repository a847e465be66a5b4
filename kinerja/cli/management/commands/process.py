"""manage.py process start|list|show|draft: processes from the command line."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.core.worktime import format_work_minutes
from kinerja.performance import draft_reads
from kinerja.sop.services import find_sop
from kinerja.workflow import selectors
from kinerja.workflow.models import Process, Task


def _when(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "-"


class Command(BaseCommand):
    help = "Start, list and show processes (runs of an SOP)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        start = sub.add_parser(
            "start", help="Start a process from the published version of an SOP."
        )
        start.add_argument("sop", metavar="SOP", help="e.g. SOP-011")
        start.add_argument(
            "--year", type=int, required=True, help="The period: the year the document is about."
        )
        start.add_argument(
            "--run-year",
            type=int,
            help="The year the process runs (default: from the SOP's period offset).",
        )
        start.add_argument("--title", required=True)
        start.add_argument(
            "--reason", default="", help="Why, when the SOP already runs for this period."
        )
        start.add_argument("--by", help="Username of the owner (default: the only administrator)")
        lst = sub.add_parser("list", help="List processes.")
        lst.add_argument("--sop", default="")
        lst.add_argument("--year", type=int, help="The period.")
        lst.add_argument("--run-year", type=int, help="The year the processes run.")
        lst.add_argument("--state", choices=[s.value for s in Process.Status], default="")
        lst.add_argument("--overdue", action="store_true")
        show = sub.add_parser("show", help="Show a process step by step.")
        show.add_argument("id", type=int)
        draft = sub.add_parser(
            "draft",
            help="Make the document of a drafting step from the data (Buat draft dari data).",
        )
        draft.add_argument("task", type=int, metavar="TASK_ID")
        draft.add_argument("--user", required=True, help="Username of who makes it.")
        draft.add_argument("--quarter", type=int, help="1-4: the quarter of a Renja evaluation.")
        draft.add_argument(
            "--date",
            default="",
            help="YYYY-MM-DD: a PK's date of signing, printed above the signatures (default: today).",
        )

    def handle(self, *args, **options):
        try:
            getattr(self, "do_" + options["action"])(options)
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None

    def _owner(self, username):
        users = get_user_model().objects
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(_("There is no user %(name)s.") % {"name": username})
            return user
        admins = list(users.filter(is_superuser=True, is_active=True)[:2])
        if len(admins) != 1:
            raise CommandError(_("Say who owns the process with --by USERNAME."))
        return admins[0]

    def do_draft(self, options):
        task = Task.objects.filter(pk=options["task"]).first()
        if task is None:
            raise CommandError(_("There is no task %(id)d.") % {"id": options["task"]})
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("There is no user %(name)s.") % {"name": options["user"]})
        chosen = {"quarter": options.get("quarter"), "date": options.get("date")}
        version = actions.generate_draft(
            task=task, by=user, options={k: v for k, v in chosen.items() if v not in (None, "")}
        )
        report = version.report
        self.stdout.write(
            _("Version %(n)d of “%(name)s” is made from the data: %(source)s.")
            % {
                "n": version.number,
                "name": version.label,
                "source": draft_reads.source_text(report.source),
            }
        )
        changed = draft_reads.changes_text(report.changes)
        if changed:
            self.stdout.write(changed)

    def do_start(self, options):
        process = actions.start_process(
            sop=find_sop(options["sop"]),
            title=options["title"],
            year=options["year"],
            run_year=options["run_year"],
            reason=options["reason"],
            by=self._owner(options["by"]),
        )
        self.stdout.write(
            _("Process %(id)d started: %(title)s.") % {"id": process.pk, "title": process.title}
        )
        for task in process.tasks.select_related("step", "assignee"):
            self.stdout.write(self._task_line(task))

    def _task_line(self, task) -> str:
        who = task.assignee.name if task.assignee_id else _("(nobody holds the position)")
        if task.acting_for_id:
            who += " " + _("(%(kind)s for %(name)s)") % {
                "kind": task.acting_kind.upper(),
                "name": task.acting_for.name,
            }
        due = _("due %(when)s") % {"when": _when(task.due_at)} if task.due_at else _("no due time")
        return f"  {task.step.number:>2}. {task.get_status_display():<12} {who} · {due}"

    def do_list(self, options):
        rows = selectors.processes(
            sop=options["sop"],
            year=options["year"],
            run_year=options["run_year"],
            status=options["state"],
            overdue=options["overdue"],
            now=timezone.now(),
        ).with_overdue(timezone.now())
        count = 0
        for p in rows.iterator(chunk_size=200):
            count += 1
            late = _(" · %(n)d overdue") % {"n": p.overdue_tasks} if p.overdue_tasks else ""
            self.stdout.write(
                f"{p.pk:>5}  {p.sop_version.sop.number:<14} {p.year}  "
                f"{p.get_status_display():<12} {p.title}{late}"
            )
        self.stdout.write(_("%(n)d process(es).") % {"n": count})

    def do_show(self, options):
        try:
            view = selectors.process_view(options["id"])
        except Process.DoesNotExist:
            raise CommandError(_("There is no process %(id)d.") % {"id": options["id"]}) from None
        p = view.process
        self.stdout.write(
            f"{p.title} ({p.sop_version.sop.number} v{p.sop_version.version}, {p.year})"
        )
        self.stdout.write(
            _("Period %(year)d · runs in %(run_year)d") % {"year": p.year, "run_year": p.run_year}
        )
        self.stdout.write(
            _("Status: %(status)s · started %(when)s by %(owner)s")
            % {
                "status": p.get_status_display(),
                "when": _when(p.started_at),
                "owner": p.owner.username,
            }
        )
        for task in view.tasks:
            line = self._task_line(task)
            if task.completed_at:
                line += " · " + _("%(outcome)s %(when)s") % {
                    "outcome": task.get_outcome_display(),
                    "when": _when(task.completed_at),
                }
            if task.work_minutes is not None:
                line += " · " + format_work_minutes(task.work_minutes)
            self.stdout.write(line)
            if task.return_note:
                self.stdout.write("       " + _("Returned: %(note)s") % {"note": task.return_note})
        for waiver in view.waivers:
            self.stdout.write(
                _("Went on without “%(doc)s” (step %(n)d): %(reason)s")
                % {
                    "doc": waiver.document_type.name,
                    "n": waiver.task.step.number,
                    "reason": waiver.reason,
                }
            )
        self.stdout.write(
            _("Working time used: %(used)s of the standard %(total)s")
            % {
                "used": format_work_minutes(view.used_minutes),
                "total": format_work_minutes(view.standard_minutes),
            }
        )
