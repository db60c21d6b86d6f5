"""API v1: top-level and per-partnership routers.

Everything below a partnership is registered on `partnership_router`, which is included under
`partnerships/<uuid:partnership_id>/`; its viewsets subclass `PartnershipScopedAPIMixin`.
Register before `urlpatterns` is built: a router computes its URLs once.
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter, Route

from kpis import api as kpis_api
from messaging import api as messaging_api
from partnership import api as partnership_api
from places import api as places_api
from reviews import api as reviews_api
from sti import api as sti_api


class PartnershipRouter(DefaultRouter):
    """Also routes singletons: a viewset with `router_singleton = True` (one object per
    partnership, e.g. the communication plan) is read and written at its collection URL."""

    include_root_view = False
    singleton_routes = [
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={"get": "retrieve", "put": "update", "patch": "partial_update"},
            name="{basename}-detail",
            detail=True,
            initkwargs={"suffix": "Instance"},
        )
    ]

    def get_routes(self, viewset):
        if getattr(viewset, "router_singleton", False):
            return self.singleton_routes
        return super().get_routes(viewset)


router = DefaultRouter()
router.register("partnerships", partnership_api.PartnershipViewSet, basename="partnership")

partnership_router = PartnershipRouter(trailing_slash=True)
partnership_router.register(
    "participants", partnership_api.ParticipantViewSet, basename="partnership-participant"
)
partnership_router.register(
    "contracts", partnership_api.ContractViewSet, basename="partnership-contract"
)
partnership_router.register(
    "communication-plan",
    partnership_api.CommunicationPlanViewSet,
    basename="partnership-communication-plan",
)
partnership_router.register("places", places_api.RoomViewSet, basename="partnership-place")
partnership_router.register("kpis", kpis_api.KPIViewSet, basename="partnership-kpi")
partnership_router.register(
    rf"kpis/(?P<kpi_id>{kpis_api.KPI_ID_REGEX})/measurements",
    kpis_api.MeasurementViewSet,
    basename="partnership-kpi-measurement",
)
partnership_router.register(
    rf"kpis/(?P<kpi_id>{kpis_api.KPI_ID_REGEX})/norm-proposals",
    kpis_api.NormProposalViewSet,
    basename="partnership-kpi-norm-proposal",
)
partnership_router.register(
    "measurements", kpis_api.MeasurementBulkViewSet, basename="partnership-measurement"
)
partnership_router.register(
    "inspections", kpis_api.InspectionViewSet, basename="partnership-inspection"
)
partnership_router.register(
    rf"inspections/(?P<inspection_id>{kpis_api.INSPECTION_ID_REGEX})/rooms",
    kpis_api.SampledRoomViewSet,
    basename="partnership-inspection-room",
)
partnership_router.register("disputes", kpis_api.DisputeViewSet, basename="partnership-dispute")
partnership_router.register(
    "indicators", sti_api.IndicatorViewSet, basename="partnership-indicator"
)
partnership_router.register(
    "indicator-sets", sti_api.IndicatorSetViewSet, basename="partnership-indicator-set"
)
partnership_router.register(
    rf"indicator-sets/(?P<indicator_set_id>{sti_api.ID_REGEX})/indicators",
    sti_api.IndicatorSetIndicatorViewSet,
    basename="partnership-indicator-set-indicator",
)
partnership_router.register("surveys", sti_api.SurveyViewSet, basename="partnership-survey")
partnership_router.register(
    rf"surveys/(?P<survey_id>{sti_api.ID_REGEX})/responses",
    sti_api.SurveyResponseViewSet,
    basename="partnership-survey-response",
)
partnership_router.register(
    rf"surveys/(?P<survey_id>{sti_api.ID_REGEX})/results",
    sti_api.SurveyResultViewSet,
    basename="partnership-survey-result",
)
partnership_router.register("threads", messaging_api.ThreadViewSet, basename="partnership-thread")
partnership_router.register(
    rf"threads/(?P<thread_id>{messaging_api.ID_REGEX})/messages",
    messaging_api.MessageViewSet,
    basename="partnership-thread-message",
)
partnership_router.register(
    rf"threads/(?P<thread_id>{messaging_api.ID_REGEX})/attachments",
    messaging_api.AttachmentViewSet,
    basename="partnership-thread-attachment",
)
partnership_router.register(
    "documents", messaging_api.DocumentViewSet, basename="partnership-document"
)
partnership_router.register(
    rf"documents/(?P<document_id>{messaging_api.ID_REGEX})/versions",
    messaging_api.DocumentVersionViewSet,
    basename="partnership-document-version",
)
partnership_router.register("rounds", reviews_api.RoundViewSet, basename="partnership-round")
partnership_router.register(
    rf"rounds/(?P<round_id>{reviews_api.ID_REGEX})/session",
    reviews_api.SessionViewSet,
    basename="partnership-round-session",
)
partnership_router.register(
    rf"rounds/(?P<round_id>{reviews_api.ID_REGEX})/agenda",
    reviews_api.AgendaItemViewSet,
    basename="partnership-round-agenda-item",
)
partnership_router.register(
    rf"rounds/(?P<round_id>{reviews_api.ID_REGEX})/decisions",
    reviews_api.DecisionViewSet,
    basename="partnership-round-decision",
)
partnership_router.register("actions", reviews_api.ActionViewSet, basename="partnership-action")

urlpatterns = [
    path("", include(router.urls)),
    path(
        "partnerships/<uuid:partnership_id>/rounds/<int:round_id>/report.pdf",
        reviews_api.RoundReportPDFView.as_view(),
        name="partnership-round-report-pdf",
    ),
    path("partnerships/<uuid:partnership_id>/", include(partnership_router.urls)),
]
