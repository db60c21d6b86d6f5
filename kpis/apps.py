from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPIs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from partnership.navigation import Tab, register_tab
        from partnership.phases import ChecklistItem, register

        register_tab(Tab("kpis", _("KPIs"), "kpis:board", order=10))
        register(
            ChecklistItem(
                "kickoff.kpis",
                "kickoff",
                _("KPIs agreed"),
                lambda p: p.kpis.filter(active=True).exists(),
            )
        )
