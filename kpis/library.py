"""A small library of KPI templates per service, which a manager copies in and adapts."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from partnership.models import Service

from .models import Direction, Frequency, Source


@dataclass(frozen=True)
class KPITemplate:
    key: str
    service: str
    name: str
    description: str
    unit: str
    direction: str
    target: Decimal
    tolerance: Decimal
    frequency: str = Frequency.MONTHLY
    source: str = Source.SUPPLIER


H, L = Direction.HIGHER, Direction.LOWER
D = Decimal

LIBRARY: tuple[KPITemplate, ...] = (
    KPITemplate(
        "cleaning.inspection_pass_rate",
        Service.CLEANING,
        _("Inspection pass rate"),
        _("Share of inspected areas approved under the agreed AQL."),
        "%",
        H,
        D(95),
        D(5),
        source=Source.INSPECTION,
    ),
    KPITemplate(
        "cleaning.complaints",
        Service.CLEANING,
        _("Complaints per month"),
        _("Justified complaints about cleaning received in the month."),
        "",
        L,
        D(5),
        D(3),
        source=Source.CLIENT,
    ),
    KPITemplate(
        "cleaning.incident_resolution",
        Service.CLEANING,
        _("Time to resolve an incident"),
        _("Average hours from report to resolution of a cleaning incident."),
        "h",
        L,
        D(4),
        D(2),
    ),
    KPITemplate(
        "catering.satisfaction",
        Service.CATERING,
        _("Guest satisfaction"),
        _("Average rating of meals by guests and patients (1–10)."),
        "",
        H,
        D("7.5"),
        D("0.5"),
        frequency=Frequency.QUARTERLY,
        source=Source.CLIENT,
    ),
    KPITemplate(
        "catering.food_waste",
        Service.CATERING,
        _("Food waste"),
        _("Food thrown away as a share of food prepared."),
        "%",
        L,
        D(10),
        D(3),
    ),
    KPITemplate(
        "catering.haccp",
        Service.CATERING,
        _("HACCP audit score"),
        _("Score of the latest food-safety audit."),
        "%",
        H,
        D(90),
        D(5),
        frequency=Frequency.QUARTERLY,
    ),
    KPITemplate(
        "reception.answer_time",
        Service.RECEPTION,
        _("Calls answered within 20 seconds"),
        _("Share of incoming calls answered within 20 seconds."),
        "%",
        H,
        D(90),
        D(5),
    ),
    KPITemplate(
        "reception.visitor_wait",
        Service.RECEPTION,
        _("Visitor waiting time"),
        _("Average minutes a visitor waits at the desk."),
        "min",
        L,
        D(3),
        D(2),
    ),
    KPITemplate(
        "security.rounds",
        Service.SECURITY,
        _("Security rounds completed"),
        _("Share of planned rounds completed and logged."),
        "%",
        H,
        D(98),
        D(2),
    ),
    KPITemplate(
        "security.alarm_response",
        Service.SECURITY,
        _("Alarm response time"),
        _("Average minutes from alarm to guard on site."),
        "min",
        L,
        D(10),
        D(5),
    ),
)


def templates_for(services: list[str]) -> list[KPITemplate]:
    return [t for t in LIBRARY if t.service in services] or list(LIBRARY)


def template(key: str) -> KPITemplate | None:
    return next((t for t in LIBRARY if t.key == key), None)
