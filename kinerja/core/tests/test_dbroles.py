"""The app's PostgreSQL role: it runs the app, but cannot change, delete or empty the audit
record, nor switch its triggers off, because it owns no table."""

import io
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from kinerja import actions
from kinerja.core import audit, backup, reconcile
from kinerja.core.audit_models import AuditEvent
from kinerja.demo.services import build_demo
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task

POSTGRES = connection.vendor == "postgresql"


def test_the_printed_script_makes_the_roles_and_grants_the_app_only_appends(db):
    out = io.StringIO()
    with translation.override("id"):
        call_command(
            "dbroles",
            "--owner",
            "pemilik",
            "--app",
            "aplikasi",
            "--database",
            "kinerja",
            stdout=out,
        )
    script = out.getvalue()
    assert "CREATE ROLE pemilik LOGIN" in script
    assert "CREATE DATABASE kinerja OWNER pemilik;" in script
    assert (
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO aplikasi;" in script
    )
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON "core_auditevent" FROM aplikasi;' in script
    assert (
        "ALTER DEFAULT PRIVILEGES FOR ROLE pemilik IN SCHEMA public "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO aplikasi;" in script
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--app", "kinerja-app"),
            "“kinerja-app” tidak dapat dipakai sebagai nama di sini: gunakan huruf kecil, "
            "angka dan garis bawah, paling banyak 63, diawali huruf.",
        ),
        (
            ("--app", "kinerja_owner"),
            "Peran aplikasi tidak boleh pemiliknya: pemilik dapat mematikan trigger.",
        ),
    ],
)
def test_a_bad_role_is_one_clear_line(db, args, message):
    with pytest.raises(CommandError) as caught, translation.override("id"):
        call_command("dbroles", *args, stdout=io.StringIO())
    assert str(caught.value) == message


@pytest.mark.skipif(POSTGRES, reason="SQLite has no roles")
def test_applying_roles_on_sqlite_says_why_not(db):
    with pytest.raises(CommandError) as caught, translation.override("id"):
        call_command("dbroles", "--apply", stdout=io.StringIO())
    assert "hanya ada di PostgreSQL" in str(caught.value)


@contextmanager
def connected_as(role):
    """The default connection, reconnected as `role` (trust authentication in the tests)."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(USER=role, PASSWORD="")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(USER=saved["USER"], PASSWORD=saved["PASSWORD"])


REFUSED = [
    ("UPDATE core_auditevent SET action = 'x'", "permission denied for table core_auditevent"),
    ("DELETE FROM core_auditevent", "permission denied for table core_auditevent"),
    ("TRUNCATE core_auditevent", "permission denied for table core_auditevent"),
    ("DELETE FROM core_audithead", "permission denied for table core_audithead"),
    (
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
        "must be owner of table core_auditevent",
    ),
    ("DROP TABLE core_auditevent", "must be owner of table core_auditevent"),
    (
        "SET session_replication_role = replica",
        'permission denied to set parameter "session_replication_role"',
    ),
    (
        "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())",
        "permission denied for table django_migrations",
    ),
]


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL roles")
@pytest.mark.django_db(transaction=True)
def test_the_app_role_acts_normally_but_cannot_weaken_the_audit_record(settings, tmp_path):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)
    role = f"kinerja_app_{uuid.uuid4().hex[:10]}"
    owner = connection.settings_dict["USER"]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    try:
        call_command("dbroles", "--apply", "--owner", owner, "--app", role, stdout=io.StringIO())
        with connected_as(role):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_user")
                assert cursor.fetchone() == (role,)
            # A normal action: start the PK, the Pelaksana finishes step 1, reminders read.
            from django.contrib.auth import get_user_model

            users = {u.username: u for u in get_user_model().objects.select_related("person")}
            process = actions.start_process(
                sop=find_sop("SOP-013"), title="Penyusunan PK 2026", year=2026, by=users["kasubbag"]
            )
            task = process.tasks.get(status=Task.Status.ACTIVE)
            actions.finish(
                task=task,
                by=users["pelaksana"],
                waivers={"Konsep Surat": "Diserahkan langsung"},
            )
            assert audit.verify() == []
            assert reconcile.reconcile().ok
            events = AuditEvent.objects.count()
            for sql, message in REFUSED:
                with (
                    pytest.raises(DatabaseError, match=message),
                    transaction.atomic(),
                    connection.cursor() as cursor,
                ):
                    cursor.execute(sql)
            assert AuditEvent.objects.count() == events
            assert audit.verify() == []
            # The nightly jobs run as the app role too: the backup reads every table.
            made = backup.backup(tmp_path / "als-aplikasi.tar")
            assert made.heads == AuditEvent.objects.values("stream").distinct().count()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
