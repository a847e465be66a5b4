"""The Kepmendagri 050-5889/2021 codes as data: shipped, loaded from a file all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from kinerja.performance.models import Nomenclature

pytestmark = pytest.mark.django_db


def test_a_fresh_database_has_the_shipped_codes_linked_to_their_parents():
    sub = Nomenclature.objects.get(code="4.01.01.2.01.0006")
    assert (
        sub.name
        == "Koordinasi dan Penyusunan Laporan Capaian Kinerja dan Ikhtisar Realisasi Kinerja SKPD"
    )
    assert sub.level == "sub_kegiatan"
    assert sub.parent.code == "4.01.01.2.01" and sub.parent.parent.code == "4.01.01"
    assert sub.parent.parent.parent.code == "4.01"
    # A name not confirmed against the annex says so.
    assert Nomenclature.objects.get(code="4.01.03.2.01").to_confirm


def test_a_corrected_file_updates_names_adds_codes_and_never_deletes(tmp_path, capsys):
    path = tmp_path / "codes.yaml"
    path.write_text(
        "items:\n"
        '  - {code: "4.01", level: bidang, name: Sekretariat Daerah}\n'
        '  - {code: "4.01.01", level: program, name: Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota}\n'
        '  - {code: "4.01.01.2.01", level: kegiatan, name: "Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah"}\n'
        '  - {code: "4.01.01.2.01.0001", level: sub_kegiatan, name: Penyusunan Dokumen Perencanaan Perangkat Daerah (diperbaiki)}\n'
        '  - {code: "4.01.01.2.01.0008", level: sub_kegiatan, name: Sub kegiatan baru}\n',
        encoding="utf-8",
    )
    call_command("performance", "nomenclature", str(path))
    out = capsys.readouterr().out
    assert "1 codes added, 1 changed" in out
    assert Nomenclature.objects.get(code="4.01.01.2.01.0001").name.endswith("(diperbaiki)")
    assert Nomenclature.objects.get(code="4.01.01.2.01.0008").parent.code == "4.01.01.2.01"
    gone = Nomenclature.objects.get(code="4.01.03.2.01.0002")
    assert not gone.active  # still there for the Renja that used it


def test_a_bad_file_names_every_problem_and_changes_nothing(tmp_path):
    before = list(Nomenclature.objects.values_list("code", "name", "active"))
    path = tmp_path / "codes.yaml"
    path.write_text(
        "items:\n"
        '  - {code: "4.01.01.2.01.0001", level: sub_kegiatan, name: Berubah}\n'
        '  - {code: "4.1.01", level: program, name: Kode salah}\n'
        '  - {code: "4.01.09", level: programme, name: Tingkat salah}\n'
        '  - {code: "9.99.01.2.01.0001", level: sub_kegiatan, name: Tanpa induk}\n'
        '  - {code: "4.01.01.2.01.0001", level: sub_kegiatan, name: Dua kali}\n',
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("performance", "nomenclature", str(path))
    message = str(caught.value)
    assert "Item 2 (4.1.01): the code does not have the form of a program code." in message
    assert "Item 3 (4.01.09): the level 'programme' is not one of" in message
    assert "Item 5 (4.01.01.2.01.0001): the code is listed twice." in message
    assert (
        "Item 9.99.01.2.01.0001: its parent 9.99.01.2.01 is neither in the file nor in the database."
        in message
    )
    assert list(Nomenclature.objects.values_list("code", "name", "active")) == before


def test_a_file_that_is_not_there_or_not_yaml_gets_one_line(tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        call_command("performance", "nomenclature", str(tmp_path / "nope.yaml"))
    path = tmp_path / "bad.yaml"
    path.write_text("items: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.yaml"):
        call_command("performance", "nomenclature", str(path))
