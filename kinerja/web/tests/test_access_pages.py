"""Who reads what on the pages, and the download log.

The demo as it is served: last year's PK (finished, signed, filed as 2025/1), this year's
LKjIP, whose draft the Kasubbag returned to the Pelaksana with a note, and this year's
Renja. All three belong to the Sub Bagian Perencanaan (Bagian Umum). The operator of the
Bagian Hukum reads none of their drafts, notes or history (404, as for what does not
exist), only the final, signed PK and its archive entry; the officials of the lanes and
the leaders of the unit read everything.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kinerja import actions
from kinerja.api.tests.conftest import world  # noqa: F401
from kinerja.core.audit_models import AuditEvent
from kinerja.documents.models import DocumentVersion, GeneratedLetter, LetterNumber, NumberingBook
from kinerja.org.models import Person
from kinerja.workflow.models import Process, ProcessAccess, Task

pytestmark = pytest.mark.django_db

NOTE = "Capaian IKU 2 belum sesuai data Bagian Hukum."


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def login(world):  # noqa: F811
    def make(username):
        client = Client(REMOTE_ADDR="10.20.30.40")
        client.force_login(world[username])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def returned(world):  # noqa: F811
    """The Kasubbag returned the draft LKjIP to the Pelaksana with a note (step 4 to 3)."""
    lkjip = Process.objects.get(sop_version__sop__number="SOP-011/SETDA")
    (review,) = lkjip.tasks.filter(status=Task.Status.ACTIVE)
    actions.return_for_revision(task=review, by=world["kasubbag"], note=NOTE)
    draft = DocumentVersion.objects.get(document__process=lkjip, returned_by__isnull=False)
    return lkjip, draft


@pytest.fixture
def final_pk(world):  # noqa: F811
    return DocumentVersion.objects.get(
        document__process__sop_version__sop__number="SOP-013/SETDA", is_final=True
    )


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def downloads(process) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(stream=f"downloads:{process.pk}").order_by("seq"))


# --- the operator of another bagian -----------------------------------------------------------


def test_the_operator_of_another_bagian_gets_404_for_the_process_its_draft_and_note(
    login, returned
):
    lkjip, draft = returned
    client = login("operator-hukum")
    (task,) = lkjip.tasks.filter(status=Task.Status.ACTIVE)
    for url in (
        reverse("web:process-detail", args=[lkjip.pk]),
        reverse("web:document-download", args=[draft.public_id]),
        reverse("web:document-check", args=[draft.public_id]),
        reverse("web:document-letter", args=[task.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOTE not in response.content.decode()
    response = client.post(
        reverse("web:task-action", args=[task.pk, "finish"]), {f"finish-{task.pk}-output": "x"}
    )
    assert response.status_code == 404
    assert downloads(lkjip) == []  # a refused download is no download


def test_the_operator_of_another_bagian_finds_none_of_it_in_the_lists(login, returned, final_pk):
    lkjip, draft = returned
    client = login("operator-hukum")
    page = text_of(client.get(reverse("web:process-list")))
    assert "No process that you may read has been started yet." in page
    for title in Process.objects.values_list("title", flat=True):
        assert title not in page
    page = client.get(reverse("web:documents")).content.decode()
    assert str(draft.public_id) not in page
    assert lkjip.title not in page
    # The final, signed PK is published: listed for all, without a link to its process.
    assert str(final_pk.public_id) in page
    assert reverse("web:process-detail", args=[final_pk.document.process_id]) not in page
    page = text_of(client.get(reverse("web:archive-register")))
    assert "2025/1" in page or f"{final_pk.document.process.year}/1" in page
    page = text_of(client.get(reverse("web:my-tasks")))
    assert NOTE not in page


def test_final_documents_are_every_officials(login, final_pk):
    response = login("operator-hukum").get(
        reverse("web:document-download", args=[final_pk.public_id])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    check = Client().get(reverse("web:document-check", args=[final_pk.public_id]))
    assert check.status_code == 200 and final_pk.sha256 in check.content.decode()
    # Its drafts stay with the process's officials.
    draft = final_pk.document.versions.exclude(pk=final_pk.pk).order_by("number").first()
    url = reverse("web:document-download", args=[draft.public_id])
    assert login("operator-hukum").get(url).status_code == 404


# --- the officials of the lanes and the leaders ------------------------------------------------


@pytest.mark.parametrize(
    "username",
    [
        "pelaksana",  # the lane the draft went back to
        "kabag",  # a lane, and a leader of the Bagian Umum
        "walikota",  # no lane of SOP-011: the head of the Pemerintah Kota leads it
    ],
)
def test_an_official_of_the_lanes_and_a_leader_read_the_process_draft_and_note(
    login, returned, username
):
    lkjip, draft = returned
    client = login(username)
    page = text_of(client.get(reverse("web:process-detail", args=[lkjip.pk])))
    assert NOTE in page
    assert lkjip.title in text_of(client.get(reverse("web:process-list")))
    response = client.get(reverse("web:document-download", args=[draft.public_id]))
    assert response.status_code == 200
    assert str(draft.public_id) in client.get(reverse("web:documents")).content.decode()


def test_access_given_by_name_opens_the_process_and_is_taken_back(login, world, returned):  # noqa: F811
    lkjip, _draft = returned
    operator = Person.objects.get(user=world["operator-hukum"])
    url = reverse("web:process-detail", args=[lkjip.pk])
    # The Pelaksana may not give access; the form is not on their page.
    pelaksana = login("pelaksana")
    assert 'data-form="access"' not in pelaksana.get(url).content.decode()
    response = pelaksana.post(
        reverse("web:process-access", args=[lkjip.pk]),
        {"access-to": operator.pk, "access-reason": "Bantu"},
    )
    assert response.status_code == 403
    # The Kasubbag gives it, with a reason.
    kasubbag = login("kasubbag")
    response = kasubbag.post(
        reverse("web:process-access", args=[lkjip.pk]),
        {"access-to": operator.pk, "access-reason": ""},
    )
    assert response.status_code == 422
    assert "Give the reason for giving access." in text_of(response)
    assert not ProcessAccess.objects.exists()
    kasubbag.post(
        reverse("web:process-access", args=[lkjip.pk]),
        {"access-to": operator.pk, "access-reason": "Data capaian Bagian Hukum"},
    )
    assert NOTE in text_of(login("operator-hukum").get(url))
    page = text_of(kasubbag.get(url))
    assert "Data capaian Bagian Hukum" in page
    kasubbag.post(reverse("web:process-access-revoke", args=[lkjip.pk, operator.pk]))
    assert login("operator-hukum").get(url).status_code == 404


# --- the download log ---------------------------------------------------------------------------


def test_every_download_leaves_a_row_with_the_person_and_the_address(login, world, final_pk):  # noqa: F811
    process = final_pk.document.process
    client = login("operator-hukum")
    client.get(reverse("web:document-download", args=[final_pk.public_id]))
    letter = GeneratedLetter.objects.get(version__document__process=process)
    login("sekda").get(reverse("web:document-docx", args=[letter.version.public_id]))
    first, second = downloads(process)
    assert (first.actor, first.action, first.object_id) == (
        world["operator-hukum"],
        "download",
        str(final_pk.pk),
    )
    assert first.after == {
        "version": final_pk.number,
        "document": final_pk.label,
        "file": "pdf",
        "name": final_pk.name,
        "address": "10.20.30.40",
        "via": "page",
    }
    assert (second.actor, second.after["file"]) == (world["sekda"], "docx")
    assert second.actor_name == world["sekda"].person.name


def test_behind_the_proxy_the_log_has_the_clients_address(login, settings, final_pk):
    settings.TRUSTED_PROXY_COUNT = 1
    login("operator-hukum").get(
        reverse("web:document-download", args=[final_pk.public_id]),
        HTTP_X_FORWARDED_FOR="1.2.3.4, 10.1.1.7",
    )
    (event,) = downloads(final_pk.document.process)
    assert event.after["address"] == "10.1.1.7"


def test_the_download_log_is_on_the_process_page_for_who_manages_it(login, world, final_pk):  # noqa: F811
    process = final_pk.document.process
    login("operator-hukum").get(reverse("web:document-download", args=[final_pk.public_id]))
    url = reverse("web:process-detail", args=[process.pk])
    page = text_of(login("kasubbag").get(url))
    assert "Download log (1)" in page
    assert world["operator-hukum"].person.name in page and "10.20.30.40" in page
    assert "Download log" not in text_of(login("sekda").get(url))


# --- letter numbers ------------------------------------------------------------------------------


def test_a_number_in_another_units_book_is_refused_with_nothing_taken(login, world):  # noqa: F811
    """The Pelaksana numbers in the Bagian Umum's book, not the Bagian Hukum's or the
    Pemerintah Kota's; the page offers only their own book."""
    client = login("pelaksana")
    before = (LetterNumber.objects.count(), NumberingBook.objects.count())
    for unit in ("bagian-hukum", "pemkot-banjarbaru"):
        response = client.post(
            reverse("web:numbering-take"),
            {"unit": unit, "year": "2026", "classification": "000.7.2.7", "subject": "Surat"},
        )
        assert response.status_code == 403
        assert "You may take numbers only in the book of your own unit" in text_of(response)
    assert (LetterNumber.objects.count(), NumberingBook.objects.count()) == before
    page = client.get(reverse("web:numbering")).content.decode()
    assert 'id="take-number"' in page and 'value="bagian-umum"' in page
    assert 'value="bagian-hukum"' not in page


def test_the_number_of_an_archived_letter_is_not_cancelled(login, world):  # noqa: F811
    """Last year's invitation: its process is finished and its records filed."""
    number = LetterNumber.objects.get(process__sop_version__sop__number="SOP-013/SETDA")
    client = login("pelaksana")  # who took it
    book = reverse("web:numbering") + f"?unit=bagian-umum&year={number.book.year}"
    cancel_url = reverse("web:numbering-cancel", args=[number.pk])
    assert cancel_url not in client.get(book).content.decode()
    response = client.post(cancel_url, {"reason": "Tidak jadi"}, follow=True)
    assert f"{number.number}: Number {number.number} cannot be cancelled" in text_of(response)
    number.refresh_from_db()
    assert (number.status, number.cancel_reason) == (LetterNumber.Status.ISSUED, "")
    assert not AuditEvent.objects.filter(action="cancel-number").exists()
