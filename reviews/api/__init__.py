"""REST API v1 of review rounds, nested under /api/v1/partnerships/<uuid>/: rounds and their
transitions (`rounds`), the session, the agenda with its minutes and decisions (`sessions`),
improvement actions (`actions`), and the report as a PDF (`report`).

Every viewset subclasses `PartnershipScopedAPIMixin`. The round named in a URL is resolved inside
the partnership before anything else, so another partnership's round answers 404 whatever the
method; so are agenda items and decisions below it. Every id that arrives in a body (an owner, a
round, a KPI, a dispute, a thread) is re-resolved inside the partnership of the URL; one from
elsewhere is a 400 on that field, never a lookup outside the scope.

Who may write follows the services (`reviews.services`, `services_sessions`, `services_actions`):
the view checks the same rule once the object is found and before the body is read, so the
answers come in the order 404, 403, 400. Everyone who sees the partnership reads, the facilitator
included; nothing here is internal to one side, and no score leaves before the survey closes.
"""

from .actions import ActionViewSet
from .base import ID_REGEX
from .report import RoundReportPDFView
from .rounds import RoundViewSet
from .sessions import AgendaItemViewSet, DecisionViewSet, SessionViewSet

__all__ = [
    "ID_REGEX",
    "ActionViewSet",
    "AgendaItemViewSet",
    "DecisionViewSet",
    "RoundReportPDFView",
    "RoundViewSet",
    "SessionViewSet",
]
