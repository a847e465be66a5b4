from django.db import migrations, models

# The shipped SOPs' documents that a work step drafts from the performance data. An
# install that loaded the SOP files before this field existed gets it here; importing
# the files again sets it too (sop.services._apply_stages).
SHIPPED = {
    "Dokumen PK": "pk",
    "Dokumen Laporan Kinerja": "lkjip",
    "Dokumen Renja": "renja",
}


def set_shipped(apps, schema_editor):
    DocumentType = apps.get_model("sop", "DocumentType")
    for name, kind in SHIPPED.items():
        DocumentType.objects.filter(name=name, same_as=None, generated_as="").update(
            generated_as=kind
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sop", "0005_sopversion_period_offset"),
    ]

    operations = [
        migrations.AddField(
            model_name="documenttype",
            name="generated_as",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "not generated"),
                    ("pk", "Perjanjian Kinerja"),
                    ("lkjip", "Laporan Kinerja (LKjIP)"),
                    ("renja", "Rencana Kerja (Renja)"),
                    ("renja_evaluation", "Evaluasi Renja triwulanan"),
                ],
                default="",
                help_text=(
                    "Set on the family's last name: a work step whose output is any name of "
                    "the family offers to make the draft from the performance data."
                ),
                max_length=20,
                verbose_name="generated from the data as",
            ),
        ),
        migrations.RunPython(set_shipped, migrations.RunPython.noop),
    ]
