# One way to write dates and times everywhere (pages, the administration, notices):
# "1 Des 2026" and "1 Des 2026 09.30 WITA", as kinerja.core.calendar.format_moment writes
# them. Only what is named here changes; Django's Indonesian formats give the rest
# (input formats, separators).
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H.i T"
TIME_FORMAT = "H.i"
SHORT_DATETIME_FORMAT = "j M Y H.i T"
