"""How long a review round's report takes: compile (queries) and render (WeasyPrint), nl and en.

    rm -rf /tmp/bench-report && TANDEM_VAR_DIR=/tmp/bench-report .venv/bin/python bench/report.py 5

On a fresh database (SQLite under TANDEM_VAR_DIR, or DATABASE_URL) it migrates, seeds the demo
and takes the latest published round of "Schoonmaak Sint-Lucas" (the demo's rounds); with no
published round there, it walks one through the services. Then it compiles the round's report
N times and renders the PDF N times per language, and prints one row per language: compile ms,
render ms (median and slowest), pages and bytes. The first render of a process (fonts, the print
stylesheet) is measured apart as "cold".
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from partnership.models import Partnership  # noqa: E402
from reviews import report, report_render  # noqa: E402
from reviews.models import ReviewRound, RoundState  # noqa: E402


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def demo_round() -> ReviewRound:
    partnership = Partnership.objects.get(title="Schoonmaak Sint-Lucas")
    published = (
        ReviewRound.objects.filter(partnership=partnership, state=RoundState.PUBLISHED)
        .order_by("-period_start")
        .first()
    )
    return published or build_round(partnership)


def build_round(partnership) -> ReviewRound:
    """No demo round yet: walk the last quarter's round to published through the services."""
    from reviews import calendar, selectors, services, services_sessions

    facilitator = selectors.facilitators(partnership=partnership).first()
    period = calendar.ReviewPeriod.containing(datetime.date.today() - datetime.timedelta(days=92))
    review_round = services.round_plan(partnership=partnership, period=period)
    now = review_round.closes_at + datetime.timedelta(days=1)
    if review_round.state == RoundState.SCHEDULED:
        review_round = services.round_open(review_round=review_round, now=review_round.opens_at)
    if review_round.state == RoundState.OPEN:
        review_round = services.round_close(review_round=review_round, now=now)
    if review_round.state == RoundState.CLOSED:
        services_sessions.session_plan(
            actor=facilitator,
            review_round=review_round,
            starts_at=now + datetime.timedelta(days=2),
            ends_at=now + datetime.timedelta(days=2, hours=2),
            location="Bench room",
        )
        review_round = services.round_finish(
            review_round=review_round, actor=facilitator, now=now + datetime.timedelta(days=3)
        )
    return services.round_publish(
        review_round=review_round, actor=facilitator, now=now + datetime.timedelta(days=4)
    )


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    review_round = demo_round()
    print(f"Round {review_round.label} of {review_round.partnership.title} ({review_round.state})")

    compile_ms = []
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            snapshot = report.compile_report(review_round=review_round)
            compile_ms.append(_ms(start))
    queries = len(ctx.captured_queries)

    start = time.perf_counter()
    report_render.render_pdf(snapshot, "nl")
    cold = _ms(start)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cold first render: {cold:.0f} ms; compile: {queries} queries; load average {load}\n")
    print(f"{'lang':<5}{'compile ms':>12}{'render ms':>11}{'max ms':>9}{'pages':>7}{'bytes':>9}")
    for language in ("nl", "en"):
        render_ms, pages, size = [], 0, 0
        for _ in range(repeat):
            start = time.perf_counter()
            document = report_render.render_document(snapshot, language)
            pdf = document.write_pdf()
            render_ms.append(_ms(start))
            pages, size = len(document.pages), len(pdf)
        print(
            f"{language:<5}{statistics.median(compile_ms):>12.1f}"
            f"{statistics.median(render_ms):>11.0f}{max(render_ms):>9.0f}{pages:>7}{size:>9}"
        )


if __name__ == "__main__":
    main()
