"""The SAKIP predikat as a grade scale and the Permendagri 86/2017 bands as the default
capaian bands: data an administrator may change, put in a fresh database once."""

from decimal import Decimal

from django.db import migrations

SAKIP = ("Predikat SAKIP", ["AA", "A", "BB", "B", "CC", "C", "D"])
BANDS = (
    "Permendagri 86/2017",
    "Permendagri 86/2017, tabel kriteria tingkat capaian kinerja",
    [
        ("Sangat Tinggi", Decimal(91), "#1a7f37"),
        ("Tinggi", Decimal(76), "#4c9a2a"),
        ("Sedang", Decimal(66), "#d4a017"),
        ("Rendah", Decimal(51), "#e36414"),
        ("Sangat Rendah", None, "#b42318"),
    ],
)


def load(apps, schema_editor):
    GradeScale = apps.get_model("performance", "GradeScale")
    BandSet = apps.get_model("performance", "BandSet")
    Band = apps.get_model("performance", "Band")
    GradeScale.objects.get_or_create(name=SAKIP[0], defaults={"grades": SAKIP[1]})
    name, basis, bands = BANDS
    band_set, created = BandSet.objects.get_or_create(
        name=name, defaults={"basis": basis, "is_default": True}
    )
    if created:
        Band.objects.bulk_create(
            Band(band_set=band_set, label=label, lower=lower, inclusive=True, colour=colour)
            for label, lower, colour in bands
        )


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_chain")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
