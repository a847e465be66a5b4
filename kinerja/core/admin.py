from django.contrib import admin

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

