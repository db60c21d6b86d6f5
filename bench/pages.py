"""Server-side render times of the busiest pages, on the demo data plus N benchmark partnerships.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python \
        bench/pages.py 1000

With `--no-analyze` (on a new database) autovacuum is switched off on every table before the
data arrives and nothing is analysed, to see the plans a database without statistics gets.

Prints one row per page: queries, median and 95th percentile over repeated requests (and the
median CPU time of this process alone, steadier than the wall clock on a busy machine), as the
project leader of the supplier (`pl@cleancare.demo`), who sees every benchmark partnership. It
measures Django's own work through the test client (no network, no browser), over HTTPS so that
it runs as well with DEBUG off as on.

Each benchmark partnership also gets a few hub threads (shared ones, one the lead has not read,
and an internal one of each side), so that the hub's visibility and unread counts run over
thousands of threads of which some are out of the lead's sight.
"""

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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from messaging.models import Message, ReadState, Thread, Visibility  # noqa: E402
from partnership.models import Partnership  # noqa: E402

REPEAT = 30
BENCH_SUBJECT = "Bench: "


def measure(client: Client, path: str) -> tuple[int, float, float, int]:
    client.get(path, secure=True)  # warm up
    reset_queries()  # the query log is a bounded deque; a full one would count nothing
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, secure=True)
    # Counted now: later requests reset the connection's query log (request_started).
    queries = len(ctx.captured_queries)
    timings, cpu = [], []
    for _ in range(REPEAT):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path, secure=True)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return response.status_code, statistics.median(timings), p95, statistics.median(cpu), queries


@transaction.atomic
def seed_threads(lead: User) -> int:
    """Four threads in each benchmark partnership that has none yet: two shared (the client's
    one unread by the lead), and one internal to each side. Bench data, written in bulk."""
    partnerships = list(
        Partnership.objects.filter(client__slug__startswith="bench-client-").exclude(
            threads__subject__startswith=BENCH_SUBJECT
        )
    )
    now = timezone.now()
    kinds = [
        ("shared, unread", Visibility.SHARED, "client", None),
        ("shared, read", Visibility.SHARED, "supplier", now),
        ("supplier only", Visibility.SUPPLIER_INTERNAL, "supplier", now),
        ("client only", Visibility.CLIENT_INTERNAL, "client", None),
    ]
    threads = [
        Thread(
            partnership=p,
            subject=f"{BENCH_SUBJECT}{label}",
            visibility=visibility,
            side=side,
            created_at=now,
            last_message_at=now,
        )
        for p in partnerships
        for label, visibility, side, _read in kinds
    ]
    Thread.objects.bulk_create(threads)
    Message.objects.bulk_create(
        Message(thread=t, author_side=t.side, body="…", body_html="<p>…</p>", created_at=now)
        for t in threads
    )
    read_at = {f"{BENCH_SUBJECT}{label}": read for label, _v, _s, read in kinds}
    ReadState.objects.bulk_create(
        ReadState(user=lead, thread=t, read_at=read_at[t.subject])
        for t in threads
        if read_at[t.subject] is not None
    )
    return len(threads)


def without_statistics() -> None:
    """Autovacuum off on every table (before the data arrives), so that the planner works
    without statistics, as on a freshly loaded database nobody has analysed yet."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} SET (autovacuum_enabled = false)"
            )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    analyze = "--no-analyze" not in sys.argv
    extra = int(args[0]) if args else 300
    call_command("migrate", verbosity=0)
    if not analyze:
        without_statistics()
    if not settings.DEBUG:  # pages name their static files through the manifest
        call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_demo", large=extra, stdout=open(os.devnull, "w"))  # noqa: SIM115
    lead = User.objects.get(email="pl@cleancare.demo")
    seed_threads(lead)
    if analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(lead)
    visible = Partnership.objects.visible_to(lead).count()
    threads = Thread.objects.count()
    p = Partnership.objects.get(title="Schoonmaak Sint-Lucas")
    bench_p = Partnership.objects.filter(threads__subject__startswith=BENCH_SUBJECT).first()
    pages = [
        ("dashboard", "/"),
        ("my work", "/work/"),
        ("notifications", "/notifications/"),
        ("partnership list (page 1)", "/partnerships/"),
        ("partnership overview", f"/partnerships/{p.pk}/"),
        ("bench partnership overview", f"/partnerships/{bench_p.pk}/"),
        ("communication plan", f"/partnerships/{p.pk}/communication-plan/"),
        ("KPI board", f"/partnerships/{p.pk}/kpis/"),
        ("inspections", f"/partnerships/{p.pk}/kpis/inspections/"),
        ("partnership hub", f"/partnerships/{p.pk}/hub/"),
        ("hub across partnerships", "/hub/"),
        ("hub search", "/hub/search/?q=Bench"),
        ("API partnership list", "/api/v1/partnerships/"),
        ("API KPIs", f"/api/v1/partnerships/{p.pk}/kpis/"),
        ("API contracts", f"/api/v1/partnerships/{p.pk}/contracts/"),
    ]
    print(
        f"\n{visible} partnerships visible to {lead.email}, {threads} threads; "
        f"{REPEAT} requests per page; statistics: {'analysed' if analyze else 'none'}\n"
    )
    print(f"| {'page':<28} | status | queries | median ms | p95 ms | Python CPU ms |")
    print(f"|{'-' * 30}|--------|---------|-----------|--------|---------------|")
    for name, path in pages:
        status, median, p95, cpu, queries = measure(client, path)
        print(
            f"| {name:<28} | {status:>6} | {queries:>7} | {median:>9.1f} | {p95:>6.1f} "
            f"| {cpu:>13.1f} |"
        )


if __name__ == "__main__":
    main()
