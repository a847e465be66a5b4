"""The PK page as the Sub Bagian Perencanaan prepares it and the officials read it: draft
from the cascade, record the signing, revise with a reason, every revision readable, the
targets and budget in Excel."""

import html
import io
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinerja.core.audit import events_for
from kinerja.org.models import Position
from kinerja.performance import services
from kinerja.performance.models import PerformanceAgreement

from .test_agreements import budget, officials  # noqa: F401 - the fixture, and the Renja

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("officials")]


@pytest.fixture
def page(setda):
    def make(who):
        client = Client()
        client.force_login(setda[who])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def scene(setda, **more):
    return {"renstra": setda["renstra"].pk, "year": 2026, **more}


def _draft(setda, client, code="kabag-tapem"):
    position = Position.objects.get(code=code)
    response = client.post(reverse("web:agreement-draft"), scene(setda, position=position.pk))
    assert response.status_code == 302, text(response)
    return PerformanceAgreement.objects.get(position=position, revision=0)


def test_the_preparer_drafts_signs_and_revises_and_every_revision_stays_readable(setda, page):
    budget(setda)
    kasubbag = page("kasubbag")
    shown = text(kasubbag.get(reverse("web:agreements"), scene(setda)))
    assert "Draft a PK for 2026" in shown
    pk = _draft(setda, kasubbag)
    shown = text(kasubbag.get(reverse("web:agreements"), scene(setda)))
    assert "The draft PK 2026 of Kepala Bagian Tata Pemerintahan is made from the cascade." in shown
    assert "Eselon III each Kepala Bagian with their superior" in shown
    assert "IK1 Indeks kepuasan layanan pemerintahan 3,5 indeks" in shown
    # A draft shows who holds the posts today and the Renja as it is.
    assert "Plt. Sekretaris Daerah" in shown and "Rp65.500.000" in shown
    signed = kasubbag.post(
        reverse("web:agreement-sign", args=[pk.pk]),
        {f"s{pk.pk}-on": "2026-01-15", f"s{pk.pk}-place": "Banjarbaru"},
    )
    assert signed.status_code == 302
    shown = text(kasubbag.get(signed["Location"]))
    assert (
        "The signing of the PK of Kepala Bagian Tata Pemerintahan on 15-01-2026 is recorded."
        in (shown)
    )
    assert "Banjarbaru, 15 January 2026" in shown
    # Signed: the budget table is the snapshot, program -> kegiatan with the total.
    assert (
        "4.01.01.2.01 Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah "
        "Rp65.500.000 Total Rp65.500.000"
    ) in shown
    assert "(from the Renja as it is today" not in shown
    revised = kasubbag.post(
        reverse("web:agreement-revise", args=[pk.pk]),
        {f"v{pk.pk}-reason": "official", f"v{pk.pk}-note": "Kabag baru dilantik."},
    )
    assert revised.status_code == 302
    revision = PerformanceAgreement.objects.get(previous=pk)
    shown = text(kasubbag.get(revised["Location"]))
    assert "PK Perubahan 1 2026 — Kepala Bagian Tata Pemerintahan" in shown
    assert "Reason: a change of official — Kabag baru dilantik." in shown
    assert "Revisions: PK (signed, 15-1-2026) · Perubahan 1 (draft)" in shown
    kasubbag.post(
        reverse("web:agreement-sign", args=[revision.pk]),
        {
            f"s{revision.pk}-on": "2026-07-02",
            f"s{revision.pk}-place": "Banjarbaru",
            "from": "detail",
        },
    )
    # The first PK is superseded and still reads as it was signed.
    first = text(kasubbag.get(reverse("web:agreement", args=[pk.pk])))
    assert "This PK was replaced by a signed revision" in first
    assert (
        "Demo Kepala Bagian Tata Pemerintahan" in first and "Banjarbaru, 15 January 2026" in first
    )
    assert [e.action for e in events_for(services.stream_of(setda["renstra"]))][-4:] == [
        "pk-draft",
        "pk-sign",
        "pk-revise",
        "pk-sign",
    ]


def test_bad_input_is_named_beside_its_field(setda, page):
    kasubbag = page("kasubbag")
    pk = _draft(setda, kasubbag)
    no_place = kasubbag.post(
        reverse("web:agreement-sign", args=[pk.pk]), {f"s{pk.pk}-on": "2026-01-15"}
    )
    assert no_place.status_code == 400 and "This field is required." in text(no_place)
    late = kasubbag.post(
        reverse("web:agreement-sign", args=[pk.pk]),
        {f"s{pk.pk}-on": "2027-03-01", f"s{pk.pk}-place": "Banjarbaru"},
    )
    assert late.status_code == 400
    assert "A PK for 2026 is signed in 2026 (or the December before), not on 2027-03-01." in text(
        late
    )
    pk.refresh_from_db()
    assert pk.status == "draft"
    kasubbag.post(
        reverse("web:agreement-sign", args=[pk.pk]),
        {f"s{pk.pk}-on": "2026-01-15", f"s{pk.pk}-place": "Banjarbaru"},
    )
    no_reason = kasubbag.post(
        reverse("web:agreement-revise", args=[pk.pk]), {f"v{pk.pk}-note": "x"}
    )
    assert no_reason.status_code == 400 and "This field is required." in text(no_reason)
    assert not PerformanceAgreement.objects.filter(previous=pk).exists()


def test_who_reads_and_who_prepares(setda, page):
    pk = _draft(setda, page("kasubbag"))
    operator = page("tapem")
    shown = text(operator.get(reverse("web:agreements"), scene(setda)))
    # The bagian reads its Kabag's PK but prepares nothing.
    assert "Kepala Bagian Tata Pemerintahan" in shown and "Draft a PK" not in shown
    assert "Record the signing" not in shown
    refused = operator.post(
        reverse("web:agreement-sign", args=[pk.pk]),
        {f"s{pk.pk}-on": "2026-01-15", f"s{pk.pk}-place": "Banjarbaru"},
    )
    assert refused.status_code == 403
    # Another bagian does not read it at all.
    assert page("hukum").get(reverse("web:agreement", args=[pk.pk])).status_code == 404
    assert "No Perjanjian Kinerja of 2026 is yours to read yet." in text(
        page("hukum").get(reverse("web:agreements"), scene(setda))
    )


def test_the_targets_and_budget_download_as_xlsx(setda, page):
    budget(setda)
    pk = _draft(setda, page("kasubbag"))
    response = page("tapem").get(reverse("web:agreement-sheet", args=[pk.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="pk-2026-kabag-tapem.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == ["Perjanjian Kinerja 2026 — Kepala Bagian Tata Pemerintahan"]
    assert cells[6][-3:] == ["IK1 Indeks kepuasan layanan pemerintahan", "3,5", "indeks"]
    assert cells[-1][-2:] == ["Total", "Rp65.500.000"]


def test_the_page_speaks_indonesian(setda):
    client = Client()
    client.force_login(setda["kasubbag"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    shown = text(client.get(reverse("web:agreements"), scene(setda)))
    assert "Buat draf PK 2026" in shown and "Belum ada Perjanjian Kinerja 2026" in shown
