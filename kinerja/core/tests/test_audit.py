"""The audit record: every action one event, hash-chained per process, and tampering caught.

The attacker in these tests has write access to the database and uses raw
SQL; on PostgreSQL they first switch off the triggers that refuse UPDATE and
DELETE (which a test also shows working).
"""

import datetime as dt
import hashlib
import io
import json
import threading
import uuid
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import translation

from kinerja.core import audit
from kinerja.core.audit import GENESIS, REGISTER_STREAM, EventData, Kind, record, record_many
from kinerja.core.audit_models import AppendOnlyError, AuditEvent, AuditHead
from kinerja.core.errors import DomainError
from kinerja.core.management.commands.audit import Command as AuditCommand
from kinerja.org.models import Person

WITA = ZoneInfo("Asia/Makassar")
POSTGRES = connection.vendor == "postgresql"
only_postgres = pytest.mark.skipif(not POSTGRES, reason="PostgreSQL triggers and row locks")


@pytest.fixture
def pelaksana(django_user_model):
    return django_user_model.objects.create_user(
        "pelaksana", first_name="Demo", last_name="Pelaksana"
    )


@pytest.fixture
def kasubbag(django_user_model):
    return django_user_model.objects.create_user("kasubbag")


@pytest.fixture
def sekda_person(db):
    return Person.objects.create(name="Drs. H. Said Abdullah, M.Si")


def five_events(stream="process:1", actor=None):
    """A process's first five events, an hour apart from 08:00 WITA on 6 January 2025."""
    start = dt.datetime(2025, 1, 6, 8, 0, tzinfo=WITA)
    actions = ["start", "activate", "finish", "activate", "paraf"]
    return record_many(
        stream,
        [
            EventData(
                action=action,
                actor=actor,
                before={"status": "waiting"},
                after={"status": "active", "step": n + 1},
                at=start + dt.timedelta(hours=n),
            )
            for n, action in enumerate(actions)
        ],
    )


@contextmanager
def attacker():
    """A cursor as someone with write access to the database.

    On PostgreSQL they are a superuser who first switches the refusing triggers
    off for their session (ALTER TABLE ... DISABLE TRIGGER would do as well for
    the table's owner, but not in a transaction with pending foreign-key checks).
    """
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor
        if POSTGRES:
            cursor.execute("SET LOCAL session_replication_role = origin")


def json_sql():
    return "CAST(%s AS jsonb)" if POSTGRES else "%s"


def only(problems):
    assert len(problems) == 1, problems
    return problems[0]


# --- writing ------------------------------------------------------------------------------


def test_an_event_is_hashed_over_its_canonical_form_and_starts_the_chain(db):
    event = record(
        stream="process:42",
        action="start",
        after={"year": 2025, "status": "running"},
        at=dt.datetime(2025, 1, 6, 8, 30, tzinfo=WITA),
    )
    # Keys sorted, no spaces, time in UTC with microseconds (08:30 WITA is 00:30 UTC).
    canonical = (
        '{"action":"start","actor_id":null,"actor_name":"","after":{"status":"running",'
        '"year":2025},"at":"2025-01-06T00:30:00.000000+00:00","before":null,"object_id":"",'
        '"object_type":"","on_behalf_of":"","on_behalf_of_person_id":null,"prev_hash":"'
        + "0" * 64
        + '","seq":1,"stream":"process:42"}'
    )
    assert event.seq == 1
    assert event.prev_hash == GENESIS
    assert event.hash == hashlib.sha256(canonical.encode()).hexdigest()
    stored = AuditEvent.objects.get(stream="process:42")
    assert stored.hash == event.hash and stored.after == {"status": "running", "year": 2025}


def test_each_event_links_to_the_one_before_and_the_head_follows(db, pelaksana):
    events = five_events(actor=pelaksana)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    head = AuditHead.objects.get(key="process:1")
    assert (head.last_seq, head.last_hash) == (5, events[-1].hash)
    assert list(audit.events_for("process:1").values_list("action", flat=True)) == [
        "start",
        "activate",
        "finish",
        "activate",
        "paraf",
    ]


def test_an_untouched_record_verifies(db, pelaksana):
    five_events("process:1", pelaksana)
    five_events("process:2", pelaksana)
    record(stream="process:1", action="finish", actor=pelaksana)
    result = audit.verify_record()
    assert result.problems == []
    # The register of streams is checked but not counted.
    assert (result.events, result.streams) == (11, 2)


def test_the_first_append_registers_the_stream(db, pelaksana):
    five_events("process:1", pelaksana)
    five_events("process:2", pelaksana)
    register = list(audit.events_for(REGISTER_STREAM))
    assert [(e.seq, e.action, e.object_id) for e in register] == [
        (1, "open-stream", "process:1"),
        (2, "open-stream", "process:2"),
    ]
    assert register[1].prev_hash == register[0].hash


def test_who_acted_and_for_whom_are_kept_as_they_were(db, pelaksana, kasubbag, sekda_person):
    pelaksana.person = Person.objects.create(name="Demo Pelaksana, S.E.", user=pelaksana)
    plt = record(
        stream="process:1",
        action="sign",
        actor=kasubbag,
        on_behalf_of=sekda_person,
        obj=sekda_person,
    )
    admin = record(
        stream="process:1", action="cancel", actor=kasubbag, on_behalf_of="administrator"
    )
    own = record(stream="process:1", action="finish", actor=pelaksana)
    system = record(stream="process:1", action="reminder")
    assert (plt.actor_name, plt.on_behalf_of, plt.on_behalf_of_person) == (
        "kasubbag",
        "Drs. H. Said Abdullah, M.Si",
        sekda_person,
    )
    assert (plt.object_type, plt.object_id) == ("org.person", str(sekda_person.pk))
    assert (admin.on_behalf_of, admin.on_behalf_of_person) == ("administrator", None)
    assert own.actor_name == "Demo Pelaksana, S.E."  # the person's name, already loaded
    assert (system.actor, system.actor_name) == (None, "")
    # A later change of name does not change the record.
    sekda_person.name = "Someone Else"
    sekda_person.save()
    assert AuditEvent.objects.get(pk=plt.pk).on_behalf_of == "Drs. H. Said Abdullah, M.Si"
    assert audit.verify() == []


def test_without_a_loaded_person_the_name_is_the_users_full_name(db, pelaksana):
    event = record(stream="process:1", action="finish", actor=pelaksana)
    assert event.actor_name == "Demo Pelaksana"
    [named] = record_many(
        "process:1", [EventData(action="finish", actor=pelaksana, actor_name="Kasubbag (Plh)")]
    )
    assert named.actor_name == "Kasubbag (Plh)"


def test_values_before_and_after_are_stored_as_plain_json(db):
    event = record(
        stream="process:1",
        action="finish",
        before={"due": dt.date(2025, 1, 7), "target": Decimal("95.50")},
        after={
            "at": dt.datetime(2025, 1, 7, 9, 15, 30, tzinfo=WITA),
            "took": dt.timedelta(minutes=90),
            "ratio": 0.1,
            "big": 1e16,
            "tags": {"b", "a"},
            "docs": ("draft.docx",),
            "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            3: None,
        },
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.before == {"due": "2025-01-07", "target": "95.50"}
    assert stored.after == {
        "at": "2025-01-07T09:15:30+08:00",
        "took": "P0DT01H30M00S",
        "ratio": "0.1",
        "big": "1e+16",
        "tags": ["a", "b"],
        "docs": ["draft.docx"],
        "id": "12345678-1234-5678-1234-567812345678",
        "3": None,
    }
    assert audit.verify() == []


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (b"bytes", TypeError, "Cannot record a bytes in the audit record."),
        (float("nan"), ValueError, "Cannot record nan in the audit record."),
        ({(1, 2): "x"}, TypeError, "Audit values need text keys, not tuple."),
    ],
)
def test_values_that_are_not_json_are_refused_by_type(db, value, error, message):
    with pytest.raises(error) as caught:
        record(stream="process:1", action="finish", after={"x": value})
    assert str(caught.value) == message
    assert not AuditEvent.objects.exists()


def test_bad_calls_are_refused_with_a_reason(db, sekda_person):
    with pytest.raises(ValueError, match="timezone-aware"):
        record(stream="process:1", action="start", at=dt.datetime(2025, 1, 6, 8, 0))
    with pytest.raises(ValueError, match="register of streams"):
        record(stream=REGISTER_STREAM, action="start")
    with pytest.raises(ValueError, match="1 to 150 characters"):
        record(stream="", action="start")
    with pytest.raises(ValueError, match="1 to 40 characters"):
        record(stream="process:1", action="x" * 41)
    with pytest.raises(ValueError, match="unsaved object"):
        record(stream="process:1", action="start", obj=Person(name="Belum disimpan"))
    with pytest.raises(TypeError, match="org.Person"):
        record(stream="process:1", action="start", on_behalf_of=AuditHead(key="x"))
    assert not AuditEvent.objects.exists()


def test_record_many_takes_three_queries_however_large_the_record(
    db, pelaksana, django_assert_num_queries
):
    actions = [EventData(action="finish", actor=pelaksana), EventData(action="activate")]
    record(stream="process:1", action="start", actor=pelaksana)
    with django_assert_num_queries(3):
        record_many("process:1", actions)
    for n in range(2, 102):
        record_many(f"process:{n}", [EventData(action="start")] * 10)
    assert AuditEvent.objects.exclude(stream=REGISTER_STREAM).count() == 1003
    with django_assert_num_queries(3):
        events = record_many("process:1", actions)
    assert [e.seq for e in events] == [4, 5]
    assert audit.verify() == []


def _head(stream):
    found = AuditHead.objects.get(key=stream)
    return found.last_seq, found.last_hash


def test_with_the_head_read_before_the_events_go_in_by_fewer_statements(
    db, pelaksana, django_assert_num_queries
):
    # The engine reads the head with the task's lock; then one statement on PostgreSQL
    # (move the head if it is still there, insert if it moved), two on SQLite.
    record(stream="process:1", action="start", actor=pelaksana)
    head = _head("process:1")
    actions = [EventData(action="finish", actor=pelaksana), EventData(action="activate")]
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        events = record_many("process:1", actions, head=head)
    assert [e.seq for e in events] == [2, 3]
    assert all(e.pk for e in events)
    assert _head("process:1") == (3, events[-1].hash)
    assert audit.verify() == []


def test_a_head_that_moved_since_it_was_read_falls_back_to_the_lock(db, pelaksana):
    # Another action on the same process (or an earlier append of this transaction)
    # moved the head after it was read: nothing is written twice or out of order.
    record(stream="process:1", action="start", actor=pelaksana)
    stale = _head("process:1")
    record(stream="process:1", action="paraf", actor=pelaksana)
    events = record_many("process:1", [EventData(action="finish", actor=pelaksana)], head=stale)
    assert [e.seq for e in events] == [3]
    assert list(audit.events_for("process:1").values_list("action", flat=True)) == [
        "start",
        "paraf",
        "finish",
    ]
    assert audit.verify() == []


@only_postgres
@pytest.mark.django_db(transaction=True)
def test_appends_with_heads_read_at_the_same_moment_make_one_gapless_chain():
    # Two connections read the head, then append: one moves it, the other finds it moved
    # and falls back to locking it; the chain has every event once, in order.
    with transaction.atomic():
        record(stream="process:7", action="start")

    def appender(name):
        def work():
            for n in range(20):
                with transaction.atomic():
                    head = _head("process:7")
                    record_many(
                        "process:7",
                        [EventData(action="finish", after={"by": name, "n": n})],
                        head=head,
                    )

        return work

    _run_together([appender("a"), appender("b")])
    assert list(audit.events_for("process:7").values_list("seq", flat=True)) == list(range(1, 42))
    assert audit.verify() == []


def test_the_first_append_to_a_stream_takes_one_query_more(db, django_assert_num_queries):
    # It also locks the register's head and registers the stream in the same insert.
    with django_assert_num_queries(4):
        record_many("process:1", [EventData(action="start"), EventData(action="activate")])
    record_many("process:2", [EventData(action="start")])
    with django_assert_num_queries(4):
        record_many("process:3", [EventData(action="start")])


def test_an_event_rolled_back_with_its_action_leaves_nothing(db):
    record(stream="process:1", action="start")
    with pytest.raises(RuntimeError), transaction.atomic():
        record(stream="process:1", action="finish")
        record(stream="process:2", action="start")
        raise RuntimeError("the action failed")
    assert list(audit.events_for("process:1").values_list("action", flat=True)) == ["start"]
    assert not AuditHead.objects.filter(key="process:2").exists()
    assert audit.verify() == []


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(transaction.TransactionManagementError, match="transaction.atomic"):
        record(stream="process:1", action="start")
    assert not AuditEvent.objects.exists()


# --- append-only --------------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_events(db):
    event = record(stream="process:1", action="start")
    event.action = "cancel"
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        event.save()
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        event.delete()
    with pytest.raises(AppendOnlyError, match="cannot be changed"):
        AuditEvent.objects.filter(pk=event.pk).update(action="cancel")
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError, match=r"written by kinerja\.core\.audit\.record"):
        AuditEvent(stream="process:1", seq=2, at=event.at, action="x").save()
    with pytest.raises(AppendOnlyError, match="heads cannot be deleted"):
        AuditHead.objects.all().delete()
    with pytest.raises(AppendOnlyError, match="heads cannot be deleted"):
        AuditHead.objects.first().delete()
    assert audit.verify() == []


def test_a_user_in_the_record_cannot_be_deleted(db, pelaksana):
    from django.db.models import ProtectedError

    record(stream="process:1", action="finish", actor=pelaksana)
    with pytest.raises(ProtectedError):
        pelaksana.delete()


@only_postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET action = 'cancel'",
        "DELETE FROM core_auditevent WHERE seq = 1",
        "DELETE FROM core_audithead",
        "UPDATE core_audithead SET last_seq = last_seq - 1",
        "UPDATE core_audithead SET last_hash = 'x'",
    ],
)
def test_postgresql_refuses_raw_sql_that_changes_the_record(db, sql):
    five_events()
    with (
        pytest.raises(DatabaseError, match="refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert audit.verify() == []


# --- tampering ----------------------------------------------------------------------------

TAMPERED_VALUES = {
    "at": dt.datetime(2025, 1, 6, 7, 0, tzinfo=dt.UTC),
    "actor_name": "Orang Lain",
    "on_behalf_of": "Sekretaris Daerah",
    "action": "sign",
    "object_type": "workflow.task",
    "object_id": "999",
    "prev_hash": "f" * 64,
    "hash": "e" * 64,
}


@pytest.mark.parametrize("seq", [1, 3, 5])
@pytest.mark.parametrize(
    "column",
    [*TAMPERED_VALUES, "actor_id", "on_behalf_of_person_id", "before", "after"],
)
def test_changing_any_column_of_any_event_is_caught_at_that_event(
    db, pelaksana, kasubbag, sekda_person, column, seq
):
    five_events(actor=pelaksana)
    five_events("process:2", actor=pelaksana)
    value, placeholder = TAMPERED_VALUES.get(column), "%s"
    if column == "actor_id":
        value = kasubbag.pk
    elif column == "on_behalf_of_person_id":
        value = sekda_person.pk
    elif column in ("before", "after"):
        value, placeholder = json.dumps({"status": "done"}), json_sql()
    with attacker() as cursor:
        cursor.execute(
            f"UPDATE core_auditevent SET {column} = {placeholder} WHERE stream = %s AND seq = %s",  # noqa: S608
            [value, "process:1", seq],
        )
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.stream, problem.seq, problem.kind) == ("process:1", seq, Kind.CHANGED)
    assert problem.message.startswith(f"Stream process:1, event {seq} was changed")


def test_a_changed_event_with_its_hash_recomputed_is_caught_at_that_event(db):
    events = five_events()
    forged = {name: getattr(events[2], name) for name in audit.HASHED_FIELDS}
    forged["after"] = {"status": "done", "step": 3}
    with attacker() as cursor:
        cursor.execute(
            f"UPDATE core_auditevent SET after = {json_sql()}, hash = %s WHERE id = %s",  # noqa: S608
            [json.dumps(forged["after"]), audit.event_hash(forged), events[2].pk],
        )
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.seq, problem.kind) == (3, Kind.CHANGED)
    assert problem.message == (
        "Stream process:1, event 3 was changed: its hash is not the one event 4 recorded, "
        "so it was rewritten and its hash recomputed."
    )


def test_the_last_event_rewritten_with_its_hash_recomputed_is_caught_by_the_head(db):
    events = five_events()
    forged = {name: getattr(events[4], name) for name in audit.HASHED_FIELDS}
    forged["action"] = "return"
    with attacker() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = %s, hash = %s WHERE id = %s",
            ["return", audit.event_hash(forged), events[4].pk],
        )
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.seq, problem.kind) == (5, Kind.CHANGED)
    assert "not the one the stream's head recorded" in problem.message


def test_a_removed_event_in_the_middle_is_caught_where_it_is_missing(db):
    five_events()
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1' AND seq = 3")
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.stream, problem.seq, problem.kind) == ("process:1", 3, Kind.REMOVED)
    assert problem.message == "Stream process:1, event 3 is missing: event 4 follows event 2."


def test_a_removed_first_event_is_caught(db):
    five_events()
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1' AND seq = 1")
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.seq, problem.kind) == (1, Kind.REMOVED)
    assert problem.message == "Stream process:1, event 1 is missing: the stream starts at 2."


def test_a_removed_last_event_is_caught_by_the_head(db):
    five_events()
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1' AND seq = 5")
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.seq, problem.kind) == (5, Kind.REMOVED)
    assert problem.message == (
        "Stream process:1, event 5 is missing: the stream's head ends at event 5 "
        "but its events end at 4."
    )


def test_every_event_of_a_stream_removed_but_its_head_is_caught(db):
    five_events()
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1'")
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.seq, problem.kind) == (1, Kind.REMOVED)
    assert problem.message == (
        "Stream process:1, event 1 is missing: the stream's head ends at event 5 "
        "but none of its events is left."
    )


def test_a_removed_head_is_caught(db):
    five_events()
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_audithead WHERE key = 'process:1'")
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.stream, problem.seq, problem.kind) == ("process:1", None, Kind.REMOVED)
    assert "has lost its head" in problem.message


def test_a_whole_stream_removed_with_its_head_is_caught_by_the_register(db):
    five_events("process:1")
    five_events("process:2")
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1'")
        cursor.execute("DELETE FROM core_audithead WHERE key = 'process:1'")
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.stream, problem.seq, problem.kind) == ("process:1", None, Kind.REMOVED)
    assert problem.message == (
        "Stream process:1 was removed: the register of streams lists it (entry 1), "
        "but none of its events is left."
    )


def test_cutting_the_stream_out_of_the_register_too_breaks_the_register(db):
    five_events("process:1")
    five_events("process:2")
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1'")
        cursor.execute("DELETE FROM core_audithead WHERE key = 'process:1'")
        cursor.execute(
            "DELETE FROM core_auditevent WHERE stream = %s AND object_id = 'process:1'",
            [REGISTER_STREAM],
        )
    problem = only(audit.verify())
    assert (problem.stream, problem.seq, problem.kind) == (REGISTER_STREAM, 1, Kind.REMOVED)


def test_the_last_registered_stream_removed_is_caught_by_the_registers_head(db):
    five_events("process:1")
    five_events("process:2")
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:2'")
        cursor.execute("DELETE FROM core_audithead WHERE key = 'process:2'")
        cursor.execute(
            "DELETE FROM core_auditevent WHERE stream = %s AND object_id = 'process:2'",
            [REGISTER_STREAM],
        )
    problem = only(audit.verify())
    assert (problem.stream, problem.seq, problem.kind) == (REGISTER_STREAM, 2, Kind.REMOVED)


def _insert_forged(cursor, *, stream, seq, prev_hash, action="sign"):
    fields = {
        "stream": stream,
        "seq": seq,
        "at": dt.datetime(2025, 1, 6, 5, 0, tzinfo=dt.UTC),
        "actor_id": None,
        "actor_name": "Sekda",
        "on_behalf_of": "",
        "on_behalf_of_person_id": None,
        "action": action,
        "object_type": "",
        "object_id": "",
        "before": None,
        "after": {"signed": True},
        "prev_hash": prev_hash,
    }
    hash_ = audit.event_hash(fields)
    cursor.execute(
        "INSERT INTO core_auditevent (stream, seq, at, actor_name, on_behalf_of, action, "  # noqa: S608
        "object_type, object_id, after, prev_hash, hash) "
        f"VALUES (%s, %s, %s, %s, '', %s, '', '', {json_sql()}, %s, %s)",
        [stream, seq, fields["at"], "Sekda", action, '{"signed": true}', prev_hash, hash_],
    )
    return hash_


def test_a_forged_event_appended_with_a_plausible_hash_is_caught_as_inserted(db):
    events = five_events()
    with attacker() as cursor:
        _insert_forged(cursor, stream="process:1", seq=6, prev_hash=events[-1].hash)
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.stream, problem.seq, problem.kind) == ("process:1", 6, Kind.INSERTED)
    assert problem.message == (
        "Stream process:1, event 6 was inserted: the stream's head ends at event 5."
    )


@only_postgres
def test_a_forged_event_with_a_duplicate_number_is_caught_as_inserted(db):
    events = five_events()
    with attacker() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks, so ALTER may run
        cursor.execute("ALTER TABLE core_auditevent DROP CONSTRAINT core_auditevent_stream_seq")
        _insert_forged(cursor, stream="process:1", seq=3, prev_hash=events[1].hash)
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.seq, problem.kind) == (3, Kind.INSERTED)
    assert problem.message == "Stream process:1, event 3 appears twice: one of them was inserted."


def test_a_forged_stream_with_its_own_head_is_caught_as_not_registered(db):
    five_events()
    with attacker() as cursor:
        hash_ = _insert_forged(cursor, stream="process:9", seq=1, prev_hash=GENESIS)
        cursor.execute(
            "INSERT INTO core_audithead (key, last_seq, last_hash) VALUES ('process:9', 1, %s)",
            [hash_],
        )
    with translation.override("en"):
        problem = only(audit.verify())
    assert (problem.stream, problem.seq, problem.kind) == ("process:9", None, Kind.INSERTED)
    assert problem.message == (
        "Stream process:9 was inserted: it is not in the register of streams."
    )


def test_a_forged_stream_without_a_head_is_caught_as_inserted(db):
    five_events()
    with attacker() as cursor:
        _insert_forged(cursor, stream="process:9", seq=1, prev_hash=GENESIS)
    problem = only(audit.verify())
    assert (problem.stream, problem.kind) == ("process:9", Kind.INSERTED)


def test_reordered_events_are_caught_at_the_first_moved_one(db):
    five_events()
    with attacker() as cursor:
        for old, new in [(2, 99), (3, 2), (99, 3)]:
            cursor.execute(
                "UPDATE core_auditevent SET seq = %s WHERE stream = 'process:1' AND seq = %s",
                [new, old],
            )
    problem = only(audit.verify())
    assert (problem.seq, problem.kind) == (2, Kind.CHANGED)


def test_a_moved_event_is_caught_where_it_is_missing(db):
    five_events()
    with attacker() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET stream = 'process:2' WHERE stream = 'process:1' AND seq = 3"
        )
    problems = {p.stream: p for p in audit.verify()}
    assert (problems["process:1"].seq, problems["process:1"].kind) == (3, Kind.REMOVED)
    assert problems["process:2"].kind == Kind.INSERTED


def test_each_stream_reports_its_first_problem_and_the_others_pass(db, monkeypatch):
    monkeypatch.setattr(audit, "VERIFY_BATCH", 2)  # several batches of streams
    for n in range(1, 8):
        five_events(f"process:{n}")
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:6' AND seq = 2")
        cursor.execute(
            "UPDATE core_auditevent SET actor_name = 'X' WHERE stream = 'process:6' AND seq = 4"
        )
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE stream = 'process:2'")
    problems = sorted((p.stream, p.seq, p.kind) for p in audit.verify())
    assert problems == [("process:2", 1, Kind.CHANGED), ("process:6", 2, Kind.REMOVED)]


def test_verify_one_stream(db):
    five_events("process:1")
    five_events("process:2")
    with attacker() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE stream = 'process:2'")
    result = audit.verify_record("process:1")
    assert (result.problems, result.events, result.streams) == ([], 5, 1)
    assert [(p.stream, p.seq) for p in audit.verify("process:2")] == [("process:2", 1)]
    assert audit.verify(REGISTER_STREAM) == []


def test_verify_one_stream_that_was_removed_whole(db):
    five_events("process:1")
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1'")
        cursor.execute("DELETE FROM core_audithead WHERE key = 'process:1'")
    problem = only(audit.verify("process:1"))
    assert (problem.seq, problem.kind) == (None, Kind.REMOVED)


def test_verify_of_an_unknown_stream_says_so(db):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        audit.verify("process:404")
    assert caught.value.message == "There is no audit stream process:404."


# --- concurrency --------------------------------------------------------------------------


def _run_together(workers):
    barrier = threading.Barrier(len(workers))
    errors = []

    def run(work):
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def _appender(stream, name, count):
    def work():
        for n in range(count):
            with transaction.atomic():
                record(stream=stream, action="finish", after={"by": name, "n": n})

    return work


@only_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_new_stream_make_one_gapless_chain():
    # Two connections start the stream at the same moment, then keep appending.
    _run_together([_appender("process:7", "a", 30), _appender("process:7", "b", 30)])
    assert list(audit.events_for("process:7").values_list("seq", flat=True)) == list(range(1, 61))
    assert AuditHead.objects.get(key="process:7").last_seq == 60
    assert audit.verify_record().events == 60
    assert audit.verify() == []


@only_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrently_opened_streams_are_all_registered():
    def opener(prefix):
        def work():
            for n in range(15):
                with transaction.atomic():
                    record(stream=f"process:{prefix}{n}", action="start")

        return work

    _run_together([opener("a"), opener("b"), opener("c")])
    register = list(audit.events_for(REGISTER_STREAM).values_list("seq", flat=True))
    assert register == list(range(1, 46))
    assert audit.verify() == []


@only_postgres
@pytest.mark.django_db(transaction=True)
def test_verify_while_others_append_sees_no_false_tampering(monkeypatch):
    # verify reads the heads, then the events: an append committed in between
    # must not look like an inserted event, so it reads from one snapshot.
    with transaction.atomic():
        five_events("process:1")
    read_heads = audit._head_batches

    def append_elsewhere():
        with transaction.atomic():
            record(stream="process:1", action="paraf")
            record(stream="process:2", action="start")

    def heads_then_an_append(*bounds):
        for batch in read_heads(*bounds):
            _run_together([append_elsewhere])  # another connection, committed
            yield batch

    monkeypatch.setattr(audit, "_head_batches", heads_then_an_append)
    assert audit.verify() == []
    assert AuditHead.objects.get(key="process:1").last_seq == 6
    assert audit.verify() == []


@pytest.mark.django_db(transaction=True)
def test_verify_outside_a_transaction_reads_one_snapshot_and_leaves_none_open():
    with transaction.atomic():
        five_events("process:1")
    assert audit.verify() == []
    with attacker_outside_a_transaction() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1' AND seq = 5")
    assert [(p.seq, p.kind) for p in audit.verify()] == [(5, Kind.REMOVED)]
    assert [(p.seq, p.kind) for p in audit.verify("process:1")] == [(5, Kind.REMOVED)]
    assert not connection.in_atomic_block
    with transaction.atomic():
        record(stream="process:2", action="start")  # the connection still writes


@contextmanager
def attacker_outside_a_transaction():
    with transaction.atomic(), attacker() as cursor:
        yield cursor


def test_interleaved_appends_make_one_gapless_chain(db, pelaksana, kasubbag):
    # SQLite runs one writer at a time; here the two actors simply take turns.
    for n in range(10):
        record(stream="process:7", action="finish", actor=pelaksana, after={"n": n})
        record(stream="process:7", action="paraf", actor=kasubbag, after={"n": n})
    assert list(audit.events_for("process:7").values_list("seq", flat=True)) == list(range(1, 21))
    assert audit.verify() == []


# --- the command --------------------------------------------------------------------------


def run_verify(*args):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("id"):
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_audit_verify_passes_on_an_untouched_record(db):
    five_events("process:1")
    five_events("process:2")
    out, err = run_verify()
    assert out == (
        "OK (pemeriksaan penuh; belum ada titik periksa): 10 peristiwa dalam 2 aliran "
        "diperiksa. Titik periksa dicatat sebagai pemeriksaan 1.\n"
    )
    assert err == ""
    out, _ = run_verify("--stream", "process:2")
    assert out == "OK: 5 peristiwa dalam 1 aliran.\n"


def test_audit_verify_passes_on_an_empty_record(db):
    out, _ = run_verify("--full")
    assert out == (
        "OK (pemeriksaan penuh): 0 peristiwa dalam 0 aliran diperiksa. "
        "Titik periksa dicatat sebagai pemeriksaan 1.\n"
    )


def test_audit_verify_names_the_first_tampered_event_and_fails(db):
    five_events("process:1")
    with attacker() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE stream = 'process:1' AND seq = 3")
    err = io.StringIO()
    with pytest.raises(CommandError) as caught, translation.override("id"):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert str(caught.value) == "Catatan audit telah diubah: 1 aliran terdampak."
    assert err.getvalue() == (
        "Aliran process:1, peristiwa 3 hilang: peristiwa 4 menyusul peristiwa 2.\n"
    )


def test_audit_verify_exits_non_zero_when_tampered(db, capsys):
    five_events("process:1")
    with attacker() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE seq = 2")
    with pytest.raises(SystemExit) as caught, translation.override("id"):
        AuditCommand().run_from_argv(["manage.py", "audit", "verify"])
    assert caught.value.code == 1
    assert "Aliran process:1, peristiwa 2 telah diubah" in capsys.readouterr().err


def test_audit_verify_of_an_unknown_stream_is_one_clear_line(db):
    with pytest.raises(CommandError) as caught:
        run_verify("--stream", "process:404")
    assert str(caught.value) == "Tidak ada aliran audit process:404."


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_shows_events_but_cannot_add_change_or_delete_them(admin_client):
    event = five_events()[2]
    five_events("process:2")
    changelist = admin_client.get("/admin/core/auditevent/")
    assert changelist.status_code == 200
    assert "process:1" in changelist.content.decode()
    found = admin_client.get("/admin/core/auditevent/", {"q": "process:2"})
    assert found.context["cl"].result_count == 5
    page = admin_client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert event.hash in page.content.decode()
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "x"}).status_code
        == 403
    )
    assert admin_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert audit.verify() == []
