from pathlib import Path

import yaml
from django.db import migrations, models

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "sops"


def offsets_of_shipped_files() -> dict[str, int]:
    """SOP number -> period_offset, as the SOP files that ship with Kinerja now say."""
    offsets = {}
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("number") and doc.get("period_offset"):
            offsets[str(doc["number"])] = int(doc["period_offset"])
    return offsets


def backfill(apps, schema_editor):
    """The versions of the shipped SOPs take the offset of their file, and the hash of their
    content with it, so importing the files again finds them unchanged (no new version)."""
    from kinerja.sop import sopfile

    SopVersion = apps.get_model("sop", "SopVersion")
    for number, offset in offsets_of_shipped_files().items():
        for version in SopVersion.objects.filter(sop__number=number, period_offset=0):
            version.period_offset = offset
            fields = ["period_offset"]
            try:
                version.content_hash = sopfile.spec_hash(sopfile.version_to_spec(version))
                fields.append("content_hash")
            except Exception:  # noqa: BLE001 - a later model; the next import makes a version
                pass
            version.save(update_fields=fields)


class Migration(migrations.Migration):

    dependencies = [
        ("sop", "0004_documenttype_final_title"),
    ]

    operations = [
        migrations.AddField(
            model_name="sopversion",
            name="period_offset",
            field=models.SmallIntegerField(
                default=0,
                help_text=(
                    "The year the document is about minus the year the process runs: 1 for a "
                    "plan made the year before (Renja), 0 for the same year (PK), -1 for a "
                    "report on the year before (LKjIP)."
                ),
                verbose_name="period relative to the year it runs",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
