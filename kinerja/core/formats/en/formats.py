# The English pages write dates and times as the Indonesian ones do: "1 Dec 2026 09:30 WITA".
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i T"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i T"
