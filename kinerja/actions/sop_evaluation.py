"""The evaluation of an SOP, and the revision draft a finding opens (PermenPANRB 35/2012).

One function per person's action, called by the page, the API, the demo and the tests.
"""

import datetime as dt

from django.contrib.auth.models import User

from kinerja.sop import evaluation as evaluations
from kinerja.sop.models import SopEvaluation, SopVersion


def evaluate_sop(
    *,
    version: SopVersion,
    by: User,
    evaluated_on: dt.date,
    answers: dict,
    conclusion: str,
    notes: str = "",
    now: dt.datetime | None = None,
) -> SopEvaluation:
    """Evaluate the SOP version in force: the seven criteria answered Ya or Tidak, each with
    a note (required for Tidak), overall notes and the conclusion."""
    return evaluations.evaluate(
        version=version,
        by=by,
        evaluated_on=evaluated_on,
        answers=answers,
        conclusion=conclusion,
        notes=notes,
        now=now,
    )


def open_revision_from_evaluation(
    *, evaluation: SopEvaluation, question: str, by: User, now: dt.datetime | None = None
) -> SopVersion:
    """Open the SOP's revision draft from a finding (a criterion answered Tidak), citing it."""
    return evaluations.open_revision(evaluation=evaluation, question=question, by=by, now=now)
