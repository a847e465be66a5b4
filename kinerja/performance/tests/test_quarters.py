"""A quarter's reporting: what each sub kegiatan spent (serapan), and the reviewer
closing the quarter, after which only a correction with a reason changes it."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from kinerja.core.audit import events_for, verify
from kinerja.core.errors import DomainError
from kinerja.core.tokens import create_token
from kinerja.org.models import Unit
from kinerja.performance import services
from kinerja.performance.models import BudgetRealisation, Nomenclature, Realisasi, Renja

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 8, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def item(setda):
    renja = Renja.objects.create(
        unit=setda["renstra"].unit, year=2026, renstra=setda["renstra"], title="Renja 2026"
    )
    proposal = services.propose_item(
        renja=renja,
        unit=Unit.objects.get(code="bagian-tapem"),
        sub_kegiatan=Nomenclature.objects.get(code="4.01.01.2.01.0006"),
        values={"indicator": "Jumlah laporan", "measure": "dokumen", "pagu": "100.000.000"},
        by=setda["tapem"],
        now=NOW,
    )
    return services.decide_item(item=proposal, decision="accepted", by=setda["kasubbag"], now=NOW)


def test_the_bagian_enters_what_its_sub_kegiatan_spent(setda, item):
    row = services.enter_serapan(
        item=item, quarter=1, amount="23.500.000", by=setda["tapem"], now=NOW
    )
    assert row.amount == Decimal("23500000.00") and row.state == "submitted"
    with pytest.raises(PermissionDenied, match="Only Bagian Tata Pemerintahan, or the reviewer"):
        services.enter_serapan(item=item, quarter=2, amount="1", by=setda["hukum"], now=NOW)
    with pytest.raises(DomainError, match="Spending of 4.01.01.2.01.0006 cannot be negative"):
        services.enter_serapan(item=item, quarter=2, amount="-1", by=setda["tapem"], now=NOW)
    with pytest.raises(
        DomainError, match='Spending of 4.01.01.2.01.0006: "Rp5.000" is not a number'
    ):
        services.enter_serapan(item=item, quarter=2, amount="Rp5.000", by=setda["tapem"], now=NOW)
    services.return_serapan(row=row, note="Sesuaikan dengan SP2D.", by=setda["kasubbag"], now=NOW)
    row.refresh_from_db()
    assert (row.state, row.return_note) == ("returned", "Sesuaikan dengan SP2D.")


def test_a_rejected_proposal_has_no_budget_to_spend(setda, item):
    other = services.propose_item(
        renja=item.renja,
        unit=Unit.objects.get(code="bagian-tapem"),
        sub_kegiatan=Nomenclature.objects.get(code="4.01.01.2.01.0007"),
        values={"indicator": "Jumlah evaluasi", "measure": "dokumen", "pagu": "5.000.000"},
        by=setda["tapem"],
        now=NOW,
    )
    services.decide_item(
        item=other, decision="rejected", reason="Ditunda.", by=setda["kasubbag"], now=NOW
    )
    with pytest.raises(DomainError, match="4.01.01.2.01.0007 is not in the Renja \\(rejected\\)"):
        services.enter_serapan(item=other, quarter=1, amount="1", by=setda["tapem"], now=NOW)


def test_closing_a_quarter_locks_it_and_only_a_correction_changes_it_after(setda, item):
    services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=1,
        value="3,4",
        by=setda["tapem"],
        now=NOW,
    )
    spent = services.enter_serapan(
        item=item, quarter=1, amount="20.000.000", by=setda["tapem"], now=NOW
    )
    services.close_quarter(
        renstra=setda["renstra"], year=2026, quarter=1, by=setda["kasubbag"], now=NOW
    )
    assert Realisasi.objects.get(indicator=setda["satisfaction"], quarter=1).state == "locked"
    spent.refresh_from_db()
    assert spent.state == "locked"
    # Nothing new is entered into the closed quarter, not even a missing row.
    with pytest.raises(
        DomainError, match="TW I 2026 is closed: the realisasi changes only by the reviewer"
    ):
        services.enter_realisasi(
            indicator=setda["days"], year=2026, quarter=1, value="9", by=setda["hukum"], now=NOW
        )
    with pytest.raises(DomainError, match="TW I 2026 is closed: the spending changes only"):
        services.enter_serapan(item=item, quarter=1, amount="1", by=setda["tapem"], now=NOW)
    # The reviewer enters the late row as a correction, with its reason.
    late = services.correct_realisasi(
        indicator=setda["days"],
        year=2026,
        quarter=1,
        value="9",
        reason="Laporan Bagian Hukum terlambat; data dari SK penyelesaian.",
        by=setda["kasubbag"],
        now=NOW,
    )
    assert late.state == "locked" and late.value == Decimal(9)
    with pytest.raises(DomainError, match="already closed"):
        services.close_quarter(
            renstra=setda["renstra"], year=2026, quarter=1, by=setda["kasubbag"], now=NOW
        )
    stream = services.stream_of(setda["renstra"])
    actions = [e.action for e in events_for(stream)]
    assert actions[-2:] == ["quarter-close", "realisasi-correct"]
    assert verify(stream) == []


def test_a_quarter_with_a_returned_row_is_not_closed(setda, item):
    row = services.enter_realisasi(
        indicator=setda["satisfaction"],
        year=2026,
        quarter=2,
        value="3,4",
        by=setda["tapem"],
        now=NOW,
    )
    services.return_realisasi(realisasi=row, note="Data survei?", by=setda["kasubbag"], now=NOW)
    with pytest.raises(DomainError, match="returned and wait for their bagian: IK1"):
        services.close_quarter(
            renstra=setda["renstra"], year=2026, quarter=2, by=setda["kasubbag"], now=NOW
        )
    with pytest.raises(PermissionDenied):
        services.close_quarter(
            renstra=setda["renstra"], year=2026, quarter=3, by=setda["tapem"], now=NOW
        )
    assert not BudgetRealisation.objects.exists()


def test_the_spending_of_a_closed_quarter_changes_only_by_the_reviewers_correction(setda, item):
    spent = services.enter_serapan(
        item=item, quarter=1, amount="20.000.000", by=setda["tapem"], now=NOW
    )
    with pytest.raises(DomainError, match="can still be entered again"):
        services.correct_serapan(
            item=item, quarter=1, amount="1", reason="x", by=setda["kasubbag"], now=NOW
        )
    services.close_quarter(
        renstra=setda["renstra"], year=2026, quarter=1, by=setda["kasubbag"], now=NOW
    )
    with pytest.raises(PermissionDenied):
        services.correct_serapan(
            item=item, quarter=1, amount="1", reason="x", by=setda["tapem"], now=NOW
        )
    with pytest.raises(DomainError, match="Give the reason"):
        services.correct_serapan(
            item=item, quarter=1, amount="1", reason=" ", by=setda["kasubbag"], now=NOW
        )
    corrected = services.correct_serapan(
        item=item,
        quarter=1,
        amount="21.500.000",
        reason="SP2D susulan dari BPKAD.",
        by=setda["kasubbag"],
        now=NOW,
    )
    assert corrected.pk == spent.pk
    assert corrected.amount == Decimal("21500000") and corrected.state == "locked"
    # Through the API, as the reviewer: each correction its own event with its reason.
    client = Client()
    client.cookies["django_language"] = "en"
    token = create_token(by=setda["kasubbag"], name="uji")[1]
    answer = client.post(
        f"/api/renstra/{setda['renstra'].pk}/serapan/correction",
        json.dumps({"item": item.pk, "quarter": 1, "amount": "0", "reason": "Tidak ada belanja."}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "locked"
    event = [e for e in events_for(services.stream_of(setda["renstra"]))][-1]
    assert event.action == "serapan-correct"
    assert event.before["amount"] != event.after["amount"]
    assert event.after["reason"] == "Tidak ada belanja."
    assert verify(services.stream_of(setda["renstra"])) == []
