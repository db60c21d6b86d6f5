from celery import shared_task

from . import alerts


@shared_task
def remind_missing_measurements() -> int:
    return alerts.missing_reminders_send()
