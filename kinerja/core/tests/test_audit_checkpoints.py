"""audit verify's checkpoints: the nightly run reads only what was recorded since the last
run, a weekly --full run reads everything (in several processes on PostgreSQL), and the
checkpoints themselves cannot be changed unnoticed.

The attacker has write access to the database (raw SQL, triggers switched off on
PostgreSQL), as in test_audit.py.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from kinerja.core import audit, audit_checkpoints, audit_heads, dbroles
from kinerja.core.audit import CHECKPOINT_STREAM, Kind, record
from kinerja.core.audit_models import AppendOnlyError, AuditCheckpoint, AuditVerifyRun

from .test_audit import POSTGRES, attacker, five_events, json_sql, only

pytestmark = pytest.mark.django_db


def nightly():
    """What `audit check` runs each night: incremental, recording its checkpoints."""
    with translation.override("en"):
        return audit.verify_record(incremental=True, checkpoint=True)


def weekly(workers=1):
    with translation.override("en"):
        return audit.verify_record(incremental=False, checkpoint=True, workers=workers)


def summary(result):
    return sorted((p.stream, p.seq, p.kind) for p in result.problems)


def rewrite(stream, seq, after):
    """Rewrite event `seq` of `stream` with its hash recomputed (the chain after it breaks)."""
    event = audit.events_for(stream).get(seq=seq)
    fields = {name: getattr(event, name) for name in audit.HASHED_FIELDS}
    fields["after"] = after
    with attacker() as cursor:
        cursor.execute(
            f"UPDATE core_auditevent SET after = {json_sql()}, hash = %s WHERE id = %s",  # noqa: S608
            [json.dumps(after), audit.event_hash(fields), event.pk],
        )


@pytest.fixture
def verified():
    """Two processes of five events each, verified in full once (run 1)."""
    five_events("process:1")
    five_events("process:2")
    first = weekly()
    assert (first.mode, first.run, first.problems, first.events) == ("full", 1, [], 10)
    return first


# --- the nightly run ---------------------------------------------------------------------


def test_the_first_run_reads_everything_and_checkpoints_each_stream(db):
    five_events("process:1")
    result = nightly()
    assert (result.mode, result.events, result.streams, result.run) == ("full", 5, 1, 1)
    latest = {c.stream: (c.seq, c.run) for c in AuditCheckpoint.objects.order_by("id")}
    assert latest == {"process:1": (5, 1), audit.REGISTER_STREAM: (1, 1)}


def test_the_nightly_run_reads_only_the_events_recorded_since(
    verified, django_assert_max_num_queries
):
    for n in range(3):
        record(stream="process:1", action="paraf", after={"n": n})
    result = nightly()
    assert (result.mode, result.since, result.run) == ("incremental", 1, 2)
    assert (result.events, result.streams) == (3, 1)  # only the three new events were read
    assert (result.skipped_events, result.skipped_streams) == (10, 1)  # process:2 not read
    assert result.problems == []
    again = nightly()
    assert (again.events, again.streams, again.skipped_events, again.skipped_streams) == (
        0,
        0,
        13,
        2,
    )
    # A fixed number of statements, whatever was verified before (within a batch of streams):
    # the runs, three digests of the checkpoints, the heads and their checkpoints, the
    # checks of whole streams, and the records (and PostgreSQL's planner setting).
    with django_assert_max_num_queries(16 + POSTGRES):
        nightly()


def test_the_nightly_run_finds_tampering_in_new_events(verified):
    record(stream="process:2", action="paraf")
    record(stream="process:2", action="sign")
    with attacker() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = 'x' WHERE stream = 'process:2' AND seq = 6"
        )
    result = nightly()
    assert result.mode == "incremental"
    assert summary(result) == [("process:2", 6, Kind.CHANGED)]
    assert only(result.problems).message.startswith("Stream process:2, event 6 was changed")


def test_a_new_event_that_does_not_link_to_the_checkpoint_is_caught(verified):
    event = record(stream="process:1", action="paraf")
    fields = {name: getattr(event, name) for name in audit.HASHED_FIELDS}
    fields["prev_hash"] = "a" * 64
    with attacker() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [fields["prev_hash"], audit.event_hash(fields), event.pk],
        )
    problem = only(nightly().problems)
    assert (problem.stream, problem.seq, problem.kind) == ("process:1", 6, Kind.CHANGED)
    assert problem.message == (
        "Stream process:1, event 6 was changed: it does not follow event 5 as that was verified."
    )


def test_old_events_changed_are_found_by_the_full_run_not_the_nightly_one(verified):
    # Inside the stretch already verified, the checkpointed event (5) untouched: what the
    # README says the nightly run cannot see.
    rewrite("process:1", 2, {"status": "done"})
    assert nightly().problems == []
    result = weekly()
    assert (result.mode, summary(result)) == ("full", [("process:1", 2, Kind.CHANGED)])


def test_the_checkpointed_event_rewritten_or_removed_is_found_by_the_nightly_run(verified):
    rewrite("process:1", 5, {"status": "done"})
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:2' AND seq = 5")
    result = nightly()
    assert summary(result) == [
        ("process:1", 5, Kind.CHANGED),
        ("process:2", 5, Kind.REMOVED),
    ]
    messages = sorted(p.message for p in result.problems)
    assert messages == [
        "Stream process:1, event 5 was rewritten after it was verified: its hash is not the "
        "one its checkpoint recorded.",
        "Stream process:2, event 5 was removed after it was verified.",
    ]


def test_a_stream_with_a_problem_is_read_whole_and_reported_again_next_night(verified):
    record(stream="process:1", action="paraf")
    with attacker() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = 'x' WHERE stream = 'process:1' AND seq = 6"
        )
    assert summary(nightly()) == [("process:1", 6, Kind.CHANGED)]
    # Its checkpoint was reset: the next night it is read from its first event again.
    latest = AuditCheckpoint.objects.filter(stream="process:1").order_by("-id").first()
    assert (latest.seq, latest.run) == (0, 2)
    result = nightly()
    assert summary(result) == [("process:1", 6, Kind.CHANGED)]
    assert (result.events, result.skipped_events) == (6, 5)


def test_a_stream_cut_back_below_its_checkpoint_is_caught(verified):
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:2' AND seq > 3")
        cursor.execute(
            "UPDATE core_audithead SET last_seq = 3, last_hash = "
            "(SELECT hash FROM core_auditevent WHERE stream = 'process:2' AND seq = 3) "
            "WHERE key = 'process:2'"
        )
    problem = only(nightly().problems)
    assert (problem.stream, problem.kind) == ("process:2", Kind.REMOVED)
    assert problem.message == (
        "Stream process:2 was cut back: its head ends at event 3, but event 5 was verified before."
    )


def test_new_streams_and_headless_ones_are_checked_by_the_nightly_run(verified):
    five_events("process:3")
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_audithead WHERE key = 'process:1'")
    result = nightly()
    assert summary(result) == [("process:1", None, Kind.REMOVED)]
    assert result.events >= 5  # process:3 read whole


# --- the checkpoints protected -----------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM core_auditcheckpoint WHERE stream = 'process:1'",
        "UPDATE core_auditcheckpoint SET seq = 3 WHERE stream = 'process:1'",
        "UPDATE core_auditcheckpoint SET hash = 'a' WHERE stream = 'process:2'",
        "INSERT INTO core_auditcheckpoint (run, stream, seq, hash) VALUES (1, 'process:9', 1, 'b')",
    ],
)
def test_a_deleted_changed_or_slipped_in_checkpoint_is_caught(verified, sql):
    with attacker() as cursor:
        cursor.execute(sql)
    result = nightly()
    problem = only(result.problems)
    assert (problem.stream, problem.kind) == (CHECKPOINT_STREAM, Kind.CHANGED)
    assert problem.message == (
        "The checkpoints were changed since verify run 1: every event was verified again."
    )
    assert (result.mode, result.events) == ("full", 10)  # nothing trusted, all read
    # The full run recorded the checkpoints afresh: the next night is incremental again.
    after = nightly()
    assert (after.mode, after.problems) == ("incremental", [])


def test_hiding_old_tampering_behind_a_moved_checkpoint_is_caught(verified):
    # Tamper with event 3, then move the checkpoint past it and the new event after it.
    record(stream="process:1", action="paraf")
    rewrite("process:1", 3, {"status": "done"})
    six = audit.events_for("process:1").get(seq=6)
    with attacker() as cursor:
        cursor.execute(
            "INSERT INTO core_auditcheckpoint (run, stream, seq, hash) "
            "VALUES (1, 'process:1', 6, %s)",
            [six.hash],
        )
    result = nightly()
    assert summary(result) == [
        (CHECKPOINT_STREAM, 1, Kind.CHANGED),
        ("process:1", 3, Kind.CHANGED),  # the full run it fell back to finds the rewrite
    ]


def test_a_changed_or_removed_verify_run_is_caught(verified):
    nightly()  # run 2
    with attacker() as cursor:
        cursor.execute("UPDATE core_auditverifyrun SET events = 0 WHERE number = 1")
    problem = only(nightly().problems)
    assert problem.message == "Verify run 1 was changed: it no longer matches its hash."
    assert AuditVerifyRun.objects.count() == 2  # nothing chained to a broken chain
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditverifyrun")
    problem = only(nightly().problems)
    assert problem.message.startswith("There are checkpoints that no verify run recorded")


def test_the_heads_export_catches_the_runs_cut_back(verified, tmp_path):
    nightly()
    path = tmp_path / "heads.jsonl"
    assert audit_heads.export_heads(str(path)) == 3  # streams; the runs' line besides
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[-2]["stream"] == CHECKPOINT_STREAM and lines[-2]["seq"] == 2
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditcheckpoint WHERE run = 2")
        cursor.execute("DELETE FROM core_auditverifyrun WHERE number = 2")
    assert nightly().problems == []  # run 1's chain and state add up again
    with translation.override("en"):
        [problem] = audit_heads.check_heads(str(path)).problems
    assert problem.startswith("Verify run 2 was rewritten")  # a new run 2 was recorded since


def test_the_orm_refuses_to_change_checkpoints(verified):
    checkpoint = AuditCheckpoint.objects.first()
    with pytest.raises(AppendOnlyError):
        checkpoint.save()
    with pytest.raises(AppendOnlyError):
        AuditCheckpoint.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditVerifyRun.objects.update(events=0)


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL triggers")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditcheckpoint SET seq = 1",
        "DELETE FROM core_auditcheckpoint",
        "UPDATE core_auditverifyrun SET state = 'x'",
        "DELETE FROM core_auditverifyrun",
    ],
)
def test_postgresql_refuses_raw_sql_that_changes_checkpoints(verified, sql):
    with (
        pytest.raises(DatabaseError, match="refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


def test_the_app_role_may_only_read_and_add_checkpoints():
    script = "\n".join(dbroles.statements(owner="pemilik", app="aplikasi"))
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "core_auditcheckpoint" FROM aplikasi;' in script
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "core_auditverifyrun" FROM aplikasi;' in script


# --- the command ---------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("id"):
        call_command("audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_audit_verify_says_how_it_ran_and_what_it_skipped(verified):
    record(stream="process:1", action="paraf")
    out, err = run("verify")
    assert out == (
        "OK (pemeriksaan bertahap sejak pemeriksaan 1): 1 peristiwa baru dalam 1 aliran "
        "diperiksa; 10 peristiwa yang sudah diperiksa sebelumnya dilewati, 1 aliran tanpa "
        "membaca satu pun peristiwanya. Titik periksa dicatat sebagai pemeriksaan 2.\n"
    )
    out, _ = run("verify", "--full", "--workers", "1")
    assert out == (
        "OK (pemeriksaan penuh): 11 peristiwa dalam 2 aliran diperiksa. Titik periksa "
        "dicatat sebagai pemeriksaan 3.\n"
    )


def test_a_failed_nightly_run_still_says_what_it_checked(verified):
    rewrite("process:1", 5, {"status": "done"})
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught, translation.override("id"):
        call_command("audit", "check", stdout=out, stderr=err)
    assert str(caught.value) == "Catatan audit telah diubah: 1 aliran terdampak."
    assert out.getvalue().startswith(
        "Diperiksa (pemeriksaan bertahap sejak pemeriksaan 1): 0 peristiwa baru dalam 0 aliran"
    )


@pytest.mark.parametrize("value", ["0", "x", "-2", "1000"])
def test_a_bad_number_of_workers_is_one_clear_line(db, value):
    for action in ("verify", "check"):
        with pytest.raises(CommandError) as caught:
            run(action, "--full", "--workers", value)
        assert str(caught.value) == (
            f"--workers harus bilangan bulat dari 1 sampai 64, bukan “{value}”."
        )


def test_the_default_number_of_workers_is_the_number_of_cores():
    assert audit_checkpoints.default_workers() >= 1


# --- the full run in several processes -------------------------------------------------------


@pytest.mark.skipif(not POSTGRES, reason="worker processes read PostgreSQL's exported snapshot")
@pytest.mark.django_db(transaction=True)
def test_the_parallel_full_run_reports_what_the_sequential_one_does(monkeypatch):
    monkeypatch.setattr(audit, "VERIFY_BATCH", 2)
    with transaction.atomic():
        for n in range(1, 10):
            five_events(f"process:{n}")
    with transaction.atomic(), attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:6' AND seq = 2")
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE stream = 'process:2'")
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:8' AND seq = 5")
        cursor.execute("DELETE FROM core_audithead WHERE key = 'process:9'")
    with translation.override("en"):
        alone = audit.verify_record()
        together = audit.verify_record(workers=3)
        recorded = audit.verify_record(checkpoint=True, workers=3)
    assert together.workers == 3
    assert sorted(alone.problems, key=str) == sorted(together.problems, key=str)
    assert sorted(alone.problems, key=str) == sorted(recorded.problems, key=str)
    assert (alone.events, alone.streams) == (together.events, together.streams)
    assert summary(together) == [
        ("process:2", 1, Kind.CHANGED),
        ("process:6", 2, Kind.REMOVED),
        ("process:8", 5, Kind.REMOVED),
        ("process:9", None, Kind.REMOVED),
    ]
    # The checkpoints the workers found are recorded, and the next night starts from them.
    latest = {c.stream: c.seq for c in AuditCheckpoint.objects.filter(run=recorded.run)}
    assert latest == {  # the intact streams and the register; the others from the start
        **{f"process:{n}": 5 for n in (1, 3, 4, 5, 7)},
        audit.REGISTER_STREAM: 9,
        **{f"process:{n}": 0 for n in (2, 6, 8, 9)},
    }
    nightly_run = audit.verify_record(incremental=True, checkpoint=True)
    assert nightly_run.mode == "incremental"
    assert summary(nightly_run) == summary(together)


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL roles")
@pytest.mark.django_db(transaction=True)
def test_the_app_role_records_checkpoints_but_cannot_change_them():
    import uuid

    from .test_dbroles import connected_as

    with transaction.atomic():
        five_events("process:1")
    role = f"kinerja_app_{uuid.uuid4().hex[:10]}"
    owner = connection.settings_dict["USER"]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    try:
        call_command("dbroles", "--apply", "--owner", owner, "--app", role, stdout=io.StringIO())
        with connected_as(role):
            assert nightly().run == 1  # the nightly check runs as the app role
            record_after = audit.verify_record(incremental=True, checkpoint=True)
            assert (record_after.mode, record_after.run) == ("incremental", 2)
            for sql in [
                "UPDATE core_auditcheckpoint SET seq = 1",
                "DELETE FROM core_auditcheckpoint",
                "TRUNCATE core_auditcheckpoint",
                "UPDATE core_auditverifyrun SET state = 'x'",
                "DELETE FROM core_auditverifyrun",
                "ALTER TABLE core_auditcheckpoint DISABLE TRIGGER ALL",
            ]:
                with (
                    pytest.raises(DatabaseError, match="permission denied|must be owner"),
                    transaction.atomic(),
                    connection.cursor() as cursor,
                ):
                    cursor.execute(sql)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


def test_an_incremental_check_that_records_nothing_still_starts_from_the_checkpoints(verified):
    record(stream="process:2", action="paraf")
    result = audit.verify_record(incremental=True)
    assert (result.mode, result.events, result.skipped_events, result.run) == (
        "incremental",
        1,
        10,
        None,
    )
    assert AuditVerifyRun.objects.count() == 1
