"""manage.py demo: the demo organisation, its logins and the shipped SOPs (idempotent)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kinerja.demo.history import record_history
from kinerja.demo.performance import load_demo_performance
from kinerja.demo.services import build_demo, start_demo_processes


class Command(BaseCommand):
    help = "Load the demo organisation, one login per position, and the shipped SOPs. Safe to run again."

    def handle(self, *args, **options):
        result = build_demo()
        # The performance data first: the processes' drafts are made from it.
        if load_demo_performance():
            self.stdout.write(
                _(
                    "  performance data: the Renstra 2021-2026, Renja and PK 2026, realisasi through TW III"
                )
            )
        for process in start_demo_processes():
            self.stdout.write(_("  process started: %(title)s") % {"title": process.title})
        # After this year's processes (their letters take the first numbers of the year).
        history = record_history()
        if history:
            self.stdout.write(
                _("  a year of finished runs: %(count)d processes of SOP-011, SOP-013, SOP-015")
                % {"count": len(history)}
            )
        for sop in result.sops:
            state = _("imported") if sop.created else _("unchanged")
            self.stdout.write(f"  {sop.number} v{sop.version}: {state}")
        self.stdout.write(_("Demo accounts (all with the same password):"))
        for username, position in result.users:
            self.stdout.write(f"  {username:<22} {position}")
        if result.password_source == "env":
            self.stdout.write(_("Password: the value of DEMO_PASSWORD."))
        else:
            self.stdout.write(_("Password: %(pw)s") % {"pw": result.password})
            self.stdout.write(
                _("(kept in var/demo-password.txt; set DEMO_PASSWORD to choose your own)")
            )
