from celery import shared_task

from . import alerts


@shared_task
def send_red_alert(measurement_id: int) -> bool:
    return alerts.red_alert_send(measurement_id=measurement_id)


@shared_task
def remind_missing_measurements() -> int:
    return alerts.missing_reminders_send()
