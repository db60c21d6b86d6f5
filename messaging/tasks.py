"""Celery entry points of the hub: thin, they call services."""

from celery import shared_task

from . import digest


@shared_task
def send_digests() -> int:
    return digest.send_digests()
