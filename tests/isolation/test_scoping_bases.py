"""The scoped base classes refuse subclasses that would bypass partnership scoping."""

import pytest
from django.views.generic import DetailView, ListView
from rest_framework import mixins, viewsets

from partnership.api_base import PartnershipScopedAPIMixin
from partnership.models import Contract
from partnership.scoping import PartnershipScopedMixin

BASES = {
    "html": (PartnershipScopedMixin, DetailView),
    "api": (PartnershipScopedAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet),
}


def _define(bases, **body):
    return type("ContractView", bases, {"__module__": __name__, **body})


def _scoped_queryset(self, partnership):
    return Contract.objects.filter(partnership=partnership)


@pytest.mark.parametrize("kind", BASES)
def test_a_subclass_with_only_scoped_queryset_is_accepted(kind):
    view = _define(BASES[kind], scoped_queryset=_scoped_queryset)
    assert "get_queryset" not in vars(view)


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
@pytest.mark.parametrize("kind", BASES)
def test_overriding_a_scoped_lookup_raises_type_error(kind, method):
    def override(self, *args, **kwargs):
        return Contract.objects.all()

    with pytest.raises(TypeError, match=rf"{method} bypasses partnership scoping"):
        _define(BASES[kind], scoped_queryset=_scoped_queryset, **{method: override})


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
@pytest.mark.parametrize("kind", BASES)
def test_an_override_smuggled_in_through_a_mixin_raises_type_error(kind, method):
    """A mixin listed before the base would win the MRO; the base must refuse it too."""

    def override(self, *args, **kwargs):
        return Contract.objects.all()

    smuggler = type("Smuggler", (), {method: override})
    with pytest.raises(TypeError, match=method):
        _define((smuggler, *BASES[kind]), scoped_queryset=_scoped_queryset)


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
def test_overriding_in_a_grandchild_raises_type_error(method):
    base = _define((PartnershipScopedMixin, ListView), scoped_queryset=_scoped_queryset)
    with pytest.raises(TypeError, match=method):
        type("Grandchild", (base,), {method: lambda self, *a: None})


@pytest.mark.parametrize(
    ("model", "scope", "path"),
    [
        ("partnership.Partnership", "partnership.Partnership", "pk"),
        ("partnership.Contract", "partnership.Partnership", "partnership"),
        ("kpis.Measurement", "partnership.Partnership", "kpi__partnership"),
        ("messaging.Attachment", "partnership.Partnership", "message__thread__partnership"),
        # An agenda item may point at a KPI or a dispute: it belongs to its round's partnership.
        ("reviews.AgendaItem", "partnership.Partnership", "round__partnership"),
        ("partnership.Membership", "partnership.Organization", "organization"),
    ],
)
def test_the_bases_find_the_way_from_a_model_to_its_scope(model, scope, path):
    from django.apps import apps

    from partnership.scoping import scope_path

    assert scope_path(apps.get_model(model), apps.get_model(scope)) == path


def test_two_equally_good_ways_to_a_partnership_are_refused():
    """A rating reaches a partnership through its response's survey and through its
    indicator's set: the base will not guess which one it belongs to."""
    from django.core.exceptions import ImproperlyConfigured

    from partnership.models import Partnership
    from partnership.scoping import scope_path
    from sti.models import Rating

    with pytest.raises(ImproperlyConfigured, match="ambiguous"):
        scope_path(Rating, Partnership)
