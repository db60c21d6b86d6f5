from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Hub")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from partnership.demo import register_seeder
        from partnership.navigation import HeaderLink, Tab, register_header_link, register_tab
        from partnership.panels import Panel, register_panel

        from . import demo, panels, selectors

        register_seeder(demo.seed)
        register_tab(Tab("hub", _("Hub"), "messaging:inbox", order=30))
        register_header_link(
            HeaderLink(
                "hub",
                _("Hub"),
                "hub:inbox",
                order=30,
                badge=lambda user: selectors.unread_count(user=user),
                badge_label=_("unread threads"),
            )
        )
        register_tab(Tab("documents", _("Documents"), "messaging:documents", order=31))
        register_panel(
            Panel(
                "hub",
                order=30,
                overview=panels.overview,
                overview_template="messaging/_overview_panel.html",
                cards=panels.cards,
                cards_for_user=panels.cards_for_user,
                card_template="messaging/_card_panel.html",
            )
        )
        # Hub history stays off the partnership's history page: that page is read by both
        # sides and the facilitator, and internal threads are one side's business.
