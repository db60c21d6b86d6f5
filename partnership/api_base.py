"""The DRF side of tenant scoping; see `scoping.py` for the rule it shares with HTML views."""

from django.db.models import QuerySet
from django.http import Http404
from rest_framework.exceptions import NotAcceptable, NotFound, PermissionDenied
from rest_framework.negotiation import DefaultContentNegotiation

from .scoping import _refuse_overrides, _ScopedBase, get_scoped_object_or_404, within


class PartnershipScopedAPIMixin(_ScopedBase):
    # Mix into a GenericAPIView / GenericViewSet registered under partnerships/<uuid>/.
    # (A comment, not a docstring: drf-spectacular would show a docstring in the API docs.)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, PartnershipScopedAPIMixin)

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
