import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpis.models import Dispute
from kpis.services_disputes import dispute_comment, dispute_raise, dispute_resolve
from partnership.models import Notification
from tests.isolation.objects import make_inspection
from tests.kpis.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier_value(world):
    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    return MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 1, 1))


def test_client_disputes_a_supplier_value_and_a_manager_resolves_it(world, supplier_value):
    dispute = dispute_raise(actor=world.member, subject=supplier_value, reason="Not recounted")
    assert dispute.is_open and dispute.side == "client"
    assert Notification.objects.filter(user=world.supplier_lead, kind="kpis.dispute").exists()
    dispute_comment(actor=world.supplier_lead, dispute=dispute, text="We recounted on Monday.")
    with pytest.raises(PermissionDenied):
        dispute_resolve(actor=world.member, dispute=dispute, resolution="fine")
    with pytest.raises(ValidationError):
        dispute_resolve(actor=world.manager, dispute=dispute, resolution=" ")
    resolved = dispute_resolve(actor=world.manager, dispute=dispute, resolution="Value stands.")
    assert not resolved.is_open and resolved.resolution == "Value stands."
    assert Dispute.history.filter(id=dispute.pk).count() == 2  # raised, then resolved
    with pytest.raises(ValidationError):
        dispute_resolve(actor=world.manager, dispute=resolved, resolution="again")


def test_only_the_other_side_disputes_and_only_once_at_a_time(world, supplier_value):
    with pytest.raises(PermissionDenied):
        dispute_raise(actor=world.supplier_lead, subject=supplier_value, reason="own value")
    for user in (world.viewer, world.facilitator, world.outsider):
        with pytest.raises(PermissionDenied):
            dispute_raise(actor=user, subject=supplier_value, reason="x")
    dispute_raise(actor=world.member, subject=supplier_value, reason="first")
    with pytest.raises(ValidationError):
        dispute_raise(actor=world.manager, subject=supplier_value, reason="second")


def test_inspection_dispute_through_the_pages(client, world):
    inspection = make_inspection(world.partnership, world.supplier_lead)  # a DKS: supplier's
    base = f"/partnerships/{world.partnership.pk}/kpis/"
    client.force_login(world.member)
    response = client.post(f"{base}inspections/{inspection.pk}/dispute/", {"reason": "Too kind"})
    dispute = Dispute.objects.get(inspection=inspection)
    assert response["Location"] == f"{base}disputes/{dispute.pk}/"
    client.force_login(world.supplier_lead)
    client.post(f"{base}disputes/{dispute.pk}/comment/", {"text": "Happy to redo it"})
    page = client.get(f"{base}disputes/{dispute.pk}/").content.decode()
    assert "Too kind" in page and "Happy to redo it" in page
    client.post(f"{base}disputes/{dispute.pk}/resolve/", {"resolution": "Joint re-inspection"})
    dispute.refresh_from_db()
    assert not dispute.is_open and dispute.resolved_by == world.supplier_lead
    client.force_login(world.viewer)
    response = client.post(f"{base}disputes/{dispute.pk}/comment/", {"text": "x"})
    assert response.status_code == 403
    client.force_login(world.outsider)
    assert client.get(f"{base}disputes/{dispute.pk}/").status_code == 404


def test_kpi_detail_shows_disputed_values(client, world, supplier_value):
    dispute_raise(actor=world.member, subject=supplier_value, reason="Not recounted")
    client.force_login(world.supplier_lead)
    page = client.get(
        f"/partnerships/{world.partnership.pk}/kpis/{supplier_value.kpi_id}/",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Disputed" in page
