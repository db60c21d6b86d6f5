"""The machinery of the isolation suite: it sees nested and router routes and flags gaps."""

from django.http import HttpResponse
from django.urls import include, path, re_path
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from .routes import iter_routes
from .samples import is_insider_probe, missing_samples, sample_key, variants_for


def _view(request, **kwargs):
    return HttpResponse()


class _WidgetViewSet(viewsets.ViewSet):
    def list(self, request, **kwargs):
        return Response([])

    def retrieve(self, request, pk=None, **kwargs):
        return Response({})


def _walk(patterns):
    return {(r.name, r.kwargs): r for r in iter_routes(patterns)}


def test_a_kwarg_without_a_sample_is_reported_with_route_and_kwarg():
    inner = ([path("widgets/<int:widget_id>/", _view, name="widget")], "things")
    routes = _walk([path("p/<uuid:partnership_id>/", include(inner))])
    route = routes[("things:widget", ("partnership_id", "widget_id"))]
    (problem,) = missing_samples(route)
    assert "things:widget" in problem
    assert "'widget_id'" in problem
    assert "add a 'widget_id' sample" in problem


def test_router_lookup_kwarg_pk_is_looked_up_by_basename():
    router = DefaultRouter()
    router.register("widgets", _WidgetViewSet, basename="widget")
    routes = _walk([path("api/v1/p/<uuid:partnership_id>/", include(router.urls))])
    detail = routes[("widget-detail", ("partnership_id", "pk"))]
    assert detail.is_api
    assert detail.basename == "widget"
    assert sample_key(detail, "pk") == "widget_id"
    assert any("add a 'widget_id' sample" in p for p in missing_samples(detail))
    # The format-suffix variant is walked too, and `format` itself has a sample.
    assert ("widget-detail", ("partnership_id", "pk", "format")) in routes


def test_unnamed_and_positional_routes_are_reported():
    routes = list(iter_routes([re_path(r"^old/([0-9]+)/$", _view)]))
    problems = missing_samples(routes[0])
    assert any("has no name" in p for p in problems)
    assert any("unnamed groups" in p for p in problems)


def test_plan_part_routes_get_one_case_per_part():
    pattern = "p/<uuid:partnership_id>/<str:plan_part>/<int:item_id>/"
    routes = _walk([path(pattern, _view, name="x")])
    route = routes[("x", ("partnership_id", "plan_part", "item_id"))]
    assert [v["plan_part"] for v in variants_for(route)] == ["contacts", "meetings", "escalation"]
    assert is_insider_probe(route)


def test_a_scope_only_route_is_not_an_insider_probe():
    routes = _walk([path("p/<uuid:partnership_id>/<str:checklist_key>/", _view, name="x")])
    assert not is_insider_probe(routes[("x", ("partnership_id", "checklist_key"))])
