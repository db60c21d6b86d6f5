"""The review clock over N partnerships: planning, opening, reminding and closing days.

    . /tmp/env.sh  # DATABASE_URL=postgres://…/tandem_clock_bench, REDIS_URL, DEBUG=0
    .venv/bin/python bench/clock.py 10000

Seeds N partnerships once (bulk inserts, reused when present): each with a client manager and
member, the supplier's lead and member (shared by 100 partnerships), a facilitator (shared by
50), a contract, two KPIs with values for the quarter (one red), an open action due on the day
before closing and, for nine in ten, an adopted indicator set of three indicators. Every run
starts from a clean clock (rounds, surveys, notifications and the outbox emptied), then runs
`clock.tick` on the days of one quarter on a travelling clock and prints one row per day: what
tick did, its queries, its wall time and the CPU time of this process (the Python side; the
database's work is in its own processes). On a machine shared with other jobs the wall time
is inflated, the CPU time much less. Half of the raters answer between opening and the
reminders (seeded in bulk, not timed).
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from kpis.models import KPI, Measurement  # noqa: E402
from partnership.models import (  # noqa: E402
    Contract,
    Membership,
    Organization,
    Participant,
    Partnership,
)
from reviews import clock  # noqa: E402
from reviews.calendar import TIME_ZONE  # noqa: E402
from reviews.models import ActionItem, ReviewRound  # noqa: E402
from sti.models import Indicator, IndicatorSet, Rating, Response, SignOff, Survey  # noqa: E402

PREFIX = "clockbench"
PER_SUPPLIER = 100
PER_FACILITATOR = 50
YEAR = 2027
ACTION_DUE = datetime.date(YEAR, 7, 14)
INDICATORS = (("Pro-activity", "both"), ("Openness", "both"), ("Reachability", "supplier"))
# The tables the clock writes to: emptied before each run (CASCADE takes their children, the
# seeded actions included, which are then made again).
CLOCK_TABLES = [
    "reviews_reviewround",
    "reviews_actionreminder",
    "reviews_actionitem",
    "sti_survey",
    "sti_historicalsurvey",
    "partnership_notification",
    "post_office_email",
]


def at(month: int, day: int, hour: int = 7, minute: int = 5) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, hour, minute, tzinfo=TIME_ZONE)


def _users(emails: list[str], language_of) -> dict[str, User]:
    User.objects.bulk_create(
        [
            User(email=e, full_name=e.split("@")[0], language=language_of(i), password="!")
            for i, e in enumerate(emails)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return {u.email: u for u in User.objects.filter(email__in=emails)}


def seed(count: int) -> None:
    """Seed `count` partnerships in bulk; nothing when they are there already."""
    have = Partnership.objects.filter(title__startswith=f"{PREFIX} ").count()
    if have >= count:
        return
    if have:
        raise SystemExit(f"{have} bench partnerships exist, fewer than {count}: use a fresh DB")
    started = time.perf_counter()
    suppliers = Organization.objects.bulk_create(
        [
            Organization(slug=f"{PREFIX}-s{i}", name=f"Supplier {i}")
            for i in range(-(-count // PER_SUPPLIER))
        ]
    )
    clients = Organization.objects.bulk_create(
        [Organization(slug=f"{PREFIX}-c{i}", name=f"Client {i}") for i in range(count)],
        batch_size=2000,
    )

    def lang(i):
        return "en" if i % 2 else "nl"

    people = _users(
        [f"{PREFIX}-cm{i}@c.test" for i in range(count)]
        + [f"{PREFIX}-cu{i}@c.test" for i in range(count)]
        + [f"{PREFIX}-sl{i}@s.test" for i in range(len(suppliers))]
        + [f"{PREFIX}-su{i}@s.test" for i in range(len(suppliers))]
        + [f"{PREFIX}-f{i}@f.test" for i in range(-(-count // PER_FACILITATOR))],
        lang,
    )
    memberships = []
    for i, org in enumerate(clients):
        memberships.append(
            Membership(organization=org, user=people[f"{PREFIX}-cm{i}@c.test"], role="manager")
        )
        memberships.append(
            Membership(organization=org, user=people[f"{PREFIX}-cu{i}@c.test"], role="member")
        )
    for i, org in enumerate(suppliers):
        memberships.append(
            Membership(organization=org, user=people[f"{PREFIX}-sl{i}@s.test"], role="manager")
        )
        memberships.append(
            Membership(organization=org, user=people[f"{PREFIX}-su{i}@s.test"], role="member")
        )
    Membership.objects.bulk_create(memberships, batch_size=2000)
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                client=clients[i],
                supplier=suppliers[i // PER_SUPPLIER],
                title=f"{PREFIX} {i}",
                services=["cleaning"],
                phase="active",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    participants, contracts, kpis, sets = [], [], [], []
    for i, p in enumerate(partnerships):
        s = i // PER_SUPPLIER
        for email, side in (
            (f"{PREFIX}-cm{i}@c.test", "client"),
            (f"{PREFIX}-cu{i}@c.test", "client"),
            (f"{PREFIX}-sl{s}@s.test", "supplier"),
            (f"{PREFIX}-su{s}@s.test", "supplier"),
            (f"{PREFIX}-f{i // PER_FACILITATOR}@f.test", "facilitator"),
        ):
            participants.append(Participant(partnership=p, user=people[email], side=side))
        contracts.append(
            Contract(
                partnership=p,
                reference=f"B-{i}",
                title="Schoonmaak",
                start_date=datetime.date(YEAR - 1, 1, 1),
                end_date=datetime.date(YEAR + 2, 12, 31),
            )
        )
        kpis.append(KPI(partnership=p, name="Klachten", direction="lower", target=5, tolerance=1))
        kpis.append(KPI(partnership=p, name="Score", unit="%", target=90, frequency="quarterly"))
        if i % 10:
            sets.append(IndicatorSet(partnership=p, version=1, adopted_at=at(1, 5)))
    Participant.objects.bulk_create(participants, batch_size=5000)
    Contract.objects.bulk_create(contracts, batch_size=2000)
    KPI.objects.bulk_create(kpis, batch_size=2000)
    measurements = []
    for kpi in kpis:
        if kpi.frequency == "quarterly":
            measurements.append(
                Measurement(kpi=kpi, period_start=datetime.date(YEAR, 4, 1), value=82)
            )
        else:
            for month in (4, 5, 6):
                value = 9 if month == 5 else 3
                measurements.append(
                    Measurement(kpi=kpi, period_start=datetime.date(YEAR, month, 1), value=value)
                )
    Measurement.objects.bulk_create(measurements, batch_size=5000)
    IndicatorSet.objects.bulk_create(sets, batch_size=2000)
    Indicator.objects.bulk_create(
        [
            Indicator(
                indicator_set=s, position=n, name=name, meaning=f"{name} here", rated_side=rated
            )
            for s in sets
            for n, (name, rated) in enumerate(INDICATORS, start=1)
        ],
        batch_size=5000,
    )
    SignOff.objects.bulk_create(
        [SignOff(indicator_set=s, side=side) for s in sets for side in ("client", "supplier")],
        batch_size=5000,
    )
    print(f"seeded {count} partnerships in {time.perf_counter() - started:.0f} s", flush=True)


def reset() -> None:
    """A clean clock: no rounds, surveys, notifications or mail; the actions made again."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(CLOCK_TABLES)} CASCADE")
    owners = dict(
        Participant.objects.filter(
            partnership__title__startswith=f"{PREFIX} ", side="client", user__email__contains="-cu"
        ).values_list("partnership_id", "user_id")
    )
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                partnership_id=pid,
                title="Werkinstructie bijwerken",
                owner_id=uid,
                owner_side="client",
                due_date=ACTION_DUE,
            )
            for pid, uid in owners.items()
        ],
        batch_size=5000,
    )


def answer_half() -> int:
    """Half of the raters of every open survey submit (the first of each side)."""
    surveys = list(Survey.objects.filter(state="open").values_list("pk", "partnership_id"))
    raters = {}
    for pid, uid, side, email in Participant.objects.filter(
        side__in=("client", "supplier"), partnership__surveys__state="open"
    ).values_list("partnership_id", "user_id", "side", "user__email"):
        if "-cm" in email or "-sl" in email:
            raters.setdefault(pid, []).append((uid, side))
    indicators = {}
    for survey_id, ind_id, rated in Indicator.objects.filter(
        indicator_set__surveys__state="open"
    ).values_list("indicator_set__surveys", "pk", "rated_side"):
        indicators.setdefault(survey_id, []).append((ind_id, rated))
    now = timezone.now()
    responses = Response.objects.bulk_create(
        [
            Response(survey_id=sid, respondent_id=uid, side=side, submitted_at=now)
            for sid, pid in surveys
            for uid, side in raters.get(pid, [])
        ],
        batch_size=5000,
    )
    ratings = []
    for n, r in enumerate(responses):
        for ind_id, rated in indicators[r.survey_id]:
            for rated_side in ("supplier", "client"):
                if rated in (rated_side, "both"):
                    ratings.append(
                        Rating(
                            response=r,
                            indicator_id=ind_id,
                            rated_side=rated_side,
                            score=6 + (n + ind_id) % 4,
                        )
                    )
    Rating.objects.bulk_create(ratings, batch_size=5000)
    return len(responses)


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def day(name: str, moment: datetime.datetime) -> None:
    counter = Counter()
    with time_machine.travel(moment, tick=True), connection.execute_wrapper(counter):
        started, cpu = time.perf_counter(), time.process_time()
        done = clock.tick(now=timezone.now())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    what = ", ".join(f"{k} {v}" for k, v in sorted(done.items()) if v) or "nothing"
    print(
        f"| {name:<35} | {what:<52} | {counter.n:>7} | {seconds:>7.2f} | {cpu:>7.2f} |",
        flush=True,
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    call_command("migrate", verbosity=0)
    seed(count)
    reset()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rounds = ReviewRound.objects.count()
    print(f"\n{count} partnerships (+{rounds} other rounds); tick on a travelling clock\n")
    print(f"| {'day':<35} | {'done':<52} | queries | wall s  | CPU s   |")
    print(f"|{'-' * 37}|{'-' * 54}|---------|---------|---------|")
    day("planning (Q2 rounds), 1 Apr", at(4, 1))
    day("nothing due, 15 May", at(5, 15))
    day("opening (Q2) + planning (Q3), 1 Jul", at(7, 1))
    with transaction.atomic():
        answered = answer_half()
    day("nothing due, 2 Jul", at(7, 2))
    day("reminding 3 days + actions, 12 Jul", at(7, 12))
    day("reminding 1 day, 14 Jul", at(7, 14))
    day("closing + actions overdue, 15 Jul", at(7, 15))
    day("nothing due, 20 Jul", at(7, 20))
    print(f"\n{answered} responses seeded between opening and reminding.")


if __name__ == "__main__":
    main()
