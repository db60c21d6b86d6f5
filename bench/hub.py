"""Render times of the hub's pages as the thread count grows, on the demo data plus N threads.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python bench/hub.py 5000

Adds N shared and internal threads (with two messages each) to the demo hospital's cleaning
partnership, then prints one row per page: queries, median and 95th percentile over repeated
requests, measured through the test client (no network, no browser). Run it twice with different
N to see that queries stay the same and times grow slowly.
"""

import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from messaging.models import Message, Thread  # noqa: E402
from partnership.models import Partnership  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import REPEAT, measure  # noqa: E402

MARK = "bench thread"


def add_threads(partnership, n: int, client_user, supplier_user) -> None:
    existing = Thread.objects.filter(partnership=partnership, subject__startswith=MARK).count()
    if existing >= n:
        return
    now = timezone.now()
    categories = ["question", "request", "complaint", "incident", "invoice", "idea", "general"]
    threads = []
    for i in range(existing, n):
        opened = now - datetime.timedelta(hours=i)
        internal = i % 5 == 0
        side = "client" if i % 2 == 0 else "supplier"
        threads.append(
            Thread(
                partnership=partnership,
                category=categories[i % len(categories)],
                subject=f"{MARK} {i} vloer lift factuur",
                side=side,
                visibility=f"{side}_internal" if internal else "shared",
                created_by=client_user if side == "client" else supplier_user,
                created_at=opened,
                last_message_at=opened + datetime.timedelta(hours=1),
                first_response_at=None if internal else opened + datetime.timedelta(hours=1),
            )
        )
    Thread.objects.bulk_create(threads, batch_size=1000)
    messages = []
    for t in threads:
        for k, author in enumerate(
            (t.created_by, supplier_user if t.side == "client" else client_user)
        ):
            if t.visibility != "shared" and k == 1:
                author = t.created_by
            messages.append(
                Message(
                    thread=t,
                    author=author,
                    author_side=t.side
                    if author == t.created_by
                    else ("supplier" if t.side == "client" else "client"),
                    body=f"Bericht {k} over {t.subject}",
                    body_html=f"<p>Bericht {k}</p>",
                    body_text=f"Bericht {k} over {t.subject}",
                    created_at=t.created_at + datetime.timedelta(hours=k),
                )
            )
    Message.objects.bulk_create(messages, batch_size=2000)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    fm = User.objects.get(email="fm@stlucas.demo")
    pl = User.objects.get(email="pl@cleancare.demo")
    p = Partnership.objects.get(title="Schoonmaak Sint-Lucas")
    add_threads(p, n, fm, pl)
    total = Thread.objects.filter(partnership=p).count()
    thread = Thread.objects.filter(partnership=p, visibility="shared").order_by("-pk").first()
    pages = [
        ("dashboard (hub badge, cards)", "/"),
        ("hub inbox", f"/partnerships/{p.pk}/hub/"),
        ("hub inbox, complaints", f"/partnerships/{p.pk}/hub/?category=complaint"),
        ("thread page", f"/partnerships/{p.pk}/hub/threads/{thread.pk}/"),
        ("documents library", f"/partnerships/{p.pk}/hub/documents/"),
        ("inbox across partnerships", "/hub/"),
        ("search 'factuur'", "/hub/search/?q=factuur"),
        ("API threads", f"/api/v1/partnerships/{p.pk}/threads/"),
        ("API messages", f"/api/v1/partnerships/{p.pk}/threads/{thread.pk}/messages/"),
    ]
    for user in (fm, pl):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        print(
            f"\n{total} threads in the partnership; as {user.email}; {REPEAT} requests per page\n"
        )
        print(f"| {'page':<30} | status | queries | median ms | p95 ms |")
        print(f"|{'-' * 32}|--------|---------|-----------|--------|")
        for name, path in pages:
            status, median, p95, queries = measure(client, path)
            print(f"| {name:<30} | {status:>6} | {queries:>7} | {median:>9.1f} | {p95:>6.1f} |")


if __name__ == "__main__":
    main()
