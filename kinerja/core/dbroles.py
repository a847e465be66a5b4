"""PostgreSQL roles: an owner that migrates, and an app role that cannot weaken the audit record.

The triggers of migration core 0003_audit refuse UPDATE and DELETE of audit events and
moving a stream's head backwards. A table's owner, though, may switch its triggers off
(ALTER TABLE ... DISABLE TRIGGER), TRUNCATE it or drop it. So the application should
not connect as the owner: the owner role runs `migrate`; the app role the server
connects as may read and write the tables, but may only insert and read audit events
(and insert, read and move heads forward; insert and read the checkpoints of `audit
verify`, migration core 0006), and owns nothing, so it cannot switch a
trigger off. Default privileges give it the same rights on the tables later migrations
make.

`statements()` are what `manage.py dbroles --print` prints and `--apply` runs (as the
owner or a superuser); `setup()` is the once-only part a superuser runs by hand.
"""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.utils.translation import gettext as _

from .audit_models import AuditCheckpoint, AuditEvent, AuditHead, AuditVerifyRun
from .errors import DomainError

SCHEMA = "public"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def check_role(name: str, field: str) -> str:
    """A role name as PostgreSQL keeps it unquoted: lower-case letters, digits, underscores."""
    if not ROLE_NAME.match(name or ""):
        raise DomainError(
            _(
                "“%(name)s” cannot be used as a name here: use lower-case letters, digits "
                "and underscores, at most 63, starting with a letter."
            )
            % {"name": (name or "")[:80]},
            field=field,
        )
    return name


def setup(*, owner: str, app: str, database: str) -> list[str]:
    """What a superuser runs once: the two roles and the database the owner owns."""
    owner, app = check_role(owner, "owner"), check_role(app, "app")
    database = check_role(database, "database")
    return [
        f"CREATE ROLE {owner} LOGIN PASSWORD 'choose-a-password';",
        f"CREATE ROLE {app} LOGIN PASSWORD 'choose-another-password';",
        f"CREATE DATABASE {database} OWNER {owner};",
        f"\\connect {database}",
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC;",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app};",
        f"REVOKE CREATE ON SCHEMA {SCHEMA} FROM PUBLIC;",
    ]


def statements(*, owner: str, app: str) -> list[str]:
    """The app role's rights on what the owner's migrations made, now and later (idempotent)."""
    owner, app = check_role(owner, "owner"), check_role(app, "app")
    if owner == app:
        raise DomainError(
            _("The app role must not be the owner: the owner can switch the triggers off."),
            field="app",
        )
    qn = connection.ops.quote_name
    events, heads = qn(AuditEvent._meta.db_table), qn(AuditHead._meta.db_table)
    runs, checkpoints = qn(AuditVerifyRun._meta.db_table), qn(AuditCheckpoint._meta.db_table)
    rights = "SELECT, INSERT, UPDATE, DELETE"
    return [
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {app};",
        f"GRANT {rights} ON ALL TABLES IN SCHEMA {SCHEMA} TO {app};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {app};",
        # The audit record: events are appended and read; a head is created and moves on.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {events} FROM {app};",
        f"REVOKE DELETE, TRUNCATE ON {heads} FROM {app};",
        # audit verify's runs and checkpoints: recorded and read, never changed.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {runs} FROM {app};",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {checkpoints} FROM {app};",
        # Which migrations ran is the owner's to say.
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM {app};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {SCHEMA} "
        f"GRANT {rights} ON TABLES TO {app};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {SCHEMA} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app};",
    ]


def apply(*, owner: str, app: str) -> list[str]:
    """Run statements() on this connection (the owner's or a superuser's), in one transaction."""
    if connection.vendor != "postgresql":
        raise DomainError(
            _(
                "Database roles exist on PostgreSQL only; protect SQLite's file with the "
                "file system's permissions."
            )
        )
    done = statements(owner=owner, app=app)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app])
        if cursor.fetchone() is None:
            raise DomainError(
                _("There is no role %(name)s: create it first (manage.py dbroles --print).")
                % {"name": app},
                field="app",
            )
        for sql in done:
            cursor.execute(sql)
    return done
