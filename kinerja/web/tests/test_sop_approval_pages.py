"""The approval of an SOP in the pages: the Kasubbag submits a revision of SOP-011, the Sekda
finds it on her home page, returns it with a note or approves it with her signature, and
the SOP's PDF is then the signed one, whose QR code opens its verification page."""

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kinerja.demo.services import build_demo
from kinerja.documents.signing import verify_pdf
from kinerja.sop.models import SopSignature, SopVersion, Step
from kinerja.sop.services import find_sop, start_revision

SLUG = "sop-011-setda"


@pytest.fixture
def demo(db, tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    build_demo(var_dir=tmp_path)


def _user(username):
    return get_user_model().objects.select_related("person").get(username=username)


@pytest.fixture
def draft(demo):
    return start_revision(sop=find_sop("SOP-011"), by=_user("kasubbag"), change_note="Evaluasi")


@pytest.fixture
def as_user(client):
    def login(username):
        client.force_login(_user(username))
        return client

    return login


def _detail(version) -> str:
    return reverse("web:sop-detail", args=[SLUG]) + f"?v={version.version}"


def _post(client, name, version, data=None):
    url = reverse(f"web:{name}", args=[SLUG]) + f"?v={version.version}"
    return client.post(url, data or {}, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_kasubbag_sees_the_panel_and_what_blocks_submitting(as_user, draft):
    Step.objects.filter(version=draft, number=3).update(time_amount=None, time_unit="")
    client = as_user("kasubbag")

    html = client.get(_detail(draft)).content.decode()

    assert 'id="sop-approval"' in html
    assert "Ajukan untuk pengesahan" in html
    assert 'id="sop-submit-blocked"' in html
    response = _post(client, "sop-submit", draft)
    [message] = _messages(response)
    assert "belum dapat diteruskan sebelum hal berikut diperbaiki" in message
    assert "Langkah 3" in message or "3" in message
    assert SopVersion.objects.get(pk=draft.pk).status == "draft"


def test_submitting_sends_the_draft_to_the_sekda_home_page(as_user, draft):
    response = _post(as_user("kasubbag"), "sop-submit", draft)
    assert _messages(response) == ["Versi 2 diajukan kepada Sekretaris Daerah untuk disahkan."]
    assert "Menunggu pengesahan Sekretaris Daerah." in response.content.decode()
    assert 'id="sop-approve"' not in response.content.decode()

    home = as_user("sekda").get(reverse("web:home")).content.decode()
    assert "SOP menunggu pengesahan" in home
    assert f'href="{_detail(draft)}#sop-approval"' in home
    page = as_user("sekda").get(_detail(draft)).content.decode()
    assert "Sahkan dan tandatangani" in page
    assert "Kembalikan dengan catatan" in page


def test_the_submitted_draft_is_hidden_from_an_outsider(as_user, draft):
    _post(as_user("kasubbag"), "sop-submit", draft)
    client = as_user("operator-hukum")
    assert client.get(_detail(draft)).status_code == 404
    assert "SOP menunggu pengesahan" not in client.get(reverse("web:home")).content.decode()


def test_returning_needs_a_note_and_shows_it_to_the_author(as_user, draft):
    _post(as_user("kasubbag"), "sop-submit", draft)
    sekda = as_user("sekda")

    response = _post(sekda, "sop-return", draft, {"note": "  "})
    assert _messages(response) == [
        "Tulis catatan untuk penyusun: apa yang harus diubah sebelum Anda mengesahkannya."
    ]
    response = _post(sekda, "sop-return", draft, {"note": "Waktu langkah 5 terlalu singkat."})
    assert _messages(response) == ["Versi 2 dikembalikan kepada penyusunnya dengan catatan Anda."]

    page = as_user("kasubbag").get(_detail(draft)).content.decode()
    note = re.search(r'id="sop-return-note".*?</div>', page, re.S).group(0)
    assert "Waktu langkah 5 terlalu singkat." in note
    assert "Dikembalikan oleh Demo Sekretaris Daerah" in note
    assert "Ajukan untuk pengesahan" in page


def test_an_outsider_posting_approve_is_refused(as_user, draft):
    _post(as_user("kasubbag"), "sop-submit", draft)
    response = _post(as_user("kasubbag"), "sop-approve", draft)
    assert response.status_code == 403
    assert SopVersion.objects.get(pk=draft.pk).status == "submitted"


def test_approving_serves_the_signed_pdf_whose_qr_page_verifies_it(as_user, draft, client):
    _post(as_user("kasubbag"), "sop-submit", draft)
    sekda = as_user("sekda")

    response = _post(sekda, "sop-approve", draft)

    assert _messages(response) == [
        "Versi 2 telah disahkan dan ditandatangani; mulai sekarang versi ini yang berlaku."
    ]
    html = response.content.decode()
    assert "Disahkan dan ditandatangani secara elektronik oleh Demo Sekretaris Daerah" in html
    signature = SopSignature.objects.get(version=draft)
    pdf = sekda.get(reverse("web:sop-pdf", args=[SLUG])).content
    assert hashlib.sha256(pdf).hexdigest() == signature.sha256
    assert verify_pdf(pdf).status == "valid"
    # The catalogue's PDF of the SOP in force (no ?v) is the signed one for every reader.
    client.logout()
    client.force_login(_user("pelaksana"))
    assert client.get(reverse("web:sop-pdf", args=[SLUG])).content == pdf

    client.logout()
    check_url = reverse("web:document-check", args=[signature.public_id])
    page = client.get(check_url).content.decode()
    assert "SOP-011/SETDA" in page and "Demo Sekretaris Daerah" in page
    assert signature.sha256 in page
    upload = SimpleUploadedFile("sop.pdf", pdf, content_type="application/pdf")
    compared = client.post(check_url, {"file": upload}).content.decode()
    assert 'id="hash-match"' in compared
    assert "Utuh" in compared or "valid" in compared


def test_the_qr_link_of_the_stamp_opens_the_check_page_without_a_login(as_user, draft, client):
    """The stamp's QR code carries sop_verify_url(public_id) (read from the rendered page with
    a QR decoder while building this: http://…/v/<public_id>/); that link answers anyone."""
    from urllib.parse import urlsplit

    from kinerja.documents.sop_signing import sop_verify_url

    _post(as_user("kasubbag"), "sop-submit", draft)
    _post(as_user("sekda"), "sop-approve", draft)
    signature = SopSignature.objects.get(version=draft)
    client.logout()
    response = client.get(urlsplit(sop_verify_url(signature.public_id)).path)
    assert response.status_code == 200
    assert "Standar Operasional Prosedur, versi 2" in response.content.decode()


def test_the_direct_publish_obeys_the_blocking_findings(as_user, draft, settings):
    Step.objects.filter(version=draft, number=3).update(time_amount=None, time_unit="")
    admin = as_user("admin")
    response = _post(admin, "sop-publish", draft)
    [message] = _messages(response)
    assert "belum dapat diteruskan" in message
    assert SopVersion.objects.get(pk=draft.pk).status == "draft"
