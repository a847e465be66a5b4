"""Where the visible stamp lands: in the signature space the letter or the PK leaves for it,
above the signer's name, checked on the signed PDF's coordinates (the signature widget's
/Rect against where the block's lines are drawn)."""

import datetime as dt
import io
from types import SimpleNamespace

import pypdf
import pytest

from kinerja.demo.documents import draft_pdf
from kinerja.documents.letters import render_pdf
from kinerja.documents.signing import LocalBackend, Stamp, stamp_box, stamp_placement

from .test_letters import nota_dinas, surat_pengantar, undangan
from .test_signing import SEKDA, WALIKOTA, demo_pki, make_pdf, widgets  # noqa: F401

SIGNED_AT = dt.datetime(2026, 1, 13, 1, 0, tzinfo=dt.UTC)  # 09:00 WITA


def sign(pdf: bytes, who, pki_dir, slot: int) -> bytes:
    stamp = Stamp(
        name=who.name,
        position=who.position,
        nip=who.nip,
        signed_at=SIGNED_AT,
        verify_url="https://kinerja.example.go.id/verifikasi/7f3a",
        slot=slot,
    )
    return LocalBackend(pki_dir=pki_dir).sign_pdf(
        pdf, identity=who, stamp=stamp, reason="Persetujuan"
    )


def lines_drawn(pdf: bytes, page: int = -1) -> dict[str, tuple[float, float]]:
    """Each line of text on the page -> (x, y) of its start, in PDF points."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            e, f = tm[4], tm[5]
            x = e * cm[0] + f * cm[2] + cm[4]
            y = e * cm[1] + f * cm[3] + cm[5]
            found.setdefault(" ".join(text.split()), (x, y))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def only_rect(before: bytes, after: bytes) -> list[float]:
    """The rectangle of the one signature widget `after` adds to `before`."""
    new = set(widgets(after)) - set(widgets(before))
    assert len(new) == 1
    return widgets(after)[new.pop()][1]


def between_position_and_name(rect, position, name) -> None:
    """The stamp is under the position line and above the name, across the name."""
    llx, lly, urx, ury = rect
    assert ury <= position[1], (rect, position)
    assert lly > name[1] + 7, (rect, name)  # clear of the name's capitals (11 pt)
    assert llx <= name[0] < urx, (rect, name)


@pytest.mark.parametrize("letter", [nota_dinas, undangan, surat_pengantar])
def test_the_stamp_sits_in_the_letters_signature_block_above_the_signers_name(
    letter,
    demo_pki,  # noqa: F811
):
    made = letter()
    pdf = render_pdf(made)
    signed = sign(pdf, SEKDA, demo_pki, slot=0)

    rect = only_rect(pdf, signed)
    drawn = lines_drawn(signed)
    position = drawn[made.signature.authority[-1]]
    name = drawn[made.signature.name]
    between_position_and_name(rect, position, name)
    placement = stamp_placement(pdf, 0)
    assert placement.in_space


def pk_people():
    return {
        "sekda": SimpleNamespace(
            name=SEKDA.name, nip=SEKDA.nip, nip_display="19680512 199003 1 005"
        ),
        "walikota": SimpleNamespace(name=WALIKOTA.name, nip="", nip_display=""),
    }


@pytest.mark.django_db  # the PK draws the lambang the administrator uploaded
def test_the_sekda_and_the_walikota_each_sign_in_their_own_space_of_the_pk(demo_pki):  # noqa: F811
    draft = draft_pdf(kind="pk", year=2026, people=pk_people(), dated=dt.date(2026, 1, 13))
    by_sekda = sign(draft, SEKDA, demo_pki, slot=0)
    by_both = sign(by_sekda, WALIKOTA, demo_pki, slot=1)

    drawn = lines_drawn(by_both)
    # Pihak Pertama (the Sekda) on the right, Pihak Kedua (the Wali Kota) on the left.
    between_position_and_name(
        only_rect(draft, by_sekda), drawn["SEKRETARIS DAERAH"], drawn[SEKDA.name]
    )
    between_position_and_name(
        only_rect(by_sekda, by_both), drawn["WALI KOTA BANJARBARU"], drawn[WALIKOTA.name]
    )


@pytest.mark.django_db
def test_the_pk_is_dated_the_day_it_is_signed():
    draft = draft_pdf(kind="pk", year=2026, people=pk_people(), dated=dt.date(2026, 1, 13))
    assert "Banjarbaru, 13 Januari 2026" in lines_drawn(draft)


def test_a_pdf_without_a_signature_space_is_stamped_at_the_bottom_of_its_last_page(
    demo_pki,  # noqa: F811
):
    pdf = make_pdf(pages=2)
    placement = stamp_placement(pdf, 0)
    assert not placement.in_space
    assert (placement.page_number, placement.page_count) == (2, 2)
    assert placement.box == stamp_box(placement.page_box, 0)
    signed = sign(pdf, SEKDA, demo_pki, slot=0)
    [(page, rect)] = widgets(signed).values()
    assert page == 1 and [round(v) for v in rect] == list(placement.box)


def test_a_space_marked_only_at_its_top_left_takes_a_stamp_of_the_stamps_size():
    from weasyprint import HTML

    pdf = HTML(
        string="<p>Sekretaris Daerah,</p><p id='ttd-1' style='margin-left: 300px'>&nbsp;</p>"
    ).write_pdf()
    placement = stamp_placement(pdf, 0)
    dest = pypdf.PdfReader(io.BytesIO(pdf)).named_destinations["ttd-1"]
    assert placement.in_space
    llx, lly, urx, ury = placement.box
    assert (llx, ury) == (round(float(dest.left)), round(float(dest.top)))
    assert (urx - llx, ury - lly) == (250, 78)


def test_the_second_signature_on_a_letter_with_one_space_goes_to_the_bottom_of_the_page():
    pdf = render_pdf(nota_dinas())
    assert stamp_placement(pdf, 0).in_space
    assert not stamp_placement(pdf, 1).in_space


def test_a_space_a_word_processor_names_in_the_catalogues_dests_is_found():
    """LibreOffice exports a DOCX's bookmarks as the catalogue's /Dests dictionary, whose
    keys are PDF names ("/ttd-1"): the space of the Renja's DOCX exported as PDF."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject
    from weasyprint import HTML

    plain = HTML(string="<p>Sekretaris Daerah,</p>").write_pdf()
    writer = PdfWriter(clone_from=io.BytesIO(plain))
    page = writer.pages[0].indirect_reference
    dests = DictionaryObject()
    dests[NameObject("/ttd-1")] = ArrayObject(
        [page, NameObject("/XYZ"), FloatObject(272), FloatObject(588), FloatObject(0)]
    )
    writer._root_object[NameObject("/Dests")] = dests
    out = io.BytesIO()
    writer.write(out)
    placement = stamp_placement(out.getvalue(), 0)
    assert placement.in_space
    assert placement.box == (272, 510, 522, 588)
