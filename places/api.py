"""REST API v1 of the register of places: /api/v1/partnerships/<uuid>/places/.

Everyone in the partnership reads the rooms (a list with `type`, `building`, `q` and `retired`,
one room by id). The client's managers upsert them in bulk by room code, all or nothing, through
the same service as the spreadsheet import (`places.services.rooms_import`). Unlike that import,
which is the whole register and retires what it no longer lists, a POST is a batch: rooms it
leaves out stay as they are unless the request says `?retire_missing=true`, so an integration may
send its changes in pieces.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_errors import error_responses

from . import services
from .filters import RoomFilter
from .models import Room
from .serializers import (
    PlaceErrorsSerializer,
    PlaceInputSerializer,
    PlaceSerializer,
    PlaceUpsertResultSerializer,
    UpsertQuerySerializer,
)

MAX_ROOMS = 10_000  # the largest register designed for is 5,000 rooms
READ_ERRORS = error_responses(401, 404)

UPSERT = (
    "The client's managers only (admins and managers of the client organisation); anyone else "
    "in the partnership gets 403. The body is a list of rooms (at most "
    f"{MAX_ROOMS:,}), each keyed by its `code`: a code the register has is updated (and "
    "reinstated when retired), a new code is added, with its site, building and floor found by "
    "code or made. Of a room that exists, the optional fields left out stay as they are. Rooms "
    "the list leaves out stay as they are too, unless `retire_missing=true`: then every room in "
    "use that the list does not name is retired (nothing is ever deleted; a retired room keeps "
    "its history and is reinstated when it is sent again). Every room is checked first; if any "
    "is wrong nothing is written and the 400 lists the errors per item number under `rows` "
    "(1 is the first room sent), per field. Sending the same list again changes nothing."
)


def _not_a_list(message) -> exceptions.ValidationError:
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})


def _checked_items(data) -> list[tuple[int, dict]]:
    """The rooms of the body with their item numbers, each of the right shape; a 400 naming
    every wrong item and field otherwise (with the register's own checks of the right ones)."""
    if not isinstance(data, list):
        raise _not_a_list(_("Send a list of rooms."))
    if not data:
        raise _not_a_list(_("Send at least one room."))
    if len(data) > MAX_ROOMS:
        raise _not_a_list(_("Send at most %(max)s rooms at a time.") % {"max": MAX_ROOMS})
    rows, errors = [], {}
    for number, item in enumerate(data, start=1):
        serializer = PlaceInputSerializer(data=item)
        if serializer.is_valid():
            rows.append((number, dict(serializer.validated_data)))
        else:
            errors[number] = serializer.errors
    if errors:
        try:
            services.rooms_check(rows)
        except services.RowErrors as exc:
            errors.update(exc.rows)
        except ValidationError:
            pass  # no right rooms at all: the wrong ones say enough
        raise _row_errors(errors)
    return rows


def _row_errors(rows: dict) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {"rows": {str(number): errors for number, errors in sorted(rows.items())}}
    )


@extend_schema_view(
    list=extend_schema(
        summary="List the rooms of the register",
        description=(
            "The rooms in use by building, floor and code, each with its site, building and "
            "floor (the keys a bulk upsert sends). Filter with `type` (area type), `building` "
            "(building code), `q` (code or name contains, ignoring case) and `retired=true` "
            "for the retired rooms instead."
        ),
        responses={200: PlaceSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="Read a room",
        description="One room of this partnership, in use or retired; any other id answers 404.",
        responses={200: PlaceSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Add and update rooms by code",
        description=UPSERT,
        parameters=[
            OpenApiParameter(
                "retire_missing",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                required=False,
                description=(
                    "true: the list is the whole register; the rooms in use it leaves out are "
                    "retired. Default false."
                ),
            )
        ],
        request=PlaceInputSerializer(many=True),
        responses={
            200: PlaceUpsertResultSerializer,
            400: OpenApiResponse(
                PlaceErrorsSerializer, description="Some rooms are wrong; nothing was written."
            ),
            **error_responses(401, 403, 404),
        },
    ),
)
@extend_schema(tags=["places"])
class RoomViewSet(
    PartnershipScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Room.objects.none()  # only for the schema
    serializer_class = PlaceSerializer
    filterset_class = RoomFilter
    lookup_url_kwarg = "room_id"
    lookup_value_regex = r"[0-9]+"
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        rooms = Room.objects.filter(partnership=partnership)
        if self.action == "list" and "retired" not in self.request.query_params:
            rooms = rooms.in_use()  # `retired` (RoomFilter) decides when it is sent
        return rooms.select_related("floor__building__site").order_by(
            "floor__building__code", "floor__code", "code"
        )

    def create(self, request, *args, **kwargs):
        if not services.can_edit_register(self.access):
            raise exceptions.PermissionDenied(
                _("The register of places is kept by the client's managers.")
            )
        query = UpsertQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = _checked_items(request.data)
        try:
            result = services.rooms_import(
                actor=request.user,
                partnership=self.partnership,
                rows=rows,
                retire_missing=query.validated_data["retire_missing"],
            )
        except services.RowErrors as exc:
            raise _row_errors(exc.rows) from exc
        return Response(PlaceUpsertResultSerializer(result).data)
