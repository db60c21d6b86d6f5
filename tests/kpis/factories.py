import datetime
from decimal import Decimal

import factory

from kpis.models import KPI, Measurement
from tests.factories import PartnershipFactory


class KPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KPI

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"
    direction = "higher"
    target = Decimal(95)
    tolerance = Decimal(5)
    frequency = "monthly"
    source = "supplier"


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    kpi = factory.SubFactory(KPIFactory)
    period_start = datetime.date(2026, 1, 1)
    value = Decimal(96)
