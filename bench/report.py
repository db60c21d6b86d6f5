"""How long a review round's report takes: compile (queries) and render (WeasyPrint), nl and en.

    .venv/bin/python bench/report.py [N] [--first K]

On the database of DATABASE_URL (or SQLite under TANDEM_VAR_DIR) it migrates, seeds the demo
unless it is there, and takes the latest published round of "Schoonmaak Sint-Lucas" (with no
published round there, it walks one through the services). It compiles the round's report N
times, then prints a markdown table per language:

- first render: the first PDF of a fresh process, K processes per language, each started like a
  Celery pool process: "cold" renders right after Django starts; "after warm-up" first runs the
  worker's start-up handlers (config.celery: `worker_init`, then `worker_process_init`), whose
  duration is shown apart. A tree without those handlers shows "–" there.
- warm render: N more PDFs per language in this process, after the same start-up handlers.

Times are wall clock and CPU (process time): on a shared machine the wall clock grows with the
load of others (shown with the load average), the CPU time much less.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

LANGUAGES = ("nl", "en")


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return (wall - start[0]) * 1000, (cpu - start[1]) * 1000


def worker_start() -> float | None:
    """Run the Celery worker's start-up handlers as a pool process would; ms, or None if absent."""
    from config import celery

    prepare = getattr(celery, "prepare_report_renderer", None)
    warm = getattr(celery, "warm_report_renderer", None)
    if warm is None:
        return None
    start = _clock()
    if prepare is not None:
        prepare()
    warm()
    return _since(start)[0]


def first_render(language: str, snapshot_path: str, warm: bool) -> dict:
    """In a fresh process: (the worker's start-up,) then one PDF."""
    from reviews import report_render

    snapshot = json.loads(Path(snapshot_path).read_text())
    warm_ms = worker_start() if warm else None
    if warm and warm_ms is None:
        return {"skipped": True}
    start = _clock()
    report_render.render_pdf(snapshot, language)
    wall, cpu = _since(start)
    return {"wall": wall, "cpu": cpu, "warm_up": warm_ms}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _spawn(language: str, snapshot_path: str, warm: bool) -> dict:
    command = [sys.executable, __file__, "--child", language, snapshot_path]
    if warm:
        command.append("--warm")
    run = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
    out = run.stdout
    return json.loads(out.strip().splitlines()[-1])


def demo_round():
    from partnership.models import Partnership
    from reviews.models import ReviewRound, RoundState

    partnership = Partnership.objects.get(title="Schoonmaak Sint-Lucas")
    published = (
        ReviewRound.objects.filter(partnership=partnership, state=RoundState.PUBLISHED)
        .order_by("-period_start")
        .first()
    )
    return published or build_round(partnership)


def build_round(partnership):
    """No demo round yet: walk the last quarter's round to published through the services."""
    import datetime

    from reviews import calendar, selectors, services, services_sessions
    from reviews.models import RoundState

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


def _cell(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):.0f} / {_p95(values):.0f}"


def main(repeat: int, first_runs: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnership.models import Partnership
    from reviews import report, report_render

    call_command("migrate", verbosity=0)
    if not Partnership.objects.filter(title="Schoonmaak Sint-Lucas").exists():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    review_round = demo_round()
    compile_ms = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            snapshot = report.compile_report(review_round=review_round)
            compile_ms.append((time.perf_counter() - start) * 1000)
    queries = len(ctx.captured_queries)
    connection.close()

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(snapshot, f)
    from config import celery

    modes = (False, True) if hasattr(celery, "warm_report_renderer") else (False,)
    first = {(language, True): [] for language in LANGUAGES}
    try:
        for language in LANGUAGES:
            for warm in modes:
                runs = [_spawn(language, f.name, warm) for _ in range(first_runs)]
                first[language, warm] = [r for r in runs if not r.get("skipped")]
    finally:
        os.unlink(f.name)

    warm_up_ms = worker_start()
    if warm_up_ms is None:  # as the old bench did: one render first, then the timed ones
        report_render.render_pdf(snapshot, "nl")
    warm = {language: ([], []) for language in LANGUAGES}
    shape = {}
    for _ in range(repeat):
        for language in LANGUAGES:
            start = _clock()
            pdf = report_render.render_pdf(snapshot, language)
            wall, cpu = _since(start)
            warm[language][0].append(wall)
            warm[language][1].append(cpu)
            shape[language] = len(pdf)
    pages = {
        language: len(report_render.render_document(snapshot, language).pages)
        for language in LANGUAGES
    }

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    git = ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]
    tree = subprocess.run(git, capture_output=True, text=True).stdout.strip()  # noqa: S603, S607
    print(
        f"Report of {review_round.partnership.title} {review_round.label} ({review_round.state}); "
        f"tree {ROOT} at {tree} (plus its working changes); load average {load}\n"
    )
    print(
        f"Compile: {statistics.median(compile_ms):.1f} ms median, {queries} queries. "
        f"Renders: {repeat} warm per language, {first_runs} fresh processes per first-render cell. "
        f"Worker start-up handlers in this process: "
        + ("none" if warm_up_ms is None else f"{warm_up_ms:.0f} ms")
        + "\n"
    )
    print(
        "| lang | pages | bytes | first render, cold: wall ms median / p95 | cpu ms | "
        "first render after warm-up: wall ms median / p95 | cpu ms | warm-up wall ms | "
        "warm render: wall ms median / p95 | cpu ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for language in LANGUAGES:
        cold, after = first[language, False], first[language, True]
        print(
            f"| {language} | {pages[language]} | {shape[language]} "
            f"| {_cell([r['wall'] for r in cold])} | {_cell([r['cpu'] for r in cold])} "
            f"| {_cell([r['wall'] for r in after])} | {_cell([r['cpu'] for r in after])} "
            f"| {_cell([r['warm_up'] for r in after])} "
            f"| {_cell(warm[language][0])} | {_cell(warm[language][1])} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("repeat", nargs="?", type=int, default=9)
    parser.add_argument("--first", type=int, default=5, help="fresh processes per cell")
    parser.add_argument("--child", nargs=2, metavar=("LANGUAGE", "SNAPSHOT"))
    parser.add_argument("--warm", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(first_render(*args.child, warm=args.warm)))
    else:
        main(args.repeat, args.first)
