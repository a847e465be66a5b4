"""Letter numbers: the Pelaksana takes the next number from the unit's book; no gaps, no repeats.

The book of Sub Bagian Perencanaan (short name Setda-Umum-Ren) numbers in the default
pattern {klasifikasi}/{urut}/{unit}/{tahun}; a PK letter is classified 000.7.2.7.
"""

import io
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection
from django.utils import translation

from kinerja import actions
from kinerja.core.audit_models import AuditEvent
from kinerja.core.errors import DomainError
from kinerja.documents import numbering
from kinerja.documents.models import ArchiveClassification, LetterNumber, NumberingBook
from kinerja.documents.services import archive
from kinerja.org.models import Unit
from kinerja.org.services import load_structure
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop

from .conftest import TUESDAY_MORNING, at, grant, pdf_bytes
from .register_data import upload

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def unit(demo):
    """The Sub Bagian Perencanaan with books of its own: the demo's Bagian Umum books (which
    would number its letters, see the tests at the end) are set aside for these tests."""
    NumberingBook.objects.all().delete()
    return Unit.objects.get(code="subbag-perencanaan")


@pytest.fixture
def pk_code(db):
    return ArchiveClassification.objects.get(code="000.7.2.7")


@pytest.fixture
def clerk(pelaksana):
    """The Pelaksana, who keeps the unit's book (documents.add_letternumber)."""
    return grant(pelaksana, "documents.add_letternumber")


def take(unit, classification, by, *, year=2026, subject="Penyampaian PK 2026", now=None):
    return numbering.take(
        unit=unit,
        year=year,
        classification=classification,
        subject=subject,
        by=by,
        now=now or TUESDAY_MORNING,
    )


def test_numbers_are_consecutive_in_the_default_pattern(unit, pk_code, clerk):
    first = take(unit, pk_code, clerk)
    second = take(unit, pk_code, clerk, subject="Undangan rapat PK")
    assert first.number == "000.7.2.7/001/Setda-Umum-Ren/2026"
    assert second.number == "000.7.2.7/002/Setda-Umum-Ren/2026"
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.book == second.book
    book = NumberingBook.objects.get(unit=unit, year=2026)
    assert book.last_sequence == 2
    assert (first.taken_by, first.subject, first.status) == (
        clerk,
        "Penyampaian PK 2026",
        LetterNumber.Status.ISSUED,
    )
    events = AuditEvent.objects.filter(stream=f"numbers:{book.pk}", action="take-number")
    assert [e.after["number"] for e in events.order_by("seq")] == [first.number, second.number]


def test_a_new_year_opens_a_new_book_from_1_keeping_the_pattern(unit, pk_code, clerk):
    take(unit, pk_code, clerk)
    NumberingBook.objects.filter(unit=unit, year=2026).update(
        pattern="{urut}/{klasifikasi}/{unit}/{bulan}/{tahun}", digits=4
    )
    take(unit, pk_code, clerk)
    number = take(unit, pk_code, clerk, year=2027, now=at(2027, 1, 4, 8, 0))
    assert number.sequence == 1
    assert number.number == "0001/000.7.2.7/Setda-Umum-Ren/I/2027"
    book_2027 = number.book
    assert (book_2027.year, book_2027.pattern, book_2027.digits) == (
        2027,
        "{urut}/{klasifikasi}/{unit}/{bulan}/{tahun}",
        4,
    )
    # The 2026 book goes on where it was.
    assert take(unit, pk_code, clerk).sequence == 3


def test_the_month_is_written_in_roman_numerals_in_local_time(unit, pk_code, clerk):
    NumberingBook.objects.create(unit=unit, year=2026, pattern="{urut}/{unit}/{bulan}/{tahun}")
    # 00:30 WITA on 1 March is still 28 February in UTC: the book follows the office's clock.
    march = take(unit, pk_code, clerk, now=at(2026, 3, 1, 0, 30))
    december = take(unit, pk_code, clerk, now=at(2026, 12, 31, 23, 59))
    assert march.number == "001/Setda-Umum-Ren/III/2026"
    assert december.number == "002/Setda-Umum-Ren/XII/2026"


def test_the_unit_code_stands_in_when_the_unit_has_no_short_name(unit, pk_code, clerk):
    Unit.objects.filter(pk=unit.pk).update(short_name="")
    unit.refresh_from_db()
    assert take(unit, pk_code, clerk).number == "000.7.2.7/001/subbag-perencanaan/2026"


# --- cancelling ---------------------------------------------------------------------------


def test_a_cancelled_number_stays_in_the_book_and_is_never_given_again(unit, pk_code, clerk):
    take(unit, pk_code, clerk)
    second = take(unit, pk_code, clerk)
    cancelled = numbering.cancel(number=second, by=clerk, reason="Surat batal dikirim")
    assert cancelled.status == LetterNumber.Status.CANCELLED
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == (clerk, "Surat batal dikirim")
    assert cancelled.cancelled_at is not None
    third = take(unit, pk_code, clerk)
    assert third.sequence == 3
    assert third.number == "000.7.2.7/003/Setda-Umum-Ren/2026"
    book = list(LetterNumber.objects.filter(book=third.book).values_list("sequence", "status"))
    assert book == [(1, "issued"), (2, "cancelled"), (3, "issued")]


def test_cancelling_needs_a_reason_and_happens_once(unit, pk_code, clerk):
    number = take(unit, pk_code, clerk)
    with pytest.raises(DomainError) as caught:
        numbering.cancel(number=number, by=clerk, reason="   ")
    assert (str(caught.value), caught.value.field) == (
        "Give a reason for cancelling the number.",
        "reason",
    )
    numbering.cancel(number=number, by=clerk, reason="Salah alamat")
    with pytest.raises(DomainError) as caught:
        numbering.cancel(number=number, by=clerk, reason="Lagi")
    assert str(caught.value) == "Number 000.7.2.7/001/Setda-Umum-Ren/2026 is already cancelled."


def test_who_took_the_number_an_administrator_or_a_book_keeper_may_cancel_it(
    unit, pk_code, clerk, kasubbag, outsider, admin
):
    numbers = [take(unit, pk_code, clerk) for _ in range(3)]
    for user in (kasubbag, outsider):
        with pytest.raises(PermissionDenied) as caught:
            numbering.cancel(number=numbers[0], by=user, reason="Bukan urusan saya")
        assert str(caught.value) == (
            "Only who took the number, a clerk of its book or an administrator may cancel it."
        )
    numbering.cancel(number=numbers[0], by=clerk, reason="Batal")
    numbering.cancel(number=numbers[1], by=admin, reason="Batal")
    keeper = grant(kasubbag, "documents.change_letternumber")
    numbering.cancel(number=numbers[2], by=keeper, reason="Batal")
    assert set(LetterNumber.objects.values_list("status", flat=True)) == {"cancelled"}


# --- who may take, and what a number needs ------------------------------------------------


def test_only_who_keeps_the_book_or_an_administrator_takes_numbers(unit, pk_code, outsider, admin):
    with pytest.raises(PermissionDenied) as caught:
        take(unit, pk_code, outsider)
    assert str(caught.value) == "You may not take letter numbers."
    assert not NumberingBook.objects.exists()  # refusing opened no book
    assert take(unit, pk_code, admin).sequence == 1


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"subject": "  "}, "Give the subject (hal) of the letter.", "subject"),
        (
            {"classification": None},
            "Choose the archive classification of the letter.",
            "classification",
        ),
        ({"year": 1999}, "The year must be between 2000 and 2100.", "year"),
        ({"year": "2026"}, "The year must be between 2000 and 2100.", "year"),
    ],
)
def test_a_number_needs_subject_classification_and_year(
    unit, pk_code, clerk, change, message, field
):
    arguments = {
        "unit": unit,
        "year": 2026,
        "classification": pk_code,
        "subject": "Penyampaian PK",
        "by": clerk,
    } | change
    with pytest.raises(DomainError) as caught:
        numbering.take(**arguments)
    assert (str(caught.value), caught.value.field) == (message, field)
    assert not LetterNumber.objects.exists()


# --- patterns -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "{nomor}/{urut}/{tahun}",
            "Unknown field {nomor}; use {bulan}, {klasifikasi}, {tahun}, {unit}, {urut}.",
        ),
        (
            "{urut}/{Tahun}/{kode}",
            "Unknown field {Tahun}, {kode}; use {bulan}, {klasifikasi}, {tahun}, {unit}, {urut}.",
        ),
        ("{}/{urut}", "Unknown field {}; use {bulan}, {klasifikasi}, {tahun}, {unit}, {urut}."),
        ("{klasifikasi}/{unit}/{tahun}", "The pattern must hold {urut}, the running number."),
        ("{klasifikasi}/{urut}/{tahun", "The pattern has an unmatched brace."),
        ("{klasifikasi}/urut}/{tahun}", "The pattern has an unmatched brace."),
    ],
)
def test_a_bad_pattern_is_explained(pattern, message):
    assert numbering.pattern_errors(pattern) == message


@pytest.mark.parametrize(
    "pattern",
    ["{klasifikasi}/{urut}/{unit}/{tahun}", "{urut}", "B-{urut}/{unit}/{bulan}/{tahun}"],
)
def test_good_patterns_have_no_errors(pattern):
    assert numbering.pattern_errors(pattern) == ""


def test_a_book_with_a_bad_pattern_gives_no_number_and_says_why(unit, pk_code, clerk):
    NumberingBook.objects.create(unit=unit, year=2026, pattern="{klasifikasi}/{nomor}")
    with pytest.raises(DomainError) as caught:
        take(unit, pk_code, clerk)
    assert str(caught.value) == (
        "The number pattern of book Setda-Umum-Ren 2026 is wrong: Unknown field {nomor}; "
        "use {bulan}, {klasifikasi}, {tahun}, {unit}, {urut}."
    )
    assert caught.value.field == "pattern"
    assert NumberingBook.objects.get(unit=unit, year=2026).last_sequence == 0


# --- many clerks at once (PostgreSQL: real concurrent connections) -------------------------


def _concurrent(count: int, work) -> dict:
    """Run `work(i)` in `count` threads released at the same moment; results or errors by i."""
    barrier = threading.Barrier(count)
    outcomes = {}

    def attempt(i):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                outcomes[i] = work(i)
        except Exception:  # noqa: BLE001 - reported by the test's assertions
            import traceback

            outcomes[i] = traceback.format_exc()
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _setup_book_keeper():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent connections: PostgreSQL (SQLite serialises writers anyway)")
    load_structure()
    clerk = get_user_model().objects.create_superuser("tu", password="x")
    unit = Unit.objects.get(code="subbag-perencanaan")
    return clerk, unit, ArchiveClassification.objects.get(code="000.7.2.7")


@pytest.mark.django_db(transaction=True)
def test_ten_clerks_taking_numbers_at_once_get_1_to_10_without_gaps_or_repeats():
    clerk, unit, code = _setup_book_keeper()
    take(unit, code, clerk)  # the book is open; everyone now queues on its row
    outcomes = _concurrent(10, lambda i: take(unit, code, clerk, subject=f"Surat {i}").sequence)
    assert all(isinstance(v, int) for v in outcomes.values()), outcomes
    assert sorted(outcomes.values()) == list(range(2, 12))
    numbers = list(LetterNumber.objects.order_by("sequence").values_list("sequence", "number"))
    assert [s for s, _n in numbers] == list(range(1, 12))
    assert len({n for _s, n in numbers}) == 11
    assert NumberingBook.objects.get().last_sequence == 11


@pytest.mark.django_db(transaction=True)
def test_clerks_opening_the_new_years_book_at_once_share_one_book():
    clerk, unit, code = _setup_book_keeper()
    NumberingBook.objects.create(
        unit=unit, year=2026, pattern="{urut}/{unit}/{tahun}", digits=4, last_sequence=57
    )
    january = at(2027, 1, 4, 8, 0)
    outcomes = _concurrent(
        8, lambda i: take(unit, code, clerk, year=2027, subject=f"Surat {i}", now=january).number
    )
    assert all(v.endswith("/Setda-Umum-Ren/2027") for v in outcomes.values()), outcomes
    assert sorted(outcomes.values()) == [f"{n:04d}/Setda-Umum-Ren/2027" for n in range(1, 9)]
    book = NumberingBook.objects.get(unit=unit, year=2027)
    assert (book.pattern, book.digits, book.last_sequence) == ("{urut}/{unit}/{tahun}", 4, 8)
    assert NumberingBook.objects.count() == 2


# --- whose book ----------------------------------------------------------------------------


def test_a_sub_bagians_letters_go_in_its_bagians_book(demo, pk_code, clerk):
    """The demo's Bagian Umum keeps the agenda book: the Sub Bagian's numbers are in it."""
    sub = Unit.objects.get(code="subbag-perencanaan")
    number = take(sub, pk_code, clerk)
    assert number.number == "000.7.2.7/001/Setda-Umum/2026"
    assert number.book.unit.code == "bagian-umum"
    assert take(Unit.objects.get(code="bagian-umum"), pk_code, clerk).sequence == 2


def test_a_unit_with_a_book_of_its_own_numbers_in_it(demo, pk_code, clerk):
    sub = Unit.objects.get(code="subbag-perencanaan")
    NumberingBook.objects.create(unit=sub, year=2025)
    assert take(sub, pk_code, clerk).number == "000.7.2.7/001/Setda-Umum-Ren/2026"
    assert not NumberingBook.objects.filter(unit__code="bagian-umum", numbers__isnull=False)


# --- in whose book one may number ---------------------------------------------------------

NOT_YOURS = (
    "You may take numbers only in the book of your own unit, or in a book that lists your "
    "unit; the book of {unit} is not one of them."
)


@pytest.mark.parametrize("code", ["bagian-hukum", "pemkot-banjarbaru"])
def test_a_clerk_numbers_only_in_the_book_of_their_own_unit(demo, pk_code, clerk, code):
    """The Pelaksana's letters are numbered in the Bagian Umum's book, not another unit's."""
    other = Unit.objects.get(code=code)
    before = set(NumberingBook.objects.values_list("pk", "last_sequence"))
    with pytest.raises(PermissionDenied) as caught:
        take(other, pk_code, clerk)
    assert str(caught.value) == NOT_YOURS.format(unit=other.name)
    assert not LetterNumber.objects.exists()
    assert set(NumberingBook.objects.values_list("pk", "last_sequence")) == before


def test_a_book_that_lists_a_unit_is_open_to_its_clerks_next_year_too(demo, pk_code, clerk):
    """The administration lets the Sub Bagian Perencanaan number in the Bagian Hukum's book."""
    hukum = Unit.objects.get(code="bagian-hukum")
    book = NumberingBook.objects.create(unit=hukum, year=2026)
    book.units.add(Unit.objects.get(code="subbag-perencanaan"))
    assert take(hukum, pk_code, clerk).book == book
    next_year = take(hukum, pk_code, clerk, year=2027).book
    assert (next_year.year, list(next_year.units.values_list("code", flat=True))) == (
        2027,
        ["subbag-perencanaan"],
    )
    book.units.clear()
    with pytest.raises(PermissionDenied):
        take(hukum, pk_code, clerk)


# --- numbers that stay ----------------------------------------------------------------------


@pytest.fixture
def invitation(demo, pk_code, clerk, kasubbag, media):
    """A number in the Bagian Umum's book and an invitation of a running PK process that
    carries it (as the letter form leaves it: the number names the document)."""
    process = actions.start_process(
        sop=find_sop("SOP-013"), title="PK 2026", year=2026, by=kasubbag
    )
    version = actions.upload(
        process=process,
        document_type=DocumentType.objects.get(name="Undangan Rapat"),
        content=io.BytesIO(pdf_bytes("undangan")),
        name="undangan.pdf",
        by=kasubbag,
    )
    number = take(process.unit, pk_code, clerk)
    number.process, number.document = process, version.document
    number.save(update_fields=["process", "document"])
    return number, version


def _refused(number, clerk, message):
    with pytest.raises(DomainError) as caught:
        numbering.cancel(number=number, by=clerk, reason="Tidak jadi")
    assert str(caught.value) == message
    number.refresh_from_db()
    assert (number.status, number.cancel_reason) == (LetterNumber.Status.ISSUED, "")
    assert not AuditEvent.objects.filter(action="cancel-number").exists()


def test_the_number_of_a_final_letter_is_not_cancelled(invitation, clerk, kasubbag):
    number, version = invitation
    actions.mark_final(version=version, by=kasubbag)
    _refused(
        number,
        clerk,
        f"Number {number.number} cannot be cancelled: the letter that carries it is final.",
    )


def test_the_number_of_a_filed_letter_is_not_cancelled(demo, pk_code, clerk, kasubbag, media):
    """Taken in the book, typed on a document filed in the archive register."""
    number = take(Unit.objects.get(code="bagian-umum"), pk_code, clerk)
    process = actions.start_process(sop=find_sop("SOP-013"), title="PK", year=2026, by=kasubbag)
    version = upload(process, "Dokumen PK", text="pk")
    archive(version=version, by=kasubbag, location="Ordner PK", letter_number=number.number)
    _refused(
        number,
        clerk,
        f"Number {number.number} cannot be cancelled: the letter that carries it is filed in "
        "the archive register.",
    )


def test_an_unused_number_of_a_running_process_may_still_be_cancelled(invitation, clerk):
    number, _version = invitation
    assert numbering.cancel(number=number, by=clerk, reason="Salah hal").status == "cancelled"
