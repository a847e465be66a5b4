"""Fixtures shared by every app's tests: the organisation and the shipped SOPs."""

import pytest

from kinerja.org.services import load_structure
from kinerja.sop.models import SopVersion
from kinerja.sop.services import import_shipped


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that log in dozens of users use a fast hasher.

    kinerja/core/tests/test_settings.py checks that the real settings use Argon2.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _session_files(tmp_path_factory):
    return tmp_path_factory.mktemp("files")


@pytest.fixture(autouse=True)
def _files_outside_the_checkout(settings, _session_files):
    """Uploaded files (and Django's temporary copies of large ones) and the demo's certificates
    go to a temporary folder, not var/.

    One folder for the session: the demo's certificates are made once, not per test.
    """
    settings.MEDIA_ROOT = _session_files / "media"
    settings.KINERJA_PKI_DIR = _session_files / "pki"
    settings.FILE_UPLOAD_TEMP_DIR = _session_files / "upload-tmp"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir(exist_ok=True)


@pytest.fixture
def org(db):
    """Units and positions of the Sekretariat Daerah Kota Banjarbaru."""
    load_structure()


@pytest.fixture
def shipped_sops(org):
    """The three shipped SOPs, imported and loaded with their content, by number."""
    import_shipped()
    return {v.sop.number: v for v in SopVersion.objects.with_content().published()}
