"""The Perjanjian Kinerja: drafted from the cascade, signed by whoever holds the posts
that day, revised only for the regulation's reasons, earlier ones kept."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kinerja.core.audit import events_for, verify
from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.performance import agreements, services
from kinerja.performance.models import IndicatorTarget, Nomenclature, Renja

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
SIGNED = dt.date(2026, 1, 15)


@pytest.fixture
def officials(setda):
    def hold(position, name, *, kind="definitive", nip=None, rank=""):
        person = Person.objects.create(name=name, nip=nip, rank=rank)
        Assignment.objects.create(
            person=person,
            position=Position.objects.get(code=position),
            kind=kind,
            start=dt.date(2025, 1, 1),
        )
        return person

    return {
        "kabag": hold(
            "kabag-tapem",
            "Demo Kepala Bagian Tata Pemerintahan",
            nip="197001012000031001",
            rank="Pembina",
        ),
        "sekda": hold(
            "sekda",
            "Demo Sekretaris Daerah",
            kind="plt",
            nip="196805051990031002",
            rank="Pembina Utama Muda",
        ),
        "walikota": hold("walikota", "Demo Walikota"),
    }


def budget(setda):
    """The 2026 Renja: two accepted sub kegiatan of the Bagian Tata Pemerintahan, one
    rejected."""
    renja = Renja.objects.create(
        unit=setda["renstra"].unit, year=2026, renstra=setda["renstra"], title="Renja 2026"
    )
    tapem = Unit.objects.get(code="bagian-tapem")
    rows = [
        ("4.01.01.2.01.0001", "40.000.000", "accepted"),
        ("4.01.01.2.01.0006", "25.500.000", "accepted"),
        ("4.01.01.2.06.0009", "99.000.000", "rejected"),
    ]
    for code, pagu, decision in rows:
        item = services.propose_item(
            renja=renja,
            unit=tapem,
            sub_kegiatan=Nomenclature.objects.get(code=code),
            values={"indicator": "Jumlah dokumen", "measure": "dokumen", "pagu": pagu},
            by=setda["tapem"],
            now=NOW,
        )
        services.decide_item(
            item=item, decision=decision, reason="Bukan prioritas", by=setda["kasubbag"], now=NOW
        )


def test_a_kabags_pk_is_drafted_from_the_cascade_and_signed_with_the_parties_of_the_day(
    setda, officials
):
    budget(setda)
    pk = agreements.draft_agreement(
        renstra=setda["renstra"],
        year=2026,
        position=Position.objects.get(code="kabag-tapem"),
        by=setda["kasubbag"],
        now=NOW,
    )
    assert pk.level == "III" and pk.superior.code == "sekda"
    assert [(t.indicator.code, t.value) for t in pk.targets.all()] == [("IK1", Decimal("3.5"))]
    agreements.sign_agreement(
        agreement=pk, on=SIGNED, place="Banjarbaru", by=setda["kasubbag"], now=NOW
    )
    pk.refresh_from_db()
    assert pk.status == "signed" and pk.signed_on == SIGNED
    assert pk.first_party["name"] == "Demo Kepala Bagian Tata Pemerintahan"
    assert pk.first_party["nip"] == "197001012000031001"
    # The Sekda is a Plt that day: the PK says so.
    assert pk.second_party["position"] == "Plt. Sekretaris Daerah"
    # Eselon III: program -> kegiatan with their pagu and a total; the rejected item is out.
    assert [(r["code"], r["depth"], r["pagu"]) for r in pk.budget] == [
        ("4.01.01", 0, "65500000.00"),
        ("4.01.01.2.01", 1, "65500000.00"),
        ("", 0, "65500000.00"),
    ]
    # A later change of the Renstra's target does not change what was signed.
    IndicatorTarget.objects.filter(indicator=setda["satisfaction"], year=2026).update(value=4)
    assert pk.targets.get().value == Decimal("3.5")
    stream = services.stream_of(setda["renstra"])
    assert [e.action for e in events_for(stream)][-2:] == ["pk-draft", "pk-sign"]
    assert verify(stream) == []


def test_the_sekdas_pk_is_eselon_ii_with_the_walikota(setda, officials):
    pk = agreements.draft_agreement(
        renstra=setda["renstra"],
        year=2026,
        position=Position.objects.get(code="sekda"),
        by=setda["kasubbag"],
        now=NOW,
    )
    assert pk.level == "II" and pk.superior.code == "walikota"
    assert [t.grade for t in pk.targets.all()] == ["BB"]
    agreements.sign_agreement(
        agreement=pk, on=SIGNED, place="Banjarbaru", by=setda["kasubbag"], now=NOW
    )
    pk.refresh_from_db()
    assert pk.second_party == {
        "name": "Demo Walikota",
        "nip": "",
        "rank": "",
        "position": "Wali Kota Banjarbaru",
        "kind": "definitive",
        "person_id": officials["walikota"].pk,
    }
    assert pk.budget == []  # no Renja for 2026 yet: the table is empty, not invented


def test_a_revision_needs_a_reason_keeps_the_signed_pk_and_supersedes_it_when_signed(
    setda, officials
):
    kabag = Position.objects.get(code="kabag-tapem")
    pk = agreements.draft_agreement(
        renstra=setda["renstra"], year=2026, position=kabag, by=setda["kasubbag"], now=NOW
    )
    with pytest.raises(DomainError, match="Only the signed PK in force is revised"):
        agreements.revise_agreement(
            agreement=pk, reason="official", note="x", by=setda["kasubbag"], now=NOW
        )
    agreements.sign_agreement(
        agreement=pk, on=SIGNED, place="Banjarbaru", by=setda["kasubbag"], now=NOW
    )
    with pytest.raises(
        DomainError, match="for a change of official, of strategy or budget, or of priority"
    ):
        agreements.revise_agreement(
            agreement=pk, reason="mood", note="x", by=setda["kasubbag"], now=NOW
        )
    revision = agreements.revise_agreement(
        agreement=pk,
        reason="official",
        note="Kabag baru dilantik 1 Juli 2026.",
        by=setda["kasubbag"],
        now=NOW,
    )
    assert (
        revision.revision == 1
        and str(revision) == "PK Perubahan 2026 Kepala Bagian Tata Pemerintahan"
    )
    with pytest.raises(DomainError, match="already being prepared"):
        agreements.revise_agreement(
            agreement=pk, reason="official", note="lagi", by=setda["kasubbag"], now=NOW
        )
    agreements.sign_agreement(
        agreement=revision,
        on=dt.date(2026, 7, 2),
        place="Banjarbaru",
        by=setda["kasubbag"],
        now=NOW,
    )
    pk.refresh_from_db()
    assert (
        pk.status == "superseded"
        and pk.first_party["name"] == "Demo Kepala Bagian Tata Pemerintahan"
    )


def test_what_a_pk_cannot_be_drafted_or_signed_without(setda, officials):
    kasubbag = setda["kasubbag"]
    with pytest.raises(DomainError, match="has no superior in the organisation"):
        agreements.draft_agreement(
            renstra=setda["renstra"],
            year=2026,
            position=Position.objects.get(code="walikota"),
            by=kasubbag,
            now=NOW,
        )
    with pytest.raises(DomainError, match="The Renstra has no sasaran of Bagian Organisasi"):
        agreements.draft_agreement(
            renstra=setda["renstra"],
            year=2026,
            position=Position.objects.get(code="kabag-organisasi"),
            by=kasubbag,
            now=NOW,
        )
    with pytest.raises(
        DomainError, match="These indicators have no target for 2025 in the Renstra: IK1"
    ):
        agreements.draft_agreement(
            renstra=setda["renstra"],
            year=2025,
            position=Position.objects.get(code="kabag-tapem"),
            by=kasubbag,
            now=NOW,
        )
    with pytest.raises(PermissionDenied, match="Sub Bagian Perencanaan"):
        agreements.draft_agreement(
            renstra=setda["renstra"],
            year=2026,
            position=Position.objects.get(code="kabag-tapem"),
            by=setda["tapem"],
            now=NOW,
        )
    pk = agreements.draft_agreement(
        renstra=setda["renstra"],
        year=2026,
        position=Position.objects.get(code="kabag-tapem"),
        by=kasubbag,
        now=NOW,
    )
    with pytest.raises(DomainError, match="already has a PK for 2026"):
        agreements.draft_agreement(
            renstra=setda["renstra"],
            year=2026,
            position=Position.objects.get(code="kabag-tapem"),
            by=kasubbag,
            now=NOW,
        )
    with pytest.raises(DomainError, match="A PK for 2026 is signed in 2026"):
        agreements.sign_agreement(
            agreement=pk, on=dt.date(2027, 1, 5), place="Banjarbaru", by=kasubbag, now=NOW
        )
    Assignment.objects.filter(position__code="sekda").delete()
    with pytest.raises(DomainError, match="No one holds Sekretaris Daerah on 2026-01-15"):
        agreements.sign_agreement(agreement=pk, on=SIGNED, place="Banjarbaru", by=kasubbag, now=NOW)
    pk.refresh_from_db()
    assert pk.status == "draft" and pk.first_party == {}
