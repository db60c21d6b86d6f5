"""Values are never overwritten unseen, periods that have not ended are refused, periods outside
the contract are not owed; a KPI's norm changes only when both sides agree."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kpis import selectors, services, services_norms
from kpis.models import Measurement, NormProposal
from partnership.models import Notification
from partnership.periods import Period
from tests.api import paths
from tests.kpis.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LAST = Period.containing(TODAY, "monthly").previous()  # the latest ended month


def page(world) -> str:
    return f"/partnerships/{world.partnership.pk}/kpis/"


def api_kpi(world, kpi) -> str:
    return f"{paths.partnership(world.partnership)}kpis/{kpi.pk}/"


@pytest.fixture
def kpi(world):
    return KPIFactory(partnership=world.partnership, source="supplier", target=95, tolerance=5)


# --- services --------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [0, 1, 14])
def test_a_period_that_has_not_ended_is_refused(world, kpi, offset):
    period = Period.containing(TODAY, "monthly")
    for _ in range(offset):
        period = period.next()
    with pytest.raises(ValidationError) as caught, translation.override("nl"):
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period=period.label, value="90"
        )
    with translation.override("nl"):
        assert "nog niet voorbij" in caught.value.message_dict["period"][0]
    assert not Measurement.objects.filter(kpi=kpi).exists()


def test_replacing_needs_the_flag_or_the_current_version(world, kpi):
    first = services.measurement_record(
        actor=world.supplier_lead, kpi=kpi, period=LAST.label, value="4.30"
    )
    with pytest.raises(services.OverwriteRequired) as caught:
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period=LAST.label, value="2.90"
        )
    assert caught.value.existing.pk == first.pk and not caught.value.stale
    with pytest.raises(services.OverwriteRequired) as caught:
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period=LAST.label, value="2.90", if_match='"x"'
        )
    assert caught.value.stale
    assert Measurement.objects.get(pk=first.pk).value == Decimal("4.30")
    replaced = services.measurement_record(
        actor=world.supplier_lead,
        kpi=kpi,
        period=LAST.label,
        value="2.90",
        if_match=first.version,
    )
    assert replaced.pk == first.pk and replaced.value == Decimal("2.90")


# --- value entry on the page -----------------------------------------------------------------


def test_overwrite_asks_with_the_old_value_then_replaces_and_the_page_updates(client, world, kpi):
    MeasurementFactory(kpi=kpi, period_start=LAST.start, value=Decimal("4.30"))
    client.force_login(world.supplier_lead)
    url = f"{page(world)}{kpi.pk}/measurements/"
    asked = client.post(url, {"period": LAST.label, "value": "2,90"}, HTTP_HX_REQUEST="true")
    body = asked.content.decode()
    assert 'data-testid="overwrite-confirm"' in body
    assert "4,3" in body and "2,9" in body  # old and new value, in Dutch
    assert "Waarde vervangen" in body or "vervangen" in body.lower()
    assert Measurement.objects.get(kpi=kpi).value == Decimal("4.30")
    version = Measurement.objects.get(kpi=kpi).version
    done = client.post(
        url, {"period": LAST.label, "value": "2,90", "replaces": version}, HTTP_HX_REQUEST="true"
    )
    body = done.content.decode()
    assert Measurement.objects.get(kpi=kpi).value == Decimal("2.90")
    assert body.startswith('<div id="kpi-live">') and "<html" not in body
    assert "2,9" in body and "4,3" not in body  # the table shows the new value, not the old
    assert 'data-testid="overwrite-confirm"' not in body


def test_future_period_is_refused_on_the_page_in_dutch(client, world, kpi):
    client.force_login(world.supplier_lead)
    current = Period.containing(TODAY, "monthly")
    response = client.post(
        f"{page(world)}{kpi.pk}/measurements/",
        {"period": current.label, "value": "90"},
        HTTP_HX_REQUEST="true",
    )
    assert "is nog niet voorbij" in response.content.decode()
    assert not Measurement.objects.filter(kpi=kpi).exists()


def test_the_form_proposes_the_oldest_period_without_a_value(client, world, kpi):
    world.contract.start_date = LAST.previous().previous().start  # three months owed
    world.contract.save()
    MeasurementFactory(kpi=kpi, period_start=LAST.previous().previous().start)
    client.force_login(world.supplier_lead)
    body = client.get(f"{page(world)}{kpi.pk}/").content.decode()
    assert f'name="period" value="{LAST.previous().label}"' in body
    MeasurementFactory(kpi=kpi, period_start=LAST.previous().start)
    MeasurementFactory(kpi=kpi, period_start=LAST.start)
    body = client.get(f"{page(world)}{kpi.pk}/").content.decode()
    assert f'name="period" value="{LAST.label}"' in body  # all filled: the latest ended one


def test_periods_before_the_contract_are_neither_missing_nor_exported(client, world, kpi):
    world.contract.start_date = LAST.previous().start  # two months owed
    world.contract.save()
    MeasurementFactory(kpi=kpi, period_start=LAST.start, value=Decimal(99))
    rows = selectors.kpi_board(partnership=world.partnership)
    assert [h.period for h in rows[0].history] == [LAST.previous(), LAST]
    client.force_login(world.viewer)
    text = client.get(page(world) + "export.csv").content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 2
    assert LAST.previous().previous().label not in text
    # a contract that starts after the latest ended period owes nothing yet
    world.contract.start_date = TODAY + datetime.timedelta(days=40)
    world.contract.end_date = TODAY + datetime.timedelta(days=400)
    world.contract.save()
    summary = selectors.status_summaries(partnerships=[world.partnership])
    assert summary.get(world.partnership.pk) is None
    board = client.get(page(world)).content.decode()
    assert "Nog niet verschuldigd" in board or "0 ontbreekt" in board


# --- value entry through the API -------------------------------------------------------------


def test_api_if_match_replaces_and_a_stale_one_answers_412(login, world, kpi):
    api = login(world.supplier_lead)
    url = f"{api_kpi(world, kpi)}measurements/"
    created = api.post(url, {"period": LAST.label, "value": "4.3"}, format="json")
    assert created.status_code == 201 and created["ETag"] == created.json()["version"]
    etag = api.get(f"{url}{created.json()['id']}/")["ETag"]
    assert etag == created.json()["version"]
    stale = api.post(
        url, {"period": LAST.label, "value": "2.9"}, format="json", HTTP_IF_MATCH='"1-1"'
    )
    assert stale.status_code == 412 and stale.json()["current"]["value"] == "4.30"
    replaced = api.post(
        url, {"period": LAST.label, "value": "2.9"}, format="json", HTTP_IF_MATCH=etag
    )
    assert replaced.status_code == 200 and replaced.json()["value"] == "2.90"
    future = api.post(
        url,
        {"period": Period.containing(TODAY, "monthly").next().label, "value": "1"},
        format="json",
    )
    assert future.status_code == 400 and "period" in future.json()


def test_schema_documents_overwrite_if_match_and_norm_proposals(login, world):
    schema = login(world.manager).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    post = next(
        item["post"]
        for path, item in schema["paths"].items()
        if path.endswith("/kpis/{kpi_id}/measurements/")
    )
    assert {"409", "412", "201", "200"} <= set(post["responses"])
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in post["parameters"])
    assert "overwrite" in str(schema["components"]["schemas"]["MeasurementInputRequest"])
    patch = next(
        item["patch"]
        for path, item in schema["paths"].items()
        if path.endswith("/kpis/{id}/") or path.endswith("/kpis/{kpi_id}/")
    )
    assert "202" in patch["responses"]
    assert any(path.endswith("/norm-proposals/{proposal_id}/accept/") for path in schema["paths"])


# --- norms -----------------------------------------------------------------------------------


def test_a_norm_change_is_a_proposal_the_other_side_accepts(world, kpi):
    edited, proposal = services.kpi_update(
        actor=world.supplier_lead, kpi=kpi, target="90", reason="New cleaning method"
    )
    kpi.refresh_from_db()
    assert kpi.target == Decimal(95) and proposal.is_open and proposal.side == "supplier"
    told = Notification.objects.filter(kind="kpis.norm_proposed")
    assert {n.user for n in told} == {world.manager}  # the client's managers
    with pytest.raises(PermissionDenied):  # not by the side that proposed
        services_norms.norm_proposal_accept(actor=world.supplier_lead, proposal=proposal)
    with pytest.raises(PermissionDenied):  # not by a member of the other side
        services_norms.norm_proposal_accept(actor=world.member, proposal=proposal)
    services_norms.norm_proposal_accept(actor=world.manager, proposal=proposal, reason="Fine")
    kpi.refresh_from_db()
    assert kpi.target == Decimal(90)
    decided = Notification.objects.get(kind="kpis.norm_accepted")
    assert decided.user == world.supplier_lead
    history = list(kpi.history.order_by("history_date").values_list("target", flat=True))
    assert history[-1] == Decimal(90)
    with pytest.raises(ValidationError):
        services_norms.norm_proposal_reject(actor=world.manager, proposal=proposal)


def test_one_open_proposal_per_kpi_and_the_other_side_decides_first(world, kpi):
    _kpi, first = services.kpi_update(actor=world.supplier_lead, kpi=kpi, tolerance="8")
    with pytest.raises(ValidationError):
        services.kpi_update(actor=world.manager, kpi=kpi, tolerance="2")
    _kpi, second = services.kpi_update(actor=world.supplier_lead, kpi=kpi, tolerance="9")
    first.refresh_from_db()
    assert first.state == "withdrawn" and second.is_open  # the side's newer one replaces it
    with pytest.raises(IntegrityError), transaction.atomic():
        NormProposal.objects.create(
            kpi=kpi,
            side="client",
            old_target=95,
            old_tolerance=5,
            old_weight=1,
            target=95,
            tolerance=1,
            weight=1,
        )
    services_norms.norm_proposal_reject(actor=world.manager, proposal=second, reason="Too lax")
    kpi.refresh_from_db()
    assert kpi.tolerance == Decimal(5)
    assert Notification.objects.get(kind="kpis.norm_rejected").user == world.supplier_lead


def test_norm_proposal_on_the_page_both_sides_see_it_one_decides(client, world, kpi):
    client.force_login(world.supplier_lead)
    form = {
        "name": kpi.name,
        "description": "",
        "unit": "%",
        "direction": "higher",
        "target": "90",
        "tolerance": "5",
        "frequency": "monthly",
        "source": "supplier",
        "inspection_measure": "score",
        "weight": "1",
        "active": "on",
        "norm_reason": "Fewer rooms",
    }
    response = client.post(f"{page(world)}{kpi.pk}/edit/", form)
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.target == Decimal(95)
    proposal = NormProposal.objects.get(kpi=kpi)
    assert proposal.reason == "Fewer rooms"
    mine = client.get(f"{page(world)}{kpi.pk}/").content.decode()
    assert 'data-testid="norm-proposal"' in mine and "Fewer rooms" in mine
    assert f"norm/{proposal.pk}/accept/" not in mine and "withdraw" in mine
    client.force_login(world.viewer)
    theirs = client.get(f"{page(world)}{kpi.pk}/").content.decode()
    assert "95 → <strong>90" in theirs and "accept/" not in theirs
    client.force_login(world.manager)
    theirs = client.get(f"{page(world)}{kpi.pk}/").content.decode()
    assert f"norm/{proposal.pk}/accept/" in theirs
    response = client.post(f"{page(world)}{kpi.pk}/norm/{proposal.pk}/accept/", {"reason": ""})
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.target == Decimal(90)
    client.force_login(world.supplier_lead)
    assert client.post(f"{page(world)}{kpi.pk}/norm/{proposal.pk}/reject/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "accepted"


def test_norm_proposals_through_the_api(login, world, kpi):
    url = f"{api_kpi(world, kpi)}norm-proposals/"
    made = login(world.supplier_lead).post(url, {"weight": "2"}, format="json")
    assert made.status_code == 201, made.json()
    pid = made.json()["id"]
    assert login(world.supplier_lead).post(f"{url}{pid}/accept/").status_code == 403
    assert login(world.viewer).get(url).json()["results"][0]["id"] == pid
    accepted = login(world.manager).post(f"{url}{pid}/accept/", {"reason": "ok"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    kpi.refresh_from_db()
    assert kpi.weight == Decimal(2)


def test_norm_proposals_awaiting_is_one_query_for_any_number(world, kpi):
    services_norms.norm_propose(actor=world.supplier_lead, kpi=kpi, target="80")
    for i in range(3):
        other = KPIFactory(partnership=world.partnership, name=f"More {i}")
        services_norms.norm_propose(actor=world.supplier_lead, kpi=other, target="70")
    with CaptureQueriesContext(connection) as ctx:
        waiting = list(selectors.norm_proposals_awaiting(user=world.manager))
    assert len(waiting) == 4 and len(ctx.captured_queries) == 1
    assert list(selectors.norm_proposals_awaiting(user=world.supplier_lead)) == []
    assert list(selectors.norm_proposals_awaiting(user=world.member)) == []


# --- buttons only for those who may use them ------------------------------------------------


def test_a_read_only_user_sees_no_buttons_that_lead_to_403(client, world, kpi):
    MeasurementFactory(kpi=kpi, period_start=LAST.start)
    client.force_login(world.viewer)
    board = client.get(page(world)).content.decode()
    detail = client.get(f"{page(world)}{kpi.pk}/").content.decode()
    for href in ("import/", "new/", "library/"):
        assert f'href="{page(world)}{href}"' not in board
    assert f"{kpi.pk}/edit/" not in detail and 'name="value"' not in detail
    client.force_login(world.supplier_lead)
    board = client.get(page(world)).content.decode()
    assert f'href="{page(world)}import/"' in board


def test_my_work_lists_norm_changes_to_accept_for_the_other_side_only(world, kpi):
    from partnership.work import work_count, work_for

    before = work_count(world.manager)
    services_norms.norm_propose(actor=world.supplier_lead, kpi=kpi, target="80")
    items = [i for i in work_for(world.manager) if i.kind == "kpis.norm"]
    assert [i.url for i in items] == [f"{page(world)}{kpi.pk}/"]
    assert work_count(world.manager) == before + 1
    assert not [i for i in work_for(world.supplier_lead) if i.kind == "kpis.norm"]


def test_the_kpi_edit_form_submitted_unchanged_writes_nothing(client, world, kpi):
    client.force_login(world.supplier_lead)
    records = kpi.history.count()
    form = {
        "name": kpi.name,
        "description": "",
        "unit": "%",
        "direction": "higher",
        "target": "95.00",
        "tolerance": "5.00",
        "frequency": "monthly",
        "source": "supplier",
        "inspection_measure": "score",
        "weight": "1.00",
        "active": "on",
    }
    response = client.post(f"{page(world)}{kpi.pk}/edit/", form)
    assert response.status_code == 302
    assert kpi.history.count() == records and not NormProposal.objects.exists()
