"""What the document tests share: the SOP personas, a process of SOP-013 (the PK), real files
of each kind, a media directory of the test's own and a demo PKI for signing."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from kinerja import actions
from kinerja.demo.services import build_demo
from kinerja.documents import pki
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task
from kinerja.workflow.tests import conftest as workflow_fixtures
from kinerja.workflow.tests.conftest import TUESDAY_MORNING, at  # noqa: F401
from kinerja.workflow.tests.test_process_run import LANE_LOGIN, act, active  # noqa: F401


@pytest.fixture
def demo(db, tmp_path, settings, pki_dir):
    """The demo organisation (workflow/tests/conftest.py), its certificates in the run's PKI.

    build_demo issues the signing officials' certificates into KINERJA_PKI_DIR; pointed at
    the session's directory they are made once per run, never in the checkout's var/pki.
    """
    settings.KINERJA_PKI_DIR = pki_dir
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


@pytest.fixture
def separate_names(demo):
    """Undo the demo's merges: 'Draft PK' and 'Dokumen PK' are two documents again."""
    DocumentType.objects.filter(same_as__isnull=False).update(same_as=None)


# The personas of the SOPs (workflow/tests/conftest.py), shared rather than copied.
pelaksana = workflow_fixtures.pelaksana
kasubbag = workflow_fixtures.kasubbag
kabag = workflow_fixtures.kabag
asisten3 = workflow_fixtures.asisten3
sekda = workflow_fixtures.sekda
walikota = workflow_fixtures.walikota
outsider = workflow_fixtures.outsider
admin = workflow_fixtures.admin
personas = workflow_fixtures.personas

# --- the language of the messages ---------------------------------------------------------


@pytest.fixture
def english():
    """Messages are checked by their English msgid (the catalogue's default is Indonesian)."""
    with translation.override("en"):
        yield


# --- where files go -----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Each test stores its files in its own directory, and can look at what is left there."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- files of each kind -------------------------------------------------------------------


def pdf_bytes(text: str = "Draft PK", pages: int = 1) -> bytes:
    """A real PDF (pypdf), different for different `text`."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(text: str = "Perjanjian Kinerja") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(value: str = "Indikator") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt_bytes(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    """A minimal ODT: the `mimetype` entry first and stored, as ODF 1.2 part 3 requires."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(
            zipfile.ZipInfo("mimetype"),
            mimetype,
            compress_type=zipfile.ZIP_STORED,
        )
        package.writestr("content.xml", "<office:document-content/>")
        package.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return out.getvalue()


def with_macros(office: bytes, member: str = "word/vbaProject.bin") -> bytes:
    out = io.BytesIO(office)
    with zipfile.ZipFile(out, "a") as package:
        package.writestr(member, b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("foto.jpg", b"\xff\xd8\xff not really")
    return out.getvalue()


# --- a process of SOP-013 (Perjanjian Kinerja) --------------------------------------------


@pytest.fixture
def pk_process(kasubbag):
    """'Penyusunan PK 2026', started by the Kasubbag on an ordinary Tuesday morning."""
    return actions.start_process(
        sop=find_sop("SOP-013"),
        title="Penyusunan Perjanjian Kinerja 2026",
        year=2026,
        by=kasubbag,
        now=TUESDAY_MORNING,
    )


@pytest.fixture
def draft_pk(db) -> DocumentType:
    return DocumentType.objects.get(name="Draft PK")


@pytest.fixture
def dokumen_pk(db) -> DocumentType:
    return DocumentType.objects.get(name="Dokumen PK")


def run_until(process, personas, step_number: int, start=TUESDAY_MORNING) -> tuple:
    """Do each step as its official until step `step_number` is the active task."""
    now = start
    while True:
        (task,) = active(process)
        if task.step.number == step_number:
            return task, now
        now += dt.timedelta(minutes=5)
        act(task, personas[LANE_LOGIN[task.position.code]], now)


def task_at(process, step_number: int) -> Task:
    return process.tasks.get(status=Task.Status.ACTIVE, step__number=step_number)


def grant(user, *perms: str):
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # The permission cache of the user object would hide the new permission.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


# --- signing ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory) -> Path:
    """One demo CA for the whole run; the officials' certificates are added when first needed."""
    directory = tmp_path_factory.mktemp("pki")
    pki.ensure_demo_ca(directory)
    return directory


@pytest.fixture
def signing(settings, pki_dir, demo):
    """The local backend with the demo officials' certificates (the Sekda, the Walikota...)."""
    from kinerja.demo.documents import ensure_demo_pki

    settings.KINERJA_SIGNING_BACKEND = "local"
    settings.KINERJA_PKI_DIR = pki_dir
    settings.KINERJA_SIGNING_CERT = ""
    settings.KINERJA_SIGNING_KEY = ""
    settings.KINERJA_SIGNING_TRUST_ROOTS = []
    ensure_demo_pki(pki_dir)  # made by the demo already; kept here so the intent is visible
    return pki_dir
