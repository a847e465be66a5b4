"""The evaluation of an SOP (PermenPANRB 35/2012) and the revision a finding opens.

An official who writes or supervises the SOP (permissions.may_evaluate) answers the
regulation's seven criteria for the version in force, Ya or Tidak, each with a note (a
Tidak must say what is wrong: it is a finding), adds overall notes and concludes. A
finding may then open the SOP's revision draft (services.start_revision), whose change
note cites the criterion and its note; the evaluation keeps the draft it opened. Each
write is one audit event of the SOP's stream (`sop:<pk>`).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core import audit
from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment

from . import permissions
from .models import (
    ANSWER_NO,
    ANSWER_YES,
    EVALUATION_QUESTION_TEXT,
    EVALUATION_QUESTIONS,
    Sop,
    SopEvaluation,
    SopVersion,
)
from .services import start_revision

NOTE_MAX = 2000


def stream(sop: Sop) -> str:
    return f"sop:{sop.pk}"


def _evaluator(by, day: dt.date) -> tuple[str, str, str]:
    """The evaluator's name, position and NIP as the form prints them."""
    person = getattr(by, "person", None)
    if person is None:
        return (by.get_full_name() or by.get_username(), "", "")
    assignment = (
        Assignment.objects.on(day)
        .filter(person=person)
        .select_related("position")
        .order_by("kind", "start")
        .first()
    )
    position = assignment.position.name if assignment else ""
    if assignment and assignment.kind != Assignment.Kind.DEFINITIVE:
        position = f"{'Plt.' if assignment.kind == 'plt' else 'Plh.'} {position}"
    return person.name, position, person.nip or ""


def _clean_answers(answers: dict) -> dict:
    cleaned, missing = {}, []
    for code, _text in EVALUATION_QUESTIONS:
        given = answers.get(code) or {}
        answer = (given.get("answer") or "").strip().lower()
        note = (given.get("note") or "").strip()
        if answer not in (ANSWER_YES, ANSWER_NO):
            missing.append(code)
            continue
        if len(note) > NOTE_MAX:
            raise DomainError(
                _("The note on “%(q)s” may have at most %(max)d characters.")
                % {"q": EVALUATION_QUESTION_TEXT[code], "max": NOTE_MAX},
                field=f"note_{code}",
            )
        if answer == ANSWER_NO and not note:
            raise DomainError(
                _("“%(q)s” is answered Tidak: say in its note what is wrong (it is a finding).")
                % {"q": EVALUATION_QUESTION_TEXT[code]},
                field=f"note_{code}",
            )
        cleaned[code] = {"answer": answer, "note": note}
    if missing:
        raise DomainError(
            _("Answer every criterion Ya or Tidak; not answered: %(list)s.")
            % {"list": ", ".join(f"“{EVALUATION_QUESTION_TEXT[c]}”" for c in missing)},
            field=f"answer_{missing[0]}",
        )
    unknown = set(answers) - set(EVALUATION_QUESTION_TEXT)
    if unknown:
        raise DomainError(
            _("Unknown criterion: %(code)s.") % {"code": sorted(unknown)[0][:40]}, field="answers"
        )
    return cleaned


@transaction.atomic
def evaluate(
    *,
    version: SopVersion,
    by,
    evaluated_on: dt.date,
    answers: dict,
    conclusion: str,
    notes: str = "",
    now: dt.datetime | None = None,
) -> SopEvaluation:
    """Record an evaluation of `version` (the version in force, or one superseded) by `by`
    on `evaluated_on`; `answers` maps each criterion code to {'answer': 'ya'|'tidak',
    'note': ...}."""
    version = SopVersion.objects.select_related("sop__unit").get(pk=version.pk)
    now = now or timezone.now()
    if not permissions.may_evaluate(by, version.sop, timezone.localdate(now)):
        raise PermissionDenied(
            _("Only the officials who write or supervise SOP %(number)s may evaluate it.")
            % {"number": version.sop.number}
        )
    if version.status == SopVersion.Status.DRAFT:
        raise DomainError(
            _("Version %(v)d is a draft: evaluate the version in force.") % {"v": version.version},
            field="version",
        )
    if not isinstance(evaluated_on, dt.date):
        raise DomainError(_("Give the date of the evaluation."), field="evaluated_on")
    if evaluated_on > timezone.localdate(now):
        raise DomainError(
            _("The date of the evaluation cannot be in the future."), field="evaluated_on"
        )
    if evaluated_on < version.effective_on:
        raise DomainError(
            _("The date of the evaluation is before the version took effect (%(date)s).")
            % {"date": version.effective_on.strftime("%d-%m-%Y")},
            field="evaluated_on",
        )
    cleaned = _clean_answers(answers or {})
    if conclusion not in SopEvaluation.Conclusion.values:
        raise DomainError(
            _("Choose the conclusion: the SOP stays in force, or it needs revising."),
            field="conclusion",
        )
    notes = (notes or "").strip()
    if len(notes) > NOTE_MAX * 2:
        raise DomainError(
            _("The overall notes may have at most %(max)d characters.") % {"max": NOTE_MAX * 2},
            field="notes",
        )
    name, position, nip = _evaluator(by, evaluated_on)
    evaluation = SopEvaluation.objects.create(
        version=version,
        evaluated_on=evaluated_on,
        evaluator=by,
        evaluator_name=name,
        evaluator_position=position,
        evaluator_nip=nip,
        answers=cleaned,
        notes=notes,
        conclusion=conclusion,
    )
    audit.record(
        stream=stream(version.sop),
        action="evaluate",
        actor=by,
        obj=evaluation,
        after={
            "version": version.version,
            "evaluated_on": evaluated_on.isoformat(),
            "answers": cleaned,
            "conclusion": conclusion,
            "notes": notes,
        },
        at=now,
    )
    return evaluation


def change_note(evaluation: SopEvaluation, code: str) -> str:
    """What the revision says of why it is made: the finding, cited."""
    row = next(r for r in evaluation.rows() if r["code"] == code)
    return _(
        "Finding of the SOP evaluation of %(date)s by %(name)s (version %(v)d), criterion "
        "%(n)d “%(q)s”: Tidak. %(note)s"
    ) % {
        "date": evaluation.evaluated_on.strftime("%d-%m-%Y"),
        "name": evaluation.evaluator_name,
        "v": evaluation.version.version,
        "n": row["number"],
        "q": row["question"],
        "note": row["note"],
    }


@transaction.atomic
def open_revision(
    *, evaluation: SopEvaluation, question: str, by, now: dt.datetime | None = None
) -> SopVersion:
    """Open the SOP's revision draft from the finding `question` of `evaluation` (a
    criterion answered Tidak): the draft's change note cites it, and the evaluation keeps
    the draft. Refused when the SOP has a draft already, or this evaluation opened one."""
    evaluation = (
        # The evaluation row only: PostgreSQL locks no nullable side of an outer join.
        SopEvaluation.objects.select_for_update(of=("self",))
        .select_related("version__sop__unit", "revision")
        .get(pk=evaluation.pk)
    )
    sop = evaluation.version.sop
    now = now or timezone.now()
    if not permissions.may_evaluate(by, sop, timezone.localdate(now)):
        raise PermissionDenied(
            _("Only the officials who write or supervise SOP %(number)s may revise it.")
            % {"number": sop.number}
        )
    if evaluation.revision_id:
        raise DomainError(
            _("This evaluation already opened the revision draft, version %(v)d.")
            % {"v": evaluation.revision.version},
            field="question",
        )
    finding = next((r for r in evaluation.findings() if r["code"] == question), None)
    if finding is None:
        raise DomainError(
            _("Choose a finding: a criterion this evaluation answered Tidak."), field="question"
        )
    draft = sop.versions.filter(status=SopVersion.Status.DRAFT).first()
    if draft is not None:
        raise DomainError(
            _(
                "SOP %(number)s already has a revision draft (version %(v)d): finish or "
                "publish it before opening another; add this finding to its change note."
            )
            % {"number": sop.number, "v": draft.version},
            field="question",
        )
    note = change_note(evaluation, question)
    revision = start_revision(sop=sop, by=by, revised_on=timezone.localdate(now), change_note=note)
    evaluation.revision = revision
    evaluation.revision_question = question
    evaluation.save(update_fields=["revision", "revision_question", "updated_at"])
    audit.record(
        stream=stream(sop),
        action="revise-from-evaluation",
        actor=by,
        obj=revision,
        after={"evaluation": evaluation.pk, "question": question, "version": revision.version},
        at=now,
    )
    return revision
