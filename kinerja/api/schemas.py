"""The shapes the API reads and writes (the OpenAPI document is generated from these).

Outputs are built by the routers from model rows (see `out_*` there), never by
letting a schema walk relations, so that what a response costs in queries is
decided in one place.
"""

import datetime as dt
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Path, Schema
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from kinerja.core import limits


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


# Moments are given in the time of Banjarbaru (WITA, +08:00), as the pages show them.
Moment = Annotated[dt.datetime, AfterValidator(_local)]

# --- errors ------------------------------------------------------------------------------


class Message(Schema):
    """An error: what went wrong, and the input it is about."""

    message: str = Field(..., examples=["Catatan wajib diisi."])
    field: str | None = Field(None, examples=["note"])


class FieldError(Schema):
    field: str | None
    message: str


class ValidationMessage(Message):
    """Input of the wrong shape: the first error as message/field, and all of them."""

    errors: list[FieldError]


# --- references ----------------------------------------------------------------------------


class UnitRef(Schema):
    code: str
    name: str


class PersonRef(Schema):
    id: int
    name: str


class PositionRef(Schema):
    code: str
    name: str


class SopRef(Schema):
    number: str
    slug: str
    version: int
    name: str


# --- SOPs ----------------------------------------------------------------------------------


class SopSummary(Schema):
    """An SOP in the catalogue: its published version, or (for those who maintain SOPs) the
    newest version of an SOP not yet published."""

    number: str = Field(..., examples=["SOP-011/SETDA"])
    slug: str = Field(..., examples=["sop-011-setda"])
    version: int
    status: str = Field(..., examples=["published"], description="published, or draft etc.")
    name: str
    unit: UnitRef
    effective_on: dt.date
    findings: int = Field(..., description="Number of defects the SOP check finds in it.")


class PageMeta(Schema):
    """A page of a list. `next`/`previous` lead to the pages beside it whatever the list's
    length; `page` numbers the pages only within the first 1,000 rows counted."""

    count: int = Field(..., description="Rows of the list, counted up to 1,000 (see more).")
    more: bool = Field(
        False, description="True when the list holds more rows than `count` says (1,000+)."
    )
    page: int = Field(..., description="The page by number (1 when a cursor was followed).")
    pages: int = Field(..., description="Pages of the counted rows.")
    next: str | None = Field(
        None, description="Cursor of the next page: pass it as `cursor`. None on the last page."
    )
    previous: str | None = Field(
        None, description="Cursor of the previous page. None on the first page."
    )


class SopPage(PageMeta):
    items: list[SopSummary]


class Approver(Schema):
    title: str
    name: str
    nip: str


class Section(Schema):
    kind: str = Field(..., examples=["dasar_hukum"])
    text: str


class Lane(Schema):
    key: str
    name: str
    position: PositionRef | None


class TimeStandard(Schema):
    amount: float
    unit: str = Field(..., examples=["minute", "hour", "day"])
    text: str = Field(..., examples=["10 menit"])
    working_minutes: float


class FlowOut(Schema):
    label: str
    to: int = Field(..., description="Number of the step the flow goes to.")


class StepOut(Schema):
    number: int
    activity: str
    lane: str = Field(..., description="Key of the lane (pelaksana) of the step.")
    kind: str = Field(..., examples=["start", "process", "decision", "end"])
    action: str = Field(..., examples=["work", "review", "sign"])
    kelengkapan: list[str]
    time: TimeStandard | None
    output: str | None
    remarks: str
    returns_to: int | None
    flows: list[FlowOut]


class FindingOut(Schema):
    code: str
    step: int | None
    severity: str
    message: str


class SopDetail(Schema):
    number: str
    slug: str
    version: int
    status: str
    name: str
    unit: UnitRef
    unit_header: list[str]
    made_on: dt.date
    revised_on: dt.date | None
    effective_on: dt.date
    approver: Approver
    sections: list[Section]
    lanes: list[Lane]
    steps: list[StepOut]
    total_working_minutes: float
    steps_without_time: list[int]
    findings: list[FindingOut]


# --- processes and tasks ---------------------------------------------------------------------


class StepRef(Schema):
    number: int
    activity: str
    kind: str
    action: str


class ProcessRef(Schema):
    id: int
    title: str
    year: int = Field(..., description="The period: the year the document is about.")
    run_year: int = Field(..., description="The year the process runs (tahun pelaksanaan).")
    sop: str
    status: str


class TaskOut(Schema):
    id: int
    process: ProcessRef
    step: StepRef
    status: str = Field(..., examples=["active", "done", "cancelled"])
    outcome: str = Field(..., examples=["", "finished", "paraf", "signed", "returned", "branch"])
    position: PositionRef | None
    assignee: PersonRef | None
    acting_for: PersonRef | None = Field(
        None, description="The holder of the position, when the task is for their Plt/Plh."
    )
    acting_kind: str
    reassigned: bool
    activated_at: Moment
    due_at: Moment | None = Field(None, description="None: the step has no time standard.")
    overdue: bool
    returned_by_task: int | None
    return_note: str
    completed_at: Moment | None
    completed_by: str | None
    completed_for: str
    note: str
    branch: str
    output: str
    working_minutes: float | None
    standard_minutes: float | None
    actions: list[str] = Field(
        ...,
        description=(
            "What can be done on the task now: finish, paraf, sign, return, choose, file, "
            "send, waive (each is the endpoint of that name)."
        ),
    )
    kelengkapan: list[str]
    missing_kelengkapan: list[str] = Field(
        ...,
        description="Kelengkapan of an active task that the process does not hold yet: name "
        "each (provided) or go on without it with a reason (waivers).",
    )
    branches: list[str]


class TaskPage(PageMeta):
    items: list[TaskOut]


class ProcessSummary(Schema):
    id: int
    title: str
    year: int = Field(..., description="The period: the year the document is about.")
    run_year: int = Field(..., description="The year the process runs (tahun pelaksanaan).")
    sop: SopRef
    unit: UnitRef
    owner: str
    status: str = Field(..., examples=["running", "done", "cancelled"])
    started_at: Moment
    finished_at: Moment | None
    overdue_tasks: int


class ProcessPage(PageMeta):
    items: list[ProcessSummary]


class StepStateOut(Schema):
    step: int
    state: str = Field(..., examples=["done", "active", "waiting", "returned", "cancelled"])


class DocumentOut(Schema):
    id: int
    type: str
    reference: str
    step: int | None
    added_by: str | None
    added_at: Moment


class WaiverOut(Schema):
    id: int
    task: int
    step: int
    document: str
    reason: str
    by: str
    at: Moment


class ProcessDetail(ProcessSummary):
    cancel_reason: str
    states: list[StepStateOut]
    tasks: list[TaskOut]
    documents: list[DocumentOut]
    waivers: list[WaiverOut]
    used_minutes: float
    standard_minutes: float


class FindingOut(Schema):
    """A finding of the checklist before review, with its waiver if it was waived."""

    code: str = Field(..., examples=["pk-target:12", "quarter-open:2026:4"])
    message: str
    url: str = Field(..., description="The page and row where it is fixed.")
    waived: bool
    reason: str = Field(..., description="Why the drafter went on without resolving it.")


class TaskDetail(TaskOut):
    """One task; a drafting step (or the review after it) adds the checklist of the chain."""

    draft_kind: str = Field(
        "", description="The document the step makes from the data (POST /tasks/{id}/draft)."
    )
    checklist_kind: str = ""
    checklist: list[FindingOut] = Field(default_factory=list)


class ActResult(Schema):
    """The task acted on, and what is active in its process now."""

    task: TaskOut
    process_status: str
    active: list[TaskOut]


# --- inputs ----------------------------------------------------------------------------------
#
# Each text has the max_length of the same field on the pages (kinerja.core.limits), so the
# OpenAPI document states what the server accepts and a longer text is refused (422) before
# anything is done. Some rules are the services' (a required text must hold more than
# spaces, the year of a process, the copies filed, an id beyond any row is "not found"):
# the document states them too (`stated`), and the services refuse with their own message
# (400, or 404), as they do for the pages.

MAX_ID = 2**63 - 1  # the largest id the database holds
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def stated(**json_schema) -> dict:
    """A rule stated in the OpenAPI document, checked by the service with its own message."""
    return {"json_schema_extra": json_schema}


# An id beyond any row is "not found" (404), as the pages answer; the document states the range.
PathId = Annotated[
    int, Path(...), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID})
]


def Text(limit: int, *, description: str | None = None, examples=None, default=""):
    """An optional text of at most `limit` characters."""
    return Field(default, max_length=limit, description=description, examples=examples)


def RequiredText(limit: int, *, description: str | None = None, examples=None):
    """A text that must be given and hold more than spaces, of at most `limit` characters."""
    return Field(
        ...,
        max_length=limit,
        description=description,
        examples=examples,
        **stated(pattern=r"\S"),
    )


DocumentName = Annotated[str, StringConstraints(min_length=1, max_length=limits.NAME)]
Reference = Annotated[str, StringConstraints(max_length=limits.REFERENCE)]
Reason = Annotated[str, StringConstraints(max_length=limits.REASON)]
# No step asks for more kelengkapan than this; a longer list is not a person's input.
MAX_KELENGKAPAN = 50


class StartIn(Schema):
    sop: str = RequiredText(limits.CODE, description="SOP number or slug.", examples=["SOP-011"])
    title: str = RequiredText(limits.REFERENCE, examples=["Penyusunan Laporan Kinerja Tahun 2025"])
    year: int = Field(
        ...,
        examples=[2025],
        description="The period: the year the document is about (2025 for the LKjIP on 2025).",
        **stated(minimum=limits.YEAR_MIN, maximum=limits.YEAR_MAX),
    )
    run_year: int | None = Field(
        None,
        examples=[2026],
        description=(
            "The year the process runs (tahun pelaksanaan); when left out, the period less "
            "the SOP's period offset (an LKjIP on 2025 runs in 2026)."
        ),
        **stated(minimum=limits.YEAR_MIN, maximum=limits.YEAR_MAX),
    )
    reason: Reason = Field(
        "",
        description=(
            "Why the SOP is started again for a period it already runs (or ran) for; "
            "needed then, ignored otherwise."
        ),
    )
    unit: str | None = Field(
        None,
        max_length=limits.CODE,
        description="Code of the owning unit; the SOP's unit when left out.",
    )


class KelengkapanIn(Schema):
    note: str = Text(limits.NOTE)
    provided: dict[DocumentName, Reference] = Field(
        default_factory=dict,
        max_length=MAX_KELENGKAPAN,
        description="Kelengkapan named now: document name -> its name or reference.",
    )
    waivers: dict[DocumentName, Reason] = Field(
        default_factory=dict,
        max_length=MAX_KELENGKAPAN,
        description="Kelengkapan gone on without: document name -> the reason.",
    )


class FinishIn(KelengkapanIn):
    output: str = Text(limits.REFERENCE, description="Name or reference of the step's output.")


class SignIn(KelengkapanIn):
    electronic: bool | None = Field(
        None,
        description=(
            "Sign the draft's PDF electronically (PAdES). Default: electronically when the "
            "draft has a PDF, as the page does."
        ),
    )
    passphrase: str = Text(
        limits.PASSPHRASE, description="BSrE only: the signer's passphrase, never stored."
    )
    nik: str = Text(limits.NIK, description="BSrE only: the signer's NIK, never stored.")
    scan: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description=(
            "Signed in ink (`electronic` false): the id of the PDF scan of the signed page, "
            "uploaded at this step first (POST /api/documents with `task` this task). "
            "Required then: a signing step never completes without a signature."
        ),
    )


class FileIn(KelengkapanIn):
    """The archive step: the version filed and its register entry."""

    version: Id = Field(..., description="Id of the version filed (GET /api/documents).")
    location: str = RequiredText(limits.LOCATION, description="Where it is filed (the ordner).")
    copies: int = Field(1, **stated(minimum=limits.COPIES_MIN, maximum=limits.COPIES_MAX))
    classification: str = Text(
        limits.CLASSIFICATION,
        description="Archive classification code; default: the document type's.",
    )
    title: str = Text(
        limits.REFERENCE, description="Description in the register; default: the document."
    )


class SendIn(KelengkapanIn):
    """The dispatch step: what was sent, to whom, when, how, under which number."""

    version: Id = Field(..., description="Id of the version sent.")
    recipient: str = RequiredText(limits.REFERENCE)
    sent_on: dt.date
    channel: Literal["hand", "mail", "email", "application"] = Field(
        ..., description="How it was sent."
    )
    cover_number: str = RequiredText(
        limits.LETTER_NUMBER, description="The cover letter's number, as in the book."
    )
    cover_letter: Id | None = Field(None, description="Id of the cover letter's version.")


class ReturnIn(Schema):
    note: str = RequiredText(limits.NOTE, description="What must be corrected (required).")


class ChooseIn(Schema):
    branch: str = RequiredText(
        limits.BRANCH, description="Label of the branch, e.g. 'Ya' or 'Tidak'."
    )
    note: str = Text(limits.NOTE)


class WaiveIn(Schema):
    document: str = RequiredText(limits.NAME, description="Name of the kelengkapan.")
    reason: str = RequiredText(limits.REASON)


class FindingWaiveIn(Schema):
    code: str = RequiredText(limits.NAME, description="The finding's code (GET the task).")
    reason: str = RequiredText(limits.REASON)


class ReassignIn(Schema):
    to: Id = Field(..., description="Id of the person who gets the task.")
    reason: str = RequiredText(limits.REASON)


class CancelIn(Schema):
    reason: str = RequiredText(limits.REASON)


class AccessIn(Schema):
    """One more person who may read the process, and why."""

    person: Id = Field(..., description="Id of the person.")
    reason: str = RequiredText(limits.REASON)


class AccessOut(Schema):
    person: PersonRef
    reason: str
    granted_by: str
    granted_at: Moment


# --- tokens ------------------------------------------------------------------------------------


class TokenIn(Schema):
    name: str = RequiredText(limits.TOKEN_NAME, examples=["Skrip rekap bulanan"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="The token's first characters, to recognise it.")
    created_at: Moment
    last_used_at: Moment | None
    revoked_at: Moment | None


class TokenCreated(TokenOut):
    token: str = Field(..., description="The token itself. Shown this once: keep it now.")


class FieldChange(Schema):
    """A field that differs between two versions (identity block or step)."""

    field: str = Field(..., examples=["time"])
    label: str = Field(..., examples=["Waktu (mutu baku)"])
    old: str
    new: str


class LineChange(Schema):
    """An entry of a section or a lane: same, changed, added or removed."""

    status: str = Field(..., examples=["added"])
    old: str
    new: str


class SectionChange(Schema):
    kind: str = Field(..., examples=["dasar_hukum"])
    title: str
    lines: list[LineChange]


class StepChange(Schema):
    """A step of either version, aligned by its activity (numbers may shift)."""

    status: str = Field(..., examples=["changed"], description="same, changed, added, removed")
    old_number: int | None
    new_number: int | None
    activity: str
    changes: list[FieldChange]


class SopComparison(Schema):
    number: str
    old_version: int
    new_version: int
    changed: bool
    counts: dict[str, int] = Field(..., description="Steps changed, added and removed.")
    identity: list[FieldChange] = Field(..., description="Only the fields that differ.")
    sections: list[SectionChange]
    lanes: list[LineChange]
    steps: list[StepChange]
