"""The administrator changes letter texts, number patterns and merges names, without code."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from kinerja.documents.models import LetterTemplate, NumberingBook
from kinerja.org.models import Unit
from kinerja.sop.models import DocumentType

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(admin)
    return client


def test_the_administrator_changes_the_invitations_opening_text(admin_client):
    template = LetterTemplate.objects.get(kind="undangan")
    url = reverse("admin:documents_lettertemplate_change", args=[template.pk])
    response = admin_client.post(
        url,
        {
            "kind": "undangan",
            "opening": "Mengundang Saudara pada rapat {{ hal }} tahun {{ year }}:",
            "closing": "Terima kasih.",
            "document_types": [d.pk for d in template.document_types.all()],
            "classification": template.classification_id,
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.opening.startswith("Mengundang Saudara")


def test_a_broken_template_text_is_refused_with_its_reason(admin_client):
    template = LetterTemplate.objects.get(kind="nota_dinas")
    url = reverse("admin:documents_lettertemplate_change", args=[template.pk])
    response = admin_client.post(
        url,
        {
            "kind": "nota_dinas",
            "opening": "Dalam rangka {% if %}",
            "closing": "",
            "document_types": [],
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "opening" in errors
    template.refresh_from_db()
    assert "{% if %}" not in template.opening


def test_a_number_pattern_without_the_running_number_is_refused(admin_client, org):
    unit = Unit.objects.get(code="bagian-umum")
    response = admin_client.post(
        reverse("admin:documents_numberingbook_add"),
        {"unit": unit.pk, "year": 2026, "pattern": "{klasifikasi}/{unit}/{tahun}", "digits": 3},
    )
    assert response.status_code == 200
    assert "urut" in str(response.context["adminform"].form.errors["pattern"])
    assert not NumberingBook.objects.exists()


def test_the_administrator_merges_two_names_into_one_document(admin_client):
    dokumen = DocumentType.objects.get_or_create(name="Dokumen PK")[0]
    draft = DocumentType.objects.get_or_create(name="Draft PK")[0]
    response = admin_client.post(
        reverse("admin:sop_documenttype_changelist"),
        {"action": "merge_selected", "_selected_action": [dokumen.pk, draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    dokumen.refresh_from_db()
    assert draft.same_as == dokumen
    assert dokumen.same_as is None
