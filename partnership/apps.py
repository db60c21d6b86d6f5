from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = _("Partnerships")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import outbox, work  # noqa: F401 (outbox: its receiver sends mail after commit)
        from .mfa import connect_token_signals
        from .navigation import HeaderLink, register_header_link

        # Each feature app's work.py registers what waits for a person ("My work").
        autodiscover_modules("work")
        connect_token_signals()
        register_header_link(
            HeaderLink(
                "my-work",
                work.MY_WORK,
                "partnership:my_work",
                order=5,
                badge=work.work_count,
                badge_label=work.badge_text,
            )
        )
