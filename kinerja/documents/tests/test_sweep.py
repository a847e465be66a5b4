"""manage.py document sweep: files a dead request left behind are found; recorded ones never."""

import datetime as dt
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from kinerja import actions
from kinerja.documents import sweep

from .conftest import pdf_bytes, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]


def age(name: str, hours: float) -> None:
    path = default_storage.path(name)
    past = time.time() - hours * 3600
    os.utime(path, (past, past))


def test_a_file_no_record_names_is_found_and_deleted_and_recorded_ones_stay(
    pk_process, draft_pk, kasubbag, media
):
    kept = actions.upload(
        process=pk_process,
        document_type=draft_pk,
        content=io.BytesIO(pdf_bytes()),
        name="Draft PK.pdf",
        by=kasubbag,
    )
    left = default_storage.save("dokumen/1/dead-request/Draft-PK.pdf", ContentFile(b"%PDF-1.7"))
    age(left, 2)
    age(kept.file.name, 2)

    assert [o.name for o in sweep.orphans()] == [left]
    out = io.StringIO()
    call_command("document", "sweep", "--delete", stdout=out)
    assert left in out.getvalue() and "1 file without a record deleted." in out.getvalue()
    assert [p.name for p in stored_files(media)] == ["Draft-PK.pdf"]
    assert default_storage.exists(kept.file.name)


def test_a_fresh_file_may_be_an_upload_about_to_commit_and_is_left_alone(media):
    name = default_storage.save("dokumen/1/in-flight/Undangan.pdf", ContentFile(b"%PDF-1.7"))
    assert sweep.orphans() == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert [o.name for o in sweep.orphans(now=later)] == [name]


def test_without_delete_the_command_only_lists(media):
    name = default_storage.save("dokumen/2/x/Nota.pdf", ContentFile(b"%PDF-1.7"))
    age(name, 3)
    out = io.StringIO()
    call_command("document", "sweep", stdout=out)
    assert "1 file without a record (run with --delete to delete it)." in out.getvalue()
    assert default_storage.exists(name)


def test_a_temporary_upload_a_killed_server_left_is_swept_and_a_fresh_one_stays(settings, tmp_path):
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = folder
    # What Django's TemporaryUploadedFile leaves when the server dies mid-request...
    stale = folder / "tmpk3j9x2ab.upload.pdf"
    stale.write_bytes(b"%PDF-1.7 half an upload")
    os.utime(stale, (time.time() - 2 * 3600,) * 2)
    # ...one still arriving (written to a minute ago), and a file that is not Django's.
    arriving = folder / "tmpq8w7e6rt.upload.docx"
    arriving.write_bytes(b"PK\x03\x04")
    os.utime(arriving, (time.time() - 60,) * 2)
    other = folder / "catatan.txt"
    other.write_text("bukan unggahan")
    os.utime(other, (time.time() - 48 * 3600,) * 2)

    out = io.StringIO()
    call_command("document", "sweep", stdout=out)
    assert f"{stale} (23 B)" in out.getvalue()
    assert stale.exists()  # listed only

    out = io.StringIO()
    call_command("document", "sweep", "--delete", stdout=out)
    assert "1 file without a record deleted." in out.getvalue()
    assert sorted(p.name for p in folder.iterdir()) == ["catatan.txt", "tmpq8w7e6rt.upload.docx"]


def test_the_temporary_folder_is_made_at_start_for_its_owner_only(settings, tmp_path):
    from kinerja.core.uploads import ensure_temp_dir

    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "var" / "upload-tmp"
    ensure_temp_dir()
    assert settings.FILE_UPLOAD_TEMP_DIR.is_dir()
    assert settings.FILE_UPLOAD_TEMP_DIR.stat().st_mode & 0o077 == 0
