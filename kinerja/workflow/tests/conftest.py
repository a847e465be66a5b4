"""Personas of the SOPs: the Pelaksana, the Kasubbag, the Kabag, the Asisten III, the Sekda,
the Walikota, an outsider, and the administrator."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from kinerja.demo.services import build_demo

WITA = ZoneInfo("Asia/Makassar")


def at(*args) -> dt.datetime:
    """A moment in Banjarbaru: at(2026, 2, 3, 10, 0)."""
    return dt.datetime(*args, tzinfo=WITA)


# Tuesday 3 February 2026, 10:00 WITA: an ordinary working morning.
TUESDAY_MORNING = at(2026, 2, 3, 10, 0)


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


def _user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture
def pelaksana(demo):
    return _user("pelaksana")


@pytest.fixture
def kasubbag(demo):
    return _user("kasubbag")


@pytest.fixture
def kabag(demo):
    return _user("kabag")


@pytest.fixture
def asisten3(demo):
    return _user("asisten3")


@pytest.fixture
def sekda(demo):
    return _user("sekda")


@pytest.fixture
def walikota(demo):
    return _user("walikota")


@pytest.fixture
def outsider(demo):
    return _user("operator-hukum")


@pytest.fixture
def admin(demo):
    return _user("admin")


@pytest.fixture
def personas(pelaksana, kasubbag, kabag, asisten3, sekda, walikota):
    return {
        "pelaksana": pelaksana,
        "kasubbag": kasubbag,
        "kabag": kabag,
        "asisten3": asisten3,
        "sekda": sekda,
        "walikota": walikota,
    }


def ink_scan() -> dict:
    """The sign() options of an official who signs on paper: the scan of the signed page
    (the step's next version; final at the SOP's last signing step)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Halaman bertanda tangan basah"})
    out = io.BytesIO()
    writer.write(out)
    out.seek(0)
    return {"electronic": False, "content": out, "name": "ttd-basah.pdf"}
