from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPIs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from partnership.demo import register_seeder
        from partnership.history import register_history_source
        from partnership.navigation import Tab, register_tab
        from partnership.panels import Panel, register_panel
        from partnership.phases import ChecklistItem, register

        from . import demo, panels

        register_seeder(demo.seed)
        register_history_source(_history_sources)

        register_tab(Tab("kpis", _("KPIs"), "kpis:board", order=10))
        register_tab(Tab("inspections", _("Inspections"), "kpis:inspections", order=11))
        register_tab(Tab("disputes", _("Disputes"), "kpis:disputes", order=12))
        register_panel(
            Panel(
                "kpis",
                order=10,
                overview=panels.overview,
                overview_template="kpis/_overview_panel.html",
                cards=panels.cards,
                card_template="kpis/_card_panel.html",
            )
        )
        register(
            ChecklistItem(
                "kickoff.kpis",
                "kickoff",
                _("KPIs agreed"),
                lambda p: p.kpis.filter(active=True).exists(),
            )
        )


def _history_sources(partnership):
    """KPIs, values, inspections and disputes in the partnership's audit trail."""
    from .models import KPI, Dispute, Inspection, Measurement

    return [
        (KPI, KPI.history.filter(partnership_id=partnership.pk)),
        (Measurement, Measurement.history.filter(kpi__partnership_id=partnership.pk)),
        (Inspection, Inspection.history.filter(partnership_id=partnership.pk)),
        (Dispute, Dispute.history.filter(partnership_id=partnership.pk)),
    ]
