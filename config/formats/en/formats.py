"""English as our readers in the Netherlands and Belgium write dates: day before month, 24 hours.

Django's own English formats are American ("12/19/2026", "11:09 p.m."), which reads wrongly, or
ambiguously, next to the Dutch UI. Only display formats change; input keeps Django's defaults.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
