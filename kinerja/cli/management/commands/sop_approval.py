"""manage.py sop_approval submit|approve|return|history: an SOP version's way to approval."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.sop.approval import history
from kinerja.sop.services import find_sop


class Command(BaseCommand):
    help = "Submit an SOP version for approval, approve it with a signature, or return it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in (
            ("submit", "Submit a draft to its approving official (an author)."),
            ("approve", "Approve a submitted version with an electronic signature."),
            ("return", "Return a submitted version to its authors with a note."),
            ("history", "Show the version's way to approval."),
        ):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("sop", metavar="SOP", help="e.g. SOP-011")
            cmd.add_argument("--version", type=int, dest="number", required=True)
            if name != "history":
                cmd.add_argument("--user", required=True, help="Username of who acts.")
            if name == "return":
                cmd.add_argument("--note", required=True)

    def handle(self, *args, **options):
        try:
            sop = find_sop(options["sop"])
            version = sop.versions.filter(version=options["number"]).first()
            if version is None:
                raise CommandError(
                    _("SOP %(ref)s has no version %(v)d.")
                    % {"ref": sop.number, "v": options["number"]}
                )
            action = options["action"]
            if action == "history":
                for e in history(version):
                    when = date_format(timezone.localtime(e.at), "DATETIME_FORMAT")
                    line = f"{when}  {e.get_action_display()}  {e.name}"
                    self.stdout.write(line + (f"  — {e.note}" if e.note else ""))
                return
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("There is no user %(name)s.") % {"name": options["user"]})
            if action == "submit":
                version = actions.submit_sop(version=version, by=user)
            elif action == "approve":
                version = actions.approve_sop(version=version, by=user)
            else:
                version = actions.return_sop(version=version, by=user, note=options["note"])
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{version.sop.number} v{version.version}: {version.get_status_display()}"
        )
