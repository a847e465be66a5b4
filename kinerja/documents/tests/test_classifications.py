"""The archive classification codes (Permendagri 83/2022) with their retention (JRA): shipped as
data, updated from a file by `manage.py document classifications`."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kinerja.core.models import AuditEvent
from kinerja.documents.models import ArchiveClassification
from kinerja.documents.reference import CLASSIFICATIONS_FILE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_every_installation_has_the_setdas_codes_with_their_retention():
    codes = dict(ArchiveClassification.objects.values_list("code", "name"))
    for code, name in {
        "000": "Umum",
        "000.1": "Ketatausahaan dan Kerumahtanggaan",
        "000.5": "Kearsipan",
        "000.7": "Perencanaan Pembangunan",
        "000.8": "Organisasi dan Tata Laksana",
        "100": "Pemerintahan",
        "900": "Keuangan",
    }.items():
        assert codes[code] == name
    renja = ArchiveClassification.objects.get(code="000.7.2.6")
    assert (renja.active_years, renja.inactive_years, renja.disposition) == (2, 3, "permanen")
    assert "Dokumen Renja" in {t.name for t in renja.document_types.all()}


def corrected(tmp_path, text: str):
    path = tmp_path / "klasifikasi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_command_updates_retention_adds_codes_and_keeps_the_others(tmp_path, capsys):
    path = corrected(
        tmp_path,
        "classifications:\n"
        '  - {code: "000.5", name: Kearsipan, active_years: 5, inactive_years: 10,'
        " disposition: permanen}\n"
        '  - {code: "000.5.1", name: Daftar Arsip, active_years: 2, inactive_years: 3,'
        " disposition: musnah, check: true}\n",
    )
    call_command("document", "classifications", str(path), "--dry-run")
    assert ArchiveClassification.objects.get(code="000.5").active_years == 2
    call_command("document", "classifications", str(path))
    out = capsys.readouterr().out
    kept = ArchiveClassification.objects.get(code="000.5")
    assert (kept.active_years, kept.inactive_years, kept.disposition) == (5, 10, "permanen")
    assert ArchiveClassification.objects.filter(code="000.5.1").exists()
    assert ArchiveClassification.objects.filter(code="000.7.2.6").exists()
    assert "new: 000.5.1" in out and "updated: 000.5" in out
    assert "kept, not in the file: 000.7.2.6" in out
    assert "(check: true): 000.5.1" in out
    assert AuditEvent.objects.filter(action="classifications-import").count() == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("codes: []\n", "no “classifications” list"),
        (
            'classifications:\n  - {code: "7.2", name: X, active_years: 1, inactive_years: 1,'
            " disposition: musnah}\n",
            "Item 1: “7.2” is not a classification code",
        ),
        (
            'classifications:\n  - {code: "000.5", name: X, active_years: -1, inactive_years: 1,'
            " disposition: musnah}\n",
            "Code 000.5: “active_years” must be a whole number",
        ),
        (
            'classifications:\n  - {code: "000.5", name: X, active_years: 1, inactive_years: 1,'
            " disposition: dibakar}\n",
            "Code 000.5: the disposition must be one of",
        ),
    ],
    ids=["no-list", "bad-code", "negative-years", "bad-disposition"],
)
def test_a_bad_file_changes_nothing_and_names_the_item(tmp_path, text, message):
    before = list(ArchiveClassification.objects.values_list("code", "active_years"))
    with pytest.raises(CommandError, match=message):
        call_command("document", "classifications", str(corrected(tmp_path, text)))
    assert list(ArchiveClassification.objects.values_list("code", "active_years")) == before


def test_the_shipped_file_changes_nothing_on_a_fresh_installation(capsys):
    call_command("document", "classifications", str(CLASSIFICATIONS_FILE))
    assert "0 new, 0 updated" in capsys.readouterr().out
