"""REST API v1 of inspections drawn from the register, recorded room by room:
/api/v1/partnerships/<uuid>/inspections/<id>/rooms/ (the drawn rooms with their results) and
…/rooms/<sampled_room_id>/result/ (POST one room's result, JSON or multipart with photos).

Every write carries the client's `client_key`: a repeat answers as the first time and writes
nothing, so a tablet's offline queue may send a result more than once. A result for a closed
inspection is a 409 conflict.
"""

import json

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_errors import error_responses

from .. import selectors
from ..models import DefectKind, DefectPhoto, SampledRoom
from ..serializers_samples import (
    ConflictSerializer,
    RoomResultInputSerializer,
    RoomResultSerializer,
    SampledRoomSerializer,
)
from ..services_samples import InspectionClosed, room_result_record

ID_REGEX = r"[0-9]+"
PHOTO_FIELDS = {f"photo_{kind}": kind for kind in DefectKind.values}
READ_ERRORS = error_responses(401, 404)


def conflict_response(exc: InspectionClosed) -> Response:
    return Response(
        {
            "detail": str(exc),
            "code": "inspection_closed",
            "closed_at": exc.inspection.closed_at.isoformat(),
        },
        status=status.HTTP_409_CONFLICT,
    )


def sampled_rooms_queryset(partnership):
    return (
        selectors.sampled_rooms_for_partnership(partnership=partnership)
        .select_related("area", "room__floor__building")
        .prefetch_related(
            Prefetch("photos", queryset=DefectPhoto.objects.select_related("area").order_by("id"))
        )
        .order_by("area_id", "position", "id")
    )


@extend_schema_view(
    list=extend_schema(
        summary="List the drawn rooms of an inspection",
        description=(
            "The rooms drawn from the register for this inspection, per area type in the order "
            "of the draw, each with its result so far (state pending, inspected or "
            "not_inspected) and the URL to post its result to."
        ),
        responses={200: SampledRoomSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a drawn room and its result",
        responses={200: SampledRoomSerializer, **READ_ERRORS},
    ),
)
@extend_schema(tags=["inspections"])
class SampledRoomViewSet(
    PartnershipScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SampledRoom.objects.none()  # only for the schema
    serializer_class = SampledRoomSerializer
    lookup_url_kwarg = "sampled_room_id"
    lookup_value_regex = ID_REGEX
    read_action = Action.READ
    write_action = Action.PARTICIPATE
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scoped_queryset(self, partnership):
        return sampled_rooms_queryset(partnership).filter(
            inspection_id=self.kwargs["inspection_id"]
        )

    def list(self, request, *args, **kwargs):
        # An inspection of another partnership (or none) is not found, not an empty list.
        inspections = selectors.inspections_for_partnership(partnership=self.partnership)
        if not inspections.filter(pk=self.kwargs["inspection_id"]).exists():
            raise NotFound()
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Record a drawn room's result",
        description=(
            "The side whose inspection it is (a self-check by the supplier, a client control "
            "by the client) records each drawn room: the elements checked with their defects "
            "by kind, or `not_inspected` with a reason. JSON, or multipart with the same "
            "fields (`elements` as JSON text) and photos of defects in `photo_dirt`, "
            "`photo_method`, `photo_material` (each may repeat). A room may be recorded again "
            "with a new `client_key` (the latest result counts); the same `client_key` again "
            "changes nothing and answers as the first time. The area's totals and verdict "
            "follow from its rooms. After the inspection is closed a new result is a 409."
        ),
        request={
            "application/json": RoomResultInputSerializer,
            "multipart/form-data": RoomResultInputSerializer,
        },
        responses={
            200: RoomResultSerializer,
            409: OpenApiResponse(ConflictSerializer, description=_("The inspection is closed.")),
            **error_responses(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["post"], url_path="result")
    def result(self, request, *args, **kwargs):
        sampled = self.get_object()
        data = {k: request.data[k] for k in request.data if k not in PHOTO_FIELDS}
        if isinstance(data.get("elements"), str):
            try:
                data["elements"] = json.loads(data["elements"] or "[]")
            except ValueError:
                raise serializers.ValidationError(
                    {"elements": [_("Send the elements as a JSON list.")]}
                ) from None
        serializer = RoomResultInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        valid = serializer.validated_data
        photos = [
            (kind, upload)
            for field, kind in PHOTO_FIELDS.items()
            for upload in request.FILES.getlist(field)
        ]
        try:
            answer, written = room_result_record(
                actor=request.user,
                sampled_room=sampled,
                client_key=valid["client_key"],
                state=valid["state"],
                elements=[dict(e) for e in valid.get("elements", [])],
                reason=valid["reason"],
                note=valid["note"],
                photos=photos,
            )
        except InspectionClosed as exc:
            return conflict_response(exc)
        response = Response(answer, status=status.HTTP_200_OK)
        response["Idempotent-Replayed"] = "false" if written else "true"
        return response
