"""The registers as the pages and the API read them: filters, order, and a fixed query count."""

import pytest

from kinerja.documents import selectors
from kinerja.documents.models import ArchiveClassification, LetterNumber
from kinerja.documents.selectors import ArchiveFilters, DocumentFilters
from kinerja.documents.tests import register_data as data
from kinerja.org.models import Unit
from kinerja.workflow.tests.conftest import demo  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(demo, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def two_processes(files):
    pk = data.start()
    lkjip = data.start("SOP-011", title="Penyusunan LKjIP 2025", year=2025)
    return pk, lkjip


def test_versions_are_listed_newest_first_with_every_filter(two_processes):
    pk, lkjip = two_processes
    draft1 = data.upload(pk, "Draft PK", text="satu")
    draft2 = data.upload(pk, "Draft PK", text="dua", name="Draft PK revisi.pdf")
    laporan = data.upload(lkjip, "Laporan Kinerja", text="lkjip")

    def names(**kw):
        return [v.pk for v in selectors.document_versions(DocumentFilters(**kw))]

    assert names() == [laporan.pk, draft2.pk, draft1.pk]
    assert names(sop="SOP-013") == [draft2.pk, draft1.pk]
    assert names(sop=pk.sop_version.sop.slug) == [draft2.pk, draft1.pk]
    assert names(process=lkjip.pk) == [laporan.pk]
    assert names(year=2025) == [laporan.pk]
    assert names(document_type=data.document_type("Draft PK").pk) == [draft2.pk, draft1.pk]
    assert names(kind="pdf") == [laporan.pk, draft2.pk, draft1.pk]
    assert names(kind="docx") == []
    assert names(kind="exe") == [laporan.pk, draft2.pk, draft1.pk]  # unknown: ignored
    assert names(text="revisi") == [draft2.pk]
    assert names(text="lkjip") == [laporan.pk]  # in the process title
    assert names(text="laporan kinerja") == [laporan.pk]  # in the document type
    assert names(final=True) == []
    data.file(draft2)  # filing makes it final
    assert names(final=True) == [draft2.pk]
    assert names(final=False) == [laporan.pk, draft1.pk]


def test_a_merged_document_type_finds_the_documents_of_either_name(two_processes, settings):
    from kinerja.actions import merge_document_types

    pk, _lkjip = two_processes
    draft = data.upload(pk, "Draft PK", text="draft")
    keep, merge = data.document_type("Dokumen PK"), data.document_type("Draft PK")
    if merge.same_as_id != keep.pk:
        merge_document_types(keep=keep, merge=merge, by=data.user("admin"))
    found = selectors.document_versions(DocumentFilters(document_type=keep.pk))
    assert draft in found
    found = selectors.document_versions(DocumentFilters(document_type=merge.pk))
    assert draft in found


def test_the_archive_register_filters_by_year_code_text_and_location(two_processes):
    pk, lkjip = two_processes
    first = data.classification()
    # A code with levels below its group ("000.7.2.8" under "000.7."), not a primary code.
    other = (
        ArchiveClassification.objects.exclude(pk=first.pk)
        .filter(code__regex=r"^[0-9]{3}\.[0-9]+\.[0-9]+")
        .order_by("-code")
        .first()
    )
    a = data.file(data.upload(pk, "Dokumen PK", text="a"), location="Lemari 1, Ordner 3")
    b = data.file(
        data.upload(lkjip, "Laporan Kinerja", text="b"), location="Lemari 2", code=other.code
    )

    def entries(**kw):
        return [e.pk for e in selectors.archive_register(ArchiveFilters(**kw))]

    assert entries() == [b.pk, a.pk]  # the newest register number first
    assert entries(year=a.year) == [b.pk, a.pk]
    assert entries(year=2001) == []
    assert entries(classification=first.code) == [a.pk]
    group = ".".join(other.code.split(".")[:2]) + "."  # "000.7." holds "000.7.2.8"
    assert entries(classification=group) == [b.pk]
    assert entries(classification="999.9.9") == []
    assert entries(text="laporan") == [b.pk]
    assert entries(text=a.sha256.upper()) == [a.pk]
    assert entries(location="ordner 3") == [a.pk]


def test_a_book_lists_its_numbers_newest_first_cancelled_ones_included(files):
    unit = Unit.objects.get(code="bagian-umum")  # the Kasubbag's letters are numbered there
    first = data.take_number(unit, subject="Undangan rapat")
    second = data.take_number(unit, subject="Nota dinas")
    from kinerja.documents import numbering

    numbering.cancel(number=first, by=data.user("kasubbag"), reason="Salah tujuan")
    book = selectors.numbering_book(unit, 2026)
    rows = list(selectors.letter_numbers(book))
    assert [n.pk for n in rows] == [second.pk, first.pk]
    assert rows[1].status == LetterNumber.Status.CANCELLED
    assert [n.pk for n in selectors.letter_numbers(book, text="nota")] == [second.pk]


def test_a_page_of_a_large_register_costs_the_same_few_queries(
    two_processes, django_assert_max_num_queries
):
    pk, _lkjip = two_processes
    data.big_register(pk, entries=300)
    with django_assert_max_num_queries(2):
        rows = list(selectors.archive_register(ArchiveFilters(year=2025))[:25])
        assert [r.classification.code for r in rows]
        assert all(r.entered_by.person for r in rows)
    with django_assert_max_num_queries(1):
        rows = list(selectors.document_versions()[:25])
        assert all(r.document.process.sop_version.sop.number for r in rows)


def test_dispatches_newest_first_and_those_without_receipt(two_processes):
    import datetime as dt

    from kinerja import actions

    pk, _lkjip = two_processes
    version = data.upload(pk, "Dokumen PK", text="kirim")
    cover = data.take_number(pk.unit)
    sent = actions.dispatch(
        version=version,
        by=data.user("kasubbag"),
        recipient="Bappeda",
        sent_on=dt.date(2026, 2, 3),
        channel="hand",
        cover_number=cover,
    )
    assert list(selectors.dispatches(process=pk.pk)) == [sent]
    assert list(selectors.dispatches(pending=True)) == [sent]
    actions.record_receipt(
        dispatch=sent,
        by=data.user("kasubbag"),
        received_by="Staf Bappeda",
        received_at=data.TUESDAY_MORNING + dt.timedelta(days=1),
    )
    assert list(selectors.dispatches(pending=True)) == []
