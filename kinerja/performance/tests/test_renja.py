"""Renja proposals as SOP-015 has them: each bagian proposes its own sub kegiatan, the
Kasubbag Perencanaan accepts, changes (the proposal kept) or rejects with a reason, and
the priority meeting ranks what was accepted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kinerja.core.audit import events_for, verify
from kinerja.core.errors import DomainError
from kinerja.org.models import Unit
from kinerja.performance import services
from kinerja.performance.models import Nomenclature, Renja, RenjaItem

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PROPOSAL = {
    "indicator": "Jumlah laporan capaian kinerja yang tersusun",
    "measure": "dokumen",
    "target": "4",
    "pagu": "125.000.000",
    "location": "Kota Banjarbaru",
    "funding_source": "PAD",
}


@pytest.fixture
def renja(setda):
    return Renja.objects.create(
        unit=setda["renstra"].unit, year=2027, renstra=setda["renstra"], title="Renja Setda 2027"
    )


def code(value):
    return Nomenclature.objects.get(code=value)


def test_a_bagian_proposes_and_the_kasubbag_accepts_changes_or_rejects(setda, renja):
    tapem, hukum = Unit.objects.get(code="bagian-tapem"), Unit.objects.get(code="bagian-hukum")
    first = services.propose_item(
        renja=renja,
        unit=tapem,
        sub_kegiatan=code("4.01.01.2.01.0006"),
        values=PROPOSAL,
        by=setda["tapem"],
        now=NOW,
    )
    assert first.pagu == Decimal("125000000.00") and first.target == Decimal(4)
    second = services.propose_item(
        renja=renja,
        unit=hukum,
        sub_kegiatan=code("4.01.01.2.06.0009"),
        values={**PROPOSAL, "indicator": "Jumlah rapat koordinasi", "pagu": "80.000.000"},
        by=setda["hukum"],
        now=NOW,
    )
    third = services.propose_item(
        renja=renja,
        unit=hukum,
        sub_kegiatan=code("4.01.01.2.06.0008"),
        values={**PROPOSAL, "indicator": "Jumlah tamu yang difasilitasi", "pagu": "30.000.000"},
        by=setda["hukum"],
        now=NOW,
    )
    kasubbag = setda["kasubbag"]
    services.decide_item(item=first, decision="accepted", by=kasubbag, now=NOW)
    services.decide_item(
        item=second,
        decision="changed",
        reason="Pagu disesuaikan dengan plafon sementara.",
        changes={"pagu": "60.000.000"},
        by=kasubbag,
        now=NOW,
    )
    services.decide_item(
        item=third, decision="rejected", reason="Bukan prioritas 2027.", by=kasubbag, now=NOW
    )
    second.refresh_from_db()
    assert second.state == "changed" and second.pagu == Decimal("60000000.00")
    # What the bagian sent is kept beside the change.
    assert second.original["pagu"] == "80000000.00"
    assert second.decision_reason == "Pagu disesuaikan dengan plafon sementara."
    services.record_priorities(
        renja=renja, ranking=[second, first], note="Rapat 10 Maret 2026", by=kasubbag, now=NOW
    )
    ranked = dict(RenjaItem.objects.values_list("sub_kegiatan__code", "priority"))
    assert ranked == {"4.01.01.2.06.0009": 1, "4.01.01.2.01.0006": 2, "4.01.01.2.06.0008": None}
    stream = services.stream_of(setda["renstra"])
    assert [e.action for e in events_for(stream)] == ["renja-propose"] * 3 + [
        "renja-decide"
    ] * 3 + ["renja-priorities"]
    assert verify(stream) == []


def test_a_bagian_proposes_only_for_itself(setda, renja):
    with pytest.raises(PermissionDenied, match="Only Bagian Hukum proposes its own sub kegiatan"):
        services.propose_item(
            renja=renja,
            unit=Unit.objects.get(code="bagian-hukum"),
            sub_kegiatan=code("4.01.01.2.01.0006"),
            values=PROPOSAL,
            by=setda["tapem"],
            now=NOW,
        )
    assert not RenjaItem.objects.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({**PROPOSAL, "pagu": "-5"}, "Pagu indikatif (Rp) cannot be negative."),
        ({**PROPOSAL, "pagu": ""}, "Fill in pagu indikatif (Rp)."),
        ({**PROPOSAL, "target": "empat"}, 'Target: "empat" is not a number.'),
        ({**PROPOSAL, "indicator": "x" * 401}, "Indicator (output) is longer than 400 characters."),
    ],
)
def test_a_bad_proposal_names_the_field_and_stores_nothing(setda, renja, values, message):
    with pytest.raises(DomainError) as caught:
        services.propose_item(
            renja=renja,
            unit=Unit.objects.get(code="bagian-tapem"),
            sub_kegiatan=code("4.01.01.2.01.0006"),
            values=values,
            by=setda["tapem"],
            now=NOW,
        )
    assert caught.value.message.startswith(message)
    assert not RenjaItem.objects.exists()


def test_only_a_sub_kegiatan_of_the_current_list_is_proposed(setda, renja):
    with pytest.raises(DomainError, match="4.01.01.2.01 is not a sub kegiatan of the current list"):
        services.propose_item(
            renja=renja,
            unit=Unit.objects.get(code="bagian-tapem"),
            sub_kegiatan=code("4.01.01.2.01"),
            values=PROPOSAL,
            by=setda["tapem"],
            now=NOW,
        )


def test_a_change_or_rejection_needs_a_reason_and_a_decided_proposal_is_not_sent_again(
    setda, renja
):
    tapem = Unit.objects.get(code="bagian-tapem")
    item = services.propose_item(
        renja=renja,
        unit=tapem,
        sub_kegiatan=code("4.01.01.2.01.0006"),
        values=PROPOSAL,
        by=setda["tapem"],
        now=NOW,
    )
    with pytest.raises(DomainError, match="Give the reason"):
        services.decide_item(item=item, decision="rejected", by=setda["kasubbag"], now=NOW)
    with pytest.raises(PermissionDenied):
        services.decide_item(item=item, decision="accepted", by=setda["tapem"], now=NOW)
    services.decide_item(item=item, decision="accepted", by=setda["kasubbag"], now=NOW)
    with pytest.raises(DomainError, match="was already decided"):
        services.propose_item(
            renja=renja,
            unit=tapem,
            sub_kegiatan=code("4.01.01.2.01.0006"),
            values=PROPOSAL,
            by=setda["tapem"],
            now=NOW,
        )


def test_proposals_close_with_the_renja_and_a_final_renja_is_frozen(setda, renja):
    tapem = Unit.objects.get(code="bagian-tapem")
    item = services.propose_item(
        renja=renja,
        unit=tapem,
        sub_kegiatan=code("4.01.01.2.01.0006"),
        values=PROPOSAL,
        by=setda["tapem"],
        now=NOW,
    )
    Renja.objects.filter(pk=renja.pk).update(status=Renja.Status.DRAFT)
    with pytest.raises(DomainError, match="no longer takes proposals"):
        services.propose_item(
            renja=renja,
            unit=tapem,
            sub_kegiatan=code("4.01.01.2.01.0007"),
            values=PROPOSAL,
            by=setda["tapem"],
            now=NOW,
        )
    Renja.objects.filter(pk=renja.pk).update(status=Renja.Status.FINAL)
    with pytest.raises(DomainError, match="is final"):
        services.decide_item(item=item, decision="accepted", by=setda["kasubbag"], now=NOW)


def test_only_accepted_items_are_ranked(setda, renja):
    tapem = Unit.objects.get(code="bagian-tapem")
    item = services.propose_item(
        renja=renja,
        unit=tapem,
        sub_kegiatan=code("4.01.01.2.01.0006"),
        values=PROPOSAL,
        by=setda["tapem"],
        now=NOW,
    )
    with pytest.raises(
        DomainError, match="Only accepted proposals are ranked; 4.01.01.2.01.0006 is proposed"
    ):
        services.record_priorities(
            renja=renja, ranking=[item], note="", by=setda["kasubbag"], now=NOW
        )
