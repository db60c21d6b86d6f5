from django.apps import AppConfig


class StiConfig(AppConfig):
    name = "sti"
    default_auto_field = "django.db.models.BigAutoField"
