"""Backup and restore: one archive of the database, the stored files and the audit heads.

`backup()` runs while the server runs. In one snapshot of the database
(audit.snapshot(): SQLite's read transaction, PostgreSQL's REPEATABLE READ) it reads the
heads of the audit streams, takes the database and lists every stored file the
database refers to (each FileField of each model):

- SQLite: the online backup API copies the pages of that very read transaction;
- PostgreSQL: pg_dump (custom format) reads the same snapshot, exported with
  pg_export_snapshot(), so the dump, the heads and the file list agree exactly. pg_dump
  and pg_restore (PostgreSQL's client programs, the server's version or newer) must be
  installed: a dump through Django's serializers would be slower, lose the audit
  triggers and tie the archive to the code's models, so there is no fallback.

Then, outside the snapshot, it copies those files through Django's storage API (the file
system or S3 alike). A stored file never changes once written, so every file the dump
refers to is there to copy; files added meanwhile belong to the next backup. The archive
is a tar file (gzip when its name ends in .gz or .tgz) written beside its name and
renamed when whole; its last member, manifest.json, names every other member with its
size and SHA-256.

`restore()` checks every member against the manifest before it writes anything, then
refuses a database or storage that is not empty (unless forced), restores the database
(SQLite: the backup API again, into the configured database; PostgreSQL: pg_restore in
one transaction), stores the files through the storage API, and checks that the
restored audit heads are the archive's and that every file the database refers to is
there. `manage.py audit check` then proves the rest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, audit_heads
from .audit_models import AuditHead
from .errors import DomainError

FORMAT = "kinerja-backup"
VERSION = 1
MANIFEST = "manifest.json"
HEADS = "audit-heads.jsonl"
MEDIA = "media/"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MAX_MANIFEST = 64 * 1024 * 1024
"""A larger manifest is not one of ours (hostile archives are measured before reading)."""
CHUNK = 1024 * 1024
PG_TIMEOUT = 6 * 3600


@dataclass
class BackupResult:
    path: Path
    files: int = 0
    bytes: int = 0
    heads: int = 0
    missing: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    files: int = 0
    heads: int = 0
    pending_migrations: list[str] = field(default_factory=list)


# --- backup --------------------------------------------------------------------------------


def backup(path: str | Path, *, allow_missing: bool = False) -> BackupResult:
    """Write the archive to `path` (a new file), whole or not at all."""
    target = Path(path)
    if target.exists():
        raise DomainError(
            _("%(file)s already exists; name a new file for the backup.") % {"file": target}
        )
    if not target.parent.is_dir():
        raise DomainError(_("There is no folder %(folder)s.") % {"folder": target.parent})
    vendor = _vendor()
    result = BackupResult(target)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".kinerja-backup-") as tmp:
        work = Path(tmp)
        database = work / DATABASE[vendor]
        heads = work / HEADS
        with audit.snapshot():
            # Reading the heads first starts SQLite's read transaction: the copy below is
            # of the same moment.
            with heads.open("wb") as out:
                result.heads = audit_heads.write_heads(out)
            _dump_database(database)
            names = sorted(stored_names())
            migrations = _applied_migrations()
        members: dict[str, dict[str, Any]] = {}
        partial = work / "archive.partial"
        with _open_for_writing(partial, target) as archive:
            for name, source in ((DATABASE[vendor], database), (HEADS, heads)):
                with source.open("rb") as fh:
                    members[name] = _add(archive, name, fh, source.stat().st_size)
            for name in names:
                added = _add_stored(archive, name)
                if added is None:
                    result.missing.append(name)
                    continue
                members[MEDIA + name] = added
                result.files += 1
                result.bytes += added["size"]
            if result.missing and not allow_missing:
                raise DomainError(
                    _(
                        "%(n)d stored file(s) that the database refers to are missing, e.g. "
                        "%(name)s; nothing was written. Look for them, or back up without "
                        "them with --allow-missing."
                    )
                    % {"n": len(result.missing), "name": result.missing[0]}
                )
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.localtime().isoformat(timespec="seconds"),
                "vendor": vendor,
                "database": DATABASE[vendor],
                "heads": HEADS,
                "migrations": migrations,
                "missing": result.missing,
                "members": members,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            _add(archive, MANIFEST, io.BytesIO(data), len(data))
        os.replace(partial, target)
    return result


def _vendor() -> str:
    if connection.vendor not in DATABASE:
        raise DomainError(
            _("Backups are made of SQLite and PostgreSQL databases, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def _open_for_writing(partial: Path, target: Path) -> tarfile.TarFile:
    # PDFs are compressed already: gzip only when asked for by the name.
    if target.name.endswith((".gz", ".tgz")):
        return tarfile.open(partial, "w:gz")
    return tarfile.open(partial, "w")


def _dump_database(out: Path) -> None:
    """The database as the snapshot sees it (called inside audit.snapshot())."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(out)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
    _run_pg(
        "pg_dump",
        "--format=custom",
        f"--snapshot={snapshot}",
        f"--file={out}",
        _dbname_arg(),
    )


def stored_names() -> set[str]:
    """The name of every stored file the database refers to: each FileField of each model."""
    names: set[str] = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for found in model._meta.local_concrete_fields:
            if isinstance(found, models.FileField):
                rows = (
                    model._base_manager.exclude(**{found.attname: ""})
                    .filter(**{f"{found.attname}__isnull": False})
                    .values_list(found.attname, flat=True)
                )
                names.update(rows.iterator(chunk_size=2000))
    return names


def _applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


class _Hashing(io.RawIOBase):
    """A reader that hashes and counts what passes through it."""

    def __init__(self, raw: IO[bytes]):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.sha256.update(data)
        self.size += len(data)
        return len(data)


def _add(archive: tarfile.TarFile, name: str, fh: IO[bytes], size: int) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o600
    reader = _Hashing(fh)
    try:
        archive.addfile(info, io.BufferedReader(reader, CHUNK))
    except OSError:  # shorter than its size said ("unexpected end of data")
        reader.size = -1
    if reader.size != size:
        raise DomainError(
            _("%(name)s changed while it was being backed up; run the backup again.")
            % {"name": name}
        )
    return {"size": size, "sha256": reader.sha256.hexdigest()}


def _add_stored(archive: tarfile.TarFile, name: str) -> dict[str, Any] | None:
    """Copy one stored file into the archive; None if the storage does not have it (or the
    database names a file outside the storage)."""
    if not safe_storage_name(name):
        return None
    try:
        size = default_storage.size(name)
        fh = default_storage.open(name, "rb")
    except (OSError, ValueError, SuspiciousFileOperation):
        return None
    with fh:
        return _add(archive, MEDIA + name, fh, size)


# --- restore -------------------------------------------------------------------------------


def restore(path: str | Path, *, force: bool = False) -> RestoreResult:
    """Restore the archive at `path` onto an empty database and storage (or over them)."""
    source = Path(path)
    if not source.is_file():
        raise DomainError(_("There is no file %(file)s.") % {"file": source})
    try:
        archive = tarfile.open(source, "r:*")  # noqa: SIM115 (the with below closes it)
    except (tarfile.TarError, OSError):
        raise DomainError(_("%(file)s is not a Kinerja backup.") % {"file": source}) from None
    with archive:
        try:
            manifest = _read_manifest(archive, source)
            _check_members(archive, manifest, source)
        except (tarfile.TarError, EOFError, OSError, zlib.error):
            raise DomainError(
                _("%(file)s is damaged: it cannot be read to its end. Nothing was restored.")
                % {"file": source}
            ) from None
        if manifest["vendor"] != connection.vendor:
            raise DomainError(
                _(
                    "%(file)s is a backup of a %(theirs)s database; the database configured "
                    "here is %(ours)s."
                )
                % {"file": source, "theirs": manifest["vendor"], "ours": connection.vendor}
            )
        _check_empty(force)
        _restore_database(archive, manifest, force=force)
        result = RestoreResult()
        for name in manifest["members"]:
            if name.startswith(MEDIA):
                _restore_file(archive, name, manifest["members"][name], force=force)
                result.files += 1
        heads = _member_bytes(archive, manifest["heads"])
    result.heads = _check_restored_heads(heads, source)
    missing = sorted(stored_names() - {n[len(MEDIA) :] for n in manifest["members"]})
    unexpected = [name for name in missing if name not in set(manifest["missing"])]
    if unexpected:
        raise DomainError(
            _("%(n)d file(s) the restored database refers to are not in the backup, e.g. %(name)s.")
            % {"n": len(unexpected), "name": unexpected[0]}
        )
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    result.pending_migrations = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    return result


def _read_manifest(archive: tarfile.TarFile, source: Path) -> dict:
    not_ours = DomainError(_("%(file)s is not a Kinerja backup.") % {"file": source})
    try:
        member = archive.getmember(MANIFEST)
    except (KeyError, tarfile.TarError, OSError):
        raise not_ours from None
    if not member.isreg() or member.size > MAX_MANIFEST:
        raise not_ours
    try:
        manifest = json.loads(_member_bytes(archive, MANIFEST))
    except (ValueError, UnicodeDecodeError):
        raise not_ours from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise not_ours
    if manifest.get("version") != VERSION:
        raise DomainError(
            _("%(file)s is a backup of version %(version)s, which this Kinerja cannot read.")
            % {"file": source, "version": str(manifest.get("version"))[:20]}
        )
    members = manifest.get("members")
    vendor = manifest.get("vendor")
    well_formed = (
        vendor in DATABASE
        and manifest.get("database") == DATABASE[vendor]
        and manifest.get("heads") == HEADS
        and isinstance(members, dict)
        and isinstance(manifest.get("missing"), list)
        and all(_member_entry(name, entry) for name, entry in members.items())
        and {DATABASE[vendor], HEADS} <= set(members)
    )
    if not well_formed:
        raise not_ours
    return manifest


SAFE_NAME = re.compile(r"^[^\x00-\x1f\\]+$")


def _member_entry(name: Any, entry: Any) -> bool:
    if not isinstance(name, str) or not isinstance(entry, dict):
        return False
    if not isinstance(entry.get("size"), int) or not isinstance(entry.get("sha256"), str):
        return False
    if name in DATABASE.values() or name == HEADS:
        return True
    return name.startswith(MEDIA) and safe_storage_name(name[len(MEDIA) :])


def safe_storage_name(name: str) -> bool:
    """A relative name inside the storage: no absolute path, no "..", no control characters."""
    parts = name.split("/")
    return (
        bool(SAFE_NAME.match(name))
        and not name.startswith("/")
        and all(part not in ("", ".", "..") for part in parts)
    )


def _check_members(archive: tarfile.TarFile, manifest: dict, source: Path) -> None:
    """Every member is one the manifest names, with its size and SHA-256; none is missing."""
    expected = manifest["members"]
    seen = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        entry = expected.get(member.name)
        if entry is None or not member.isreg():
            raise DomainError(
                _(
                    "%(file)s holds %(name)s, which its manifest does not name. Nothing was restored."
                )
                % {"file": source, "name": member.name[:200]}
            )
        if member.name in seen:
            raise DomainError(
                _("%(file)s holds %(name)s twice.") % {"file": source, "name": member.name[:200]}
            )
        seen.add(member.name)
        digest = hashlib.sha256()
        extracted = archive.extractfile(member)
        assert extracted is not None  # a regular file
        size = 0
        while chunk := extracted.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise DomainError(
                _(
                    "%(name)s in %(file)s is damaged: its SHA-256 is not the one in the "
                    "manifest. Nothing was restored."
                )
                % {"file": source, "name": member.name[:200]}
            )
    absent = sorted(set(expected) - seen)
    if absent:
        raise DomainError(
            _("%(file)s lacks %(name)s, which its manifest names. Nothing was restored.")
            % {"file": source, "name": absent[0][:200]}
        )


def _member_bytes(archive: tarfile.TarFile, name: str) -> bytes:
    extracted = archive.extractfile(name)
    assert extracted is not None
    return extracted.read()


def _check_empty(force: bool) -> None:
    tables = connection.introspection.table_names()
    if tables and not force:
        raise DomainError(
            _(
                "The database is not empty (it has %(n)d tables): restore onto a new, empty "
                "database, or add --force to overwrite it."
            )
            % {"n": len(tables)}
        )
    if not force and _storage_holds_files():
        raise DomainError(
            _(
                "The file storage (MEDIA_ROOT) is not empty: restore into a new, empty one, "
                "or add --force to write over it."
            )
        )


def _storage_holds_files() -> bool:
    try:
        folders, files = default_storage.listdir("")
    except (FileNotFoundError, NotImplementedError):
        return False
    return bool(folders or files)


def _restore_database(archive: tarfile.TarFile, manifest: dict, *, force: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="kinerja-restore-") as tmp:
        dump = Path(tmp) / manifest["database"]
        extracted = archive.extractfile(manifest["database"])
        assert extracted is not None
        with dump.open("wb") as out:
            shutil.copyfileobj(extracted, out, CHUNK)
        if connection.vendor == "sqlite":
            source = sqlite3.connect(dump)
            try:
                connection.close()
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
                connection.close()
            return
        connection.close()
        options = ["--clean", "--if-exists"] if force else []
        _run_pg(
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            *options,
            _dbname_arg(),
            str(dump),
        )


def _restore_file(archive: tarfile.TarFile, member: str, entry: dict, *, force: bool) -> None:
    name = member[len(MEDIA) :]
    if force and default_storage.exists(name):
        default_storage.delete(name)
    extracted = archive.extractfile(member)
    assert extracted is not None
    reader = _Hashing(extracted)
    saved = default_storage.save(name, File(io.BufferedReader(reader, CHUNK), name=name))
    if saved != name or reader.sha256.hexdigest() != entry["sha256"]:
        raise DomainError(
            _("The storage did not keep %(name)s as it is in the backup.") % {"name": name}
        )


def _check_restored_heads(heads: bytes, source: Path) -> int:
    check = audit_heads.check_export(io.BytesIO(heads), f"{source}:{HEADS}")
    if check.problems:
        raise DomainError(
            _("The restored audit record is not the one backed up: %(problem)s")
            % {"problem": check.problems[0]}
        )
    streams = AuditHead.objects.count()
    if streams != check.heads:
        raise DomainError(
            _(
                "The restored audit record is not the one backed up: it has %(n)d streams, "
                "the backup %(m)d."
            )
            % {"n": streams, "m": check.heads}
        )
    return check.heads


# --- PostgreSQL's client programs ----------------------------------------------------------


def _dbname_arg() -> str:
    return f"--dbname={connection.settings_dict['NAME']}"


def _run_pg(program: str, *args: str) -> None:
    """Run pg_dump or pg_restore against the configured database; its error in one line."""
    from django.db.backends.postgresql.client import DatabaseClient

    executable = shutil.which(program)
    if executable is None:
        raise DomainError(
            _(
                "%(program)s was not found: install PostgreSQL's client programs "
                "(postgresql-client, the server's version or newer)."
            )
            % {"program": program}
        )
    settings = connection.settings_dict
    command = [executable]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command.append(f"{option}={settings[key]}")
    _unused, env = DatabaseClient.settings_to_cmd_args_env(settings, [])
    finished = subprocess.run(  # noqa: S603 (a program found on PATH, arguments as a list)
        [*command, *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=PG_TIMEOUT,
        check=False,
    )
    if finished.returncode != 0:
        lines = [line for line in finished.stderr.splitlines() if line.strip()]
        raise DomainError(
            _("%(program)s failed: %(error)s")
            % {"program": program, "error": (lines[-1] if lines else "")[:300]}
        )
