"""The SOP editor's pages: the Kasubbag writes a new SOP, edits rows, sees the findings and
the drawing beside the form, saves; an outsider may not."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.sop.models import Sop, SopVersion

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _person(code: str, username: str, *, author: bool):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    if author:
        user.user_permissions.add(Permission.objects.get(codename="author_sop"))
    position = Position.objects.get(code=code)
    person = Person.objects.create(name=position.name, user=user)
    Assignment.objects.create(person=person, position=position, start="2024-01-01")
    return user


@pytest.fixture
def kasubbag(shipped_sops):
    sekda = _person("sekda", "sekda", author=False).person
    sekda.nip = "196509281992031008"
    sekda.save()
    return _person("kasubbag-perencanaan", "kasubbag", author=True)


@pytest.fixture
def outsider(shipped_sops):
    return _person("operator-hukum", "operator-hukum", author=False)


@pytest.fixture
def kasubbag_client(client, kasubbag):
    client.force_login(kasubbag)
    return client


def form_of(html: str) -> dict:
    """The editor form's fields as a browser would post them (text, selected options,
    checked boxes), read from the page."""
    start = html.index('id="sop-editor-form"')
    form = html[start : html.index("</form>", start)]
    data = {}
    for m in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if " checked" in m.group(1):
                data[attrs["name"]] = attrs.get("value", "on")
            continue
        data[attrs["name"]] = attrs.get("value", "")
    for m in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[m.group(1)] = (
            m.group(2).replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
        )
    for m in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', m.group(2))
        first = re.search(r'<option value="([^"]*)"', m.group(2))
        data[m.group(1)] = chosen.group(1) if chosen else (first.group(1) if first else "")
    return data


def new_sop(client, name="Penyusunan Renstra") -> Sop:
    unit = Unit.objects.get(code="subbag-perencanaan")
    response = client.post("/sop/new/", {"unit": unit.pk, "name": name})
    assert response.status_code == 302
    return Sop.objects.get(versions__name=name)


def test_the_kasubbag_writes_a_new_sop_from_the_catalogue(kasubbag_client):
    catalogue = kasubbag_client.get("/sop/").content.decode()
    assert 'href="/sop/new/"' in catalogue
    sop = new_sop(kasubbag_client)
    assert sop.number == "SOP-016/SETDA"
    page = kasubbag_client.get(f"/sop/{sop.slug}/edit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="step-1-activity"' in html and 'id="step-2-activity"' in html
    assert 'class="sop-flow"' in html  # the drawing of the skeleton
    assert 'data-code="no-time-standard"' in html


def test_an_outsider_may_not_write_or_preview(kasubbag_client, outsider, client):
    sop = new_sop(kasubbag_client)
    client.force_login(outsider)
    assert client.get(f"/sop/{sop.slug}/edit/").status_code == 403
    assert client.post(f"/sop/{sop.slug}/edit/preview/", {}).status_code == 403
    assert client.get("/sop/new/").status_code == 403


def test_the_preview_shows_a_missing_time_and_the_drawing(kasubbag_client):
    sop = new_sop(kasubbag_client)
    data = form_of(kasubbag_client.get(f"/sop/{sop.slug}/edit/").content.decode())
    data["step-1-time_amount"] = "10"
    data["step-1-time_unit"] = "minute"
    response = kasubbag_client.post(f"/sop/{sop.slug}/edit/preview/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-code="no-time-standard"') == 1  # step 2 only
    assert 'data-step="2" data-blocking="true"' in html
    assert "Menghalangi pengesahan:" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="sop-flow"' in html
    assert SopVersion.objects.get(sop=sop).edit_count == 0  # nothing written


def test_adding_a_row_renumbers_and_saving_keeps_it(kasubbag_client):
    sop = new_sop(kasubbag_client)
    url = f"/sop/{sop.slug}/edit/"
    data = form_of(kasubbag_client.get(url).content.decode())
    data["op"] = "step-add-1"
    html = kasubbag_client.post(url, data).content.decode()
    assert 'id="step-3-activity"' in html  # the end step moved to 3
    data = form_of(html)
    assert data["step-3-kind"] == "end"
    data["step-2-activity"] = "Menyusun draft Renstra"
    for n in (1, 2, 3):
        data[f"step-{n}-time_amount"] = "1"
    data["op"] = "save"
    response = kasubbag_client.post(url, data)
    assert response.status_code == 302
    version = SopVersion.objects.with_content().get(sop=sop)
    assert [s.activity for s in version.steps.all()][1] == "Menyusun draft Renstra"
    assert version.edit_count == 1


def test_a_bad_row_is_named_and_nothing_is_saved(kasubbag_client):
    sop = new_sop(kasubbag_client)
    url = f"/sop/{sop.slug}/edit/"
    data = form_of(kasubbag_client.get(url).content.decode())
    data["step-1-activity"] = ""
    data["step-2-time_amount"] = "dua"
    data["op"] = "save"
    response = kasubbag_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Langkah 1, kegiatan" in html
    assert "Langkah 2, waktu" in html
    assert SopVersion.objects.get(sop=sop).edit_count == 0


def test_a_stale_copy_is_refused_with_the_typing_kept(kasubbag_client):
    sop = new_sop(kasubbag_client)
    url = f"/sop/{sop.slug}/edit/"
    data = form_of(kasubbag_client.get(url).content.decode())
    data["op"] = "save"
    assert kasubbag_client.post(url, data).status_code == 302
    data["name"] = "Nama yang diketik di salinan lama"
    response = kasubbag_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Nama yang diketik di salinan lama" in html
    assert "menyimpan draft ini" in html


def test_a_published_sop_offers_a_revision_draft(kasubbag_client):
    detail = kasubbag_client.get("/sop/sop-011-setda/").content.decode()
    assert 'id="sop-edit-draft"' in detail
    page = kasubbag_client.get("/sop/sop-011-setda/edit/").content.decode()
    assert 'id="start-revision"' in page
    response = kasubbag_client.post(
        "/sop/sop-011-setda/edit/start/", {"change_note": "Temuan monitoring"}
    )
    assert response.status_code == 302
    draft = SopVersion.objects.get(sop__slug="sop-011-setda", status="draft")
    assert draft.change_note == "Temuan monitoring"
    assert (
        'id="step-8-activity"' in kasubbag_client.get("/sop/sop-011-setda/edit/").content.decode()
    )


def test_a_new_sop_without_a_name_is_refused_with_a_message(kasubbag_client):
    unit = Unit.objects.get(code="subbag-perencanaan")
    response = kasubbag_client.post("/sop/new/", {"unit": unit.pk, "name": ""})
    assert response.status_code == 400
    assert "Beri nama SOP ini." in response.content.decode()
    assert not Sop.objects.filter(number="SOP-016/SETDA").exists()


def test_the_kasubbag_may_not_choose_another_units_numbering(kasubbag_client):
    hukum = Unit.objects.get(code="bagian-hukum")
    response = kasubbag_client.post("/sop/new/", {"unit": hukum.pk, "name": "Produk Hukum"})
    assert response.status_code == 400
    assert not Sop.objects.filter(unit=hukum).exists()
