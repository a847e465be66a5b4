"""period_offset in the SOP file: how the year a document is about relates to the year
the SOP runs (Renja +1, PK 0, LKjIP -1), as data of the SOP."""

from pathlib import Path

import pytest
from django.utils import translation

from kinerja.sop.models import SopVersion
from kinerja.sop.services import SHIPPED_DIR, export_yaml, import_files
from kinerja.sop.sopfile import SopFileError, read_files, spec_hash

pytestmark = pytest.mark.django_db

FILE = "SOP-011-SETDA.yaml"
GOOD = (SHIPPED_DIR / FILE).read_text(encoding="utf-8")


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_sops_say_how_their_period_follows_the_year_they_run(shipped_sops):
    offsets = dict(SopVersion.objects.published().values_list("sop__number", "period_offset"))
    assert offsets == {"SOP-011/SETDA": -1, "SOP-013/SETDA": 0, "SOP-015/SETDA": 1}
    renja = SopVersion.objects.published().get(sop__number="SOP-015/SETDA")
    assert renja.period_for(2026) == 2027


def test_a_file_without_period_offset_runs_for_the_year_it_runs(org, tmp_path):
    text = GOOD.replace("period_offset: -1\n", "", 1)
    (spec,) = read_files([written(tmp_path, text)])
    assert spec["period_offset"] == 0


@pytest.mark.parametrize("value", ["satu", "9", "1.5", "true"])
def test_a_bad_period_offset_says_what_it_means(org, tmp_path, value):
    text = GOOD.replace("period_offset: -1", f"period_offset: {value}", 1)
    with translation.override("id"), pytest.raises(SopFileError) as caught:
        import_files([written(tmp_path, text)])
    (problem,) = caught.value.problems
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("period_"))
    assert (problem.line, problem.field) == (line, "period_offset")
    assert "bukan selisih periode" in problem.message
    assert "seharusnya bilangan bulat dari -5 sampai 5" in problem.message
    assert not SopVersion.objects.exists()


def test_the_offset_goes_out_and_comes_back_in_an_exported_file(shipped_sops, tmp_path):
    version = SopVersion.objects.published().get(sop__number="SOP-015/SETDA")
    text = export_yaml(version)
    assert "\nperiod_offset: 1\n" in text
    (result,) = import_files([written(tmp_path, text)])
    assert not result.created  # the same SOP: no new version


def test_an_offset_of_zero_leaves_the_hash_of_an_older_file_as_it_was(org, tmp_path):
    """SOP files written before the field keep their hash: importing them again makes no
    new version."""
    text = GOOD.replace("period_offset: -1\n", "", 1)
    (spec,) = read_files([written(tmp_path, text)])
    older = {k: v for k, v in spec.items() if k != "period_offset"}
    assert spec_hash(spec) == spec_hash(older)


def test_the_migration_gives_the_shipped_sops_their_offset_and_no_new_version(shipped_sops):
    """A database made before the field: its versions get the offset of their file, and
    importing the files again finds nothing new."""
    import importlib

    from django.apps import apps

    from kinerja.sop.services import import_shipped
    from kinerja.sop.sopfile import version_to_spec

    migration = importlib.import_module("kinerja.sop.migrations.0005_sopversion_period_offset")
    for version in SopVersion.objects.all():  # as the database was before the field
        version.period_offset = 0
        version.content_hash = spec_hash(version_to_spec(version))
        version.save(update_fields=["period_offset", "content_hash"])
    migration.backfill(apps, None)
    offsets = dict(SopVersion.objects.values_list("sop__number", "period_offset"))
    assert offsets == {"SOP-011/SETDA": -1, "SOP-013/SETDA": 0, "SOP-015/SETDA": 1}
    assert [r.created for r in import_shipped()] == [False, False, False]
