"""The evaluation of an SOP (PermenPANRB 35/2012): the list, the form, the PDF, and the
revision draft a finding opens. Writes go through kinerja.actions."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.sop import permissions as sop_permissions
from kinerja.sop.evaluation_render import render_pdf
from kinerja.sop.models import EVALUATION_QUESTIONS, Sop, SopEvaluation, SopVersion

from .forms import DomainErrorForm

ANSWERS = [
    ("ya", pgettext_lazy("sop evaluation", "Yes")),
    ("tidak", pgettext_lazy("sop evaluation", "No")),
]


class EvaluationForm(DomainErrorForm):
    """The seven criteria, each Ya/Tidak with a note; the rules are the service's."""

    evaluated_on = forms.DateField(
        label=gettext_lazy("Date of the evaluation"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Give the date of the evaluation."),
            "invalid": gettext_lazy("The date of the evaluation is not a date (YYYY-MM-DD)."),
        },
    )
    notes = forms.CharField(
        label=gettext_lazy("Overall notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    conclusion = forms.ChoiceField(
        label=pgettext_lazy("sop evaluation", "Conclusion"),
        required=False,
        choices=SopEvaluation.Conclusion.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, text in EVALUATION_QUESTIONS:
            self.fields[f"answer_{code}"] = forms.ChoiceField(
                label=text, required=False, choices=ANSWERS, widget=forms.RadioSelect
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=gettext_lazy("Note"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def criteria(self):
        return [
            {
                "number": n,
                "text": text,
                "answer": self[f"answer_{code}"],
                "note": self[f"note_{code}"],
            }
            for n, (code, text) in enumerate(EVALUATION_QUESTIONS, start=1)
        ]

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            code: {"answer": data.get(f"answer_{code}", ""), "note": data.get(f"note_{code}", "")}
            for code, _text in EVALUATION_QUESTIONS
        }


def _sop(slug: str) -> Sop:
    sop = Sop.objects.select_related("unit").filter(slug=slug).first()
    if sop is None:
        raise Http404("SOP")
    return sop


def _evaluation(sop: Sop, pk: int) -> SopEvaluation:
    evaluation = (
        SopEvaluation.objects.select_related("version__sop__unit", "revision", "evaluator")
        .filter(pk=pk, version__sop=sop)
        .first()
    )
    if evaluation is None:
        raise Http404("evaluation")
    return evaluation


@login_required
def sop_evaluation(request, slug):
    """The evaluations of the SOP, newest first, and the form for the version in force."""
    sop = _sop(slug)
    may = sop_permissions.may_evaluate(request.user, sop)
    version = sop.versions.filter(status=SopVersion.Status.PUBLISHED).first()
    form = None
    if may and version is not None:
        if request.method == "POST":
            form = EvaluationForm(request.POST)
            if form.is_valid():
                try:
                    evaluation = actions.evaluate_sop(
                        version=version,
                        by=request.user,
                        evaluated_on=form.cleaned_data["evaluated_on"],
                        answers=form.answers(),
                        conclusion=form.cleaned_data["conclusion"],
                        notes=form.cleaned_data["notes"],
                    )
                except DomainError as exc:
                    form.add_domain_error(exc)
                else:
                    messages.success(request, _("The evaluation is saved."))
                    url = reverse("web:sop-evaluation", args=[sop.slug])
                    return redirect(f"{url}#evaluation-{evaluation.pk}")
        else:
            form = EvaluationForm(initial={"evaluated_on": timezone.localdate()})
    elif request.method == "POST":
        raise PermissionDenied(_("Only the officials who write or supervise this SOP evaluate it."))
    evaluations = list(
        SopEvaluation.objects.filter(version__sop=sop).select_related("version", "revision")
    )
    draft = sop.versions.filter(status=SopVersion.Status.DRAFT).first()
    context = {
        "sop": sop,
        "version": version,
        "evaluations": evaluations,
        "form": form,
        "may_evaluate": may,
        "draft": draft,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "web/sop_evaluation.html", context, status=status)


@login_required
def sop_evaluation_pdf(request, slug, pk):
    evaluation = _evaluation(_sop(slug), pk)
    response = HttpResponse(render_pdf(evaluation), content_type="application/pdf")
    name = f"evaluasi-{evaluation.version.sop.slug}-{evaluation.evaluated_on:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def sop_evaluation_revise(request, slug, pk):
    """Open the revision draft from a finding of the evaluation."""
    sop = _sop(slug)
    evaluation = _evaluation(sop, pk)
    try:
        draft = actions.open_revision_from_evaluation(
            evaluation=evaluation, question=request.POST.get("question", ""), by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Revision draft version %(v)d is open; its change note cites the finding.")
            % {"v": draft.version},
        )
    url = reverse("web:sop-evaluation", args=[sop.slug])
    return redirect(f"{url}#evaluation-{evaluation.pk}")
