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
