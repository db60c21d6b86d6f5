"""The DRF side of tenant scoping; see `scoping.py` for the rule it shares with HTML views."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from rest_framework.exceptions import NotAcceptable, NotFound, PermissionDenied
from rest_framework.negotiation import DefaultContentNegotiation

from accounts.prepared import PreparedQuery

from .access import PartnershipAccess, decide_access
from .models import Membership, Participant, Partnership
from .scoping import _refuse_overrides, _ScopedBase, get_scoped_object_or_404, within


def _partnership_with_my_place(user_id, partnership_id) -> QuerySet:
    """The partnership of the URL through the access rule (`visible_to`), with what `access_for`
    reads about the caller in it as columns of the same row: their participation and their
    roles in the client's and the supplier's organisation."""
    mine = Participant.objects.filter(partnership=OuterRef("pk"), user_id=user_id).order_by()
    roles = Membership.objects.filter(user_id=user_id).order_by()
    return (
        Partnership.objects.visible_to(get_user_model()(pk=user_id))
        .with_overview()
        .filter(pk=partnership_id)
        .annotate(
            api_participant_id=Subquery(mine.values("pk")[:1]),
            api_participant_side=Subquery(mine.values("side")[:1]),
            api_client_role=Subquery(
                roles.filter(organization=OuterRef("client_id")).values("role")[:1]
            ),
            api_supplier_role=Subquery(
                roles.filter(organization=OuterRef("supplier_id")).values("role")[:1]
            ),
        )
        .order_by()
    )


_RESOLUTION = PreparedQuery(
    _partnership_with_my_place,
    user_id=get_user_model()._meta.pk,
    partnership_id=Partnership._meta.pk,
)


def resolve_access_in_one_query(user, partnership_id) -> PartnershipAccess:
    """`access.resolve_access` for an API request: the same rule and the same answer (tests hold
    them together), in one prepared query instead of three built ones. 404 for anyone outside."""
    try:
        found = _RESOLUTION.objects(user_id=user.pk, partnership_id=partnership_id)
    except ValidationError as exc:  # not a UUID
        raise Http404 from exc
    if not found:
        raise Http404
    partnership = found[0]
    participant = None
    if partnership.api_participant_id is not None:
        participant = Participant.from_db(
            partnership._state.db,
            ["id", "partnership_id", "user_id", "side"],
            [
                partnership.api_participant_id,
                partnership.pk,
                user.pk,
                partnership.api_participant_side,
            ],
        )
        participant.partnership = partnership
    roles = {
        org: role
        for org, role in (
            (partnership.client_id, partnership.api_client_role),
            (partnership.supplier_id, partnership.api_supplier_role),
        )
        if role is not None
    }
    # access_for's decision, from the row instead of two more queries.
    return decide_access(user, partnership, participant, roles)


class PartnershipScopedAPIMixin(_ScopedBase):
    # Mix into a GenericAPIView / GenericViewSet registered under partnerships/<uuid>/.
    # (A comment, not a docstring: drf-spectacular would show a docstring in the API docs.)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, PartnershipScopedAPIMixin)

    resolve_access = staticmethod(resolve_access_in_one_query)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticates first: 401 before 404
        try:
            self.resolve_partnership(request)
        except Http404 as exc:
            raise NotFound() from exc
        if not self.access.can(self.action_for_method(request.method)):
            raise PermissionDenied()

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no partnership
            return self.schema_queryset()
        return within(self.scoped_queryset(self.partnership), self.partnership)

    def schema_queryset(self) -> QuerySet:
        return self.queryset.none() if self.queryset is not None else QuerySet().none()

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        if getattr(self, "router_singleton", False):  # one object per parent, no id in the URL
            obj = queryset.first()
            if obj is None:
                raise NotFound()
            self.check_object_permissions(self.request, obj)
            return obj
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        try:
            obj = get_scoped_object_or_404(
                queryset, **{self.lookup_field: self.kwargs[lookup_url_kwarg]}
            )
        except Http404 as exc:
            raise NotFound() from exc
        self.check_object_permissions(self.request, obj)
        return obj

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["partnership"] = self.partnership
        context["access"] = self.access
        return context


class FileNegotiation(DefaultContentNegotiation):
    """A file download (a PDF, an attachment) answers with the file whatever the client accepts;
    its errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type
