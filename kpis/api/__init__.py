"""REST API v1 of KPIs, nested under /api/v1/partnerships/<uuid>/: KPIs and their measurements,
the library and the bulk upload (`kpis`), and inspections with their sampling plan and disputes
(`inspections`). Every viewset subclasses `PartnershipScopedAPIMixin`; the serializers are in
`kpis.serializers` and `kpis.serializers_inspections`, the writes in the services.
"""

from .inspections import DisputeViewSet, InspectionViewSet
from .kpis import (
    KPI_ID_REGEX,
    KPIViewSet,
    MeasurementBulkViewSet,
    MeasurementViewSet,
    NormProposalViewSet,
)
from .samples import ID_REGEX as INSPECTION_ID_REGEX
from .samples import SampledRoomViewSet

__all__ = [
    "INSPECTION_ID_REGEX",
    "KPI_ID_REGEX",
    "DisputeViewSet",
    "InspectionViewSet",
    "KPIViewSet",
    "MeasurementBulkViewSet",
    "MeasurementViewSet",
    "NormProposalViewSet",
    "SampledRoomViewSet",
]
