"""A test-only URLconf: the real one plus views that get scoping wrong on purpose.

`test_deliberate_leaks.py` proves the isolation checks catch each of them: a `scoped_queryset`
that returns every row (the bases narrow it to the partnership anyway) and a serializer field
that reads across tenants (the insider's own-scope walk sees the other tenant's data).
"""

from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import DetailView
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from partnership.api_base import PartnershipScopedAPIMixin
from partnership.models import Contract
from partnership.scoping import PartnershipScopedMixin


class EveryContractView(PartnershipScopedMixin, DetailView):
    pk_url_kwarg = "contract_id"

    def scoped_queryset(self, partnership):
        return Contract.objects.all()  # the mistake: not narrowed to `partnership`

    def get(self, request, *args, **kwargs):
        return HttpResponse(self.get_object().reference)


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", "reference"]


class EveryContractViewSet(
    PartnershipScopedAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ContractSerializer
    lookup_url_kwarg = "contract_id"

    def scoped_queryset(self, partnership):
        return Contract.objects.all()  # the mistake: not narrowed to `partnership`


class NeighbourLeakSerializer(serializers.ModelSerializer):
    # The mistake: a field that reads every partnership's contracts.
    neighbours = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = ["id", "reference", "neighbours"]

    def get_neighbours(self, contract) -> list[str]:
        return list(Contract.objects.exclude(pk=contract.pk).values_list("reference", flat=True))


class NeighbourLeakViewSet(
    PartnershipScopedAPIMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NeighbourLeakSerializer
    lookup_url_kwarg = "contract_id"

    def scoped_queryset(self, partnership):
        return Contract.objects.filter(partnership=partnership)


router = SimpleRouter()
router.register("every-contract", EveryContractViewSet, basename="every-contract")
router.register("neighbour-leak", NeighbourLeakViewSet, basename="neighbour-leak")

leaky_patterns = [
    path(
        "partnerships/<uuid:partnership_id>/every-contract/<int:contract_id>/",
        EveryContractView.as_view(),
        name="every-contract-page",
    ),
    path("api/v1/partnerships/<uuid:partnership_id>/", include(router.urls)),
]

urlpatterns = [*leaky_patterns, path("", include("config.urls"))]
