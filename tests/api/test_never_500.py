"""The API never answers 500 or HTML (issue 14, item 6): each case that was filed, and the shape
every error has. Messages are asserted in English (the client asks for it) and once in Dutch."""

import importlib
import inspect
import json

import pytest
from django.test.utils import override_settings
from rest_framework import serializers

from kpis.models import Inspection
from messaging.models import Thread
from partnership.api_input import QuerySerializer, StrictModelSerializer, StrictSerializer
from reviews.models import RoundState
from tests.api import paths
from tests.reviews.factories import review_round

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


# --- OPTIONS on the singletons ---------------------------------------------------------------


def test_options_on_the_communication_plan_describes_it(login, world):
    response = login(world.manager).options(paths.plan(world.partnership), **EN)
    assert response.status_code == 200
    assert "PUT" in _json(response)["actions"]


def test_options_on_a_rounds_session_answers_json(login, world):
    closed = review_round(world.partnership, RoundState.CLOSED)
    url = f"{paths.partnership(world.partnership)}rounds/{closed.pk}/session/"
    response = login(world.manager).options(url, **EN)
    assert response.status_code == 200
    assert _json(response)["name"]


# --- Numbers the database cannot hold ---------------------------------------------------------


def test_a_lot_size_beyond_the_column_is_a_400_and_nothing_is_written(login, world):
    area = {
        "area_type": "sanitary",
        "lot_size": 5532376454,
        "rooms_inspected": 20,
        "elements_checked": 200,
    }
    body = {"kind": "dks", "date": "2026-02-12", "areas": [area]}
    url = f"{paths.partnership(world.partnership)}inspections/"
    response = login(world.supplier_lead).post(url, body, format="json", **EN)
    assert response.status_code == 400
    assert _json(response) == {
        "areas": {"0": {"lot_size": ["Ensure this value is less than or equal to 2147483647."]}}
    }
    assert not Inspection.objects.exists()


# --- Bodies that do not parse -----------------------------------------------------------------


def test_deeply_nested_brackets_are_a_400_in_the_documented_shape(login, world):
    response = login(world.manager).generic(
        "PATCH", paths.plan(world.partnership), "[" * 5000, "application/json", **EN
    )
    assert response.status_code == 400
    assert _json(response) == {"non_field_errors": ["The body nests deeper than 32 levels."]}


def test_malformed_json_is_a_400_in_the_documented_shape(login, world):
    response = login(world.manager).generic(
        "PATCH", paths.plan(world.partnership), '{"channels": ', "application/json", **EN
    )
    assert response.status_code == 400
    assert _json(response) == {"non_field_errors": ["The body is not valid JSON."]}


def test_a_30_mb_body_is_a_413_in_json_and_changes_nothing(login, world):
    body = json.dumps({"channels": "x" * (30 * 1024 * 1024)})
    response = login(world.manager).generic(
        "PATCH", paths.plan(world.partnership), body, "application/json", **EN
    )
    assert response.status_code == 413
    assert _json(response) == {"detail": "The request body is too large."}
    world.partnership.communication_plan.refresh_from_db()
    assert world.partnership.communication_plan.channels != "x"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_multipart_body_django_refuses_is_a_413_in_json(login, world):
    url = f"{paths.partnership(world.partnership)}threads/"
    body = {"subject": "Key", "body": "x" * 5000}
    response = login(world.manager).post(url, body, format="multipart", **EN)
    assert response.status_code == 413
    assert _json(response) == {"detail": "The request body is too large."}
    assert not Thread.objects.filter(partnership=world.partnership).exists()


def test_a_form_encoded_body_is_refused_as_unsupported(login, world):
    response = login(world.manager).patch(
        paths.plan(world.partnership), {"channels": "Hub"}, format="multipart", **EN
    )
    assert response.status_code == 415
    assert "multipart/form-data" in _json(response)["detail"]


@pytest.mark.parametrize("query", [{"active": "null"}, {"active": ""}, {"active": "maybe"}])
def test_a_boolean_filter_that_is_not_true_or_false_is_a_400(login, world, query):
    url = f"{paths.partnership(world.partnership)}kpis/"
    response = login(world.manager).get(url, query, **EN)
    assert response.status_code == 400
    assert list(_json(response)) == ["active"]


# --- Paths that match no route ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/partnerships/not-a-uuid/",
        "/api/v1/partnerships/{pk}/kpis/abc/",
        "/api/v1/no-such-thing/",
    ],
)
def test_an_api_path_that_matches_no_route_is_a_json_404(login, world, path):
    response = login(world.manager).get(path.format(pk=world.partnership.pk), **EN)
    assert response.status_code == 404
    assert _json(response) == {"detail": "Not found."}


def test_a_page_path_that_matches_no_route_stays_html(login, world):
    response = login(world.manager).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- Unknown and read-only fields -------------------------------------------------------------


def test_a_thread_sent_with_visibility_instead_of_internal_is_refused(login, world):
    body = {"subject": "Key", "body": "Who has it?", "visibility": "supplier_internal"}
    url = f"{paths.partnership(world.partnership)}threads/"
    response = login(world.supplier_lead).post(url, body, format="json", **EN)
    assert response.status_code == 400
    assert _json(response) == {"visibility": ["Unknown field."]}
    assert not Thread.objects.filter(partnership=world.partnership).exists()


def test_an_unknown_field_is_refused_in_dutch_by_default(login, world):
    response = login(world.manager).patch(
        paths.plan(world.partnership), {"channels": "Hub", "colour": "red"}, format="json"
    )
    assert response.status_code == 400
    assert _json(response) == {"colour": ["Onbekend veld."]}


def test_a_read_only_field_sent_in_a_write_is_refused(login, world):
    url = paths.contract(world.partnership, world.contract)
    response = login(world.manager).patch(url, {"id": 99, "title": "New"}, format="json", **EN)
    assert response.status_code == 400
    assert _json(response) == {"id": ["Unknown field."]}
    world.contract.refresh_from_db()
    assert world.contract.title != "New"


def test_an_unknown_field_inside_a_nested_item_is_refused(login, world):
    contact = {"side": "client", "name": "Desk", "shoe_size": 44}
    response = login(world.manager).patch(
        paths.plan(world.partnership), {"contacts": [contact]}, format="json", **EN
    )
    assert response.status_code == 400
    assert _json(response) == {"contacts": {"0": {"shoe_size": ["Unknown field."]}}}


# --- Query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", ""])
def test_a_page_that_is_not_a_positive_number_is_a_400_on_page(login, world, page):
    response = login(world.manager).get(paths.contracts(world.partnership), {"page": page}, **EN)
    assert response.status_code == 400
    assert _json(response) == {"page": ["Enter a page number from 1."]}


def test_an_empty_filter_value_is_a_400_on_that_filter(login, world):
    url = f"{paths.partnership(world.partnership)}actions/"
    response = login(world.manager).get(url, {"status": ""}, **EN)
    assert response.status_code == 400
    assert list(_json(response)) == ["status"]


def test_a_report_language_other_than_nl_or_en_is_a_400_on_lang(login, world):
    closed = review_round(world.partnership, RoundState.CLOSED)
    url = f"{paths.partnership(world.partnership)}rounds/{closed.pk}/report.pdf"
    response = login(world.manager).get(url, {"lang": "ã…"}, **EN)
    assert response.status_code == 400
    assert _json(response) == {"lang": ["Choose nl or en."]}


# --- Every serializer of the API is strict ----------------------------------------------------

SERIALIZER_MODULES = [
    "kpis.serializers",
    "kpis.serializers_inspections",
    "messaging.serializers",
    "partnership.serializers",
    "reviews.serializers",
    "sti.serializers",
]


def test_every_api_serializer_derives_from_a_strict_base():
    bases = (StrictSerializer, StrictModelSerializer, QuerySerializer)
    loose = [
        f"{name}.{cls.__name__}"
        for name in SERIALIZER_MODULES
        for cls in vars(importlib.import_module(name)).values()
        if inspect.isclass(cls)
        and issubclass(cls, serializers.BaseSerializer)
        and cls.__module__ == name
        and not issubclass(cls, bases)
    ]
    assert loose == []


def test_an_unhandled_error_under_api_answers_json_and_a_page_elsewhere(rf):
    from config import urls
    from partnership import api_errors

    assert urls.handler500 == "partnership.api_errors.handler500"
    api = api_errors.handler500(rf.get("/api/v1/partnerships/"))
    assert (api.status_code, api["Content-Type"]) == (500, "application/json")
    assert json.loads(api.content) == {"detail": "Er ging bij ons iets mis; er is niets gewijzigd."}
    page = api_errors.handler500(rf.get("/partnerships/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
