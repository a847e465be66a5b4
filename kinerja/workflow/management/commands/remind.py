"""manage.py remind: reminders before tasks are due, escalation after (safe to run from cron)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kinerja.workflow.reminders import send_reminders


class Command(BaseCommand):
    help = "Send due reminders and escalate overdue tasks. Idempotent: run it every few minutes."

    def handle(self, *args, **options):
        result = send_reminders()
        self.stdout.write(
            _("%(r)d reminder(s) and %(e)d escalation(s) sent.")
            % {"r": result.reminders, "e": result.escalations}
        )
