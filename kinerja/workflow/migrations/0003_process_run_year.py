from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def backfill(apps, schema_editor):
    """A process made before the field ran in the year it was started (local time)."""
    Process = apps.get_model("workflow", "Process")
    zone = timezone.get_default_timezone() if settings.USE_TZ else None
    for process in Process.objects.only("pk", "started_at").iterator():
        started = process.started_at
        if zone is not None and timezone.is_aware(started):
            started = started.astimezone(zone)
        Process.objects.filter(pk=process.pk).update(run_year=started.year)


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0002_process_access"),
    ]

    operations = [
        migrations.AlterField(
            model_name="process",
            name="year",
            field=models.PositiveSmallIntegerField(
                help_text="The year the document is about.",
                verbose_name="period (document year)",
            ),
        ),
        migrations.AddField(
            model_name="process",
            name="run_year",
            field=models.PositiveSmallIntegerField(
                default=2000,
                help_text="The year the process is carried out.",
                verbose_name="year it runs",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
