"""Official letters: every typed value reaches the PDF and the DOCX, in the Tata Naskah Dinas layout."""

import datetime as dt
import io
import re

import docx
import pypdf
import pytest
from django.utils import translation

from kinerja.core.errors import DomainError
from kinerja.documents import letters
from kinerja.documents.letters import (
    DEFAULT_TEXTS,
    LETTER_KINDS,
    CoverItem,
    Letter,
    Letterhead,
    MeetingDetails,
    Paraf,
    Receiver,
    render_docx,
    render_html,
    render_pdf,
    render_texts,
)
from kinerja.documents.signature_block import build_signature_block

A4_PORTRAIT = (595.28, 841.89)
SEKDA_NIP = "196509281992031008"
NIP_PRINTED = "NIP. 19650928 199203 1 008"


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are checked against their English msgids, whatever catalogue is installed."""
    with translation.override("en"):
        yield


def squash(text: str) -> str:
    """Text without whitespace: a wrapped cell splits its text over lines."""
    return re.sub(r"\s+", "", text)


def pdf_images(pdf: bytes) -> list:
    """The images drawn on the first page of a PDF."""
    resources = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]
    objects = resources.get("/XObject", {})
    return [o for o in objects.values() if o.get_object().get("/Subtype") == "/Image"]


def text_y(pdf: bytes, needle: str) -> float:
    """The height on the first page (PDF points) of the text run that holds `needle`."""
    found: list[float] = []

    def visit(text, cm, tm, font_dict, font_size):
        if needle in text:
            found.append(cm[5] + tm[5] * cm[3])

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    assert found, needle
    return found[0]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def docx_text(data: bytes) -> str:
    """Paragraphs and table cells (nested tables too) of a DOCX, in order."""
    document = docx.Document(io.BytesIO(data))
    parts = []

    def walk(container):
        for paragraph in container.paragraphs:
            parts.append(paragraph.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    return "\n".join(parts)


def sekda_signature():
    """The Sekda signs on behalf of the Wali Kota."""
    return build_signature_block(
        "Drs. H. Said Abdullah, M.Si",
        "Sekretaris Daerah",
        signer_rank="Pembina Utama Madya (IV/d)",
        signer_nip=SEKDA_NIP,
        on_behalf_of="Wali Kota Banjarbaru",
    )


def nota_dinas(**changes) -> Letter:
    """The Kabag Umum reports to the Asisten III."""
    values = dict(
        kind="nota_dinas",
        number="000.1.2/041/Umum",
        date=dt.date(2026, 11, 28),
        to=["Asisten Administrasi Umum"],
        sender="Kepala Bagian Umum",
        tembusan=["Sekretaris Daerah"],
        hal="Laporan Kinerja Tahun 2026",
        body="Draf LKjIP telah selesai disusun.\n\nMohon arahan lebih lanjut.",
        opening="Dalam rangka penyusunan LKjIP, kami sampaikan hal berikut.",
        closing="Demikian disampaikan.",
        signature=sekda_signature(),
    )
    values.update(changes)
    return Letter(**values)


def undangan(**changes) -> Letter:
    """The Kasubbag Perencanaan invites every Kabag to the Renja priority meeting."""
    values = dict(
        kind="undangan",
        number="005/117/Umum",
        date=dt.date(2026, 3, 2),
        to=["Para Kepala Bagian", "Para Kepala Sub Bagian"],
        tembusan=["Wali Kota Banjarbaru (sebagai laporan)"],
        hal="Undangan Rapat Prioritas Renja",
        opening="Dengan hormat kami mengundang Saudara pada:",
        closing="Atas kehadirannya diucapkan terima kasih.",
        meeting=MeetingDetails(
            day_date="Senin, 9 Maret 2026",
            time="09.00 WITA s.d. selesai",
            place="Ruang Rapat Sekretariat Daerah Lantai 2",
            agenda="Pembahasan Prioritas Rencana Kerja Tahun 2027",
        ),
        signature=sekda_signature(),
    )
    values.update(changes)
    return Letter(**values)


def surat_pengantar(**changes) -> Letter:
    """The Renja goes to Bappeda under a cover letter."""
    values = dict(
        kind="surat_pengantar",
        number="000.1.2/230/Umum",
        date=dt.date(2026, 6, 15),
        to=["Kepala Bappeda Kota Banjarbaru"],
        hal="Penyampaian Renja Sekretariat Daerah Tahun 2027",
        items=[
            CoverItem("Rencana Kerja Sekretariat Daerah Tahun 2027", "2 (dua) eksemplar"),
            CoverItem("Salinan digital Renja", "1 (satu) berkas", "format PDF"),
        ],
        receiver=Receiver(
            "Kepala Sub Bidang Perencanaan", "Demo Kepala Sub Bidang, S.T.", "198001012005012003"
        ),
        signature=sekda_signature(),
    )
    values.update(changes)
    return Letter(**values)


def typed_values(letter: Letter) -> list[str]:
    """What the person typed; the Surat Pengantar has no Hal line (its opening names it)."""
    values = [letter.number, *letter.to, letter.signature.name, NIP_PRINTED]
    if letter.kind != "surat_pengantar":
        values.append(letter.hal)
    if letter.meeting:
        values += [letter.meeting.place, letter.meeting.agenda, letter.meeting.day_date]
    values += [item.document for item in letter.items]
    values += [item.quantity for item in letter.items]
    return values


LETTERS = {"nota_dinas": nota_dinas, "undangan": undangan, "surat_pengantar": surat_pengantar}


@pytest.mark.parametrize("kind", LETTERS)
def test_docx_holds_every_typed_value(kind):
    letter = LETTERS[kind]()
    text = docx_text(render_docx(letter))
    for value in typed_values(letter):
        assert value in text, value


@pytest.mark.parametrize("kind", LETTERS)
def test_pdf_holds_every_typed_value(kind):
    letter = LETTERS[kind]()
    text = squash(pdf_text(render_pdf(letter)))
    for value in typed_values(letter):
        assert squash(value) in text, value


@pytest.mark.parametrize("kind", LETTERS)
def test_pdf_is_one_a4_portrait_page_in_liberation_sans(kind):
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(LETTERS[kind]())))
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(A4_PORTRAIT[0], abs=1)
    assert float(page.mediabox.height) == pytest.approx(A4_PORTRAIT[1], abs=1)
    fonts = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any("LiberationSans" in name for name in fonts), fonts


@pytest.mark.parametrize("kind", LETTERS)
def test_docx_is_a4_in_arial_12_with_the_regional_margins(kind):
    document = docx.Document(io.BytesIO(render_docx(LETTERS[kind]())))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0
    assert round(section.page_height.cm, 1) == 29.7
    margins = (section.top_margin, section.bottom_margin, section.left_margin)
    assert [round(m.cm, 1) for m in margins] == [2.0, 2.0, 3.0]
    assert round(section.right_margin.cm, 1) == 2.0
    normal = document.styles["Normal"]
    assert normal.font.name == "Arial"
    assert normal.font.size.pt == 12


def kop_cells(data: bytes):
    """The kop of a DOCX: the cells of its first table (lambang, texts, balance)."""
    return docx.Document(io.BytesIO(data)).tables[0].rows[0].cells


@pytest.mark.parametrize("kind", LETTERS)
def test_letter_starts_with_the_kop(kind):
    letter = LETTERS[kind](letterhead=Letterhead(unit="BAGIAN UMUM"))
    lines = kop_cells(render_docx(letter))[1].paragraphs
    assert [p.text for p in lines[:2]] == ["PEMERINTAH KOTA BANJARBARU", "BAGIAN UMUM"]
    assert all(run.bold for run in lines[0].runs)
    assert "BAGIAN UMUM" in pdf_text(render_pdf(letter)).split("\n")[1]


@pytest.mark.parametrize("kind", LETTERS)
def test_kop_shows_the_lambang_left_and_the_email_and_website(kind):
    from kinerja.demo.emblem import placeholder_png

    head = Letterhead(
        email="setda@contoh.go.id", website="www.contoh.go.id", emblem=placeholder_png()
    )
    letter = LETTERS[kind](letterhead=head)
    contact = "Telepon (0511) 4772533, Pos-el setda@contoh.go.id, Laman www.contoh.go.id"
    data = render_docx(letter)
    emblem_cell, lines, _balance = kop_cells(data)
    assert emblem_cell._tc.xpath(".//pic:pic")  # the picture sits in the left cell
    assert lines.paragraphs[-1].text == contact
    pdf = render_pdf(letter)
    assert squash(contact) in squash(pdf_text(pdf))
    assert len(pdf_images(pdf)) == 1


def test_kop_without_a_lambang_prints_no_picture():
    data = render_docx(nota_dinas())
    assert not kop_cells(data)[0]._tc.xpath(".//pic:pic")
    assert pdf_images(render_pdf(nota_dinas())) == []


def test_nota_dinas_has_its_title_and_header_table_in_order():
    text = pdf_text(render_pdf(nota_dinas()))
    text = text[text.index("NOTA DINAS") :]
    labels = ["Yth.", "Dari", "Tembusan", "Tanggal", "Nomor", "Sifat", "Lampiran", "Hal"]
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "28 November 2026" in text


def test_undangan_lists_the_meeting_details_with_their_labels():
    text = docx_text(render_docx(undangan()))
    for label in ("Hari/Tanggal", "Waktu", "Tempat", "Acara"):
        assert label in text
    assert "Banjarbaru, 02 Maret 2026" in text
    assert "Tembusan:" in text
    assert "di –" in text


def test_surat_pengantar_has_the_item_table_and_the_receivers_block():
    letter = surat_pengantar()
    document = docx.Document(io.BytesIO(render_docx(letter)))
    items = next(t for t in document.tables if t.rows[0].cells[0].text == "No")
    headings = [cell.text for cell in items.rows[0].cells]
    assert headings == ["No", "Naskah Dinas yang Dikirimkan", "Banyaknya", "Keterangan"]
    text = docx_text(render_docx(letter))
    assert "Nomor: 000.1.2/230/Umum" in text
    assert "Diterima tanggal" in text
    assert "Demo Kepala Sub Bidang, S.T." in text
    assert "NIP. 19800101 200501 2 003" in text


def test_surat_pengantar_receivers_name_stands_level_with_the_signers():
    """The receiver's and the sender's names on one line, each with its NIP line under it."""
    letter = surat_pengantar()
    tables = docx.Document(io.BytesIO(render_docx(letter))).tables
    signing = next(t for t in tables if "Diterima tanggal" in t.rows[0].cells[0].text)
    names = [cell.paragraphs[0].text for cell in signing.rows[-1].cells]
    assert names == ["Demo Kepala Sub Bidang, S.T.", "Drs. H. Said Abdullah, M.Si"]
    receiver_lines = [p.text for p in signing.rows[-1].cells[0].paragraphs]
    assert receiver_lines[-1] == "NIP. 19800101 200501 2 003"
    pdf = render_pdf(letter)
    receiver_y, signer_y = text_y(pdf, "Demo Kepala Sub Bidang"), text_y(pdf, "Said Abdullah")
    assert abs(receiver_y - signer_y) < 1  # points
    # Each NIP line under its own name's lines, the receiver's right under the name.
    assert receiver_y - text_y(pdf, "NIP. 19800101") == pytest.approx(
        signer_y - text_y(pdf, "Pembina Utama Madya"), abs=0.5
    )


def test_surat_pengantar_leaves_a_dotted_nip_line_for_an_unknown_receiver():
    letter = surat_pengantar(receiver=Receiver("Kepala Bappeda Kota Banjarbaru"))
    text = docx_text(render_docx(letter))
    assert "NIP. ........................" in text
    assert "NIP. ......" in pdf_text(render_pdf(letter))


def test_surat_pengantar_names_its_subject_in_the_default_opening():
    letter = surat_pengantar()
    letter.opening = render_texts(DEFAULT_TEXTS["surat_pengantar"], {"hal": letter.hal})["opening"]
    assert squash(letter.hal) in squash(pdf_text(render_pdf(letter)))
    assert letter.hal in docx_text(render_docx(letter))


def test_paraf_column_shows_positions_and_a_tick_for_done_ones():
    letter = undangan(
        paraf=[
            Paraf(
                "Kepala Bagian Umum",
                "Demo Kepala Bagian Umum",
                done_at=dt.datetime(2026, 3, 1, 10, 30),
            ),
            Paraf("Asisten Administrasi Umum"),
        ]
    )
    for text in (docx_text(render_docx(letter)), pdf_text(render_pdf(letter))):
        assert "Jabatan" in text
        assert "Kepala Bagian Umum" in text
        assert "Asisten Administrasi Umum" in text
        assert "√ 01-03-2026" in text
        assert text.count("√") == 1


def test_paraf_column_is_left_out_when_nobody_initials():
    letter = nota_dinas(paraf=[])
    assert "Jabatan" not in docx_text(render_docx(letter))
    assert "Jabatan" not in pdf_text(render_pdf(letter))


def test_body_paragraphs_split_on_blank_lines():
    assert letters.paragraphs("Satu\nbaris dua\n\n\nTiga  kata ") == [
        ["Satu", "baris dua"],
        ["Tiga kata"],
    ]


def test_html_escapes_what_people_type():
    html = render_html(nota_dinas(hal="<script>alert(1)</script>"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_html_for_the_screen_carries_the_fonts():
    html = render_html(nota_dinas())
    assert "@font-face" in html
    assert "LiberationSans-Regular.ttf" in html


# -- validation ------------------------------------------------------------


def test_letter_without_number_is_refused():
    with pytest.raises(DomainError) as error:
        render_pdf(nota_dinas(number="  "))
    assert error.value.field == "number"
    assert "Nomor" in error.value.message


def test_letter_without_subject_is_refused():
    with pytest.raises(DomainError) as error:
        render_docx(undangan(hal=""))
    assert error.value.field == "hal"
    assert "Hal" in error.value.message


def test_letter_without_addressee_is_refused():
    with pytest.raises(DomainError) as error:
        nota_dinas(to=[" "]).validate()
    assert error.value.field == "to"
    assert "Yth." in error.value.message


def test_nota_dinas_without_sender_is_refused():
    with pytest.raises(DomainError) as error:
        nota_dinas(sender="").validate()
    assert error.value.field == "sender"
    assert "Dari" in error.value.message


def test_undangan_without_meeting_details_is_refused():
    with pytest.raises(DomainError) as error:
        undangan(meeting=None).validate()
    assert error.value.field == "meeting"
    assert "meeting details" in error.value.message


def test_undangan_without_meeting_place_is_refused():
    meeting = MeetingDetails("Senin, 9 Maret 2026", "09.00 WITA", " ", "Rapat")
    with pytest.raises(DomainError) as error:
        undangan(meeting=meeting).validate()
    assert error.value.field == "meeting.place"
    assert "Tempat" in error.value.message


def test_surat_pengantar_without_items_is_refused():
    with pytest.raises(DomainError) as error:
        surat_pengantar(items=[]).validate()
    assert error.value.field == "items"
    assert "document" in error.value.message


def test_surat_pengantar_row_without_document_is_refused():
    with pytest.raises(DomainError) as error:
        surat_pengantar(items=[CoverItem("Renja", "1"), CoverItem("", "1")]).validate()
    assert error.value.field == "items"
    assert "Row 2" in error.value.message


def test_letter_without_signature_is_refused():
    with pytest.raises(DomainError) as error:
        nota_dinas(signature=None).validate()
    assert error.value.field == "signature"


def test_unknown_kind_is_refused():
    with pytest.raises(DomainError) as error:
        nota_dinas(kind="memo").validate()
    assert error.value.field == "kind"
    assert "memo" in error.value.message
    assert "nota_dinas" in error.value.message


# -- editable texts --------------------------------------------------------


def test_every_kind_has_default_opening_and_closing():
    assert set(DEFAULT_TEXTS) == set(LETTER_KINDS)
    for texts in DEFAULT_TEXTS.values():
        assert set(texts) == {"opening", "closing"}


def test_default_texts_render_with_the_process_variables():
    context = {
        "hal": "Penyampaian Renja",
        "process_title": "Penyusunan Rencana Kerja",
        "year": 2027,
        "unit": "Sekretariat Daerah",
    }
    for kind, texts in DEFAULT_TEXTS.items():
        rendered = render_texts(texts, context)
        assert "{{" not in rendered["opening"] + rendered["closing"], kind
        assert "2027" in rendered["opening"], kind


def test_texts_are_plain_text_not_escaped():
    rendered = render_texts({"opening": "Rapat {{ hal }}"}, {"hal": "R&D <Tahunan>"})
    assert rendered == {"opening": "Rapat R&D <Tahunan>"}


def test_unknown_variables_render_empty():
    assert render_texts({"closing": "Terima kasih{{ nothing }}."}, {}) == {
        "closing": "Terima kasih."
    }


def test_text_with_a_syntax_error_names_the_broken_text():
    with pytest.raises(DomainError) as error:
        render_texts({"opening": "Baik", "closing": "Rapat {% if hal %}"}, {})
    assert error.value.field == "closing"
    assert "closing" in error.value.message


def test_text_with_an_unknown_tag_names_it():
    with pytest.raises(DomainError) as error:
        render_texts({"opening": "{% sign_here %}"}, {})
    assert error.value.field == "opening"
    assert "opening" in error.value.message
    assert "sign_here" in error.value.message


def test_text_cannot_include_files():
    with pytest.raises(DomainError) as error:
        render_texts({"opening": '{% include "documents/letters/base.html" %}'}, {})
    assert error.value.field == "opening"
