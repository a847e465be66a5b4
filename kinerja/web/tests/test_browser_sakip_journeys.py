"""In a real browser: the three SAKIP journeys of issue 12, from the data to the signed
document, each driven as the officials drive it on the pages.

1. SOP-013: the PKs of the year drafted from the Renstra, "Buat draft dari data" at step 3,
   the checklist, the paraf of the Kasubbag and the Kabag, the signatures of the Sekda and
   the Walikota; the PK page then shows the Sekda's PK signed with its parties (the
   Kabag's and the Kasubbag's, in the same file, stay drafts: their parties did not
   sign), and the final PDF holds the regulation's statement, the targets, and the place
   and date of signing.
2. SOP-011: a year whose four quarters are closed, the LKjIP drafted at step 3, the paraf
   of the Kasubbag, the Kabag and the Asisten III, the Sekda's signature, filed at step 8;
   the archive register lists it, and the PDF has the chapters and a capaian with its
   formula.
3. SOP-015: a bagian's operator proposes a sub kegiatan on the Renja page, the Kasubbag
   accepts it, the Renja drafted at step 6 and again at step 9 (which says what changed),
   signed by the Sekda, the Surat Pengantar numbered at step 11 and the Renja sent to
   Bappeda at step 13 under that number.

The scene (the demo, the closed quarters, the drafted PK records, steps that only pass a
task on) is set through kinerja.actions; what the issue names is done on the pages.
A screenshot of each journey's end (1366 px) goes to KINERJA_JOURNEYS, when it is set.
"""

import io
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from pypdf import PdfReader

from kinerja import actions
from kinerja.demo.performance import load_demo_performance
from kinerja.demo.services import build_demo
from kinerja.documents import pki
from kinerja.documents.models import ArchiveEntry, Dispatch, DocumentVersion
from kinerja.documents.signing import verify_pdf
from kinerja.documents.tests.test_signing import widgets
from kinerja.performance.models import (
    GeneratedReport,
    GradeScale,
    Indicator,
    Nomenclature,
    PerformanceAgreement,
    QuarterClosure,
    Renja,
    RenjaItem,
    Renstra,
)
from kinerja.performance.reports.pk import (
    DATE_DOTS,
    PROMISE,
    STATEMENT,
    SUPERVISION,
    date_text,
)
from kinerja.performance.selectors import capaian_table
from kinerja.sop.services import find_sop
from kinerja.workflow.models import Process, Task
from kinerja.workflow.tests.test_process_run import act as act_by_services

from .test_browser_documents import in_thread, make_letter, panel, submit, waive_kelengkapan
from .test_browser_process import Officials, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1366
DRAWING_MS = 60_000
LOGINS = {
    "kasubbag-perencanaan": "kasubbag",
    "pelaksana-perencanaan": "pelaksana",
    "sekda": "sekda",
    "walikota": "walikota",
    "kabag-umum": "kabag",
    "asisten-3": "asisten3",
}


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    pki.ensure_demo_ca(directory)
    return directory


@pytest.fixture
def demo(transactional_db, tmp_path, settings, pki_dir):
    """The demo with its performance data, signing with the demo PKI (local backend)."""
    settings.DEMO_PASSWORD = "kata-sandi-demo-123"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KINERJA_SIGNING_BACKEND = "local"
    settings.KINERJA_PKI_DIR = pki_dir
    settings.KINERJA_SIGNING_CERT = ""
    settings.KINERJA_SIGNING_KEY = ""
    settings.KINERJA_SIGNING_TRUST_ROOTS = []
    result = build_demo(var_dir=tmp_path)
    # A transactional test before this one may have emptied what the migrations put in.
    GradeScale.objects.get_or_create(
        name="Predikat SAKIP", defaults={"grades": ["AA", "A", "BB", "B", "CC", "C", "D"]}
    )
    load_demo_performance()
    # The Pelaksana keeps the numbering book (a permission an administrator gives).
    user("pelaksana").user_permissions.add(
        Permission.objects.get(content_type__app_label="documents", codename="add_letternumber")
    )
    for username in ("sekda", "walikota"):
        person = user(username).person
        pki.ensure_certificate(
            pki_dir,
            key=pki.certificate_key(person),
            name=person.name,
            nip=person.nip or "",
            position=person.name.removeprefix("Demo "),
        )
    return result


@pytest.fixture
def officials(browser, live_server, demo):  # noqa: F811
    made = Officials(browser, live_server.url, demo.password, form_login=False)
    yield made
    made.close()


def renstra() -> Renstra:
    return Renstra.objects.get(unit__code="setda", status=Renstra.Status.IN_FORCE)


def start(sop: str, title: str, year: int) -> Process:
    return actions.start_process(sop=find_sop(sop), title=title, year=year, by=user("kasubbag"))


def pass_steps_until(process: Process, step: int) -> None:
    """The steps before `step` that only pass the task on (meetings, a nota dinas), done
    through the services: the scene, not the journey."""
    while True:
        task = process.tasks.select_related("step__version", "step__output", "position").get(
            status=Task.Status.ACTIVE
        )
        if task.step.number == step:
            return
        act_by_services(task, user(LOGINS[task.position.code]), None)


def draft_from_data(page, url: str, step: int) -> int:
    """At the step: "Buat draft dari data", the checklist read, each open finding waived
    with a reason, then the step finished. Returns the number of the new version."""
    task = panel(page, url, step)
    before = page.locator("#process-documents li.version").count()
    # Drawing a report takes seconds (an LKjIP with its charts): more than a click's wait.
    page.evaluate("document.querySelectorAll('.messages').forEach(m => m.remove())")
    task.locator('form[data-form="draft"] button[type=submit]').click()
    page.locator("#process-status .messages li.success").first.wait_for(timeout=DRAWING_MS)
    page.locator("#process-documents li.version .made-from").nth(before).wait_for()
    version = page.locator("#process-documents li.version").nth(before)
    number = int(version.get_attribute("data-version"))
    task = panel(page, url, step)
    checklist = task.locator(".checklist")
    assert checklist.locator("h3").count() == 1
    while task.locator("li.finding:not(.waived)").count():
        finding = task.locator("li.finding:not(.waived)").first
        code = finding.get_attribute("data-code")
        task.locator(".checklist details summary").click()
        form = task.locator('form[data-form="finding"]')
        form.locator("select[name$='-code']").select_option(code)
        form.locator("textarea[name$='-reason']").fill("Dibahas pada rapat penyusunan")
        submit(page, form)
        task = panel(page, url, step)
        assert task.locator(f'li.finding.waived[data-code="{code}"]').count() == 1
    form = task.locator("form[data-action='finish']")
    waive_kelengkapan(form)
    form.locator("input[name$='-output']").fill(f"Draft dari data, langkah {step}")
    submit(page, form)
    return number


def review(page, url: str, step: int, action: str) -> None:
    """A paraf or a signature (electronic: the draft is a PDF) on the process page."""
    task = panel(page, url, step)
    form = task.locator(f"form[data-action='{action}']")
    if action == "sign":
        assert form.locator("input[name$='-electronic']").is_checked()
    waive_kelengkapan(form)
    submit(page, form)


def final_pdf(page) -> bytes:
    """The final version, downloaded through its link on the process page."""
    final = page.locator("#process-documents li.version.final")
    href = final.locator("a.download").get_attribute("href")
    response = page.request.get(
        re.sub(r"^(https?://[^/]+)?", page.url.split("/processes")[0], href)
    )
    assert response.ok, href
    directory = os.environ.get("KINERJA_JOURNEYS")
    if directory:
        os.makedirs(directory, exist_ok=True)
        name = re.sub(r"\W+", "-", page.locator("h1").first.inner_text()).strip("-")
        with open(os.path.join(directory, f"{name}.pdf"), "wb") as fh:
            fh.write(response.body())
    return response.body()


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def shoot(page, name: str, selector: str = "") -> None:
    page.set_viewport_size({"width": WIDTH, "height": 900})
    directory = os.environ.get("KINERJA_JOURNEYS")
    if directory:
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, name)
        if selector:
            page.locator(selector).screenshot(path=path)
        else:
            page.screenshot(path=path, full_page=True)


# --- 1. SOP-013: the PK signed by both parties -------------------------------------------------


def draft_the_pks(year: int) -> list[PerformanceAgreement]:
    """The PKs of the year at the three levels, drafted from the Renstra's cascade (the demo
    signed this year's already: here the year starts without them)."""
    plan = renstra()
    PerformanceAgreement.objects.filter(renstra=plan, year=year).delete()
    from kinerja.org.models import Position

    return [
        actions.performance.draft_agreement(
            renstra=plan,
            year=year,
            position=Position.objects.get(code=code),
            by=user("kasubbag"),
        )
        for code in ("sekda", "kabag-umum", "kasubbag-perencanaan")
    ]


def test_sop_013_from_the_data_to_the_pk_signed_by_both_parties(officials, live_server, demo):
    base = live_server.url
    drafted = draft_the_pks(2026)
    process = start("SOP-013", "Penyusunan Perjanjian Kinerja Tahun 2026", 2026)
    url = f"{base}/processes/{process.pk}/"
    pass_steps_until(process, 3)

    # 3. The Pelaksana makes the PK from the data and goes on past the checklist.
    pelaksana = officials("pelaksana")
    assert draft_from_data(pelaksana, url, 3) == 1
    made = pelaksana.locator('#process-documents li.version[data-version="1"] .made-from')
    assert "2026" in made.inner_text()
    # 4-5. Paraf; 6-7. the Sekda (Pihak Pertama of the Sekda's PK) and the Walikota sign.
    review(officials("kasubbag"), url, 4, "paraf")
    review(officials("kabag"), url, 5, "paraf")
    review(officials("sekda"), url, 6, "sign")
    walikota = officials("walikota")
    review(walikota, url, 7, "sign")

    final = walikota.locator("#process-documents li.version.final")
    assert final.count() == 1
    # Each signature shows on the version it made; the final PDF holds both, intact.
    signatures = walikota.locator("#process-documents .signatures .signature").all_inner_texts()
    for username in ("sekda", "walikota"):
        assert any(user(username).person.name in s for s in signatures), username
    pdf = final_pdf(walikota)
    report = in_thread(verify_pdf, pdf)
    assert report.valid and len(report.signatures) == 2
    text = pdf_text(pdf)
    # The stamps stand in the signature spaces of the agreement's page (the first page),
    # the Pihak Pertama's (the Sekda, signing first) on the right, the Pihak Kedua's left.
    fields = widgets(pdf)
    (page1, right), (page2, left) = fields["Signature1"], fields["Signature2"]
    assert page1 == page2 == 0
    assert left[2] <= right[0]
    # The regulation's statement, word for word (PermenPANRB 53/2014).
    for words in (STATEMENT, PROMISE, SUPERVISION):
        assert " ".join(words.split()) in text, words[:40]
    assert "PIHAK PERTAMA" in text and "PIHAK KEDUA" in text
    # Where and when, on the paper: the place of the government and the date of signing
    # (the draft form's date, today), on each PK's two signature pages.
    signed_on = PerformanceAgreement.objects.get(pk=drafted[0].pk).signed_on
    assert signed_on == timezone.localdate()
    assert text.count(f"Banjarbaru, {date_text(signed_on)}") == 2 * len(drafted)
    assert DATE_DOTS not in text

    # The PK page: the Sekda's PK signed, with the parties of the day; the Kabag's and the
    # Kasubbag's, printed in the same file, stay drafts: their parties did not sign.
    pk_page = officials("kasubbag")
    pk_page.goto(f"{base}/kinerja/pk/?renstra={renstra().pk}&year=2026")
    for agreement in drafted:
        agreement.refresh_from_db()
        card = pk_page.locator(f"#pk-{agreement.pk}")
        # Every target of the PK is in the signed PDF.
        for row in card.locator("table.pk-targets tbody tr").all():
            target = row.locator("td.num").inner_text().split()[0]
            assert target in text, (row.get_attribute("data-indicator"), target)
        if agreement.position.code != "sekda":
            assert agreement.status == PerformanceAgreement.Status.DRAFT
            assert card.get_attribute("data-status") == "draft"
            continue
        assert agreement.status == PerformanceAgreement.Status.SIGNED
        assert agreement.process_id == process.pk
        assert card.get_attribute("data-status") == "signed"
        parties = card.locator("dl.parties").inner_text()
        assert agreement.first_party["name"] in parties
        assert agreement.second_party["name"] in parties
    assert user("walikota").person.name in text
    shoot(pk_page, "sop-013-pk-signed.png")
    walikota.goto(url)
    shoot(walikota, "sop-013-process.png", "#process-documents")


# --- 2. SOP-011: the LKjIP of a closed year ----------------------------------------------------

# The realisasi a bagian still owed for 2026 (TW III) and the year's last quarter, entered
# by whoever enters each row in the demo.
TW3_OWED = {"IK2.1": "14", "IK2.2": "15"}
TW4 = {
    "IKU1": "BB",
    "IKU2": "3,58",
    "IK1.1": "3,55",
    "IK1.2": "92",
    "IK1.3": "3",
    "IK2.1": "13",
    "IK2.2": "18",
    "IK3.1": "88",
    "IK4.1": "100",
    "IK4.2": "1",
}


def close_the_year(year: int) -> None:
    plan = renstra()
    kasubbag = user("kasubbag")
    hukum = user("operator-hukum")
    who = {"IK2.1": hukum, "IK2.2": hukum, "IK3.1": user("operator-tapem")}
    for code, value in TW3_OWED.items():
        actions.performance.enter_realisasi(
            indicator=Indicator.objects.get(code=code, objective__renstra=plan),
            year=year,
            quarter=3,
            value=value,
            by=who[code],
        )
    actions.performance.close_quarter(renstra=plan, year=year, quarter=3, by=kasubbag)
    for code, value in TW4.items():
        actions.performance.enter_realisasi(
            indicator=Indicator.objects.get(code=code, objective__renstra=plan),
            year=year,
            quarter=4,
            value=value,
            by=who.get(code, kasubbag),
        )
    actions.performance.close_quarter(renstra=plan, year=year, quarter=4, by=kasubbag)
    assert set(
        QuarterClosure.objects.filter(renstra=plan, year=year).values_list("quarter", flat=True)
    ) == {1, 2, 3, 4}


def test_sop_011_from_a_closed_year_to_the_signed_lkjip(officials, live_server, demo):
    base = live_server.url
    close_the_year(2026)
    process = start("SOP-011", "Penyusunan Laporan Kinerja Tahun 2026", 2026)
    url = f"{base}/processes/{process.pk}/"
    pass_steps_until(process, 3)

    pelaksana = officials("pelaksana")
    draft_from_data(pelaksana, url, 3)
    # No quarter of the year is open: the checklist does not ask for one.
    assert (
        not GeneratedReport.objects.filter(version__document__process=process)
        .exclude(kind="lkjip")
        .exists()
    )
    review(officials("kasubbag"), url, 4, "paraf")
    review(officials("kabag"), url, 5, "paraf")
    review(officials("asisten3"), url, 6, "paraf")
    review(officials("sekda"), url, 7, "sign")

    # 8. Filed in the archive register: the signed LKjIP, preselected.
    task = panel(pelaksana, url, 8)
    form = task.locator("form[data-action='archive']")
    final = DocumentVersion.objects.get(document__process=process, is_final=True)
    assert form.locator("select[name$='-version']").input_value() == str(final.pk)
    form.locator("input[name$='-location']").fill("Ordner LKjIP 2026")
    waive_kelengkapan(form)
    submit(pelaksana, form)
    assert pelaksana.locator("#process-status").get_attribute("data-status") == "done"
    pdf = final_pdf(pelaksana)
    text = pdf_text(pdf)
    # The Sekda's stamp stands in the signature space under the Kata Pengantar.
    [(page, _rect)] = widgets(pdf).values()
    assert "KATA PENGANTAR" in PdfReader(io.BytesIO(pdf)).pages[page].extract_text()

    entry = ArchiveEntry.objects.get(process=process)
    title = "Laporan Kinerja Sekretariat Daerah Kota Banjarbaru Tahun 2026"
    pelaksana.goto(f"{base}/archive/", wait_until="domcontentloaded")
    row = pelaksana.locator(f'tr[data-entry="{entry.year}/{entry.sequence}"]')
    assert title in row.inner_text()
    assert "Ordner LKjIP 2026" in row.inner_text()
    for heading in (
        "IKHTISAR EKSEKUTIF",
        "BAB I PENDAHULUAN",
        "BAB II PERENCANAAN KINERJA",
        "BAB III AKUNTABILITAS KINERJA",
        "BAB IV PENUTUP",
    ):
        assert heading in text, heading
    # Every indicator's capaian of the closed year with the formula the engine used, as
    # the Capaian page shows it (e.g. "92 ÷ 90 = 102,22%").
    rows = [r for r in capaian_table(renstra(), 2026) if r.result.formula]
    assert len(rows) == len(TW4)
    for row in rows:
        assert f"{row.result.text} {' '.join(row.result.formula.split())}" in text, (
            row.indicator.code
        )
    shoot(pelaksana, "sop-011-archive.png")


# --- 3. SOP-015: the Renja sent to Bappeda with its cover letter -------------------------------


def test_sop_015_from_the_usulan_to_the_renja_sent_to_bappeda(officials, live_server, demo):
    base = live_server.url
    renja = Renja.objects.get(unit__code="setda", year__gt=2026)
    year = renja.year
    process = start("SOP-015", f"Penyusunan Rencana Kinerja (Renja) Tahun {year}", year)
    url = f"{base}/processes/{process.pk}/"

    # The Bagian Tata Pemerintahan's operator proposes a sub kegiatan on the Renja page.
    code = "4.01.01.2.02.0001"
    sub = Nomenclature.objects.get(code=code)
    operator = officials("operator-tapem")
    operator.goto(f"{base}/kinerja/renja/?unit={renja.unit_id}&year={year}")
    form = operator.locator("#propose form.proposal-form")
    form.locator("select[name='sub_kegiatan']").select_option(str(sub.pk))
    for name, value in {
        "indicator": "Jumlah dokumen fasilitasi pemerintahan yang tersusun",
        "measure": "dokumen",
        "target": "6",
        "pagu": "95.000.000",
        "location": "Kota Banjarbaru",
        "funding_source": "PAD",
    }.items():
        form.locator(f"[name='{name}']").fill(value)
    form.locator("button[type=submit]").click()
    operator.locator(f'tr.renja-item[data-code="{code}"]').wait_for()
    item = RenjaItem.objects.get(renja=renja, sub_kegiatan=sub)
    assert item.state == RenjaItem.State.PROPOSED

    # The Kasubbag accepts it.
    kasubbag = officials("kasubbag")
    kasubbag.goto(f"{base}/kinerja/renja/?unit={renja.unit_id}&year={year}")
    decide = kasubbag.locator(f"#item-{item.pk} + tr.form-row form.decide-form")
    decide.locator("input[name$='-decision'][value='accepted']").check()
    decide.locator("button[type=submit]").click()
    kasubbag.locator(f'#item-{item.pk}[data-state="accepted"]').wait_for()

    # 6. The first draft of the Renja from the data; 7-8. the reviews.
    pass_steps_until(process, 6)
    pelaksana = officials("pelaksana")
    first = draft_from_data(pelaksana, url, 6)
    review(officials("kabag"), url, 7, "paraf")
    review(officials("asisten3"), url, 8, "paraf")

    # 9. After the reviews the pagu of the new sub kegiatan is cut; the second draft says so.
    actions.performance.decide_item(
        item=item,
        decision=RenjaItem.State.CHANGED,
        reason="Disesuaikan dengan pagu indikatif hasil rapat",
        changes={"pagu": "80.000.000"},
        by=user("kasubbag"),
    )
    second = draft_from_data(kasubbag, url, 9)
    assert second > first
    changed = kasubbag.locator(f'#process-documents li.version[data-version="{second}"] .changed')
    assert changed.inner_text().strip()
    assert f"versi {first}" in changed.inner_text().lower() or str(first) in changed.inner_text()
    # Its details name the row of the sub kegiatan whose pagu changed.
    changed.locator("a.changes").click()
    kasubbag.locator(f'tr.change[data-row="{code}"]').wait_for()
    assert "80.000.000" in kasubbag.locator(f'tr.change[data-row="{code}"]').first.inner_text()
    kasubbag.go_back()

    # 10. The Sekda signs the Renja.
    review(officials("sekda"), url, 10, "sign")
    # 11. The Surat Pengantar, numbered from the book.
    number = make_letter(pelaksana, url, 11)
    task = panel(pelaksana, url, 11)
    form = task.locator("form[data-action='finish']")
    waive_kelengkapan(form)
    form.locator("input[name$='-output']").fill("Surat Pengantar Renja")
    submit(pelaksana, form)
    # 12. Filed; 13. sent to Bappeda under the cover letter's number.
    task = panel(pelaksana, url, 12)
    form = task.locator("form[data-action='archive']")
    form.locator("input[name$='-location']").fill(f"Ordner Renja {year}")
    waive_kelengkapan(form)
    submit(pelaksana, form)
    task = panel(pelaksana, url, 13)
    form = task.locator("form[data-action='dispatch']")
    assert "Bappeda" in form.locator("input[name$='-recipient']").input_value()
    waive_kelengkapan(form)
    submit(pelaksana, form)

    item = Dispatch.objects.select_related("cover_number", "version").get(process=process)
    signed = DocumentVersion.objects.get(document__process=process, is_final=True)
    assert item.version_id == signed.pk and item.cover_number.number == number
    row = pelaksana.locator("#process-documents .dispatch-row")
    assert row.locator(".cover-number").inner_text() == number
    assert "Bappeda" in row.inner_text()
    assert pelaksana.locator("#process-status").get_attribute("data-status") == "done"
    # The Renja that went holds the bagian's sub kegiatan with the pagu decided.
    pdf = final_pdf(pelaksana)
    text = pdf_text(pdf)
    assert code in text and "80.000.000" in text
    # The Sekda's stamp stands in the signature space that closes Bab V, not at the foot
    # of whatever page comes last.
    [(page, _rect)] = widgets(pdf).values()
    closing = " ".join(PdfReader(io.BytesIO(pdf)).pages[page].extract_text().split())
    assert closing.startswith("BAB V PENUTUP") and "SEKRETARIS DAERAH KOTA BANJARBARU," in closing
    shoot(pelaksana, "sop-015-dispatched.png", "#process-documents")
