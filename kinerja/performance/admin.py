"""The administration of the performance data.

The plan (Renstra, tujuan, sasaran, indicators and their targets), the grade scales and
the capaian bands are edited here; each save or delete of the plan is written to the
Renstra's audit stream, as the services write theirs. A Renstra in use (a PK or a
realisasi refers to it) is read-only here, as in kinerja.performance.plans: it changes
only by a new version. Realisasi are only read here:
they are entered, returned, locked and corrected through the services, which check who
may and keep the reason.
"""

from django.contrib import admin
from django.db import transaction

from kinerja.core import audit

from .models import (
    Band,
    BandSet,
    BudgetRealisation,
    Goal,
    GradeScale,
    Indicator,
    IndicatorTarget,
    Nomenclature,
    Objective,
    PerformanceAgreement,
    QuarterClosure,
    Realisasi,
    RealisasiEvidence,
    Renja,
    RenjaItem,
    Renstra,
    ReportingDeadline,
    ReportingNotice,
)
from .plans import in_use
from .services import stream_of


def _renstra_of(obj) -> Renstra | None:
    if isinstance(obj, Renstra):
        return obj if obj.pk else None
    if isinstance(obj, Goal | Objective | ReportingDeadline):
        return obj.renstra
    if isinstance(obj, Indicator):
        return obj.objective.renstra
    if isinstance(obj, IndicatorTarget):
        return obj.indicator.objective.renstra
    return None


def _fields(obj) -> dict:
    return {
        f.attname: str(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.attname not in ("created_at", "updated_at")
    }


def _frozen(obj) -> bool:
    renstra = _renstra_of(obj) if obj is not None else None
    return renstra is not None and (renstra.status == Renstra.Status.SUPERSEDED or in_use(renstra))


class AuditedAdmin(admin.ModelAdmin):
    """Writes each change of the plan to its Renstra's stream, in the same transaction;
    the plan of a Renstra in use (or superseded) is read only."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _frozen(obj)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = _fields(type(obj).objects.get(pk=obj.pk)) if change else {}
            super().save_model(request, obj, form, change)
            self._record(
                request, obj, "plan-change" if change else "plan-add", before, _fields(obj)
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            # As stored, not as posted: the record keeps what was removed.
            doomed = [
                (
                    f.instance,
                    _renstra_of(f.instance),
                    _fields(type(f.instance).objects.get(pk=f.instance.pk)),
                )
                for f in formset.deleted_forms
                if f.instance.pk
            ]
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                self._record(request, obj, "plan-add", {}, _fields(obj))
            for obj, _changed in formset.changed_objects:
                self._record(request, obj, "plan-change", {}, _fields(obj))
            for obj, renstra, before in doomed:
                self._record_delete(request, obj, renstra, before)

    def delete_model(self, request, obj):
        with transaction.atomic():
            renstra, before = _renstra_of(obj), _fields(obj)
            super().delete_model(request, obj)
            self._record_delete(request, obj, renstra, before)

    def _record(self, request, obj, action, before, after):
        renstra = _renstra_of(obj)
        if renstra is None:
            return
        audit.record(
            stream=stream_of(renstra),
            action=action,
            actor=request.user,
            obj=obj,
            before=before,
            after=after,
        )

    def _record_delete(self, request, obj, renstra, before):
        # The row is gone (its pk is None now): the event names it by model and old id.
        if renstra is None or renstra.pk is None or isinstance(obj, Renstra):
            return
        audit.record(
            stream=stream_of(renstra),
            action="plan-delete",
            actor=request.user,
            before={"model": obj._meta.label, **before},
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write (they check who may and keep the record): read here only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Renstra)
class RenstraAdmin(AuditedAdmin):
    list_display = ["title", "unit", "first_year", "last_year", "version", "status"]
    list_select_related = ["unit"]
    list_filter = ["status", "unit"]
    search_fields = ["title"]
    autocomplete_fields = ["unit", "reviewer", "previous"]
    inlines = [GoalInline]


@admin.register(Objective)
class ObjectiveAdmin(AuditedAdmin):
    list_display = ["code", "text", "level", "unit", "parent", "renstra"]
    list_select_related = ["unit", "parent", "renstra"]
    list_filter = ["level", "unit", "renstra"]
    search_fields = ["code", "text"]
    autocomplete_fields = ["renstra", "goal", "parent", "unit"]


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["code", "name", "measure", "polarity", "is_key", "objective", "responsible"]
    list_select_related = ["objective", "responsible"]
    list_filter = ["is_key", "polarity", "objective__renstra"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["objective", "responsible", "scale"]
    inlines = [TargetInline]
    fieldsets = [
        (None, {"fields": ["objective", "code", "name", "is_key", "measure", "order"]}),
        (
            "Manual IKU",
            {
                "fields": [
                    "definition",
                    "rationale",
                    "formula_text",
                    "data_source",
                    "responsible",
                    "baseline",
                    "baseline_year",
                    "national_standard",
                    "national_standard_source",
                ]
            },
        ),
        (
            "Capaian",
            {"fields": ["target_kind", "scale", "polarity", "lower_formula", "quarters", "cap"]},
        ),
    ]


@admin.register(Goal)
class GoalAdmin(AuditedAdmin):
    list_display = ["code", "text", "renstra"]
    search_fields = ["code", "text"]
    autocomplete_fields = ["renstra"]


@admin.register(GradeScale)
class GradeScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "grades"]
    search_fields = ["name"]


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


@admin.register(BandSet)
class BandSetAdmin(admin.ModelAdmin):
    list_display = ["name", "basis", "is_default"]
    inlines = [BandInline]


@admin.register(Realisasi)
class RealisasiAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "year", "quarter", "value", "grade", "state", "entered_by"]
    list_select_related = ["indicator", "entered_by"]
    list_filter = ["year", "quarter", "state"]
    search_fields = ["indicator__code", "indicator__name"]


@admin.register(Nomenclature)
class NomenclatureAdmin(admin.ModelAdmin):
    """The Kepmendagri codes: loaded from a file (`manage.py performance nomenclature`);
    an administrator may correct a name here."""

    list_display = ["code", "name", "level", "active", "to_confirm"]
    list_filter = ["level", "active", "to_confirm"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "level", "parent"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Renja)
class RenjaAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "year", "version", "status"]
    list_select_related = ["unit"]
    list_filter = ["status", "year", "unit"]
    search_fields = ["title"]
    autocomplete_fields = ["unit", "renstra"]
    raw_id_fields = ["process"]


@admin.register(RenjaItem)
class RenjaItemAdmin(ReadOnlyAdmin):
    """Read only: proposals and decisions go through the services, which check who may
    and keep the proposal as it was sent."""

    list_display = ["sub_kegiatan", "indicator", "proposed_by", "pagu", "state", "priority"]
    list_select_related = ["sub_kegiatan", "proposed_by"]
    list_filter = ["state", "renja", "proposed_by"]
    search_fields = ["sub_kegiatan__code", "indicator"]


@admin.register(PerformanceAgreement)
class PerformanceAgreementAdmin(ReadOnlyAdmin):
    """Read only: a PK is drafted, signed and revised through its services, which take
    the parties of the signing day and keep every earlier revision."""

    list_display = ["__str__", "level", "year", "revision", "status", "signed_on"]
    list_filter = ["year", "level", "status"]
    search_fields = ["position__name"]


@admin.register(BudgetRealisation)
class BudgetRealisationAdmin(ReadOnlyAdmin):
    list_display = ["item", "quarter", "amount", "state", "entered_by"]
    list_select_related = ["item__sub_kegiatan", "entered_by"]
    list_filter = ["quarter", "state"]


@admin.register(QuarterClosure)
class QuarterClosureAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "renstra", "closed_by", "closed_at"]
    list_select_related = ["renstra", "closed_by"]


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(AuditedAdmin):
    """The quarterly deadlines of the realisasi (batas waktu): a quarter without one
    follows the default, the 10th of the month after it (TW IV by 10 January)."""

    list_display = ["renstra", "year", "quarter", "due_on", "remind_days", "escalate_to"]
    list_select_related = ["renstra", "escalate_to"]
    list_filter = ["year", "quarter", "renstra"]
    autocomplete_fields = ["renstra", "escalate_to"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("remind_days", 5)
        return initial


@admin.register(ReportingNotice)
class ReportingNoticeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient", "unit", "year", "quarter", "emailed"]
    list_select_related = ["recipient", "unit"]
    list_filter = ["kind", "year", "quarter"]


@admin.register(RealisasiEvidence)
class RealisasiEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["name", "realisasi", "kind", "size", "created_at", "detached_at"]
    list_select_related = ["realisasi__indicator"]
