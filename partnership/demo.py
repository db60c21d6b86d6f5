"""The demo world: a hospital, its cleaning and catering suppliers, a second client of the cleaner
and a facilitator's firm. Idempotent: running it again changes nothing that already exists.

Feature apps add their own history through `partnership.demo.register_seeder` from their
AppConfig.ready(), so this ground-floor module never imports them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass
class DemoWorld:
    orgs: dict
    users: dict
    partnerships: dict


ORGS = [
    ("stlucas", "Sint-Lucas Ziekenhuis"),
    ("cleancare", "CleanCare Facilitair"),
    ("smaakvol", "Smaakvol Catering"),
    ("rijnland", "Hogeschool Rijnland"),
    ("samenverder", "Samen Verder Facilitatie"),
]

# key: (email, full name, org slug, role, persona)
PEOPLE = {
    "fm": (
        "fm@stlucas.demo",
        "Marieke de Vries",
        "stlucas",
        Role.ADMIN,
        "Facility manager (client)",
    ),
    "cm": (
        "cm@stlucas.demo",
        "Pieter Jansen",
        "stlucas",
        Role.MANAGER,
        "Contract manager (client)",
    ),
    "staff": (
        "hk@stlucas.demo",
        "Sanne Bakker",
        "stlucas",
        Role.MEMBER,
        "Housekeeping lead (client)",
    ),
    "cc_admin": (
        "admin@cleancare.demo",
        "Karel Maes",
        "cleancare",
        Role.ADMIN,
        "Organisation admin (supplier)",
    ),
    "pl": (
        "pl@cleancare.demo",
        "Joris Peeters",
        "cleancare",
        Role.MANAGER,
        "Project leader (supplier)",
    ),
    "pl2": (
        "tl@cleancare.demo",
        "Fatima El Amrani",
        "cleancare",
        Role.MEMBER,
        "Team leader (supplier)",
    ),
    "cat": (
        "pl@smaakvol.demo",
        "Lotte Willems",
        "smaakvol",
        Role.MANAGER,
        "Project leader catering (supplier)",
    ),
    "uni": (
        "fm@rijnland.demo",
        "Daan Visser",
        "rijnland",
        Role.ADMIN,
        "Facility manager (second client)",
    ),
    "fac": ("facilitator@samenverder.demo", "Eva Claes", "samenverder", Role.ADMIN, "Facilitator"),
    "viewer": (
        "board@stlucas.demo",
        "Hans Mulder",
        "stlucas",
        Role.VIEWER,
        "Board member (read only)",
    ),
}

PARTNERSHIPS = {
    "cleaning": {
        "title": "Schoonmaak Sint-Lucas",
        "client": "stlucas",
        "supplier": "cleancare",
        "services": ["cleaning"],
        "phase": "active",
        "emergency": "+31 88 123 4567",
        "participants": [
            ("fm", Side.CLIENT, "Facilitair manager"),
            ("cm", Side.CLIENT, "Contractmanager"),
            ("staff", Side.CLIENT, "Hoofd huishoudelijke dienst"),
            ("viewer", Side.CLIENT, "Lid raad van bestuur"),
            ("pl", Side.SUPPLIER, "Projectleider"),
            ("pl2", Side.SUPPLIER, "Teamleider"),
            ("fac", Side.FACILITATOR, "Facilitator"),
        ],
        "contract": ("SL-2025-CL-01", "Schoonmaakdienstverlening Sint-Lucas", 1_480_000),
        "vision": (
            "Veiligheid van patiënten eerst; afspraak is afspraak; we lossen het samen op.",
            "Open en proactief: problemen worden gemeld voordat de klant ze ziet.",
            "In 2028 een schoonmaakpartnership dat als voorbeeld dient voor andere ziekenhuizen.",
        ),
    },
    "catering": {
        "title": "Catering Sint-Lucas",
        "client": "stlucas",
        "supplier": "smaakvol",
        "services": ["catering"],
        "phase": "kickoff",
        "emergency": "+31 88 765 4321",
        "participants": [
            ("fm", Side.CLIENT, "Facilitair manager"),
            ("cat", Side.SUPPLIER, "Projectleider"),
        ],
        "contract": ("SL-2026-CA-01", "Catering patiënten en personeel", 920_000),
        "vision": ("", "", ""),
    },
    "university": {
        "title": "Schoonmaak Hogeschool Rijnland",
        "client": "rijnland",
        "supplier": "cleancare",
        "services": ["cleaning", "reception"],
        "phase": "pilot",
        "emergency": "+31 71 555 0100",
        "participants": [
            ("uni", Side.CLIENT, "Facilitair manager"),
            ("pl", Side.SUPPLIER, "Projectleider"),
        ],
        "contract": ("HR-2026-PILOT", "Pilot schoonmaak en receptie", 310_000),
        "vision": ("", "", ""),
    },
}


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
    plan.emergency_number = spec["emergency"]
    plan.emergency_instructions = (
        "Bij calamiteiten (lekkage, besmetting, uitval) dag en nacht bereikbaar."
    )
    plan.channels = (
        "Vragen, klachten en facturen: via de hub in Tandem.\n"
        "Spoed binnen kantooruren: telefonisch bij de projectleider.\n"
        "Buiten kantooruren: het 24/7-noodnummer."
    )
    plan.save()
    sides = {Side.CLIENT: [], Side.SUPPLIER: []}
    for key, side, title in spec["participants"]:
        if side in sides:
            sides[side].append((users[key], title))
    for side, people in sides.items():
        for order, (user, title) in enumerate(people):
            Contact.objects.create(
                plan=plan,
                side=side,
                name=user.full_name,
                role=title,
                email=user.email,
                phone=f"+31 6 {10000000 + order * 1111111 + (7 if side == Side.SUPPLIER else 3)}",
                availability="ma–vr 8:00–17:00",
                order=order,
            )
    for level, freq, who, purpose in [
        (
            "operational",
            "wekelijks",
            "Hoofd huishoudelijke dienst, teamleider",
            "Dagelijkse gang van zaken",
        ),
        ("tactical", "maandelijks", "Facilitair manager, projectleider", "KPI's en klachten"),
        (
            "strategic",
            "per kwartaal",
            "Contractmanager, directie leverancier, facilitator",
            "Kwartaalronde",
        ),
    ]:
        MeetingCadence.objects.create(
            plan=plan, level=level, frequency=freq, participants=who, purpose=purpose
        )
    for level, client, supplier, when in [
        (1, "Hoofd huishoudelijke dienst", "Teamleider", "Klacht niet binnen 4 uur opgelost"),
        (2, "Facilitair manager", "Projectleider", "Herhaalde klacht of KPI rood"),
        (3, "Contractmanager", "Directeur operations", "Structureel probleem of geschil"),
    ]:
        EscalationStep.objects.create(
            plan=plan, level=level, client_contact=client, supplier_contact=supplier, when=when
        )


def _partnership(key: str, spec: dict, orgs: dict, users: dict) -> Partnership:
    existing = Partnership.objects.filter(
        title=spec["title"], client=orgs[spec["client"]], supplier=orgs[spec["supplier"]]
    ).first()
    if existing:
        return existing
    creator = users[spec["participants"][0][0]]
    values, culture, vision = spec["vision"]
    partnership = services.partnership_create(
        actor=creator,
        client=orgs[spec["client"]],
        supplier=orgs[spec["supplier"]],
        title=spec["title"],
        services=spec["services"],
        phase=spec["phase"],
        core_values=values,
        culture=culture,
        future_vision=vision,
        actor_title=spec["participants"][0][2],
    )
    for person, side, title in spec["participants"][1:]:
        Participant.objects.get_or_create(
            partnership=partnership, user=users[person], defaults={"side": side, "title": title}
        )
    reference, title, value = spec["contract"]
    start = datetime.date(2025, 1, 1)
    services.contract_create(
        actor=creator,
        partnership=partnership,
        reference=reference,
        title=title,
        start_date=start,
        end_date=datetime.date(2028, 12, 31),
        value=value,
        scope_of_services="Dagelijkse en periodieke schoonmaak van alle ruimten.",
        quality_agreements="Kwaliteit gemeten volgens VSR-KMS; AQL 4,0 sanitair, 6,5 kantoren.",
        speed_agreements="Klachten binnen 4 uur in behandeling, binnen 24 uur opgelost.",
        delivery_agreements="Werkzaamheden volgens het werkprogramma; afwijkingen vooraf melden.",
        pilot_evaluation_date=datetime.date(2025, 6, 30),
    )
    _plan(partnership, spec, users)
    return partnership


@transaction.atomic
def seed() -> DemoWorld:
    orgs = {}
    for slug, name in ORGS:
        orgs[slug], _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
    users = {}
    for key, (email, name, org, role, _persona) in PEOPLE.items():
        users[key] = _user(email, name)
        Membership.objects.get_or_create(
            user=users[key], organization=orgs[org], defaults={"role": role}
        )
    partnerships = {key: _partnership(key, spec, orgs, users) for key, spec in PARTNERSHIPS.items()}
    world = DemoWorld(orgs=orgs, users=users, partnerships=partnerships)
    for seeder in _SEEDERS:
        seeder(world)
    return world


def logins() -> list[tuple[str, str, str]]:
    return [(persona, email, org) for email, _n, org, _r, persona in PEOPLE.values()]


@transaction.atomic
def seed_large(count: int) -> int:
    """Add `count` extra client organisations, each in a partnership with CleanCare, for benchmarks.

    Idempotent per index: running it again with the same count adds nothing.
    """
    world_orgs = {o.slug: o for o in Organization.objects.filter(slug__in=["cleancare"])}
    supplier = world_orgs["cleancare"]
    lead = User.objects.get(email=PEOPLE["pl"][0])
    created = 0
    for i in range(count):
        slug = f"bench-client-{i:04d}"
        client, new = Organization.objects.get_or_create(
            slug=slug, defaults={"name": f"Benchmark client {i:04d}"}
        )
        if not new:
            continue
        partnership = Partnership.objects.create(
            client=client,
            supplier=supplier,
            title=f"Schoonmaak {client.name}",
            services=["cleaning"],
            phase="active",
        )
        CommunicationPlan.objects.create(
            partnership=partnership, emergency_number="+31 88 000 0000"
        )
        Participant.objects.create(partnership=partnership, user=lead, side=Side.SUPPLIER)
        partnership.contracts.create(
            reference=f"B-{i:04d}",
            title="Schoonmaak",
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2027, 12, 31),
            value=100_000 + i,
        )
        created += 1
    return created
