"""Server-side render times of the busiest pages, on the demo data plus N benchmark partnerships.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python bench/pages.py 300

Prints one row per page: queries, median and 95th percentile over repeated requests. It measures
Django's own work through the test client (no network, no browser).
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

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from partnership.models import Partnership  # noqa: E402

REPEAT = 30


def measure(client: Client, path: str, **headers) -> tuple[int, float, float, int]:
    client.get(path, **headers)  # warm up
    reset_queries()  # the query log is a bounded deque; a full one would count nothing
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        client.get(path, **headers)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return response.status_code, statistics.median(timings), p95, len(ctx.captured_queries)


def main() -> None:
    extra = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    call_command("migrate", verbosity=0)
    call_command("seed_demo", large=extra, stdout=open(os.devnull, "w"))  # noqa: SIM115
    lead = User.objects.get(email="pl@cleancare.demo")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(lead)
    visible = Partnership.objects.visible_to(lead).count()
    p = Partnership.objects.get(title="Schoonmaak Sint-Lucas")
    pages = [
        ("dashboard", "/"),
        ("partnership list (page 1)", "/partnerships/"),
        ("partnership overview", f"/partnerships/{p.pk}/"),
        ("communication plan", f"/partnerships/{p.pk}/communication-plan/"),
        ("KPI board", f"/partnerships/{p.pk}/kpis/"),
        ("inspections", f"/partnerships/{p.pk}/kpis/inspections/"),
        ("API partnership list", "/api/v1/partnerships/"),
        ("API KPIs", f"/api/v1/partnerships/{p.pk}/kpis/"),
        ("API contracts", f"/api/v1/partnerships/{p.pk}/contracts/"),
    ]
    print(f"\n{visible} partnerships visible to {lead.email}; {REPEAT} requests per page\n")
    print(f"| {'page':<28} | status | queries | median ms | p95 ms |")
    print(f"|{'-' * 30}|--------|---------|-----------|--------|")
    for name, path in pages:
        status, median, p95, queries = measure(client, path)
        print(f"| {name:<28} | {status:>6} | {queries:>7} | {median:>9.1f} | {p95:>6.1f} |")


if __name__ == "__main__":
    main()
