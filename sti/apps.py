from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StiConfig(AppConfig):
    name = "sti"
    verbose_name = _("Cooperation indicators")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from partnership.demo import register_seeder
        from partnership.history import register_history_source
        from partnership.navigation import Tab, register_tab
        from partnership.panels import Panel, register_panel
        from partnership.phases import ChecklistItem, register
        from partnership.services import register_participant_record

        from . import demo, panels

        register_seeder(demo.seed)
        register_participant_record(_rated)
        register_history_source(_history_sources)
        register_tab(Tab("sti", _("Cooperation"), "sti:home", order=20))
        register_panel(
            Panel(
                "sti",
                order=20,
                overview=panels.overview,
                overview_template="sti/_overview_panel.html",
                cards=panels.cards,
                card_template="sti/_card_panel.html",
            )
        )
        register(
            ChecklistItem(
                "kickoff.indicators",
                "kickoff",
                _("Indicator set signed off by both sides"),
                lambda p: p.indicator_sets.filter(adopted_at__isnull=False).exists(),
            )
        )


def _rated():
    """A participant who submitted ratings stays on the record as a former participant."""
    from django.db.models import Exists, OuterRef

    from .models import Response

    return Exists(
        Response.objects.filter(
            survey__partnership_id=OuterRef("partnership_id"),
            respondent_id=OuterRef("user_id"),
            submitted_at__isnull=False,
        )
    )


def _history_sources(partnership):
    """The agreed set, its sign-offs and the surveys. Ratings are sealed and stay out."""
    from .models import Indicator, IndicatorSet, SignOff, STISettings, Survey

    return [
        (IndicatorSet, IndicatorSet.history.filter(partnership_id=partnership.pk)),
        (Indicator, Indicator.history.filter(indicator_set__partnership_id=partnership.pk)),
        (SignOff, SignOff.history.filter(indicator_set__partnership_id=partnership.pk)),
        (Survey, Survey.history.filter(partnership_id=partnership.pk)),
        (STISettings, STISettings.history.filter(partnership_id=partnership.pk)),
    ]
