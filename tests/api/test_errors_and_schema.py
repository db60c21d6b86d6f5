from io import StringIO

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404

from partnership.api_errors import exception_handler
from tests import factories as f

# --- the exception handler -------------------------------------------------------------------


def test_service_validation_error_becomes_a_field_level_400():
    error = ValidationError({"end_date": "Too early.", NON_FIELD_ERRORS: ["Inconsistent."]})
    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {"end_date": ["Too early."], "non_field_errors": ["Inconsistent."]}


def test_service_validation_error_without_fields_goes_under_non_field_errors():
    response = exception_handler(ValidationError("Unknown fields: colour"), {})
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Unknown fields: colour"]}


def test_service_permission_denied_becomes_403_with_its_message():
    response = exception_handler(PermissionDenied("Managers only."), {})
    assert response.status_code == 403
    assert response.data == {"detail": "Managers only."}


def test_http404_becomes_a_plain_404():
    response = exception_handler(Http404("No Contract matches the given query."), {})
    assert response.status_code == 404
    assert "Contract" not in str(response.data["detail"])


# --- the schema ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_lists_every_partnership_route(client):
    client.force_login(f.UserFactory())  # the schema needs a sign-in with DEBUG off
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in [
        "/api/v1/partnerships/",
        "/api/v1/partnerships/{partnership_id}/",
        "/api/v1/partnerships/{partnership_id}/participants/",
        "/api/v1/partnerships/{partnership_id}/participants/{participant_id}/",
        "/api/v1/partnerships/{partnership_id}/contracts/",
        "/api/v1/partnerships/{partnership_id}/contracts/{contract_id}/",
        "/api/v1/partnerships/{partnership_id}/communication-plan/",
    ]:
        assert path in paths, path
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    contract_get = paths["/api/v1/partnerships/{partnership_id}/contracts/{contract_id}/"]["get"]
    assert {"200", "401", "404"} <= set(contract_get["responses"])
    contract_put = paths["/api/v1/partnerships/{partnership_id}/contracts/{contract_id}/"]["put"]
    assert {"200", "400", "401", "403", "404"} <= set(contract_put["responses"])


@pytest.mark.django_db
def test_api_docs_page_answers(client):
    client.force_login(f.UserFactory())  # the docs need a sign-in with DEBUG off
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_schema_generates_without_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=StringIO())
    assert "/api/v1/partnerships/{partnership_id}/communication-plan/" in out.getvalue()
