from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .audit_models import AuditEvent
from .calendar_models import SpecialDay, WorkSchedule, WorkScheduleDay

# --- working-time calendar (kinerja.core.calendar) -------------------------------------------
# Changes apply to due times computed from the next request on: get_calendar() reads the
# hours every time and notices changed special days by their count and latest update.


class WorkScheduleDayInline(admin.TabularInline):
    model = WorkScheduleDay
    extra = 0
    fields = ["weekday", "start", "end", "break_start", "break_end"]


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "valid_from", "national_holidays", "cuti_bersama", "basis"]
    fields = ["name", "valid_from", "national_holidays", "cuti_bersama", "basis"]
    inlines = [WorkScheduleDayInline]


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "first_date", "last_date", "weekday", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["name", "note"]
    date_hierarchy = "first_date"
    fieldsets = [
        (None, {"fields": ["name", "kind", "note"]}),
        (None, {"fields": [("first_date", "last_date"), "weekday"]}),
        (None, {"fields": [("start", "end"), ("break_start", "break_end")]}),
    ]


# --- audit record (kinerja.core.audit) -------------------------------------------------------
# Read-only for everyone, superusers included: the record is append-only, and a
# change made here would only show up as tampering in `manage.py audit verify`.


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "stream",
        "seq",
        "action",
        "actor_name",
        "on_behalf_of",
        "object_type",
        "object_id",
    ]
    # Only what an index answers: the record grows with every action, and a filter
    # listing distinct values or a substring search would scan all of it.
    search_fields = ["=stream"]
    search_help_text = _("The stream of a process, e.g. process:42.")
    ordering = ["-id"]
    show_full_result_count = False
    fields = [
        ("stream", "seq", "at"),
        ("actor", "actor_name"),
        ("on_behalf_of", "on_behalf_of_person"),
        ("action", "object_type", "object_id"),
        "before",
        "after",
        "prev_hash",
        "hash",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
