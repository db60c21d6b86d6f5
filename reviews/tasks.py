"""Celery entry points of review rounds: thin, they call the clock and the report."""

from celery import shared_task

from . import clock, report_render, services
from .models import ReviewRound, RoundState


@shared_task
def tick() -> dict:
    return clock.tick()


@shared_task
def render_report(round_id: int) -> bool:
    """Render and store a published round's PDFs, then tell both sides (once)."""
    review_round = ReviewRound.objects.filter(pk=round_id, state=RoundState.PUBLISHED).first()
    if review_round is None:
        return False
    report_render.store_report_files(review_round=review_round)
    return services.report_notify(review_round=review_round)
