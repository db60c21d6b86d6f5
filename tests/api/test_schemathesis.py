"""Schemathesis against the whole API, in-process, on the seeded demo (issue 14, item 7).

Every operation of the OpenAPI schema gets positive and negative examples (a fixed seed, so CI
sees the same requests every run) sent through Django's WSGI app inside the test's transaction,
as the demo's facility manager with an API token, and every response is checked: no server
error, a documented status code, content type, body and headers, negative data rejected and, for
reads, valid data accepted. The schema is the one `/api/schema/` serves (drf-spectacular's
generator, built at collection: schemathesis parametrises from it before any database exists).

`positive_data_acceptance` is left out for writes: a body the schema allows names ids (an owner,
a measurement, a round) that the fuzzer invents, and the API rightly answers 400 on that field;
state rules (one draft at a time, a period that has ended) are not the schema's to say either.
The throttle is off: it answers 429 by design once the fuzzer passes 1,200 requests a minute.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.throttling import UserRateThrottle
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import User
from accounts.services import api_token_create
from partnership.models import Partnership

pytestmark = pytest.mark.schemathesis

MAX_EXAMPLES = 5
STATEFUL_SCENARIOS, STATEFUL_STEPS = 50, 10
# The partnership of every URL is the demo's; its id is only known once the demo is seeded.
PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


class InTestTransaction:
    """Django's WSGI app, serving inside the test's transaction the way its test client does:
    a request must not close the connection (Django does at each request's start and end),
    and a handler per request sees the settings the test runs with."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = WSGIHandler()(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = InTestTransaction()
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
)
schema.config.parameters = {"partnership_id": PLACEHOLDER}


@pytest.fixture
def seeded(demo_db, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": None})
    user = User.objects.get(email="fm@stlucas.demo")
    partnership = Partnership.objects.filter(participants__user=user).order_by("created_at")[0]
    _token, key = api_token_create(user=user, name="schemathesis")
    # Given to schemathesis as the configured auth, so its auth checks know what to spoil.
    schema.config.update(headers={"Authorization": f"Bearer {key}"})
    return str(partnership.pk)


def _in_the_demo(case, partnership_id: str) -> None:
    if (case.path_parameters or {}).get("partnership_id") == PLACEHOLDER:
        case.path_parameters["partnership_id"] = partnership_id


def _excluded_checks(case) -> list:
    return [] if case.method.upper() == "GET" else [positive_data_acceptance]


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_api_answers_as_documented(case, seeded):
    _in_the_demo(case, seeded)
    case.call_and_validate(excluded_checks=_excluded_checks(case))


def test_api_workflows_answer_as_documented(seeded):
    """Stateful: sequences that follow the links schemathesis derives from the schema (an id a
    response returns feeds the next request), so writes reach the objects they created."""

    class Workflow(schema.as_state_machine()):
        def before_call(self, case):
            _in_the_demo(case, seeded)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, excluded_checks=_excluded_checks(case), transport_kwargs=kwargs
            )

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
