"""manage.py process start|list|show, as an operator uses it."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kinerja import actions
from kinerja.workflow.models import Process

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    with translation.override("id"):
        call_command("process", *args, stdout=out)
    return out.getvalue()


def test_start_list_and_show(demo, pelaksana):
    out = run(
        "start",
        "SOP-011",
        "--year",
        "2025",
        "--title",
        "Penyusunan Laporan Kinerja Tahun 2025",
        "--by",
        "kasubbag",
    )
    process = Process.objects.get()
    assert f"Proses {process.pk} dimulai" in out
    assert "Demo Pelaksana Sub Bagian Perencanaan" in out
    task = process.tasks.get()
    actions.waive(
        task=task,
        by=pelaksana,
        document="data dan informasi masing-masing bagian",
        reason="Diminta lewat nota dinas.",
    )
    listing = run("list", "--sop", "SOP-011/SETDA", "--year", "2025")
    assert "Penyusunan Laporan Kinerja Tahun 2025" in listing and "1 proses." in listing
    assert "0 proses." in run("list", "--year", "2024")
    shown = run("show", str(process.pk))
    assert "SOP-011/SETDA v1" in shown
    assert "Diminta lewat nota dinas." in shown
    assert "dari waktu baku 1 hari kerja 2 jam 20 menit" in shown


def test_bad_input_is_one_clear_line(demo):
    with translation.override("id"):
        with pytest.raises(CommandError, match="SOP-099"):
            call_command(
                "process", "start", "SOP-099", "--year", "2025", "--title", "x", "--by", "kasubbag"
            )
        with pytest.raises(CommandError, match="tidak ada pengguna|Tidak ada pengguna"):
            call_command(
                "process", "start", "SOP-011", "--year", "2025", "--title", "x", "--by", "siapa"
            )
        with pytest.raises(CommandError, match="tahun|Tahun"):
            call_command(
                "process", "start", "SOP-011", "--year", "1900", "--title", "x", "--by", "kasubbag"
            )
        with pytest.raises(CommandError, match="Tidak ada proses 999"):
            call_command("process", "show", "999", stdout=io.StringIO())


def test_the_renja_for_next_year_runs_this_year_and_a_second_one_needs_a_reason(demo):
    renja = ("start", "SOP-015", "--year", "2027", "--title", "Renja 2027", "--by", "kasubbag")
    run(*renja)
    process = Process.objects.get()
    assert (process.year, process.run_year) == (2027, 2026)
    assert "Periode 2027 · dilaksanakan 2026" in run("show", str(process.pk))
    assert "1 proses." in run("list", "--run-year", "2026")
    with pytest.raises(CommandError) as caught:
        run(*renja)
    assert str(caught.value).startswith("SOP-015/SETDA sudah dimulai untuk periode 2027: ")
    assert str(caught.value).endswith("Sebutkan alasan memulainya lagi untuk periode yang sama.")
    run(*renja, "--reason", "Disusun ulang", "--run-year", "2026")
    assert Process.objects.filter(year=2027, run_year=2026).count() == 2
