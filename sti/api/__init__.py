"""REST API v1 of cooperation indicators and surveys, nested under /api/v1/partnerships/<uuid>/.

Every viewset subclasses `PartnershipScopedAPIMixin`: the partnership comes from the URL through
the access rule (404 for outsiders, 403 for insiders without the role) and every queryset from
`scoped_queryset`. An indicator set or survey named in a URL is looked up inside that partnership
before the role check, so another partnership's id answers 404 whatever the method. Writes go
through `sti.services` / `sti.services_surveys`.

Sealing: the responses endpoints only ever load the caller's own response, and results come from
`sti.results.results_for`, which refuses (403) a survey that has not closed.
"""

from .base import ID_REGEX
from .indicators import IndicatorSetIndicatorViewSet, IndicatorSetViewSet, IndicatorViewSet
from .surveys import SurveyResponseViewSet, SurveyResultViewSet, SurveyViewSet

__all__ = [
    "ID_REGEX",
    "IndicatorSetIndicatorViewSet",
    "IndicatorSetViewSet",
    "IndicatorViewSet",
    "SurveyResponseViewSet",
    "SurveyResultViewSet",
    "SurveyViewSet",
]
