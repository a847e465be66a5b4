"""The SOP editor: a new SOP, its draft as a form, and the live preview beside it.

One form holds the whole draft; it is posted for a row operation (add, remove, move a
lane or a step: `op`), for saving ("Simpan draft": op=save), and, as one types, to the
preview URL, which answers with the drawing and the linter's findings only (nothing is
written: kinerja.sop.authoring.preview). With htmx the editor swaps itself in place;
without JavaScript every button is a plain form post.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinerja.actions import sop_authoring as actions
from kinerja.core.errors import DomainError
from kinerja.org.models import Position
from kinerja.sop import authoring, sopfile
from kinerja.sop import permissions as sop_permissions
from kinerja.sop.models import DocumentType, Sop, SopVersion, Step

from .sop_editor_forms import BRANCHES, SECTION_LABELS, EditorData, NewSopForm, RevisionForm, place


def _authored_sop(request, slug: str) -> Sop:
    sop = Sop.objects.select_related("unit").filter(slug=slug).first()
    if sop is None:
        raise Http404("SOP")
    if not sop_permissions.may_author(request.user, sop):
        raise PermissionDenied(_("You may not write the SOPs of %(unit)s.") % {"unit": sop.unit})
    return sop


def _draft(sop: Sop) -> SopVersion | None:
    return (
        SopVersion.objects.with_content()
        .filter(sop=sop, status=SopVersion.Status.DRAFT)
        .order_by("-version")
        .first()
    )


@login_required
def sop_new(request):
    units = sop_permissions.authoring_unit_ids(request.user)
    if units is not None and not units:
        raise PermissionDenied(_("You may not write SOPs."))
    form = NewSopForm(request.POST or None, unit_ids=units)
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.create_sop(
                unit=form.cleaned_data["unit"], name=form.cleaned_data["name"], by=request.user
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("%(number)s is made as a draft. Write its steps, then save.")
                % {"number": version.sop.number},
            )
            return redirect("web:sop-edit", slug=version.sop.slug)
    status = 400 if form.errors else 200
    return render(request, "web/sop_new.html", {"form": form}, status=status)


def _choices() -> dict:
    return {
        "positions": list(Position.objects.select_related("unit").order_by("unit__order", "name")),
        "document_types": list(DocumentType.objects.values_list("name", flat=True)),
        "kinds": Step.Kind.choices,
        "actions": Step.Action.choices,
        "time_units": Step.TimeUnit.choices,
        "section_labels": SECTION_LABELS,
        "branch_slots": range(1, BRANCHES + 1),
    }


def _rows(data: EditorData) -> list[dict]:
    """Each step row with its number and padded slots (one empty kelengkapan, the branches)."""
    rows = []
    for n, step in enumerate(data.steps, start=1):
        branches = list(step["branches"]) + [("", "")] * (BRANCHES - len(step["branches"]))
        rows.append(
            {
                "n": n,
                **step,
                "input_slots": [*step["inputs"], ("", False)],
                "branch_slots": [
                    {"k": k, "label": label, "to": to}
                    for k, (label, to) in enumerate(branches[:BRANCHES], start=1)
                ],
            }
        )
    return rows


def _editor(
    request,
    sop: Sop,
    version: SopVersion,
    data: EditorData,
    *,
    status: int = 200,
    notice: str = "",
    notice_kind: str = "error",
    mark_rows: bool = False,
):
    spec = data.to_spec(number=sop.number, unit=sop.unit.code)
    shown = authoring.preview(spec, sop=sop)
    placed = place(shown.problems)
    context = {
        "sop": sop,
        "version": version,
        "data": data,
        "rows": _rows(data),
        "lanes": [{"i": i, **lane} for i, lane in enumerate(data.lanes, start=1)],
        "sections": [
            {"kind": kind, "label": SECTION_LABELS[kind], "text": data.sections.get(kind, "")}
            for kind in sopfile.SECTION_KEYS
        ],
        "preview": shown,
        "problems": placed,
        "step_problems": {p.row: p for p in placed if p.where == "step"},
        # Shown inside the editor, which htmx swaps (the page's messages are outside it).
        "notice": notice,
        "notice_kind": notice_kind,
        # A refused save marks its rows; otherwise the preview beside says it as one types.
        "mark_rows": mark_rows,
        **_choices(),
    }
    return render(request, "web/sop_editor.html", context, status=status)


@login_required
def sop_edit(request, slug):
    sop = _authored_sop(request, slug)
    version = _draft(sop)
    if version is None:
        return render(
            request,
            "web/sop_editor_no_draft.html",
            {"sop": sop, "form": RevisionForm()},
        )
    if request.method != "POST":
        spec = sopfile.version_to_spec(version)
        return _editor(request, sop, version, EditorData.from_spec(spec, stamp=version.edit_count))
    data = EditorData.from_post(request.POST)
    op = request.POST.get("op", "")
    if op != "save":
        data.apply(op)
        return _editor(request, sop, version, data)
    spec = data.to_spec(number=sop.number, unit=sop.unit.code)
    try:
        actions.save_draft(
            version=version,
            spec=spec,
            by=request.user,
            expected=int(data.stamp) if data.stamp.isdigit() else None,
        )
    except authoring.SpecInvalid:
        notice = _("The draft is not saved: correct the points marked in the form.")
        status = 422 if request.htmx else 400
        return _editor(request, sop, version, data, status=status, notice=notice, mark_rows=True)
    except DomainError as exc:
        return _editor(
            request, sop, version, data, status=422 if request.htmx else 409, notice=exc.message
        )
    if request.htmx:
        saved = _draft(sop)
        spec = sopfile.version_to_spec(saved)
        data = EditorData.from_spec(spec, stamp=saved.edit_count)
        return _editor(
            request, sop, saved, data, notice=_("The draft is saved."), notice_kind="success"
        )
    messages.success(request, _("The draft is saved."))
    return redirect("web:sop-edit", slug=sop.slug)


@login_required
@require_POST
def sop_edit_preview(request, slug):
    """The drawing and the findings of the posted form, for the panel beside it."""
    sop = _authored_sop(request, slug)
    # The preview draws the posted text, not the saved one: no need to load its content.
    version = (
        SopVersion.objects.filter(sop=sop, status=SopVersion.Status.DRAFT)
        .order_by("-version")
        .first()
    )
    if version is None:
        raise Http404("draft")
    data = EditorData.from_post(request.POST)
    shown = authoring.preview(data.to_spec(number=sop.number, unit=sop.unit.code), sop=sop)
    context = {"sop": sop, "version": version, "preview": shown, "problems": place(shown.problems)}
    return render(request, "web/_sop_editor_preview.html", context)


@login_required
@require_POST
def sop_edit_start(request, slug):
    """Make the revision draft of an SOP in force, and open it in the editor."""
    sop = _authored_sop(request, slug)
    form = RevisionForm(request.POST)
    form.is_valid()
    try:
        actions.start_revision(
            sop=sop, by=request.user, change_note=form.cleaned_data.get("change_note", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("web:sop-edit", args=[sop.slug]))
