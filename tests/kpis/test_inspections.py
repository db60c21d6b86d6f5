import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpis.models import Inspection, InspectionArea, Measurement
from kpis.services_inspections import area_plan, inspection_record, inspection_scores
from tests.kpis.factories import KPIFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 2, 12)


def sanitary(**extra):
    # 120 sanitary rooms at AQL 4.0: code letter F, n=20, Ac 2, Re 3
    return {
        "area_type": "sanitary",
        "lot_size": 120,
        "rooms_inspected": 20,
        "elements_checked": 200,
        "defects_dirt": 1,
        "defects_method": 1,
        **extra,
    }


def test_plan_is_proposed_from_lot_and_the_area_types_aql():
    plan = area_plan(area_type="sanitary", lot_size=120)
    assert (plan.sample_size, plan.accept, plan.reject) == (20, 2, 3)
    office = area_plan(area_type="office", lot_size=1000)  # AQL 6.5 by default, letter J
    assert (office.sample_size, office.accept, office.reject) == (80, 10, 11)
    with pytest.raises(ValidationError):
        area_plan(area_type="sanitary", lot_size=120, aql="4.2")


def test_supplier_records_a_self_check_with_verdict_and_score(world):
    inspection = inspection_record(
        actor=world.supplier_lead,
        partnership=world.partnership,
        kind="dks",
        date=DAY,
        areas=[
            sanitary(),
            sanitary(
                area_type="office",
                lot_size=1000,
                rooms_inspected=80,
                elements_checked=400,
                defects_dirt=11,
                defects_method=0,
            ),
        ],
    )
    sanitary_area, office = inspection.areas.order_by("id")
    assert (sanitary_area.sample_size, sanitary_area.defects, sanitary_area.passed) == (20, 2, True)
    assert sanitary_area.score == Decimal("99.0")
    assert (office.accept, office.defects, office.passed) == (10, 11, False)
    figures = inspection_scores([inspection])
    assert figures == {"score": Decimal("97.8"), "pass_rate": Decimal("50.0"), "areas": 2}


def test_the_area_passes_at_ac_and_fails_at_re(world):
    at_ac = inspection_record(
        actor=world.supplier_lead,
        partnership=world.partnership,
        kind="dks",
        date=DAY,
        areas=[sanitary(defects_material=0)],
    )
    at_re = inspection_record(
        actor=world.supplier_lead,
        partnership=world.partnership,
        kind="dks",
        date=DAY,
        areas=[sanitary(defects_material=1)],
    )
    assert at_ac.areas.get().passed and not at_re.areas.get().passed


def test_kinds_belong_to_sides(world):
    with pytest.raises(PermissionDenied):
        inspection_record(
            actor=world.member,
            partnership=world.partnership,
            kind="dks",
            date=DAY,
            areas=[sanitary()],
        )
    with pytest.raises(PermissionDenied):
        inspection_record(
            actor=world.supplier_lead,
            partnership=world.partnership,
            kind="kms",
            date=DAY,
            areas=[sanitary()],
        )
    inspection_record(
        actor=world.member, partnership=world.partnership, kind="kms", date=DAY, areas=[sanitary()]
    )
    for user in (world.viewer, world.facilitator, world.outsider):
        with pytest.raises(PermissionDenied):
            inspection_record(
                actor=user,
                partnership=world.partnership,
                kind="independent",
                date=DAY,
                areas=[sanitary()],
            )


@pytest.mark.parametrize(
    "area",
    [
        sanitary(rooms_inspected=121),
        sanitary(elements_checked=1),
        sanitary(lot_size=1),
        sanitary(defects_dirt=-1),
        sanitary(area_type="garden"),
    ],
)
def test_bad_area_writes_nothing(world, area):
    with pytest.raises(ValidationError):
        inspection_record(
            actor=world.supplier_lead,
            partnership=world.partnership,
            kind="dks",
            date=DAY,
            areas=[sanitary(), area],
        )
    assert not Inspection.objects.exists() and not InspectionArea.objects.exists()


def test_inspections_feed_the_period_value_of_inspection_kpis(world):
    score_kpi = KPIFactory(
        partnership=world.partnership, source="inspection", name="Score", inspection_measure="score"
    )
    rate_kpi = KPIFactory(
        partnership=world.partnership,
        source="inspection",
        name="Rate",
        inspection_measure="pass_rate",
    )
    inspection_record(
        actor=world.supplier_lead,
        partnership=world.partnership,
        kind="dks",
        date=DAY,
        areas=[sanitary()],
    )
    inspection_record(
        actor=world.member,
        partnership=world.partnership,
        kind="kms",
        date=DAY + datetime.timedelta(days=3),
        areas=[sanitary(defects_dirt=5, defects_method=5)],
    )
    score = Measurement.objects.get(kpi=score_kpi, period_start=datetime.date(2026, 2, 1))
    rate = Measurement.objects.get(kpi=rate_kpi, period_start=datetime.date(2026, 2, 1))
    assert score.value == Decimal("97.0")  # (198 + 190) / 400 elements without defect
    assert rate.value == Decimal("50.0")  # one of the two areas approved
    assert rate.status == "red"
