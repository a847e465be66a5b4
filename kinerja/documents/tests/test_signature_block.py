"""The signature block: a.n., u.b., Plt. and Plh. as Permendagri 1/2023 writes them."""

import pytest
from django.utils import translation

from kinerja.core.errors import DomainError
from kinerja.documents.signature_block import SignatureBlock, build_signature_block

SEKDA_NIP = "196509281992031008"


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are checked against their English msgids, whatever catalogue is installed."""
    with translation.override("en"):
        yield


def test_the_head_signs_in_their_own_name_without_nip():
    """The Wali Kota is elected: position, space, name; no NIP, no underline."""
    block = build_signature_block("H. Aditya Mufti Ariffin", "Wali Kota Banjarbaru")
    assert block.authority == ("WALI KOTA BANJARBARU,",)
    assert block.name == "H. Aditya Mufti Ariffin"
    assert block.nip == ""
    assert block.rank == ""
    assert block.name_underlined is False
    assert block.lines() == ["WALI KOTA BANJARBARU,", "", "", "", "", "H. Aditya Mufti Ariffin"]


def test_the_sekda_signs_on_behalf_of_the_wali_kota_with_an():
    block = build_signature_block(
        "Drs. Said Abdullah", "Sekretaris Daerah", on_behalf_of="Wali Kota Banjarbaru"
    )
    assert block.authority == ("a.n. WALI KOTA BANJARBARU,", "SEKRETARIS DAERAH,")


def test_ub_follows_an_when_the_sekda_delegates_to_the_kabag():
    block = build_signature_block(
        "Demo Kepala Bagian Umum, S.E.",
        "Kepala Bagian Umum",
        on_behalf_of="Wali Kota Banjarbaru",
        via="Sekretaris Daerah",
    )
    assert block.authority == (
        "a.n. WALI KOTA BANJARBARU,",
        "SEKRETARIS DAERAH,",
        "u.b.",
        "KEPALA BAGIAN UMUM,",
    )


def test_plt_prefixes_the_position_of_the_acting_signer():
    block = build_signature_block("Demo Pejabat", "Kepala Bagian Umum", acting="plt")
    assert block.authority == ("Plt. KEPALA BAGIAN UMUM,",)


def test_plh_prefixes_the_position_of_the_acting_signer():
    block = build_signature_block("Demo Pejabat", "Sekretaris Daerah", acting="PLH")
    assert block.authority == ("Plh. SEKRETARIS DAERAH,",)


def test_plh_combines_with_an():
    block = build_signature_block(
        "Demo Pejabat", "Sekretaris Daerah", acting="plh", on_behalf_of="Wali Kota Banjarbaru"
    )
    assert block.authority == ("a.n. WALI KOTA BANJARBARU,", "Plh. SEKRETARIS DAERAH,")


def test_plt_combines_with_an_and_ub():
    block = build_signature_block(
        "Demo Pejabat",
        "Kepala Bagian Umum",
        acting="plt",
        on_behalf_of="Wali Kota Banjarbaru",
        via="Sekretaris Daerah",
    )
    assert block.authority == (
        "a.n. WALI KOTA BANJARBARU,",
        "SEKRETARIS DAERAH,",
        "u.b.",
        "Plt. KEPALA BAGIAN UMUM,",
    )


def test_nip_is_written_in_its_four_parts_and_underlines_the_name():
    block = build_signature_block("Drs. Said Abdullah", "Kepala Bagian Umum", signer_nip=SEKDA_NIP)
    assert block.nip == "NIP. 19650928 199203 1 008"
    assert block.name_underlined is True
    assert block.lines()[-2:] == ["Drs. Said Abdullah", "NIP. 19650928 199203 1 008"]


def test_a_nip_typed_with_spaces_is_formatted_the_same():
    block = build_signature_block(
        "Demo Pejabat", "Kepala Bagian Umum", signer_nip="19650928 199203 1 008"
    )
    assert block.nip == "NIP. 19650928 199203 1 008"


def test_rank_line_comes_between_name_and_nip():
    block = build_signature_block(
        "Demo Pejabat", "Kepala Bagian Umum", signer_rank="Pembina (IV/a)", signer_nip=SEKDA_NIP
    )
    assert block.lines()[-3:] == ["Demo Pejabat", "Pembina (IV/a)", "NIP. 19650928 199203 1 008"]


def test_rank_alone_underlines_the_name():
    block = build_signature_block(
        "Demo Pejabat", "Kepala Bagian Umum", signer_rank="Pembina (IV/a)"
    )
    assert block.name_underlined is True
    assert block.nip == ""


def test_position_is_capitalised_with_one_trailing_comma():
    block = build_signature_block("Demo Pejabat", "  kepala  bagian umum, ")
    assert block.authority == ("KEPALA BAGIAN UMUM,",)


def test_signature_space_separates_authority_from_name():
    block = build_signature_block("Demo Pejabat", "Kepala Bagian Umum")
    lines = block.lines()
    assert lines[1 : 1 + block.space_lines] == [""] * block.space_lines
    assert isinstance(block, SignatureBlock)


def test_ub_without_an_is_refused():
    with pytest.raises(DomainError) as error:
        build_signature_block("Demo Pejabat", "Kepala Bagian Umum", via="Sekretaris Daerah")
    assert error.value.field == "via"
    assert "u.b." in error.value.message
    assert "a.n." in error.value.message
    assert "Sekretaris Daerah" in error.value.message


def test_unknown_acting_kind_is_refused():
    with pytest.raises(DomainError) as error:
        build_signature_block("Demo Pejabat", "Kepala Bagian Umum", acting="pj")
    assert error.value.field == "acting"
    assert "pj" in error.value.message
    assert "plt" in error.value.message
    assert "plh" in error.value.message


def test_signing_on_behalf_of_ones_own_position_is_refused():
    with pytest.raises(DomainError) as error:
        build_signature_block("Demo Pejabat", "Sekretaris Daerah", on_behalf_of="sekretaris daerah")
    assert error.value.field == "on_behalf_of"
    assert "Sekretaris Daerah" in error.value.message


def test_missing_name_is_refused():
    with pytest.raises(DomainError) as error:
        build_signature_block("  ", "Sekretaris Daerah")
    assert error.value.field == "signer_name"
    assert "name" in error.value.message


def test_missing_position_is_refused():
    with pytest.raises(DomainError) as error:
        build_signature_block("Demo Pejabat", "")
    assert error.value.field == "signer_position"
    assert "position" in error.value.message
