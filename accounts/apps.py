from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 (registers the deployment checks)
        from .middleware import stamp_session_start
        from .token_memory import connect_signals

        user_logged_in.connect(stamp_session_start, dispatch_uid="accounts.session_start")
        connect_signals()
