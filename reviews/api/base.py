"""What every review viewset shares: the error answers, the scoping base with the services' role
check, and the base of the routes below one round."""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions

from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_errors import error_responses
from partnership.api_lookup import get_in_scope_or_404

from .. import services_sessions
from ..models import ReviewRound

READ_ERRORS = error_responses(401, 404)
LIST_ERRORS = error_responses(400, 401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
ID_REGEX = r"[0-9]+"

ROUND_ID = OpenApiParameter(
    "round_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="A review round of this partnership.",
)
SESSION_RUNNERS = "The facilitator, or a manager of either side."


class _ReviewsAPIMixin(PartnershipScopedAPIMixin):
    # Writes are allowed per endpoint by the services' own rules (see `_require`), checked once
    # the object of the URL is found, so a foreign id answers 404 before any 403.
    read_action = Action.READ
    write_action = Action.READ
    lookup_value_regex = ID_REGEX
    filter_backends = []

    def _require(self, allowed: bool) -> None:
        if not allowed:
            raise exceptions.PermissionDenied()

    def handle_exception(self, exc):
        if isinstance(exc, ObjectDoesNotExist):
            exc = exceptions.NotFound()
        return super().handle_exception(exc)


class _InRoundMixin(_ReviewsAPIMixin):
    # The round of the URL is resolved inside the partnership before the role check.

    review_round: ReviewRound | None = None

    def resolve_partnership(self, request) -> None:
        super().resolve_partnership(request)
        rounds = ReviewRound.objects.filter(partnership=self.partnership)
        self.review_round = get_in_scope_or_404(rounds, self.kwargs.get("round_id"))
        self.review_round.partnership = self.partnership  # the same row: spare the query

    def _require_runner(self) -> None:
        self._require(services_sessions.can_run_session(self.access))
