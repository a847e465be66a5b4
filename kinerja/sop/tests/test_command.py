"""manage.py sop: import, export, lint and render from the command line."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kinerja.sop.models import Sop
from kinerja.sop.services import SHIPPED_DIR

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("id"):
        call_command("sop", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_reports_each_sop_and_is_idempotent(org):
    files = [str(p) for p in sorted(SHIPPED_DIR.glob("*.yaml"))]
    out, _ = run("import", *files)
    assert "SOP-011/SETDA" in out and "versi 1" in out
    out, _ = run("import", *files)
    assert out.count("tidak berubah") == 3
    assert Sop.objects.count() == 3


def test_import_of_a_bad_file_names_file_line_and_field_and_imports_nothing(org, tmp_path):
    good = tmp_path / "SOP-011.yaml"
    shutil.copy(SHIPPED_DIR / "SOP-011-SETDA.yaml", good)
    bad = tmp_path / "rusak.yaml"
    text = (
        (SHIPPED_DIR / "SOP-013-SETDA.yaml").read_text().replace("lane: walikota", "lane: bupati")
    )
    bad.write_text(text)
    line = text.splitlines().index("    lane: bupati") + 1
    err = io.StringIO()
    with pytest.raises(CommandError) as exc, translation.override("id"):
        call_command("sop", "import", str(good), str(bad), stderr=err, stdout=io.StringIO())
    assert "Tidak ada yang diimpor" in str(exc.value)
    assert f"rusak.yaml, baris {line}, steps[7].lane" in err.getvalue()
    assert "bupati" in err.getvalue()
    assert Sop.objects.count() == 0


def test_import_of_a_missing_file_is_one_clear_line(org, tmp_path):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        run("import", str(tmp_path / "tidak-ada.yaml"))


def test_export_yaml_then_import_gives_the_same_sop(shipped_sops, tmp_path):
    out = tmp_path / "sop-013.yaml"
    run("export", "SOP-013", "-o", str(out))
    assert out.read_text().startswith("# SOP-013/SETDA Penyusunan Perjanjian Kinerja")
    imported, _ = run("import", str(out))
    assert "tidak berubah" in imported


def test_export_bpmn(shipped_sops, tmp_path):
    out = tmp_path / "sop-015.bpmn"
    run("export", "SOP-015/SETDA", "--format", "bpmn", "-o", str(out))
    assert b"<bpmn:definitions" in out.read_bytes() or b"definitions" in out.read_bytes()


def test_export_of_an_unknown_sop_says_so(shipped_sops):
    with pytest.raises(CommandError, match="SOP-099"):
        run("export", "SOP-099")


def test_lint_lists_findings_with_code_and_step_and_exits_non_zero(shipped_sops):
    with pytest.raises(SystemExit) as exc:
        run("lint", "SOP-015")
    assert exc.value.code == 1


def test_lint_output(shipped_sops, capsys):
    out = io.StringIO()
    with pytest.raises(SystemExit), translation.override("id"):
        call_command("sop", "lint", stdout=out)
    text = out.getvalue()
    assert "SOP-015/SETDA" in text and "langkah 8" in text
    assert "3 SOP" in text


def test_render_writes_a_pdf(shipped_sops, tmp_path):
    target = tmp_path / "sop-011.pdf"
    out, _ = run("render", "SOP-011", "--pdf", str(target))
    assert Path(target).read_bytes().startswith(b"%PDF")
    assert str(target) in out


# --- hostile files: each refused in a few clear lines, nothing imported -----------------------


def import_problems(*paths) -> tuple[str, str]:
    """What `sop import` says (its error, the problems on stderr), read in English."""
    err = io.StringIO()
    with pytest.raises(CommandError) as exc, translation.override("en"):
        call_command("sop", "import", *map(str, paths), stderr=err, stdout=io.StringIO())
    return str(exc.value), err.getvalue()


def test_the_probes_371_byte_billion_laughs_is_refused_at_its_first_anchor(org, tmp_path):
    from kinerja.documents.tests.crafted import BILLION_LAUGHS

    bomb = tmp_path / "tawa.yaml"
    bomb.write_bytes(BILLION_LAUGHS)
    error, problems = import_problems(bomb)
    assert error == "Nothing was imported: 1 problem(s) found."
    assert problems == (
        "tawa.yaml, line 1: malformed YAML: anchors and aliases (&name, *name) are not "
        "allowed; write the value out.\n"
    )
    assert Sop.objects.count() == 0


def test_an_alias_alone_is_refused_too(org, tmp_path):
    text = (SHIPPED_DIR / "SOP-011-SETDA.yaml").read_text()
    aliased = tmp_path / "alias.yaml"
    aliased.write_text(text.replace("name:", "name: *undefined #", 1))
    _error, problems = import_problems(aliased)
    assert "anchors and aliases (&name, *name) are not allowed" in problems
    assert Sop.objects.count() == 0


def test_nesting_five_thousand_deep_is_a_message_not_a_traceback(org, tmp_path):
    from kinerja.documents.tests.crafted import deep_yaml

    deep = tmp_path / "dalam.yaml"
    deep.write_bytes(deep_yaml(5000))
    _error, problems = import_problems(deep)
    assert problems == "dalam.yaml, line 1: malformed YAML: nested more than 20 levels deep.\n"


def test_a_file_over_the_yaml_limit_is_not_read(org, tmp_path, settings):
    settings.KINERJA_YAML_MAX_BYTES = 1024
    big = tmp_path / "besar.yaml"
    shutil.copy(SHIPPED_DIR / "SOP-015-SETDA.yaml", big)  # 5 KB
    _error, problems = import_problems(big)
    assert problems == (
        "besar.yaml: the file is larger than 1 KB, more than a YAML file of Kinerja needs.\n"
    )
    assert Sop.objects.count() == 0


def with_made_on(path: Path, value: str) -> Path:
    """SOP-011 with another made_on, written to `path`."""
    text = (SHIPPED_DIR / "SOP-011-SETDA.yaml").read_text()
    made_on = next(line for line in text.splitlines() if line.startswith("made_on:"))
    path.write_text(text.replace(made_on, f"made_on: {value}"))
    return path


def test_a_huge_value_is_quoted_cut_short(org, tmp_path):
    _error, problems = import_problems(
        with_made_on(tmp_path / "panjang.yaml", "tanggal" + "9" * 200_000)
    )
    (line,) = problems.splitlines()
    assert line.startswith("panjang.yaml, line ")
    assert line.endswith("…' is not a date; expected YYYY-MM-DD, e.g. 2018-12-31.")
    assert len(line) < 200


def test_a_number_of_200000_digits_is_a_message_not_a_traceback(org, tmp_path):
    # Python refuses to convert an integer of more than 4300 digits (a ValueError).
    _error, problems = import_problems(with_made_on(tmp_path / "angka.yaml", "9" * 200_000))
    (line,) = problems.splitlines()
    assert line.endswith(": malformed YAML: a number of more than 100 digits.")
