from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Review rounds")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from partnership.demo import register_seeder
        from partnership.history import register_history_source
        from partnership.models import Phase
        from partnership.navigation import HeaderLink, Tab, register_header_link, register_tab
        from partnership.panels import Panel, register_panel
        from partnership.phases import ChecklistItem, register

        from . import demo, panels

        register_seeder(demo.seed)
        register_history_source(_history_sources)
        register_tab(Tab("rounds", _("Review rounds"), "reviews:rounds", order=40))
        register_header_link(
            HeaderLink("my-actions", _("My actions"), "reviews_global:my_actions", order=40)
        )
        register_header_link(
            HeaderLink(
                "facilitation",
                _("Facilitation"),
                "reviews_global:workspace",
                order=41,
                shown_to=_facilitates,
            )
        )
        register_tab(Tab("actions", _("Actions"), "reviews:actions", order=41))
        register_panel(
            Panel(
                "reviews",
                order=40,
                overview=panels.overview,
                overview_template="reviews/_overview_panel.html",
                cards=panels.cards,
                card_template="reviews/_card_panel.html",
            )
        )
        # A survey opened or closed by hand moves its round along (sti cannot import reviews).
        from sti.services_surveys import transition_listener_register

        from .services import round_follow_survey_close, round_follow_survey_open

        transition_listener_register(transition="open", listener=round_follow_survey_open)
        transition_listener_register(transition="close", listener=round_follow_survey_close)
        # Derived, not ticked by hand: rounds run once one has opened (published ones included).
        register(
            ChecklistItem(
                "active.rounds",
                Phase.ACTIVE,
                _("Quarterly review rounds running"),
                lambda p: p.review_rounds.filter(opened_at__isnull=False).exists(),
            )
        )


def _facilitates(user) -> bool:
    """The "Facilitation" link is for those who facilitate some partnership."""
    from partnership.models import Participant, Side

    return Participant.objects.filter(user=user, side=Side.FACILITATOR).exists()


def _history_sources(partnership):
    """Review settings, sessions, minutes, decisions and actions in the audit trail."""
    from .models import ActionItem, AgendaItem, Decision, ReviewSettings, Session

    return [
        (ReviewSettings, ReviewSettings.history.filter(partnership_id=partnership.pk)),
        (Session, Session.history.filter(round__partnership_id=partnership.pk)),
        (AgendaItem, AgendaItem.history.filter(round__partnership_id=partnership.pk)),
        (Decision, Decision.history.filter(round__partnership_id=partnership.pk)),
        (ActionItem, ActionItem.history.filter(partnership_id=partnership.pk)),
    ]
