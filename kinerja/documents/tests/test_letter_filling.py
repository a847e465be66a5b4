"""The signature block of a letter from the process: whose NIP and pangkat go under the name
(Permendagri 1/2023, Pasal 44), and the kop from the unit tree."""

import datetime as dt

import pytest

from kinerja.documents import letter_filling
from kinerja.org.models import Assignment, Person, Position, Unit

DAY = dt.date(2026, 3, 2)


def position(code: str) -> Position:
    return Position.objects.select_related("superior").get(code=code)


def acting(code: str, kind: str, name: str, nip: str, rank: str) -> Person:
    person = Person.objects.create(name=name, nip=nip, rank=rank)
    Assignment.objects.create(person=person, position=position(code), kind=kind, start=DAY, end=DAY)
    return person


def test_the_sekda_signs_without_nip_or_rank(demo):
    """Ayat (3) names the Sekretaris Daerah with the Kepala Daerah: no NIP, no pangkat."""
    block, _person = letter_filling.signature_for(position("sekda"), DAY)
    assert block.authority == ("SEKRETARIS DAERAH,",)
    assert (block.rank, block.nip) == ("", "")


def test_the_kabag_signs_with_rank_and_nip(demo):
    block, person = letter_filling.signature_for(position("kabag-umum"), DAY)
    assert block.rank == person.rank != ""
    assert block.nip == f"NIP. {person.nip_display}"
    assert block.name_underlined


def test_a_plh_kabag_signs_with_their_own_rank_and_nip(demo):
    """Ayat (3) holds for whoever stands in for a Kepala Bagian: only the Kepala Daerah's and
    the Sekda's stand-ins are excepted (ayat 4 and 5)."""
    acting(
        "kabag-umum", Assignment.Kind.PLH, "Demo Plh Kabag", "198002022005011002", "Penata (III/c)"
    )
    block, _person = letter_filling.signature_for(position("kabag-umum"), DAY)
    assert block.authority == ("Plh. KEPALA BAGIAN UMUM,",)
    assert block.rank == "Penata (III/c)"
    assert block.nip == "NIP. 19800202 200501 1 002"


def test_a_plh_sekda_signs_without_nip_or_rank(demo):
    acting("sekda", Assignment.Kind.PLH, "Demo Plh Sekda", "197003032000031003", "Pembina (IV/a)")
    block, _person = letter_filling.signature_for(position("sekda"), DAY)
    assert block.authority == ("Plh. SEKRETARIS DAERAH,",)
    assert (block.rank, block.nip) == ("", "")


def test_the_kop_names_the_setda_once_with_its_email_and_the_lambang(demo):
    from django.contrib.auth import get_user_model

    from kinerja import actions
    from kinerja.sop.services import find_sop

    kasubbag = get_user_model().objects.get(username="kasubbag")
    process = actions.start_process(
        sop=find_sop("SOP-013"), title="Penyusunan PK Tahun 2026", year=2026, by=kasubbag
    )
    head = letter_filling.letterhead_for(process)
    assert (head.government, head.unit) == ("PEMERINTAH KOTA BANJARBARU", "SEKRETARIAT DAERAH")
    assert "Pos-el setda@banjarbarukota.go.id" in head.contact
    assert head.emblem == bytes(Unit.objects.get(code="pemkot-banjarbaru").emblem)


@pytest.mark.parametrize(
    "activity, expected",
    [
        (
            "Mengundang Seluruh Kabag dan Kasubbag untuk rapat pembahasan Dokumen Renja",
            "Seluruh Kepala Bagian dan Kepala Sub Bagian",
        ),
        ("Mengetik dan mendistribusikan undangan rapat", None),
    ],
)
def test_the_invited_are_read_from_the_steps_text(demo, activity, expected):
    from kinerja.sop.models import Step
    from kinerja.workflow.models import Process, Task

    process = Process(unit=Unit.objects.get(code="subbag-perencanaan"))
    task = Task(step=Step(activity=activity))
    found = letter_filling.invited_by_step(task, process)
    if expected is None:
        assert found is None
    else:
        assert found[0] == f"{expected} di Lingkungan Sekretariat Daerah Kota Banjarbaru"
