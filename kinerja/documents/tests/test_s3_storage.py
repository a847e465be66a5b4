"""Documents on S3-compatible storage, chosen by configuration alone (README "Deployment").

STORAGE_BACKEND=storages.backends.s3.S3Storage with STORAGE_OPTIONS, as an operator sets
them, against moto's in-process S3: an official uploads a draft through the page, it lands
in the bucket and not on the disk, an official of the process downloads the same bytes
through the access-controlled view (an outsider gets 404, a stranger the log-in page), the
nightly backup copies it out of the bucket, and `document sweep` finds a stray object there.
"""

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from moto import mock_aws

from kinerja import actions
from kinerja.core import backup
from kinerja.core.audit_models import AuditEvent
from kinerja.demo.services import build_demo
from kinerja.documents import sweep
from kinerja.documents.models import DocumentVersion
from kinerja.documents.tests.conftest import pdf_bytes
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop

pytestmark = pytest.mark.django_db

BUCKET = "kinerja-dokumen"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def bucket(settings, monkeypatch, tmp_path):
    """The settings an operator writes for S3, with the credentials in the environment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "kunci-uji")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "rahasia-uji")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "file_overwrite": False,
                },
            },
        }
        yield s3


@pytest.fixture
def demo(bucket, settings, tmp_path):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


def logged_in(username):
    client = Client()
    client.force_login(user(username))
    return client


def keys(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def uploaded_draft(content: bytes) -> DocumentVersion:
    """The Kasubbag starts the PK; the Pelaksana uploads its draft through the page."""
    process = actions.start_process(
        sop=find_sop("SOP-013"),
        title="Penyusunan Perjanjian Kinerja Tahun 2026",
        year=2026,
        by=user("kasubbag"),
    )
    response = logged_in("pelaksana").post(
        reverse("web:document-upload", args=[process.pk]),
        {
            "upload-document_type": DocumentType.objects.get(name="Draft PK").pk,
            "upload-note": "Konsep pertama",
            "upload-file": SimpleUploadedFile("Draft PK.pdf", content),
        },
    )
    assert response.status_code in (200, 302), response.content[:500]
    return DocumentVersion.objects.select_related("document").get()


def test_an_uploaded_draft_is_kept_in_the_bucket_and_not_on_the_disk(bucket, demo):
    content = pdf_bytes("Draft PK di S3")
    version = uploaded_draft(content)
    assert version.file.name in keys(bucket)
    stored = bucket.get_object(Bucket=BUCKET, Key=version.file.name)["Body"].read()
    assert stored == content
    assert not (settings.MEDIA_ROOT / version.file.name).exists()


def test_an_official_of_the_process_downloads_it_through_the_app_and_it_is_logged(bucket, demo):
    content = pdf_bytes("Draft PK di S3")
    version = uploaded_draft(content)
    url = reverse("web:document-download", args=[version.public_id])

    response = logged_in("sekda").get(url)  # the Sekda: a lane of SOP-013
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    stream = f"downloads:{version.document.process_id}"
    assert AuditEvent.objects.filter(stream=stream).count() == 1

    # The bucket is private: the app decides who reads, as on the file system.
    assert logged_in("operator-hukum").get(url).status_code == 404  # another bagian
    stranger = Client().get(url)
    assert stranger.status_code == 302 and "/login/" in stranger["Location"]
    assert AuditEvent.objects.filter(stream=stream).count() == 1


# The backup reads its own snapshot (SQLite's backup API, pg_dump): outside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_the_backup_copies_the_file_out_of_the_bucket(bucket, demo, tmp_path):
    content = pdf_bytes("Draft PK di S3")
    version = uploaded_draft(content)
    archive = tmp_path / "cadangan.tar"

    result = backup.backup(archive)

    assert result.files >= 1 and not result.missing
    with tarfile.open(archive) as tar:
        copied = tar.extractfile(backup.MEDIA + version.file.name).read()
        manifest = json.loads(tar.extractfile(backup.MANIFEST).read())
    assert copied == content
    entry = manifest["members"][backup.MEDIA + version.file.name]
    assert entry["sha256"] == hashlib.sha256(content).hexdigest() == version.sha256


def test_document_sweep_finds_a_stray_object_in_the_bucket(bucket, demo):
    version = uploaded_draft(pdf_bytes("Draft PK di S3"))
    bucket.put_object(Bucket=BUCKET, Key="dokumen/999/sisa/yatim.pdf", Body=io.BytesIO(b"%PDF-"))

    later = timezone.now() + dt.timedelta(hours=2)
    found = [orphan.name for orphan in sweep.orphans(now=later)]

    assert "dokumen/999/sisa/yatim.pdf" in found
    assert version.file.name not in found


def test_the_keys_may_come_from_files(tmp_path):
    """AWS_S3_ACCESS_KEY_ID_FILE / AWS_S3_SECRET_ACCESS_KEY_FILE, as systemd's
    LoadCredential= or Docker's secrets hand them over, reach the storage."""
    (tmp_path / "key").write_text("kunci-dari-berkas\n")
    (tmp_path / "secret").write_text("rahasia-dari-berkas\n")
    ignored = {"DATABASE_URL", "DATABASE_URL_FILE", "STORAGE_BACKEND", "STORAGE_OPTIONS"}
    env = {k: v for k, v in os.environ.items() if k not in ignored and not k.startswith("AWS_")}
    env.update(
        DEBUG="true",
        DATABASE_URL="sqlite:///:memory:",
        STORAGE_BACKEND="storages.backends.s3.S3Storage",
        STORAGE_OPTIONS=json.dumps({"bucket_name": BUCKET, "endpoint_url": "http://127.0.0.1:9"}),
        AWS_S3_ACCESS_KEY_ID_FILE=str(tmp_path / "key"),
        AWS_S3_SECRET_ACCESS_KEY_FILE=str(tmp_path / "secret"),
    )
    code = (
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.bucket_name, s.access_key, s.secret_key, s.endpoint_url)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "S3Storage",
        BUCKET,
        "kunci-dari-berkas",
        "rahasia-dari-berkas",
        "http://127.0.0.1:9",
    ]
