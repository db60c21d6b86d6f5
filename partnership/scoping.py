"""Base classes that own tenant scoping for HTML views and API viewsets.

A view inside a partnership subclasses `PartnershipScopedMixin` (HTML) or
`PartnershipScopedAPIMixin` (DRF). The base resolves the partnership from the URL kwarg
`partnership_id` through the access rule (404 for outsiders), checks the action the request needs
(403 for insiders without the role), and builds every queryset from `scoped_queryset(partnership)`,
which the subclass supplies. The base then filters what the subclass returned by the partnership
itself (following the model's foreign keys to it, see `scope_path`), so a subclass can only narrow
its scope, never widen it: a `scoped_queryset` that returns `Model.objects.all()` still answers 404
to everyone outside. Subclasses may not override `get_queryset` / `get_object`: defining either
raises TypeError when the class is created, so a scoping bypass cannot slip through review.
"""

from functools import cache

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .access import Action, PartnershipAccess, resolve_access
from .models import Membership, Organization, Role

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PROTECTED_METHODS = ("get_queryset", "get_object")
# How many foreign keys a model may be away from its partnership (an attachment is three:
# message -> thread -> partnership).
MAX_SCOPE_DEPTH = 4


@cache
def scope_path(model, scope_model) -> str:
    """The ORM lookup from `model` to the `scope_model` row it belongs to ("pk" for itself).

    The shortest chain of foreign keys wins, and of chains equally long the one without an
    optional key (an agenda item belongs to its round's partnership, not to that of the KPI it may
    point at). Two chains still alike are refused: the base could not tell which one means
    "belongs to" — unless the model names it in `scope_paths` ({"app.Model": "lookup"}; a room
    drawn for an inspection belongs to the inspection's partnership, and its room to the same).
    """
    if model is scope_model:
        return "pk"
    named = getattr(model, "scope_paths", {}).get(scope_model._meta.label)
    if named:
        return named
    frontier = [(model, "", True)]
    for _depth in range(MAX_SCOPE_DEPTH):
        found, deeper = [], []
        for current, prefix, required in frontier:
            for field in current._meta.concrete_fields:
                if not (field.many_to_one or field.one_to_one) or field.related_model is None:
                    continue
                path, still_required = prefix + field.name, required and not field.null
                if field.related_model is scope_model:
                    found.append((path, still_required))
                else:
                    deeper.append((field.related_model, path + "__", still_required))
        required_paths = [path for path, required in found if required]
        found = required_paths or [path for path, _required in found]
        if len(found) > 1:
            raise ImproperlyConfigured(
                f"{model.__name__} reaches {scope_model.__name__} through {found}: ambiguous."
            )
        if found:
            return found[0]
        frontier = deeper
    raise ImproperlyConfigured(f"{model.__name__} does not belong to a {scope_model.__name__}.")


def within(queryset: QuerySet, scope) -> QuerySet:
    """`queryset` narrowed to the rows that belong to `scope` (a partnership or organisation)."""
    return queryset.filter(**{scope_path(queryset.model, type(scope)): scope})


def get_scoped_object_or_404(queryset: QuerySet, **lookup):
    """One object of an already scoped queryset; a malformed id is as absent as a foreign one."""
    try:
        return get_object_or_404(queryset, **lookup)
    except (ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def _refuse_overrides(cls, base) -> None:
    for name in PROTECTED_METHODS:
        for klass in cls.__mro__:
            if klass is base:
                break
            if name in vars(klass):
                raise TypeError(
                    f"{cls.__name__}.{name} bypasses partnership scoping; "
                    "implement scoped_queryset(partnership) instead."
                )


def _get_object(view, queryset: QuerySet):
    """The HTML bases' `get_object`: the object named by the view's pk URL kwarg, or 404."""
    lookup = view.kwargs.get(getattr(view, "pk_url_kwarg", "pk"))
    if lookup is None:
        raise ImproperlyConfigured(f"{type(view).__name__} has no pk URL kwarg.")
    return get_scoped_object_or_404(queryset, pk=lookup)


class _ScopedBase:
    """What the HTML and API bases share: the access decision for a request."""

    partnership_url_kwarg = "partnership_id"
    read_action: str = Action.READ
    write_action: str = Action.MANAGE

    partnership = None
    access: PartnershipAccess | None = None

    # A page that shows a form for writing needs the write role to be seen at all; a page that
    # lists things and offers a form to some readers sets this to False.
    shows_form_on_get: bool | None = None

    def action_for_method(self, method: str) -> str:
        if method in SAFE_METHODS and not self._shows_form_on_get():
            return self.read_action
        return self.write_action

    def _shows_form_on_get(self) -> bool:
        if self.shows_form_on_get is not None:
            return self.shows_form_on_get
        from django.views.generic.edit import ProcessFormView

        return isinstance(self, ProcessFormView)

    # How the access is resolved: the same rule either way (the API's base answers in one
    # prepared query, partnership/api_base.py).
    resolve_access = staticmethod(resolve_access)

    def resolve_partnership(self, request) -> None:
        partnership_id = self.kwargs.get(self.partnership_url_kwarg)
        if partnership_id is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a partnership_id URL kwarg.")
        self.access = self.resolve_access(request.user, partnership_id)
        self.partnership = self.access.partnership

    def scoped_queryset(self, partnership) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} must define scoped_queryset().")


class PartnershipScopedMixin(LoginRequiredMixin, _ScopedBase):
    """For Django class-based views under /partnerships/<uuid>/."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, PartnershipScopedMixin)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.resolve_partnership(request)
        self.access.require(self.action_for_method(request.method))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return within(self.scoped_queryset(self.partnership), self.partnership)

    def get_object(self, queryset=None):
        return _get_object(self, self.get_queryset() if queryset is None else queryset)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("partnership", self.partnership)
        kwargs.setdefault("access", self.access)
        return super().get_context_data(**kwargs)


class OrganizationScopedMixin(LoginRequiredMixin):
    """For Django class-based views under /orgs/<slug>/.

    The base resolves `self.organization` and `self.membership` from the `slug` URL kwarg through
    the user's own memberships, so a non-member gets 404 on every route and every method (the
    organisation is resolved before the method check). Members whose role is not in
    `read_roles` / `write_roles` for the request's method get 403. Objects below the organisation
    come from `scoped_queryset(organization)`; `get_queryset` / `get_object` may not be overridden.
    """

    organization_url_kwarg = "slug"
    read_roles: tuple[str, ...] | None = None  # None: every member may read
    write_roles: tuple[str, ...] = (Role.ADMIN,)

    organization: Organization | None = None
    membership: Membership | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _refuse_overrides(cls, OrganizationScopedMixin)

    def roles_for_method(self, method: str) -> tuple[str, ...] | None:
        return self.read_roles if method in SAFE_METHODS else self.write_roles

    def resolve_organization(self, request) -> None:
        slug = self.kwargs.get(self.organization_url_kwarg)
        if slug is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a slug URL kwarg.")
        membership = (
            Membership.objects.select_related("organization")
            .filter(user=request.user, organization__slug=slug)
            .first()
        )
        if membership is None:
            raise Http404
        self.membership, self.organization = membership, membership.organization

    @property
    def is_org_admin(self) -> bool:
        return self.membership is not None and self.membership.role == Role.ADMIN

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.resolve_organization(request)
        roles = self.roles_for_method(request.method)
        if roles is not None and self.membership.role not in roles:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self, organization) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} must define scoped_queryset().")

    def get_queryset(self) -> QuerySet:
        return within(self.scoped_queryset(self.organization), self.organization)

    def get_object(self, queryset=None):
        return _get_object(self, self.get_queryset() if queryset is None else queryset)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("organization", self.organization)
        kwargs.setdefault("membership", self.membership)
        kwargs.setdefault("is_org_admin", self.is_org_admin)
        return super().get_context_data(**kwargs)
