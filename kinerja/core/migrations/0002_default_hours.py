"""A fresh database gets the office hours of Perpres 21/2023, so due times work at once.

The rows are written here rather than imported from kinerja.core.calendar so that this
migration keeps doing what it did when the defaults there change later.
"""

import datetime as dt

from django.db import migrations

MON_THU = (dt.time(7, 30), dt.time(16, 0), dt.time(12, 0), dt.time(13, 0))
FRIDAY = (dt.time(7, 30), dt.time(16, 30), dt.time(11, 30), dt.time(13, 0))


def insert_default_hours(apps, schema_editor):
    WorkSchedule = apps.get_model("core", "WorkSchedule")
    WorkScheduleDay = apps.get_model("core", "WorkScheduleDay")
    if WorkSchedule.objects.exists():
        return
    schedule = WorkSchedule.objects.create(
        name="Jam kerja Pemerintah Daerah",
        valid_from=dt.date(2023, 4, 12),
        basis="Perpres 21/2023 tentang Hari Kerja dan Jam Kerja Instansi Pemerintah dan Pegawai ASN",
    )
    for weekday in range(5):
        start, end, break_start, break_end = FRIDAY if weekday == 4 else MON_THU
        WorkScheduleDay.objects.create(
            schedule=schedule,
            weekday=weekday,
            start=start,
            end=end,
            break_start=break_start,
            break_end=break_end,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_calendar"),
    ]

    operations = [
        migrations.RunPython(insert_default_hours, migrations.RunPython.noop),
    ]
