"""The demo world: a hospital, its cleaning and catering suppliers, a second client of the cleaner
and a facilitator's firm. Idempotent: running it again changes nothing that already exists.

Its names, texts and figures are in `demo_data/world.toml`; this module creates them through the
services. Feature apps add their own history through `partnership.demo.register_seeder` from
their AppConfig.ready(), so this ground-floor module never imports them; they keep their data in
their own `demo_data/` and read it with `load_data`.
"""

import functools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import User

from . import services
from .models import (
    CommunicationPlan,
    Contact,
    EscalationStep,
    MeetingCadence,
    Membership,
    Organization,
    Participant,
    Partnership,
    Role,
    Side,
)

_SEEDERS: list[Callable] = []


def register_seeder(seeder: Callable) -> None:
    """A feature app's `seeder(world: DemoWorld)`; must be idempotent itself."""
    if seeder not in _SEEDERS:
        _SEEDERS.append(seeder)


def load_data(module_file: str, name: str) -> dict:
    """`demo_data/<name>.toml` beside the demo module whose `__file__` is given."""
    with (Path(module_file).parent / "demo_data" / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


@functools.cache
def _data() -> dict:
    return load_data(__file__, "world")


@dataclass
class DemoWorld:
    orgs: dict
    users: dict
    partnerships: dict


def _user(email: str, full_name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if settings.DEBUG and (created or not user.has_usable_password()):
        user.set_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    _verify_email(user)
    return user


def _verify_email(user: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _plan(partnership: Partnership, spec: dict, users: dict) -> None:
    plan, _ = CommunicationPlan.objects.get_or_create(partnership=partnership)
    if plan.emergency_number:
        return
    texts = _data()["plan"]
    plan.emergency_number = spec["emergency_number"]
    plan.emergency_instructions = texts["emergency_instructions"]
    plan.channels = texts["channels"]
    plan.save()
    sides = {Side.CLIENT: [], Side.SUPPLIER: []}
    for participant in spec["participants"]:
        if participant["side"] in sides:
            sides[participant["side"]].append((users[participant["person"]], participant["title"]))
    for side, people in sides.items():
        for order, (user, title) in enumerate(people):
            Contact.objects.create(
                plan=plan,
                side=side,
                name=user.full_name,
                role=title,
                email=user.email,
                phone=f"+31 6 {10000000 + order * 1111111 + (7 if side == Side.SUPPLIER else 3)}",
                availability=texts["contact_availability"],
                order=order,
            )
    for meeting in texts["meetings"]:
        MeetingCadence.objects.create(plan=plan, **meeting)
    for step in texts["escalation"]:
        EscalationStep.objects.create(plan=plan, **step)


def _partnership(spec: dict, orgs: dict, users: dict) -> Partnership:
    client, supplier = orgs[spec["client"]], orgs[spec["supplier"]]
    existing = Partnership.objects.filter(
        title=spec["title"], client=client, supplier=supplier
    ).first()
    if existing:
        return existing
    first, *others = spec["participants"]
    creator = users[first["person"]]
    partnership = services.partnership_create(
        actor=creator,
        client=client,
        supplier=supplier,
        title=spec["title"],
        services=spec["services"],
        phase=spec["phase"],
        core_values=spec.get("core_values", ""),
        culture=spec.get("culture", ""),
        future_vision=spec.get("future_vision", ""),
        actor_title=first["title"],
    )
    for participant in others:
        Participant.including_former.get_or_create(
            partnership=partnership,
            user=users[participant["person"]],
            defaults={"side": Side(participant["side"]), "title": participant["title"]},
        )
    services.contract_create(
        actor=creator, partnership=partnership, **spec["contract"], **_data()["contract_terms"]
    )
    _plan(partnership, spec, users)
    return partnership


@transaction.atomic
def seed() -> DemoWorld:
    data = _data()
    orgs = {}
    for slug, name in data["organizations"].items():
        orgs[slug], _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
    users = {}
    for key, person in data["people"].items():
        users[key] = _user(person["email"], person["name"])
        Membership.objects.get_or_create(
            user=users[key],
            organization=orgs[person["organization"]],
            defaults={"role": Role(person["role"])},
        )
    partnerships = {
        key: _partnership(spec, orgs, users) for key, spec in data["partnerships"].items()
    }
    world = DemoWorld(orgs=orgs, users=users, partnerships=partnerships)
    for seeder in _SEEDERS:
        seeder(world)
    return world


def logins() -> list[tuple[str, str, str]]:
    return [(p["persona"], p["email"], p["organization"]) for p in _data()["people"].values()]


@transaction.atomic
def seed_large(count: int) -> int:
    """Add `count` extra client organisations, each in a partnership with CleanCare, for benchmarks.

    Idempotent per index: running it again with the same count adds nothing.
    """
    bench = _data()["bench"]
    supplier = Organization.objects.get(slug=bench["supplier"])
    lead = User.objects.get(email=_data()["people"][bench["lead"]]["email"])
    contract = bench["contract"]
    created = 0
    for i in range(count):
        client, new = Organization.objects.get_or_create(
            slug=bench["slug"].format(index=i), defaults={"name": bench["name"].format(index=i)}
        )
        if not new:
            continue
        partnership = Partnership.objects.create(
            client=client,
            supplier=supplier,
            title=bench["title"].format(name=client.name),
            services=bench["services"],
            phase=bench["phase"],
        )
        CommunicationPlan.objects.create(
            partnership=partnership, emergency_number=bench["emergency_number"]
        )
        Participant.objects.create(partnership=partnership, user=lead, side=Side.SUPPLIER)
        partnership.contracts.create(
            reference=contract["reference"].format(index=i),
            title=contract["title"],
            start_date=contract["start_date"],
            end_date=contract["end_date"],
            value=contract["value"] + i,
        )
        created += 1
    return created
