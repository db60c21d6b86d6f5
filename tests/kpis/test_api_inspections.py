"""The inspections and disputes API, under one partnership.

Every endpoint is tried by an insider with the role and an insider without it (2xx / 403); the
outsider's 404 on every route and method is proven by `tests/isolation`, which walks every route
with foreign ids.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Dispute, DisputeComment, Inspection, InspectionArea
from tests.api import paths
from tests.isolation.objects import make_inspection
from tests.kpis.factories import KPIFactory, MeasurementFactory

READERS = ["manager", "member", "viewer", "supplier_lead", "facilitator"]
PARTICIPANTS = ["manager", "member", "supplier_lead"]
NOT_PARTICIPATING = ["viewer", "facilitator"]


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English (see tests/kpis/conftest.py)."""


def inspections(p) -> str:
    return f"{paths.partnership(p)}inspections/"


def inspection_url(p, inspection) -> str:
    return f"{inspections(p)}{inspection.pk}/"


def plan(p) -> str:
    return f"{inspections(p)}plan/"


def disputes(p) -> str:
    return f"{paths.partnership(p)}disputes/"


def dispute_url(p, dispute) -> str:
    return f"{disputes(p)}{dispute.pk}/"


def comments(p, dispute) -> str:
    return f"{dispute_url(p, dispute)}comments/"


def resolve(p, dispute) -> str:
    return f"{dispute_url(p, dispute)}resolve/"


def sanitary(**extra) -> dict:
    # 120 sanitary rooms at AQL 4.0: n=20, Ac 2, Re 3
    return {
        "area_type": "sanitary",
        "lot_size": 120,
        "rooms_inspected": 20,
        "elements_checked": 200,
        "defects_dirt": 1,
        "defects_method": 1,
        **extra,
    }


def _inspection_body(kind="dks", areas=None, **extra) -> dict:
    areas = [sanitary()] if areas is None else areas
    return {"kind": kind, "date": "2026-02-12", "notes": "Ward B", "areas": areas, **extra}


@pytest.fixture
def dks(world):
    """A supplier self-check of this partnership (one sanitary area, 1 defect in 200)."""
    return make_inspection(world.partnership, world.supplier_lead)


@pytest.fixture
def foreign_inspection(world):
    return make_inspection(world.other_partnership, world.supplier_lead)


@pytest.fixture
def supplier_value(world):
    kpi = KPIFactory(partnership=world.partnership, name="Pass rate", source="supplier")
    return MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 1, 1))


@pytest.fixture
def foreign_value(world):
    kpi = KPIFactory(partnership=world.other_partnership, name="University pass rate")
    return MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 1, 1))


@pytest.fixture
def dispute(world, dks):
    """The client disputes the supplier's self-check."""
    return Dispute.objects.create(
        partnership=world.partnership,
        inspection=dks,
        raised_by=world.member,
        side="client",
        reason="Too kind",
    )


# --- Inspections: read -----------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_insiders_list_inspections_with_scores_and_areas(
    login, world, dks, foreign_inspection, who
):
    response = login(getattr(world, who)).get(inspections(world.partnership))
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [dks.pk]
    row = body["results"][0]
    assert (row["kind"], row["date"], row["inspector"]) == (
        "dks",
        "2026-02-02",
        world.supplier_lead.display_name,
    )
    assert (row["score"], row["pass_rate"]) == ("99.5", "100.0")
    area = row["areas"][0]
    assert (area["area_type"], area["lot_size"], area["aql"]) == ("sanitary", 120, "4.000")
    assert (area["sample_size"], area["accept"], area["reject"]) == (20, 2, 3)
    assert (area["defects_dirt"], area["defects"], area["passed"], area["score"]) == (
        1,
        1,
        True,
        "99.5",
    )


def test_inspection_list_is_newest_first(login, world, dks):
    newer = make_inspection(world.partnership, world.supplier_lead)
    newer.date = datetime.date(2026, 3, 1)
    newer.save()
    same_day = make_inspection(world.partnership, world.supplier_lead)
    rows = login(world.viewer).get(inspections(world.partnership)).json()["results"]
    assert [row["id"] for row in rows] == [newer.pk, same_day.pk, dks.pk]


def test_viewer_reads_an_inspection(login, world, dks):
    response = login(world.viewer).get(inspection_url(world.partnership, dks))
    assert response.status_code == 200
    assert response.json()["id"] == dks.pk
    assert len(response.json()["areas"]) == 1


def test_inspection_of_another_partnership_gets_404_under_this_one(
    login, world, foreign_inspection
):
    api = login(world.supplier_lead)  # sees both partnerships
    assert api.get(inspection_url(world.partnership, foreign_inspection)).status_code == 404
    assert api.get(inspection_url(world.other_partnership, foreign_inspection)).status_code == 200


def test_inspection_list_runs_the_same_queries_for_3_and_15(login, world):
    api = login(world.member)

    def add(count):
        for _ in range(count):
            make_inspection(world.partnership, world.supplier_lead)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(inspections(world.partnership))
        assert response.status_code == 200
        body = response.json()
        assert all(row["score"] == "99.5" and row["areas"] for row in body["results"])
        return len(ctx.captured_queries), body["count"]

    add(3)
    few, count = measure()
    assert count == 3
    add(12)
    many, count = measure()
    assert count == 15
    assert few == many


# --- Inspections: write ----------------------------------------------------------------------


def test_supplier_records_a_self_check(login, world):
    office = sanitary(
        area_type="office",
        lot_size=1000,
        rooms_inspected=80,
        elements_checked=400,
        defects_dirt=11,
        defects_method=0,
    )
    body = _inspection_body(areas=[sanitary(), office])
    response = login(world.supplier_lead).post(inspections(world.partnership), body, format="json")
    assert response.status_code == 201, response.json()
    inspection = Inspection.objects.get(pk=response.json()["id"])
    assert inspection.partnership == world.partnership  # from the URL, never the body
    assert inspection.inspector == world.supplier_lead
    data = response.json()
    assert (data["score"], data["pass_rate"]) == ("97.8", "50.0")
    assert [(a["sample_size"], a["accept"], a["passed"]) for a in data["areas"]] == [
        (20, 2, True),
        (80, 10, False),
    ]


def test_client_records_a_client_control(login, world):
    body = _inspection_body(kind="kms")
    response = login(world.member).post(inspections(world.partnership), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "kms"


def test_client_gets_403_recording_a_self_check(login, world):
    response = login(world.member).post(
        inspections(world.partnership), _inspection_body(kind="dks"), format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "A self-check (DKS) is recorded by the supplier."}
    assert not Inspection.objects.exists()


def test_supplier_gets_403_recording_a_client_control(login, world):
    response = login(world.supplier_lead).post(
        inspections(world.partnership), _inspection_body(kind="kms"), format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "A client control (KMS) is recorded by the client."}
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("who", NOT_PARTICIPATING)
def test_insider_without_the_role_gets_403_recording_an_inspection(login, world, who):
    response = login(getattr(world, who)).post(
        inspections(world.partnership), _inspection_body(kind="independent"), format="json"
    )
    assert response.status_code == 403
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    "areas",
    [
        [],
        [sanitary(rooms_inspected=121)],
        [sanitary(elements_checked=1)],
        [sanitary(lot_size=1)],
        [sanitary(defects_dirt=-1)],
        [sanitary(area_type="garden")],
        [sanitary(aql="4.2")],
        [sanitary(), sanitary(rooms_inspected="many")],
    ],
)
def test_bad_areas_get_400_and_nothing_is_written(login, world, areas):
    response = login(world.supplier_lead).post(
        inspections(world.partnership), _inspection_body(areas=areas), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["areas"]
    assert not Inspection.objects.exists()
    assert not InspectionArea.objects.exists()


def test_area_beyond_the_lot_names_the_area(login, world):
    response = login(world.supplier_lead).post(
        inspections(world.partnership),
        _inspection_body(areas=[sanitary(), sanitary(rooms_inspected=121)]),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "areas": ["Area 2: rooms_inspected: More rooms inspected than there are."]
    }


@pytest.mark.parametrize(
    ("overrides", "field"), [({"kind": "audit"}, "kind"), ({"date": "yesterday"}, "date")]
)
def test_bad_inspection_body_gets_400_on_the_field(login, world, overrides, field):
    response = login(world.supplier_lead).post(
        inspections(world.partnership), _inspection_body(**overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Inspection.objects.exists()


# --- Sampling plan ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"area_type": "sanitary", "lot_size": 120},
            {"code_letter": "F", "sample_size": 20, "accept": 2, "reject": 3, "aql": "4.000"},
        ),
        (
            {"area_type": "office", "lot_size": 1000},
            {"code_letter": "J", "sample_size": 80, "accept": 10, "reject": 11, "aql": "6.500"},
        ),
        (
            {"area_type": "office", "lot_size": 1000, "aql": "6.5"},
            {"code_letter": "J", "sample_size": 80, "accept": 10, "reject": 11, "aql": "6.500"},
        ),
    ],
)
@pytest.mark.parametrize("who", READERS)
def test_insiders_get_the_proposed_plan(login, world, query, expected, who):
    response = login(getattr(world, who)).get(plan(world.partnership), query)
    assert response.status_code == 200
    assert response.json() == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"area_type": "garden", "lot_size": 120}, "area_type"),
        ({"area_type": "sanitary", "lot_size": 1}, "lot_size"),
        ({"area_type": "sanitary", "lot_size": "many"}, "lot_size"),
        ({"area_type": "sanitary"}, "lot_size"),
        ({"area_type": "sanitary", "lot_size": 120, "aql": "4.2"}, "aql"),
    ],
)
def test_bad_plan_query_gets_400_on_the_field(login, world, query, field):
    response = login(world.member).get(plan(world.partnership), query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_aql_outside_the_series_says_so(login, world):
    query = {"area_type": "sanitary", "lot_size": 120, "aql": "4.2"}
    response = login(world.member).get(plan(world.partnership), query)
    assert response.json() == {"aql": ["Choose an AQL from the standard's series."]}


# --- Disputes: read --------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_insiders_list_disputes(login, world, dispute, who):
    response = login(getattr(world, who)).get(disputes(world.partnership))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [dispute.pk]
    assert (rows[0]["inspection"], rows[0]["measurement"], rows[0]["is_open"]) == (
        dispute.inspection_id,
        None,
        True,
    )
    assert (rows[0]["raised_by"], rows[0]["side"]) == (world.member.display_name, "client")


def test_disputes_list_open_first_then_newest_and_filters(login, world, dks, supplier_value):
    old_open = Dispute.objects.create(
        partnership=world.partnership, inspection=dks, side="client", reason="a"
    )
    resolved = Dispute.objects.create(
        partnership=world.partnership,
        measurement=supplier_value,
        side="client",
        reason="b",
        resolution="fine",
        resolved_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )
    new_open = Dispute.objects.create(
        partnership=world.partnership, measurement=supplier_value, side="client", reason="c"
    )
    api = login(world.viewer)

    def ids(query=None):
        response = api.get(disputes(world.partnership), query or {})
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [new_open.pk, old_open.pk, resolved.pk]
    assert ids({"open": "true"}) == [new_open.pk, old_open.pk]
    assert ids({"open": "false"}) == [resolved.pk]


def test_viewer_reads_a_dispute_with_its_comments(login, world, dispute):
    DisputeComment.objects.create(
        dispute=dispute, author=world.supplier_lead, side="supplier", text="Happy to redo it"
    )
    response = login(world.viewer).get(dispute_url(world.partnership, dispute))
    assert response.status_code == 200
    thread = response.json()["comments"]
    assert [(c["author"], c["side"], c["text"]) for c in thread] == [
        (world.supplier_lead.display_name, "supplier", "Happy to redo it")
    ]


def test_dispute_of_another_partnership_gets_404_under_this_one(login, world, foreign_inspection):
    foreign = Dispute.objects.create(
        partnership=world.other_partnership,
        inspection=foreign_inspection,
        side="client",
        reason="x",
    )
    api = login(world.supplier_lead)
    assert api.get(dispute_url(world.partnership, foreign)).status_code == 404
    assert api.post(comments(world.partnership, foreign), {"text": "hi"}).status_code == 404
    assert not DisputeComment.objects.exists()


# --- Disputes: raise -------------------------------------------------------------------------


def test_the_other_side_disputes_a_value_comments_and_a_manager_resolves(
    login, world, supplier_value
):
    url = disputes(world.partnership)
    raised = login(world.member).post(
        url, {"measurement": supplier_value.pk, "reason": "Not recounted"}, format="json"
    )
    assert raised.status_code == 201, raised.json()
    dispute = Dispute.objects.get(pk=raised.json()["id"])
    assert (dispute.partnership, dispute.measurement, dispute.side) == (
        world.partnership,
        supplier_value,
        "client",
    )
    assert raised.json()["is_open"] and raised.json()["comments"] == []

    for who, text in (("supplier_lead", "We recounted on Monday."), ("member", "Still low.")):
        said = login(getattr(world, who)).post(
            comments(world.partnership, dispute), {"text": text}, format="json"
        )
        assert said.status_code == 201, said.json()
        assert said.json()["text"] == text
    assert list(dispute.comments.values_list("side", flat=True)) == ["supplier", "client"]

    closed = login(world.manager).post(
        resolve(world.partnership, dispute), {"resolution": "Value stands."}, format="json"
    )
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["is_open"], closed.json()["resolution"]) == (False, "Value stands.")
    assert closed.json()["resolved_by"] == world.manager.display_name
    assert len(closed.json()["comments"]) == 2

    again = login(world.supplier_lead).post(
        resolve(world.partnership, dispute), {"resolution": "Again"}, format="json"
    )
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This dispute has already been resolved."]}
    dispute.refresh_from_db()
    assert dispute.resolution == "Value stands."


def test_client_disputes_a_self_check(login, world, dks):
    response = login(world.member).post(
        disputes(world.partnership), {"inspection": dks.pk, "reason": "Too kind"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Dispute.objects.get().inspection == dks


def test_reporting_side_gets_403_disputing_its_own_figure(login, world, dks):
    response = login(world.supplier_lead).post(
        disputes(world.partnership), {"inspection": dks.pk, "reason": "Own"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the other side can dispute this."}
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("who", NOT_PARTICIPATING)
def test_insider_without_the_role_gets_403_raising_a_dispute(login, world, dks, who):
    response = login(getattr(world, who)).post(
        disputes(world.partnership), {"inspection": dks.pk, "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not Dispute.objects.exists()


def test_foreign_measurement_is_unknown(login, world, foreign_value):
    # The supplier lead takes part in both partnerships, yet ids do not cross between them.
    body = {"measurement": foreign_value.pk, "reason": "x"}
    for who in ("member", "supplier_lead"):
        response = login(getattr(world, who)).post(disputes(world.partnership), body, format="json")
        assert response.status_code == 400
        assert response.json() == {"measurement": ["Unknown measurement."]}
    assert not Dispute.objects.exists()


def test_foreign_inspection_is_unknown(login, world, foreign_inspection):
    body = {"inspection": foreign_inspection.pk, "reason": "x"}
    response = login(world.member).post(disputes(world.partnership), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"inspection": ["Unknown inspection."]}
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "x"}, "non_field_errors"),
        ({"measurement": "one", "reason": "x"}, "measurement"),
        ({"measurement": 987654321, "reason": "x"}, "measurement"),
    ],
)
def test_bad_dispute_body_gets_400(login, world, supplier_value, body, field):
    response = login(world.member).post(disputes(world.partnership), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Dispute.objects.exists()


def test_naming_two_subjects_gets_400(login, world, supplier_value, dks):
    body = {"measurement": supplier_value.pk, "inspection": dks.pk, "reason": "x"}
    response = login(world.member).post(disputes(world.partnership), body, format="json")
    assert response.status_code == 400
    assert not Dispute.objects.exists()


def test_second_open_dispute_on_the_same_subject_gets_400(login, world, dispute, dks):
    body = {"inspection": dks.pk, "reason": "Again"}
    response = login(world.manager).post(disputes(world.partnership), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["This is already disputed."]}
    assert Dispute.objects.count() == 1


# --- Disputes: comment and resolve -----------------------------------------------------------


@pytest.mark.parametrize("who", PARTICIPANTS)
def test_participants_comment_on_a_dispute(login, world, dispute, who):
    response = login(getattr(world, who)).post(
        comments(world.partnership, dispute), {"text": "Noted"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert dispute.comments.get().author == getattr(world, who)


@pytest.mark.parametrize("who", NOT_PARTICIPATING)
def test_insider_without_the_role_gets_403_commenting(login, world, dispute, who):
    response = login(getattr(world, who)).post(
        comments(world.partnership, dispute), {"text": "Noted"}, format="json"
    )
    assert response.status_code == 403
    assert not DisputeComment.objects.exists()


def test_empty_comment_gets_400_on_text(login, world, dispute):
    response = login(world.member).post(
        comments(world.partnership, dispute), {"text": " "}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["text"]


@pytest.mark.parametrize("who", ["manager", "supplier_lead"])
def test_managers_resolve_a_dispute(login, world, dispute, who):
    response = login(getattr(world, who)).post(
        resolve(world.partnership, dispute), {"resolution": "Joint re-inspection"}, format="json"
    )
    assert response.status_code == 200, response.json()
    dispute.refresh_from_db()
    assert not dispute.is_open and dispute.resolved_by == getattr(world, who)


@pytest.mark.parametrize("who", ["member", "viewer", "facilitator"])
def test_insider_without_the_role_gets_403_resolving(login, world, dispute, who):
    response = login(getattr(world, who)).post(
        resolve(world.partnership, dispute), {"resolution": "Fine"}, format="json"
    )
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.is_open


def test_resolution_without_a_note_gets_400(login, world, dispute):
    response = login(world.manager).post(
        resolve(world.partnership, dispute), {"resolution": ""}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["resolution"]


# --- Schema ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_documents_the_inspection_and_dispute_routes(client, world):
    client.force_login(world.member)  # the schema needs a sign-in with DEBUG off
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema_paths = response.json()["paths"]
    base = "/api/v1/partnerships/{partnership_id}"
    expected = {
        f"{base}/inspections/": ("inspections", {"get", "post"}),
        f"{base}/inspections/{{inspection_id}}/": ("inspections", {"get"}),
        f"{base}/inspections/plan/": ("inspections", {"get"}),
        f"{base}/disputes/": ("disputes", {"get", "post"}),
        f"{base}/disputes/{{dispute_id}}/": ("disputes", {"get"}),
        f"{base}/disputes/{{dispute_id}}/comments/": ("disputes", {"post"}),
        f"{base}/disputes/{{dispute_id}}/resolve/": ("disputes", {"post"}),
    }
    for path, (tag, methods) in expected.items():
        operations = schema_paths[path]
        assert set(operations) - {"parameters"} == methods, path
        for method in methods:
            operation = operations[method]
            assert operation["tags"] == [tag]
            needed = {"401", "404"} if method == "get" else {"400", "401", "403", "404"}
            assert needed <= set(operation["responses"]), (path, method)
