"""manage.py backup and restore: one archive made while the server runs, restored onto a
fresh database and file storage with the same documents, the same hashes and an audit
record that verifies and reconciles; a damaged archive or a database that is not empty
is refused before anything is written.

The backup runs in this process against the test database (committed: pg_dump reads it
from its own connection); the restore and the checks after it run as an operator runs
them, `manage.py` in a shell pointed at a new database and a new media folder.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import translation

from kinerja import actions
from kinerja.core import audit, backup, reconcile
from kinerja.core.audit_models import AuditEvent, AuditHead
from kinerja.demo.services import build_demo, start_demo_processes
from kinerja.documents.models import DocumentVersion, GeneratedLetter
from kinerja.documents.tests.conftest import pdf_bytes
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Process

POSTGRES = connection.vendor == "postgresql"
only_postgres = pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's snapshot and pg_dump")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(settings, tmp_path, media):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


def users():
    return {u.username: u for u in get_user_model().objects.select_related("person")}


def upload(text="Draft PK"):
    """The Kasubbag starts the PK and uploads its draft: one stored file, one version."""
    who = users()
    process = actions.start_process(
        sop=find_sop("SOP-013"),
        title=f"Penyusunan {text}",
        year=2026,
        reason="PK perubahan",  # some tests start a second PK for 2026
        by=who["kasubbag"],
    )
    return actions.upload(
        process=process,
        document_type=DocumentType.objects.get(name="Draft PK"),
        content=io.BytesIO(pdf_bytes(text)),
        name=f"{text}.pdf",
        by=who["kasubbag"],
    )


# --- an operator's shell on a fresh database -----------------------------------------------


@pytest.fixture
def fresh(tmp_path):
    """A new, empty database and media folder, as the environment of `manage.py`."""
    media = tmp_path / "restored-media"
    if not POSTGRES:
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield {"url": url, "media": media, "sqlite": tmp_path / "restored.sqlite3"}
        return
    name = f"kinerja_restore_{uuid.uuid4().hex[:10]}"
    params = connection.get_connection_params()
    admin = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
        server.execute(f"CREATE DATABASE {name}")
    s = connection.settings_dict
    url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT'] or 5432}/{name}"
    try:
        yield {"url": url, "media": media, "postgres": {"dbname": name, **admin}}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as server:
            server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def manage(target, *args):
    manage_py = Path(django_settings.BASE_DIR) / "manage.py"
    env = {
        **os.environ,
        "DATABASE_URL": target["url"],
        "MEDIA_ROOT": str(target["media"]),
        "KINERJA_VAR_DIR": str(target["media"].parent / "var"),
    }
    return subprocess.run(
        [sys.executable, str(manage_py), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def query(target, sql):
    """Rows of the restored database, read without Django."""
    if "sqlite" in target:
        with sqlite3.connect(target["sqlite"]) as db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(**target["postgres"]) as db:
        return db.execute(sql).fetchall()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the round trip ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_onto_a_fresh_database_has_the_same_documents_and_record(
    demo, tmp_path, fresh
):
    # The demo: last year's PK to the end (letters, paraf, two signatures, archive), this
    # year's LKjIP and Renja under way; and one more process with its draft.
    start_demo_processes()
    upload("Draft PK Perubahan")
    versions = sorted(DocumentVersion.objects.values_list("public_id", "file", "sha256"))
    letters = sorted(GeneratedLetter.objects.values_list("docx", "docx_sha256"))
    heads = sorted(AuditHead.objects.values_list("key", "last_seq", "last_hash"))
    assert len(versions) >= 8 and letters

    archive = tmp_path / "kinerja-backup.tar"
    out = io.StringIO()
    with translation.override("id"):
        call_command("backup", str(archive), stdout=out)
    assert out.getvalue().startswith(
        f"Dicadangkan ke {archive}: basis data, {len(versions) + len(letters)} berkas"
    )

    restored = manage(fresh, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert f"Dipulihkan {archive}" in restored.stdout
    checked = manage(fresh, "audit", "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[1].endswith("sesuai dengan catatan audit.")

    # The same documents with the same hashes, and the files hold exactly those bytes.
    assert (
        sorted(
            (uuid.UUID(str(p)), f, h)
            for p, f, h in query(
                fresh, "SELECT public_id, file, sha256 FROM documents_documentversion"
            )
        )
        == versions
    )
    for _public_id, name, recorded in versions:
        assert sha256(fresh["media"] / name) == recorded
    for name, recorded in letters:
        assert sha256(fresh["media"] / name) == recorded
    assert sorted(query(fresh, "SELECT key, last_seq, last_hash FROM core_audithead")) == heads

    # Restoring again onto what is now not empty is refused, and changes nothing.
    again = manage(fresh, "restore", str(archive))
    assert again.returncode == 1
    assert again.stderr.strip().startswith("CommandError: Basis data tidak kosong (ada ")
    # With --force it is written over, and is the same again.
    forced = manage(fresh, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert manage(fresh, "audit", "check").returncode == 0
    assert sorted(query(fresh, "SELECT key, last_seq, last_hash FROM core_audithead")) == heads
    if POSTGRES:  # the restored database still refuses to change the record
        import psycopg

        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            query(fresh, "UPDATE core_auditevent SET action = 'x'")


@only_postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_is_of_one_moment_while_others_keep_working(demo, tmp_path, fresh, monkeypatch):
    # An official uploads a draft after the heads were read and before pg_dump starts;
    # the archive must hold neither its rows nor its events nor its file, and still add up.
    upload("Draft PK")
    dump = backup._dump_database

    def others_act_meanwhile(out):
        worker = threading.Thread(target=upload_elsewhere)
        worker.start()
        worker.join()
        return dump(out)

    def upload_elsewhere():
        try:
            upload("Draft PK Perubahan")
        finally:
            connections.close_all()

    monkeypatch.setattr(backup, "_dump_database", others_act_meanwhile)
    archive = tmp_path / "during.tar"
    result = backup.backup(archive)
    assert Process.objects.count() == 2  # the second upload did happen
    assert result.files == 1
    restored = manage(fresh, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert manage(fresh, "audit", "check").returncode == 0
    assert query(fresh, "SELECT count(*) FROM workflow_process") == [(1,)]


# --- refusals ------------------------------------------------------------------------------


@pytest.fixture
def archive(demo, tmp_path):
    """A backup of the demo and one uploaded draft."""
    upload()
    path = tmp_path / "backup.tar"
    backup.backup(path)
    return path


def restore_here(path, *args):
    with translation.override("id"), pytest.raises(CommandError) as caught:
        call_command("restore", str(path), *args, stdout=io.StringIO())
    return str(caught.value)


def rewrite(path, change):
    """The archive rewritten member by member, `change(name, data)` deciding each (None: drop)."""
    with tarfile.open(path) as old:
        members = [(m.name, old.extractfile(m).read()) for m in old.getmembers()]
    with tarfile.open(path, "w") as new:
        for name, data in members:
            data = change(name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(archive):
    events = AuditEvent.objects.count()
    message = restore_here(archive)
    assert message.startswith("Basis data tidak kosong (ada ")
    assert message.endswith(
        " tabel): pulihkan ke basis data baru yang kosong, atau tambahkan --force untuk menimpanya."
    )
    assert AuditEvent.objects.count() == events
    assert audit.verify() == [] and reconcile.reconcile().ok


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_whose_file_does_not_match_its_manifest(archive):
    version = DocumentVersion.objects.get()
    member = f"media/{version.file.name}"

    def flip_one_byte(name, data):
        return data[:-10] + bytes([data[-10] ^ 1]) + data[-9:] if name == member else data

    rewrite(archive, flip_one_byte)
    assert restore_here(archive) == (
        f"{member} di {archive} rusak: SHA-256-nya bukan yang tercatat di manifest. "
        "Tidak ada yang dipulihkan."
    )


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_with_a_member_missing_or_added(archive, tmp_path):
    version = DocumentVersion.objects.get()
    member = f"media/{version.file.name}"
    rewrite(archive, lambda name, data: None if name == member else data)
    assert restore_here(archive) == (
        f"{archive} tidak memuat {member}, padahal manifestnya menyebutnya. "
        "Tidak ada yang dipulihkan."
    )

    with tarfile.open(archive, "a") as more:
        info = tarfile.TarInfo("media/../../etc/cron.d/kinerja")
        info.size = 3
        more.addfile(info, io.BytesIO(b"x\n\n"))
    message = restore_here(archive)
    assert message.startswith(f"{archive} memuat media/../../etc/cron.d/kinerja, ")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_what_is_not_a_backup(archive, tmp_path):
    text = tmp_path / "catatan.tar"
    text.write_text("bukan arsip", encoding="utf-8")
    assert restore_here(text) == f"{text} bukan cadangan Kinerja."
    assert (
        restore_here(tmp_path / "tidak-ada.tar")
        == f"Tidak ada berkas {tmp_path / 'tidak-ada.tar'}."
    )

    def escape(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["members"]["media/../rahasia.txt"] = {"size": 1, "sha256": "0" * 64}
        return json.dumps(manifest).encode()

    rewrite(archive, escape)
    assert restore_here(archive) == f"{archive} bukan cadangan Kinerja."


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_compressed_archive_cut_short(demo, tmp_path):
    upload()
    path = tmp_path / "backup.tar.gz"
    backup.backup(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert restore_here(path) == (
        f"{path} rusak: tidak dapat dibaca sampai akhir. Tidak ada yang dipulihkan."
    )


@pytest.mark.django_db(transaction=True)
def test_a_file_missing_from_the_storage_fails_the_backup_unless_allowed(demo, tmp_path):
    version = upload()
    Path(version.file.path).unlink()
    target = tmp_path / "backup.tar"
    with translation.override("id"), pytest.raises(CommandError) as caught:
        call_command("backup", str(target), stdout=io.StringIO())
    assert str(caught.value) == (
        f"1 berkas tersimpan yang dirujuk basis data tidak ada, misalnya {version.file.name}; "
        "tidak ada yang ditulis. Carilah berkas itu, atau cadangkan tanpanya dengan "
        "--allow-missing."
    )
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".kinerja")] == []
    err = io.StringIO()
    with translation.override("id"):
        call_command("backup", str(target), "--allow-missing", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == (
        f"Tidak ada di penyimpanan, jadi tidak ikut dicadangkan: {version.file.name}\n"
    )
    with tarfile.open(target) as made:
        manifest = json.loads(made.extractfile("manifest.json").read())
    assert manifest["missing"] == [version.file.name]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("exists", "sudah ada; beri nama berkas baru untuk cadangan."),
        ("nowhere/backup.tar", "Tidak ada folder "),
    ],
)
def test_backup_refuses_a_file_that_exists_or_a_folder_that_does_not(db, tmp_path, name, message):
    (tmp_path / "exists").write_text("cadangan kemarin", encoding="utf-8")
    with translation.override("id"), pytest.raises(CommandError) as caught:
        call_command("backup", str(tmp_path / name), stdout=io.StringIO())
    assert message in str(caught.value)
    assert (tmp_path / "exists").read_text(encoding="utf-8") == "cadangan kemarin"


def test_stored_names_are_every_file_field_of_every_model(db):
    # The documents' versions, the DOCX of generated letters, the DOCX and XLSX of the
    # drafts made from the data, the evidence of the realisasi and the signed SOPs: what a
    # backup must hold.
    fields = {
        (model._meta.label, f.name)
        for model in apps.get_models()
        for f in model._meta.local_concrete_fields
        if f.get_internal_type() == "FileField"
    }
    assert fields == {
        ("documents.DocumentVersion", "file"),
        ("documents.GeneratedLetter", "docx"),
        ("performance.GeneratedReport", "docx"),
        ("performance.GeneratedReport", "xlsx"),
        ("performance.RealisasiEvidence", "file"),
        # The signed PDF of an SOP's approval (issue 13).
        ("sop.SopSignature", "file"),
    }
    assert backup.stored_names() == set()


def test_storage_names_that_leave_the_storage_are_refused():
    assert backup.safe_storage_name("dokumen/1/abc/Draft PK.pdf")
    for name in ("../x", "/etc/passwd", "dokumen/../../x", "a//b", "a\\b", "a\x00b", ""):
        assert not backup.safe_storage_name(name), name
