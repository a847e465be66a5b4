"""Administration of the catalogue. Published versions are read-only: revise to change."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import DocumentType, Lane, Sop, SopEvaluation, SopSection, SopVersion, Step


class DraftOnlyMixin:
    """Only a draft version (and what belongs to it) can be changed."""

    def _version(self, obj):
        return obj if isinstance(obj, SopVersion) else getattr(obj, "version", None)

    def has_change_permission(self, request, obj=None):
        version = self._version(obj) if obj is not None else None
        if version is not None and not version.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is not None and not self._version(obj).is_editable:
            return False
        return super().has_add_permission(request, *([obj] if obj is not None else []))

    def has_delete_permission(self, request, obj=None):
        version = self._version(obj) if obj is not None else None
        if version is not None and not version.is_editable:
            return False
        return super().has_delete_permission(request, obj)


class SectionInline(DraftOnlyMixin, admin.TabularInline):
    model = SopSection
    extra = 0


class LaneInline(DraftOnlyMixin, admin.TabularInline):
    model = Lane
    extra = 0
    autocomplete_fields = ["position"]


class StepInline(DraftOnlyMixin, admin.StackedInline):
    model = Step
    extra = 0
    fields = [
        ("number", "lane", "kind", "action"),
        "activity",
        ("time_amount", "time_unit", "output"),
        "remarks",
    ]

    def get_fields(self, request, obj=None):
        # A published version is read-only: its time standard reads "2 jam", not "2,00 | jam".
        if obj is not None and not obj.is_editable:
            return [
                ("number", "lane", "kind", "action"),
                "activity",
                ("time_standard", "output"),
                "remarks",
            ]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return ["time_standard"]
        return []

    @admin.display(description=_("time standard"))
    def time_standard(self, step: Step) -> str:
        if step.time_amount is None:
            return "–"
        amount = step.time_amount.normalize()
        return f"{amount:f} {step.get_time_unit_display()}".replace(".", ",")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Lanes of this version only.
        if db_field.name == "lane" and request.resolver_match.kwargs.get("object_id"):
            kwargs["queryset"] = Lane.objects.filter(
                version_id=request.resolver_match.kwargs["object_id"]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SopVersion)
class SopVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["sop", "version", "name", "status", "effective_on", "published_at"]
    list_filter = ["status"]
    list_select_related = ["sop"]
    search_fields = ["sop__number", "name"]
    readonly_fields = ["sop", "version", "status", "content_hash", "published_at", "published_by"]
    inlines = [SectionInline, LaneInline, StepInline]

    def has_add_permission(self, request, obj=None):
        return False  # versions come from an import or a revision


@admin.register(Sop)
class SopAdmin(admin.ModelAdmin):
    list_display = ["number", "unit"]
    search_fields = ["number"]
    readonly_fields = ["number", "slug"]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name", "same_as", "final_title", "generated_as"]
    list_filter = ["generated_as"]


@admin.register(SopEvaluation)
class SopEvaluationAdmin(admin.ModelAdmin):
    """Read only: an evaluation is recorded on its page (web:sop-evaluation), with its audit."""

    list_display = ["version", "evaluated_on", "evaluator_name", "conclusion", "revision"]
    list_filter = ["conclusion"]
    search_fields = ["version__sop__number", "evaluator_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
