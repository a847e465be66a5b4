"""The letters of a Renja name its period: made in 2026, the Renja is for 2027, and its
nota dinas and surat pengantar say 2027 in the subject, the body and the list of
documents sent (issue: "subject 2027, body 2026, cover letter Dokumen Renja 2026")."""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.utils import translation

from kinerja import actions
from kinerja.documents import letter_filling, letters
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Task
from kinerja.workflow.tests.conftest import TUESDAY_MORNING
from kinerja.workflow.tests.test_process_run import LANE_LOGIN, act

pytestmark = pytest.mark.django_db


def pdf_text(letter) -> str:
    pdf = letters.render_pdf(letter)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def letter_of(process, kind, task, user):
    """The letter as the step's form makes it when the clerk types nothing."""
    values = letter_filling.initial_values(process, kind, task=task, by=user, today=DAY)
    values.setdefault("number", "000.7/12/Ren")
    return letter_filling.build_letter(process, kind, values, task=task, by=user)


DAY = dt.date(2026, 2, 3)


@pytest.fixture
def renja(kasubbag):
    process = actions.start_process(
        sop=find_sop("SOP-015"),
        title="Penyusunan Rencana Kerja Tahun 2027",
        year=2027,
        by=kasubbag,
        now=TUESDAY_MORNING,
    )
    assert process.run_year == 2026
    return process


def the_years_named(text: str) -> set[str]:
    return set(re.findall(r"Tahun (\d{4})", text))


def test_a_renja_nota_dinas_names_the_period_in_its_subject_and_body(renja, kasubbag):
    task = renja.tasks.get(status=Task.Status.ACTIVE)
    with translation.override("id"):
        letter = letter_of(renja, "nota_dinas", task, kasubbag)
        text = pdf_text(letter)
    assert letter.hal == "Penyusunan Rencana Kerja Tahun 2027"
    assert "Tahun 2027" in letter.opening
    assert "Penyusunan Rencana Kerja Tahun 2027" in text
    assert the_years_named(text) == {"2027"}
    assert "2026" in text  # dated in the year it runs


def test_the_renja_cover_letter_sends_the_renja_of_the_period(renja, personas):
    now = TUESDAY_MORNING
    while True:
        task = renja.tasks.select_related("step", "position").get(status=Task.Status.ACTIVE)
        if task.step.number == 11:  # Membuat surat pengantar pengiriman
            break
        now += dt.timedelta(minutes=5)
        act(task, personas[LANE_LOGIN[task.position.code]], now)
    with translation.override("id"):
        letter = letter_of(renja, "surat_pengantar", task, personas["pelaksana"])
        text = pdf_text(letter)
    assert letter.hal == "Penyusunan Rencana Kerja Tahun 2027"
    # The Renja sent, by its final name (documents' stages), of the period.
    (sent,) = [item.document for item in letter.items]
    assert sent.startswith("Rencana Kerja") and sent.endswith("Tahun 2027"), sent
    assert "Tahun 2027" in letter.opening
    assert sent in text
    assert the_years_named(text) == {"2027"}
