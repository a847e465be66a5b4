"""The heads of the streams copied out of the database, and checked later.

The gap the hash chain leaves open: someone with write access to the database rewrites
the end of a stream together with its head (or cuts it back), and `audit verify` finds
nothing wrong. A head exported before that, kept elsewhere, catches it; events appended
since the export pass.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from kinerja.core import audit, audit_heads
from kinerja.core.audit import REGISTER_STREAM, record
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError

from .test_audit import attacker, five_events, json_sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(tmp_path):
    """Two processes' five events each, their heads exported to a file kept elsewhere."""
    five_events("process:1")
    five_events("process:2")
    path = tmp_path / "heads.jsonl"
    assert audit_heads.export_heads(str(path)) == 3  # and the register of streams
    return path


def check(path):
    with translation.override("id"):
        return audit_heads.check_heads(str(path))


def rewrite_from(stream, seq, after):
    """Rewrite event `seq` of `stream` and every later one with its hash recomputed, and the
    head: the chain adds up again, so `audit verify` is satisfied."""
    events = list(AuditEvent.objects.filter(stream=stream, seq__gte=seq).order_by("seq"))
    prev_hash = events[0].prev_hash
    with attacker() as cursor:
        for event in events:
            fields = {name: getattr(event, name) for name in audit.HASHED_FIELDS}
            fields["prev_hash"] = prev_hash
            if event.seq == seq:
                fields["after"] = after
            prev_hash = audit.event_hash(fields)
            cursor.execute(
                f"UPDATE core_auditevent SET after = {json_sql()}, prev_hash = %s, hash = %s "  # noqa: S608
                "WHERE id = %s",
                [json.dumps(fields["after"]), fields["prev_hash"], prev_hash, event.pk],
            )
        cursor.execute(
            "UPDATE core_audithead SET last_hash = %s WHERE key = %s", [prev_hash, stream]
        )


def cut_back(stream, keep):
    """Remove the events after `keep` and move the head back to it."""
    last = AuditEvent.objects.get(stream=stream, seq=keep)
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = %s AND seq > %s", [stream, keep])
        cursor.execute(
            "UPDATE core_audithead SET last_seq = %s, last_hash = %s WHERE key = %s",
            [keep, last.hash, stream],
        )


def test_the_export_names_each_streams_head_and_adds_up(exported):
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    header, heads, trailer = lines[0], lines[1:-1], lines[-1]
    assert (header["format"], header["version"]) == ("kinerja-audit-heads", 1)
    last = AuditEvent.objects.get(stream="process:1", seq=5)
    assert heads[1] == {
        "stream": "process:1",
        "seq": 5,
        "hash": last.hash,
        "event": last.pk,
        "at": "2025-01-06T04:00:00.000000+00:00",  # 12:00 WITA
    }
    assert [h["stream"] for h in heads] == [REGISTER_STREAM, "process:1", "process:2"]
    assert trailer["streams"] == 3
    assert [p.name for p in exported.parent.iterdir()] == ["heads.jsonl"]  # no temporary left


def test_an_untouched_record_and_appends_since_pass(exported):
    record(stream="process:1", action="paraf")
    record(stream="process:3", action="start")  # a new stream, and the register moves on
    result = check(exported)
    assert (result.problems, result.heads) == ([], 3)


def test_the_end_of_a_stream_rewritten_with_its_head_is_caught(exported):
    rewrite_from("process:2", 4, {"status": "done", "step": 99})
    assert audit.verify() == []  # the gap: the chain and its head add up again
    exported_at = json.loads(exported.read_text(encoding="utf-8").splitlines()[0])["exported_at"]
    [problem] = check(exported).problems
    assert problem.startswith(
        f"Aliran process:2, peristiwa 5 telah ditulis ulang: hash-nya bukan yang diekspor pada "
        f"{exported_at} ("
    )


def test_a_stream_cut_back_with_its_head_is_caught(exported):
    cut_back("process:1", 3)
    assert audit.verify() == []
    [problem] = check(exported).problems
    assert problem.startswith(
        "Aliran process:1 telah dipotong: kini berakhir pada peristiwa 3, padahal peristiwa 5 "
        "diekspor pada "
    )


def test_a_whole_stream_removed_with_its_register_entry_is_caught(exported):
    # The last stream registered: cutting the register back hides it from verify too.
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:2'")
        cursor.execute("DELETE FROM core_audithead WHERE key = 'process:2'")
    cut_back(REGISTER_STREAM, 1)
    assert audit.verify() == []
    problems = check(exported).problems
    assert problems[0].startswith("Aliran audit:streams telah dipotong: kini berakhir pada")
    assert problems[1].startswith(
        "Aliran process:2 telah dihapus: aliran itu berakhir pada peristiwa 5 ketika kepalanya "
        "diekspor pada "
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text[: text.rindex("{")], "tidak lengkap atau rusak"),
        (lambda text: text.replace('"seq":5', '"seq":4', 1), "tidak lengkap atau rusak"),
        (lambda text: "bukan ekspor\n" + text, "bukan ekspor kepala aliran audit (baris 1)"),
        (lambda text: text.replace('"seq":5', '"seq":"5"', 1), "(baris 3)"),
        (lambda text: "", "(baris 1)"),
        (lambda text: "x" * 10_000, "(baris 1)"),
    ],
)
def test_a_damaged_export_is_refused_with_a_reason(exported, damage, message):
    exported.write_text(damage(exported.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        check(exported)
    assert message in caught.value.message
    assert caught.value.message.startswith(str(exported))


# --- the command --------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("id"):
        call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_audit_heads_export_and_check(tmp_path):
    five_events("process:1")
    path = tmp_path / "kepala.jsonl"
    out, _ = run("heads", "export", str(path))
    assert out == f"Kepala 2 aliran diekspor ke {path}.\n"
    out, err = run("heads", "check", str(path))
    assert out.startswith("OK: 2 kepala yang diekspor pada ")
    assert out.endswith(" masih ada di alirannya.\n")
    assert err == ""


def test_audit_heads_check_names_the_stream_and_fails(exported):
    cut_back("process:1", 4)
    err = io.StringIO()
    with pytest.raises(CommandError) as caught, translation.override("id"):
        call_command("audit", "heads", "check", str(exported), stdout=io.StringIO(), stderr=err)
    assert str(caught.value) == (
        "Catatan audit telah dipotong atau ditulis ulang sejak kepalanya diekspor: "
        "1 aliran terdampak."
    )
    assert err.getvalue().startswith("Aliran process:1 telah dipotong")


def test_the_nightly_check_with_the_heads_catches_what_verify_cannot(exported):
    rewrite_from("process:1", 5, {"status": "done"})
    with pytest.raises(CommandError) as caught:
        run("check", "--heads", str(exported))
    assert str(caught.value) == (
        "Catatan audit telah dipotong atau ditulis ulang sejak kepalanya diekspor: "
        "1 aliran terdampak."
    )


def test_a_rewrite_to_the_head_after_a_checkpoint_is_caught_by_the_checkpoint_too(exported):
    out, _ = run("check", "--heads", str(exported))
    assert out.splitlines()[0].startswith(
        "OK (pemeriksaan penuh; belum ada titik periksa): 10 peristiwa dalam 2 aliran diperiksa."
    )
    rewrite_from("process:1", 5, {"status": "done"})
    err = io.StringIO()
    with pytest.raises(CommandError) as caught, translation.override("id"):
        call_command("audit", "check", "--heads", str(exported), stdout=io.StringIO(), stderr=err)
    assert str(caught.value) == (
        "Catatan audit telah diubah: 1 aliran terdampak. Catatan audit telah dipotong atau "
        "ditulis ulang sejak kepalanya diekspor: 1 aliran terdampak."
    )
    assert err.getvalue().startswith(
        "Aliran process:1, peristiwa 5 telah ditulis ulang setelah diperiksa: hash-nya bukan "
        "yang dicatat titik periksanya.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("heads", "check", "/nonexistent/kepala.jsonl"),
            "Tidak ada berkas /nonexistent/kepala.jsonl.",
        ),
        (("heads", "export", "/nonexistent/dir/kepala.jsonl"), "Tidak dapat menulis"),
    ],
)
def test_a_bad_file_is_one_clear_line(db, args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value).startswith(message)
