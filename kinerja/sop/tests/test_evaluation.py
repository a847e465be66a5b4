"""The evaluation of an SOP (PermenPANRB 35/2012) and the revision draft a finding opens."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from kinerja import actions
from kinerja.core.audit import events_for, verify
from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person, Position
from kinerja.sop.models import EVALUATION_QUESTIONS, SopEvaluation, SopVersion
from kinerja.sop.permissions import may_evaluate

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def official(position_code: str, username: str):
    user = get_user_model().objects.create_user(username, password="x")
    position = Position.objects.get(code=position_code)
    person = Person.objects.create(name=f"Demo {position.name}", user=user)
    Assignment.objects.create(person=person, position=position, start="2024-01-01")
    return user


@pytest.fixture
def kasubbag(shipped_sops):
    return official("kasubbag-perencanaan", "kasubbag")


@pytest.fixture
def sekda(shipped_sops):
    return official("sekda", "sekda")


@pytest.fixture
def outsider(shipped_sops):
    """The data officer of the Bagian Hukum: applies no SOP of the Sub Bagian Perencanaan."""
    return official("operator-hukum", "operator-hukum")


@pytest.fixture
def lkjip(shipped_sops):
    return shipped_sops["SOP-011/SETDA"]


def answers(**tidak) -> dict:
    """All seven criteria Ya, except those given, answered Tidak with the note given."""
    return {
        code: (
            {"answer": "tidak", "note": tidak[code]}
            if code in tidak
            else {"answer": "ya", "note": ""}
        )
        for code, _text in EVALUATION_QUESTIONS
    }


def evaluate(version, by, **kwargs):
    values = {
        "evaluated_on": TODAY,
        "answers": answers(),
        "conclusion": "keep",
        "notes": "SOP berjalan sesuai ketentuan.",
    } | kwargs
    return actions.evaluate_sop(version=version, by=by, **values)


def test_the_kasubbag_evaluates_the_sop_in_force(kasubbag, lkjip):
    evaluation = evaluate(
        lkjip,
        kasubbag,
        answers=answers(carried_out="Langkah 4-6 sering menunggu lebih dari 1 hari."),
        conclusion="revise",
    )
    assert evaluation.evaluator_name == "Demo Kepala Sub Bagian Perencanaan"
    assert evaluation.evaluator_position == "Kepala Sub Bagian Perencanaan"
    rows = evaluation.rows()
    assert [r["number"] for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[0]["question"] == "Mampu mendorong peningkatan kinerja"
    assert rows[6]["question"] == "Sinergi satu dengan lainnya"
    (finding,) = evaluation.findings()
    assert finding["question"] == "Mudah dilaksanakan"
    assert finding["note"] == "Langkah 4-6 sering menunggu lebih dari 1 hari."
    (event,) = events_for(f"sop:{lkjip.sop.pk}").filter(action="evaluate")
    assert event.after["conclusion"] == "revise"
    assert verify(f"sop:{lkjip.sop.pk}") == []


def test_the_sekda_above_the_unit_evaluates_and_an_outsider_may_not(sekda, outsider, lkjip):
    assert may_evaluate(sekda, lkjip.sop)
    assert evaluate(lkjip, sekda).evaluator_position == "Sekretaris Daerah"
    assert not may_evaluate(outsider, lkjip.sop)
    with pytest.raises(PermissionDenied, match="write or supervise"):
        evaluate(lkjip, outsider)
    assert SopEvaluation.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"answers": {}}, "answer_performance", "Answer every criterion"),
        (
            {"answers": answers(roles="  ")},
            "note_roles",
            "is answered Tidak: say in its note what is wrong",
        ),
        ({"conclusion": "maybe"}, "conclusion", "Choose the conclusion"),
        (
            {"evaluated_on": TODAY + dt.timedelta(days=1)},
            "evaluated_on",
            "cannot be in the future",
        ),
        ({"evaluated_on": dt.date(2000, 1, 1)}, "evaluated_on", "before the version took"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kasubbag, lkjip, kwargs, field, message):
    with pytest.raises(DomainError, match=message) as caught:
        evaluate(lkjip, kasubbag, **kwargs)
    assert caught.value.field == field
    assert not SopEvaluation.objects.exists()


def test_a_finding_opens_the_revision_draft_that_cites_it(kasubbag, lkjip):
    evaluation = evaluate(
        lkjip,
        kasubbag,
        answers=answers(problems="Tidak ada langkah bila data bagian terlambat."),
        conclusion="revise",
    )
    draft = actions.open_revision_from_evaluation(
        evaluation=evaluation, question="problems", by=kasubbag
    )
    assert draft.status == SopVersion.Status.DRAFT
    assert draft.version == 2
    assert "criterion 5 “Mampu mengatasi permasalahan yang berkaitan dengan proses”" in (
        draft.change_note
    )
    assert draft.change_note.endswith("Tidak. Tidak ada langkah bila data bagian terlambat.")
    evaluation.refresh_from_db()
    assert evaluation.revision == draft
    assert evaluation.revision_finding["code"] == "problems"
    assert list(draft.evaluation_findings.all()) == [evaluation]
    (event,) = events_for(f"sop:{lkjip.sop.pk}").filter(action="revise-from-evaluation")
    assert event.after == {"evaluation": evaluation.pk, "question": "problems", "version": 2}


def test_a_revision_is_refused_when_a_draft_exists_or_without_a_finding(kasubbag, lkjip):
    first = evaluate(lkjip, kasubbag, answers=answers(roles="Peran Asisten III tidak jelas."))
    second = evaluate(lkjip, kasubbag, answers=answers(synergy="Tumpang tindih dengan SOP-013."))
    with pytest.raises(DomainError, match="Choose a finding") as caught:
        actions.open_revision_from_evaluation(evaluation=first, question="performance", by=kasubbag)
    assert caught.value.field == "question"
    actions.open_revision_from_evaluation(evaluation=first, question="roles", by=kasubbag)
    with pytest.raises(DomainError, match="already opened the revision draft, version 2"):
        actions.open_revision_from_evaluation(evaluation=first, question="roles", by=kasubbag)
    with pytest.raises(DomainError, match="already has a revision draft \\(version 2\\)"):
        actions.open_revision_from_evaluation(evaluation=second, question="synergy", by=kasubbag)
    second.refresh_from_db()
    assert second.revision is None
    assert lkjip.sop.versions.count() == 2


def test_a_draft_is_not_evaluated(kasubbag, lkjip):
    from kinerja.sop.services import start_revision

    draft = start_revision(sop=lkjip.sop, by=kasubbag)
    with pytest.raises(DomainError, match="is a draft: evaluate the version in force"):
        evaluate(draft, kasubbag)
