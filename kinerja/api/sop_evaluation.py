"""The evaluation of an SOP (PermenPANRB 35/2012): list, record, its PDF, and the revision
draft a finding opens. Writes go through kinerja.actions, as the page's do."""

import datetime as dt
from typing import Literal

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.sop.evaluation_render import render_pdf
from kinerja.sop.models import EVALUATION_QUESTIONS, Sop, SopEvaluation, SopVersion

from .schemas import Message, PathId, ValidationMessage

router = Router(tags=["SOP evaluation"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
WRITE_ERRORS = {400: Message, 403: Message, 409: Message, **READ_ERRORS}


class AnswerIn(Schema):
    answer: Literal["ya", "tidak"]
    note: str = Field("", max_length=2000)


class EvaluationIn(Schema):
    evaluated_on: dt.date
    answers: dict[str, AnswerIn] = Field(
        ...,
        description="Each of the seven criteria by code: "
        + ", ".join(code for code, _text in EVALUATION_QUESTIONS),
    )
    conclusion: Literal["keep", "revise"]
    notes: str = Field("", max_length=4000)


class RevisionIn(Schema):
    question: str = Field(..., description="The criterion answered Tidak (a finding).")


class CriterionOut(Schema):
    number: int
    code: str
    question: str
    answer: str
    note: str


class RevisionOut(Schema):
    version: int
    status: str
    change_note: str
    question: str


class EvaluationOut(Schema):
    id: int
    sop: str
    version: int
    evaluated_on: dt.date
    evaluator: str
    evaluator_position: str
    criteria: list[CriterionOut]
    findings: list[str]
    notes: str
    conclusion: str
    revision: RevisionOut | None


def _sop(ref: str) -> Sop:
    sop = Sop.objects.by_reference(ref).select_related("unit").first()
    if sop is None:
        raise Http404(_("There is no SOP %(ref)s in the catalogue.") % {"ref": ref[:60]})
    return sop


def _evaluation(evaluation_id: int) -> SopEvaluation:
    evaluation = (
        SopEvaluation.objects.select_related("version__sop__unit", "revision")
        .filter(pk=evaluation_id)
        .first()
    )
    if evaluation is None:
        raise Http404(_("There is no such evaluation."))
    return evaluation


def _out(evaluation: SopEvaluation) -> dict:
    revision = None
    if evaluation.revision_id:
        revision = {
            "version": evaluation.revision.version,
            "status": evaluation.revision.status,
            "change_note": evaluation.revision.change_note,
            "question": evaluation.revision_question,
        }
    return {
        "id": evaluation.pk,
        "sop": evaluation.version.sop.number,
        "version": evaluation.version.version,
        "evaluated_on": evaluation.evaluated_on,
        "evaluator": evaluation.evaluator_name,
        "evaluator_position": evaluation.evaluator_position,
        "criteria": evaluation.rows(),
        "findings": [row["code"] for row in evaluation.findings()],
        "notes": evaluation.notes,
        "conclusion": evaluation.conclusion,
        "revision": revision,
    }


@router.get(
    "/sops/{ref}/evaluations",
    response={200: list[EvaluationOut], **READ_ERRORS},
    summary="Evaluations of an SOP",
)
def list_evaluations(request, ref: str):
    """The evaluations of every version of the SOP, newest first."""
    sop = _sop(ref)
    rows = SopEvaluation.objects.filter(version__sop=sop).select_related("version__sop", "revision")
    return [_out(e) for e in rows]


@router.post(
    "/sops/{ref}/evaluations",
    response={201: EvaluationOut, **WRITE_ERRORS},
    summary="Evaluate an SOP",
)
def evaluate(request, ref: str, payload: EvaluationIn):
    """Evaluate the version in force: the seven criteria Ya or Tidak, each with a note (a
    Tidak needs one: it is a finding), overall notes and the conclusion. Only the officials
    who write or supervise the SOP (403)."""
    sop = _sop(ref)
    version = sop.versions.filter(status=SopVersion.Status.PUBLISHED).first()
    if version is None:
        raise DomainError(_("SOP %(number)s has no published version.") % {"number": sop.number})
    evaluation = actions.evaluate_sop(
        version=version,
        by=request.auth,
        evaluated_on=payload.evaluated_on,
        answers={code: a.dict() for code, a in payload.answers.items()},
        conclusion=payload.conclusion,
        notes=payload.notes,
    )
    return Status(201, _out(_evaluation(evaluation.pk)))


@router.get(
    "/evaluations/{evaluation_id}",
    response={200: EvaluationOut, **READ_ERRORS},
    summary="One SOP evaluation",
)
def get_evaluation(request, evaluation_id: PathId):
    return _out(_evaluation(evaluation_id))


@router.get(
    "/evaluations/{evaluation_id}/pdf",
    response=READ_ERRORS,
    summary="An SOP evaluation as the official form",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The form (PDF)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def evaluation_pdf(request, evaluation_id: PathId):
    evaluation = _evaluation(evaluation_id)
    response = HttpResponse(render_pdf(evaluation), content_type="application/pdf")
    name = f"evaluasi-{evaluation.version.sop.slug}-{evaluation.evaluated_on:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post(
    "/evaluations/{evaluation_id}/revision",
    response={201: EvaluationOut, **WRITE_ERRORS},
    summary="Open the revision draft from a finding",
)
def open_revision(request, evaluation_id: PathId, payload: RevisionIn):
    """The SOP's revision draft, its change note citing the finding; 400 when the SOP has a
    draft already or the criterion is not a finding of this evaluation."""
    evaluation = _evaluation(evaluation_id)
    actions.open_revision_from_evaluation(
        evaluation=evaluation, question=payload.question, by=request.auth
    )
    return Status(201, _out(_evaluation(evaluation.pk)))
