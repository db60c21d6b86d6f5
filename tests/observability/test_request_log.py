"""One JSON line per request, the request id everywhere, and nothing secret in the log."""

import json
import logging
import re

import pytest
from django.urls import reverse

from partnership.observability import logs
from partnership.observability.middleware import readable_route
from tests.isolation.objects import make_api_token

HEX_ID = re.compile(r"[0-9a-f]{32}")
pytestmark = pytest.mark.django_db


def test_a_page_writes_one_line_with_the_route_pattern_user_and_partnership(
    world, client, json_lines
):
    client.force_login(world.manager)
    partnership = world.partnership
    response = client.get(reverse("partnership:overview", args=[partnership.pk]))
    assert response.status_code == 200
    (line,) = json_lines.of("tandem.request")
    assert line["route"] == "partnerships/<uuid:partnership_id>/"
    assert line["method"] == "GET" and line["status"] == 200 and line["level"] == "INFO"
    assert line["user_id"] == world.manager.pk
    assert line["partnership_id"] == str(partnership.pk)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["request_id"] == response["X-Request-ID"]
    assert HEX_ID.fullmatch(line["request_id"])
    assert line["timestamp"].endswith("+00:00")


def test_a_bearer_api_call_is_logged_with_its_user_and_without_its_token(world, client, json_lines):
    _token, key = make_api_token(world.supplier_lead, "BI")
    url = f"/api/v1/partnerships/{world.partnership.pk}/?access_token={key}"
    response = client.get(url, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    (line,) = json_lines.of("tandem.request")
    assert line["route"] == "api/v1/partnerships/<partnership_id>/"  # DRF's regex, made readable
    assert line["user_id"] == world.supplier_lead.pk
    assert line["partnership_id"] == str(world.partnership.pk)
    assert key not in json_lines.text and "access_token" not in json_lines.text
    assert "Bearer" not in json_lines.text


def test_an_unknown_path_is_logged_as_unmatched_without_its_query(client, json_lines):
    response = client.get("/no/such/page/?token=s3cret-in-a-link")
    assert response.status_code == 404
    (line,) = json_lines.of("tandem.request")
    assert line["route"] == "<unmatched>" and line["status"] == 404 and line["user_id"] is None
    assert "s3cret-in-a-link" not in json_lines.text
    # Django's own "Not Found" line is written after the last middleware: it has the id too.
    (not_found,) = json_lines.of("django.request")
    assert not_found["request_id"] == response["X-Request-ID"]


def test_a_line_logged_inside_the_view_carries_the_request_id(client, settings, json_lines):
    settings.REDIS_URL = "redis://127.0.0.1:1/6"  # nothing listens: readyz logs why it is down
    response = client.get("/readyz", headers={"X-Request-ID": "lb-7f3a.1"})
    assert response.status_code == 503
    health = json_lines.of("partnership.health")
    (warning,) = [line for line in health if "redis" in line["message"]]
    assert warning["request_id"] == "lb-7f3a.1" == response["X-Request-ID"]
    assert logs.current_request_id() is None  # gone once the response is closed


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("abc-123.X_y", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("two words", False),
        ('x"}\n{"level": "ERROR"', False),
        ("", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_sane(client, given, kept):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    if kept:
        assert response["X-Request-ID"] == given
    else:
        assert HEX_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.parametrize(
    ("pattern", "readable"),
    [
        (
            r"api/v1/partnerships/(?P<partnership_id>[^/.]+)/$",
            "api/v1/partnerships/<partnership_id>/",
        ),
        (r"api/v1/partnerships\.(?P<format>[a-z0-9]+)/?$", "api/v1/partnerships.<format>/?"),
        ("partnerships/<uuid:partnership_id>/kpis/", "partnerships/<uuid:partnership_id>/kpis/"),
    ],
)
def test_router_patterns_are_logged_readably(pattern, readable):
    assert readable_route(pattern) == readable


def test_probes_that_answer_are_logged_at_debug(client, json_lines):
    client.get("/healthz")
    (line,) = json_lines.of("tandem.request")
    assert line["route"] == "healthz" and line["level"] == "DEBUG"


def test_the_json_format_writes_extras_and_the_traceback_and_leaves_out_the_request(json_lines):
    logger = logging.getLogger("tests.observability")
    with logs.request_id_context("task-42"):
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed %s", "here", extra={"kpi_id": 7, "request": object()})
    (line,) = json_lines.of("tests.observability")
    assert line["message"] == "failed here" and line["level"] == "ERROR"
    assert line["request_id"] == "task-42" and line["kpi_id"] == 7
    assert "request" not in line
    assert "ValueError: boom" in line["exception"]
    assert json_lines.text.count("\n") == 1  # the traceback stays inside its one line


def test_the_text_format_names_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with logs.request_id_context("r-1"):
        logs.RequestIdFilter().filter(record)
    text = logs.TextFormatter().format(record)
    assert text.endswith("INFO x [r-1] hello")
    assert record.request_id == "r-1"  # another handler still sees the record as it was


def test_the_console_writes_json_when_debug_is_off():
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "console"]
    assert isinstance(handler.formatter, logs.JSONFormatter)
    assert any(isinstance(f, logs.RequestIdFilter) for f in handler.filters)
    record = logging.LogRecord("y", logging.WARNING, __file__, 1, "w", None, None)
    handler.filter(record)
    assert json.loads(handler.format(record))["message"] == "w"
