from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import KPI, Measurement


@admin.register(KPI)
class KPIAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "partnership",
        "target",
        "tolerance",
        "direction",
        "frequency",
        "active",
    ]
    list_filter = ["frequency", "source", "active"]
    search_fields = ["name", "partnership__title"]


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["kpi", "period_start", "value", "entered_by"]
    raw_id_fields = ["kpi", "entered_by"]
