"""manage.py remind: reminders before tasks are due and escalation after; the same for
each bagian's quarterly realisasi against its deadline (safe to run from cron).

Here, above both apps, because the task reminders live in kinerja.workflow and the
realisasi reminders in kinerja.performance, which the workflow may not import."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kinerja.performance.reminders import send_deadline_reminders
from kinerja.workflow.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send due reminders and escalate overdue tasks and late quarterly realisasi. "
        "Idempotent: run it every few minutes."
    )

    def handle(self, *args, **options):
        result = send_reminders()
        self.stdout.write(
            _("%(r)d reminder(s) and %(e)d escalation(s) sent.")
            % {"r": result.reminders, "e": result.escalations}
        )
        late = send_deadline_reminders()
        self.stdout.write(
            _("Realisasi: %(r)d reminder(s) and %(e)d escalation(s) sent.")
            % {"r": late.reminders, "e": late.escalations}
        )
