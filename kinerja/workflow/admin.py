from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kinerja.core.worktime import format_work_minutes

from .models import (
    MonitoringRecord,
    MonitoringRow,
    MonitoringRule,
    Notification,
    Process,
    ProcessDocument,
    Task,
    Waiver,
)


@admin.display(description=_("working time used"))
def working_time_used(task: Task) -> str:
    """'1 hari kerja 2 jam 20 menit', not '590,00': the time as the process page says it."""
    return format_work_minutes(task.work_minutes) if task.work_minutes is not None else "–"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TaskInline(ReadOnlyInline):
    model = Task
    fk_name = "process"
    fields = [
        "step",
        "status",
        "assignee",
        "acting_for",
        "activated_at",
        "due_at",
        "completed_at",
        working_time_used,
        "outcome",
    ]
    readonly_fields = [working_time_used]


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    """Processes change through their pages (and the audit trail), not here."""

    list_display = ["title", "sop_version", "year", "run_year", "status", "started_at"]
    list_filter = ["status", "year", "run_year"]
    list_select_related = ["sop_version__sop"]
    search_fields = ["title"]
    inlines = [TaskInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["process_title", "step", "status", "assignee", "due_at", working_time_used]
    exclude = ["work_minutes"]
    readonly_fields = [working_time_used]
    list_filter = ["status"]
    list_select_related = ["process", "step", "assignee"]
    search_fields = ["process__title", "assignee__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("process"), ordering="process__title")
    def process_title(self, task: Task) -> str:
        return task.process.title


@admin.register(Waiver)
class WaiverAdmin(admin.ModelAdmin):
    """Pengecualian kelengkapan: who went on without which kelengkapan, and why."""

    list_display = ["document_type", "task_label", "reason", "at"]
    list_select_related = ["document_type", "task__process", "task__step"]
    search_fields = ["reason", "document_type__name", "task__process__title"]

    @admin.display(description=_("task"))
    def task_label(self, waiver: Waiver) -> str:
        return (
            f"{waiver.task.process.title} · {waiver.task.step.number}. {waiver.task.step.activity}"
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifikasi: what each official was told, and whether they read it."""

    list_display = ["recipient", "kind", "task_label", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "task__process", "task__step"]
    search_fields = ["recipient__name", "task__process__title"]

    @admin.display(description=_("task"))
    def task_label(self, notification: Notification) -> str:
        task = notification.task
        return f"{task.process.title} · {task.step.number}. {task.step.activity}"


admin.site.register(ProcessDocument)


@admin.register(MonitoringRule)
class MonitoringRuleAdmin(admin.ModelAdmin):
    """The thresholds of the SOP monitoring: a region changes them here (DESIGN.md 12)."""

    list_display = ["__str__", "max_over_share", "max_return_rate", "slow_factor", "fast_factor"]


class MonitoringRowInline(ReadOnlyInline):
    model = MonitoringRow
    fields = ["number", "procedure", "proposed", "assessment", "notes", "action", "paraf_name"]
    readonly_fields = fields


@admin.register(MonitoringRecord)
class MonitoringRecordAdmin(admin.ModelAdmin):
    """Read only: the Tabel 7 records are made and initialled on the monitoring page."""

    list_display = ["__str__", "prepared_by", "revision", "created_at"]
    list_filter = ["year", "half"]
    inlines = [MonitoringRowInline]
    readonly_fields = ["sop", "year", "half", "prepared_by", "revision"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
