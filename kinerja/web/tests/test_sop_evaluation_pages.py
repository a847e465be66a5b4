"""The SOP evaluation page: the Kasubbag evaluates SOP-011, a finding opens its revision."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kinerja.sop.models import EVALUATION_QUESTIONS, SopEvaluation, SopVersion

from .conftest import _user_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lkjip(shipped_sops):
    return shipped_sops["SOP-011/SETDA"]


@pytest.fixture
def kasubbag(shipped_sops):
    return _user_for("kasubbag-perencanaan", "kasubbag")


@pytest.fixture
def outsider(shipped_sops):
    """The data officer of the Bagian Hukum."""
    return _user_for("operator-hukum", "operator-hukum")


def url(sop, name="web:sop-evaluation", *args):
    return reverse(name, args=[sop.slug, *args])


def form_data(**tidak) -> dict:
    data = {
        "evaluated_on": timezone.localdate().isoformat(),
        "notes": "SOP berjalan baik pada semester ini.",
        "conclusion": "revise" if tidak else "keep",
    }
    for code, _text in EVALUATION_QUESTIONS:
        data[f"answer_{code}"] = "tidak" if code in tidak else "ya"
        data[f"note_{code}"] = tidak.get(code, "")
    return data


def test_the_kasubbag_evaluates_from_the_sop_page(client, kasubbag, lkjip):
    client.force_login(kasubbag)
    detail = client.get(reverse("web:sop-detail", args=[lkjip.sop.slug])).content.decode()
    assert f'href="{url(lkjip.sop)}" id="sop-evaluation-link"' in detail
    page = client.get(url(lkjip.sop)).content.decode()
    assert "Evaluasi SOP" in page
    assert "Belum pernah dievaluasi" in page or 'id="no-evaluations"' in page
    assert 'id="evaluation-form"' in page
    assert "Mampu mendorong peningkatan kinerja" in page and "Sinergi satu dengan lainnya" in page
    response = client.post(
        url(lkjip.sop), form_data(carried_out="Paraf berjenjang sering melampaui 10 menit.")
    )
    evaluation = SopEvaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#evaluation-{evaluation.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "Evaluasi disimpan." in page
    assert "Paraf berjenjang sering melampaui 10 menit." in page
    assert "SOP perlu direvisi" in page
    assert 'class="open-revision"' in page


def test_a_no_without_a_note_is_refused_next_to_its_criterion(client, kasubbag, lkjip):
    client.force_login(kasubbag)
    response = client.post(url(lkjip.sop), form_data(roles=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "“Semua orang dapat menjalankan perannya masing-masing” dijawab Tidak" in page
    assert not SopEvaluation.objects.exists()
    data = form_data()
    del data["answer_needs"]
    page = client.post(url(lkjip.sop), data).content.decode()
    assert "Jawab setiap kriteria Ya atau Tidak" in page
    data = form_data() | {"evaluated_on": "kemarin"}
    page = client.post(url(lkjip.sop), data).content.decode()
    assert "Tanggal evaluasi bukan tanggal" in page


def test_a_finding_opens_the_revision_and_both_pages_say_so(client, kasubbag, lkjip, admin_user):
    client.force_login(kasubbag)
    client.post(url(lkjip.sop), form_data(problems="Tidak ada langkah bila data terlambat."))
    evaluation = SopEvaluation.objects.get()
    response = client.post(
        url(lkjip.sop, "web:sop-evaluation-revise", evaluation.pk), {"question": "problems"}
    )
    page = client.get(response["Location"]).content.decode()
    assert "Draf revisi versi 2 dibuka" in page
    assert f'id="evaluation-{evaluation.pk}-revision"' in page
    draft = SopVersion.objects.get(sop=lkjip.sop, status="draft")
    assert "Tidak ada langkah bila data terlambat." in draft.change_note
    # The draft's page (for those who maintain SOPs) says why it was made.
    client.force_login(admin_user)
    detail = client.get(reverse("web:sop-detail", args=[lkjip.sop.slug]) + "?v=2")
    text = detail.content.decode()
    assert 'id="revision-reason"' in text
    assert "Mampu mengatasi permasalahan yang berkaitan dengan proses" in text
    # A second finding while the draft is open is refused with a clear message.
    client.force_login(kasubbag)
    client.post(url(lkjip.sop), form_data(synergy="Tumpang tindih dengan SOP-013."))
    second = SopEvaluation.objects.exclude(pk=evaluation.pk).get()
    response = client.post(
        url(lkjip.sop, "web:sop-evaluation-revise", second.pk),
        {"question": "synergy"},
        follow=True,
    )
    assert "sudah memiliki draf revisi (versi 2)" in response.content.decode()


def test_an_outsider_reads_but_may_not_evaluate(client, outsider, lkjip):
    client.force_login(outsider)
    page = client.get(url(lkjip.sop)).content.decode()
    assert 'id="evaluation-form"' not in page
    assert client.post(url(lkjip.sop), form_data()).status_code == 403
    assert not SopEvaluation.objects.exists()


def test_the_pdf_is_the_official_form(client, kasubbag, lkjip):
    client.force_login(kasubbag)
    client.post(url(lkjip.sop), form_data(carried_out="Paraf berjenjang terlalu lama."))
    evaluation = SopEvaluation.objects.get()
    response = client.get(url(lkjip.sop, "web:sop-evaluation-pdf", evaluation.pk))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "FORMULIR EVALUASI STANDAR OPERASIONAL PROSEDUR" in text.upper()
    assert "SOP-011/SETDA (versi 1)" in text
    assert "Mudah dilaksanakan" in text and "Paraf berjenjang terlalu lama." in text
    assert "SOP perlu direvisi" in text
    assert "Demo Kepala Sub Bagian Perencanaan" in text
