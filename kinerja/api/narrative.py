"""The narrative texts of the generated reports through the API: the sections of a
report kind for a Renstra's year (each with its text, whether it was carried over from
last year's report, and the numbers that changed since then), and writing one section.
The same reading as the editing page (performance.reports.editing) and the same action
(kinerja.actions.performance.save_narrative_section): the preparers of the Renstra write,
whoever may read the Renstra reads."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.performance import permissions
from kinerja.performance.models import Renstra
from kinerja.performance.reports import narrative
from kinerja.performance.reports.editing import EditableSection, editable_sections

from .schemas import Message, PathId, ValidationMessage

router = Router(tags=["Report texts"])

READ_ERRORS = {401: Message, 404: Message, 422: ValidationMessage}
WRITE_ERRORS = {400: Message, 403: Message, 409: Message, **READ_ERRORS}


class ChangeOut(Schema):
    code: str
    name: str
    last: str = Field(..., description="Last year's realisasi (capaian).")
    this: str = Field(..., description="This year's realisasi (capaian).")
    changed: bool


class SectionOut(Schema):
    key: str = Field(..., examples=["latar_belakang", "sasaran:12:causes"])
    title: str
    group: str = Field(..., description="The chapter it is listed under.")
    text: str
    year: int | None = Field(..., description="The year the text was written for; null: default.")
    carried_over: bool = Field(..., description="True: last year's text, not yet edited.")
    changes: list[ChangeOut]


class SectionIn(Schema):
    key: str = Field(..., max_length=80, examples=["latar_belakang"])
    text: str = Field(..., max_length=narrative.TEXT_LIMIT + 1000)


def _renstra(renstra_id: int, user) -> Renstra:
    renstra = Renstra.objects.select_related("unit", "reviewer").filter(pk=renstra_id).first()
    if renstra is not None:
        today = timezone.localdate()
        if permissions.may_prepare(renstra, user, today) or permissions.may_read_renstra(
            renstra, permissions.readable_units(renstra, user, today)
        ):
            return renstra
    raise Http404(_("There is no Renstra %(id)d that you may read.") % {"id": renstra_id})


def _sections(kind: str, renstra: Renstra, year: int) -> list[EditableSection]:
    try:
        return editable_sections(kind, renstra=renstra, year=year)
    except DomainError as failure:
        raise Http404(failure.message) from None


def _out(section: EditableSection) -> dict:
    return {
        "key": section.spec.key,
        "title": section.spec.title,
        "group": section.spec.group,
        "text": section.text.text,
        "year": section.text.year,
        "carried_over": section.text.carried_over,
        "changes": [
            {"code": c.code, "name": c.name, "last": c.last, "this": c.this, "changed": c.changed}
            for c in section.changes
        ],
    }


@router.get(
    "/renstra/{renstra_id}/narrative/{kind}/{year}",
    response={200: list[SectionOut], **READ_ERRORS},
    summary="Texts of a report",
)
def sections(request, renstra_id: PathId, kind: str, year: int):
    """The editable sections of the report `kind` (lkjip, renja ...) of `year`, in order."""
    renstra = _renstra(renstra_id, request.auth)
    return [_out(s) for s in _sections(kind, renstra, year)]


@router.put(
    "/renstra/{renstra_id}/narrative/{kind}/{year}",
    response={200: SectionOut, **WRITE_ERRORS},
    summary="Write one text of a report",
)
def save(request, renstra_id: PathId, kind: str, year: int, payload: SectionIn):
    """Write the text of one section (the preparers of the Renstra); the section back."""
    renstra = _renstra(renstra_id, request.auth)
    listed = _sections(kind, renstra, year)
    if payload.key not in {s.spec.key for s in listed}:
        raise DomainError(
            _("There is no section %(key)s in this report.") % {"key": payload.key[:80]},
            field="key",
        )
    actions.performance.save_narrative_section(
        renstra=renstra,
        unit_id=renstra.unit_id,
        kind=kind,
        year=year,
        key=payload.key,
        text=payload.text,
        by=request.auth,
    )
    return next(_out(s) for s in _sections(kind, renstra, year) if s.spec.key == payload.key)
