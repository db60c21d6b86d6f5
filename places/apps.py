from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("Places")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from partnership.demo import register_seeder
        from partnership.navigation import Tab, register_tab

        from . import demo

        register_seeder(demo.seed)
        # Before the KPIs: the register is what inspections draw from.
        register_tab(Tab("places", _("Places"), "places:register", order=8))
