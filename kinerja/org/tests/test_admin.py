"""The administrator keeps the organisation and the SOP drafts in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from kinerja.org.models import Person
from kinerja.sop.models import SopVersion
from kinerja.sop.services import find_sop, start_revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, org):
    client.force_login(get_user_model().objects.create_superuser("admin", password="x-y-z-123"))
    return client


def test_a_nip_typed_with_spaces_is_stored_as_18_digits(admin_client):
    response = admin_client.post(
        reverse("admin:org_person_add"),
        {"name": "Demo Kepala Bagian Hukum", "nip": "19650928 199203 1 008", **_no_inlines()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Person.objects.get().nip == "196509281992031008"


def test_a_bad_nip_gets_a_message_that_names_the_wrong_part(admin_client):
    response = admin_client.post(
        reverse("admin:org_person_add"),
        {"name": "Demo Kepala Bagian Hukum", "nip": "19651328 199203 1 008", **_no_inlines()},
    )
    assert response.status_code == 200
    assert "19651328" in response.content.decode()
    assert "tanggal lahir" in response.content.decode()
    assert not Person.objects.exists()


def test_a_published_version_is_read_only_and_a_draft_is_editable(admin_client, shipped_sops):
    published = shipped_sops["SOP-011/SETDA"]
    url = reverse("admin:sop_sopversion_change", args=[published.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="_save"' not in html
    assert admin_client.post(url, {"name": "Diubah"}).status_code == 403
    assert SopVersion.objects.get(pk=published.pk).name == "Penyusunan Laporan Kinerja"
    draft = start_revision(sop=find_sop("SOP-011"), by=None)
    html = admin_client.get(
        reverse("admin:sop_sopversion_change", args=[draft.pk])
    ).content.decode()
    assert 'name="_save"' in html


def _no_inlines():
    return {
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
