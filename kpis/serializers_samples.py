"""API serializers of inspections drawn from the register: the drawn rooms with their results,
a room's result as sent, and the draw. They validate shapes; `kpis.services_samples` decides
and writes."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partnership.api_input import StrictSerializer

from .models import AreaType, InspectionKind, RoomState, SampledRoom
from .serializers_inspections import _aql_field
from .services_samples import MAX_DEFECTS_PER_KIND, MAX_ELEMENTS

# What a result may say about a room (pending is where it starts, not something to send).
RESULT_STATES = [
    (RoomState.INSPECTED.value, RoomState.INSPECTED.label),
    (RoomState.NOT_INSPECTED.value, RoomState.NOT_INSPECTED.label),
]


class ElementSerializer(StrictSerializer):
    element = serializers.CharField(max_length=80, help_text=_("The element checked, e.g. Floor."))
    dirt = serializers.IntegerField(min_value=0, max_value=MAX_DEFECTS_PER_KIND, default=0)
    method = serializers.IntegerField(min_value=0, max_value=MAX_DEFECTS_PER_KIND, default=0)
    material = serializers.IntegerField(min_value=0, max_value=MAX_DEFECTS_PER_KIND, default=0)


class RoomSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    floor = serializers.CharField(source="floor.code", read_only=True)
    building = serializers.CharField(source="floor.building.name", read_only=True)


class PhotoRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        return reverse(
            "kpis:defect_photo",
            args=[self.context["partnership"].pk, photo.area.inspection_id, photo.pk],
        )


class SampledRoomSerializer(serializers.ModelSerializer):
    """A drawn room, where it is, and its result so far (read from the prefetch)."""

    area_type = serializers.CharField(source="area.area_type", read_only=True)
    room = RoomSerializer(read_only=True)
    elements = ElementSerializer(many=True, read_only=True)
    photos = PhotoRefSerializer(many=True, read_only=True)
    result_url = serializers.SerializerMethodField(help_text=_("Where to POST this room's result."))

    class Meta:
        model = SampledRoom
        fields = [
            "id",
            "area",
            "area_type",
            "position",
            "room",
            "state",
            "elements",
            "elements_checked",
            "defects_dirt",
            "defects_method",
            "defects_material",
            "reason",
            "note",
            "recorded_at",
            "photos",
            "result_url",
        ]
        read_only_fields = fields

    def get_result_url(self, sampled) -> str:
        return reverse(
            "partnership-inspection-room-result",
            args=[self.context["partnership"].pk, sampled.inspection_id, sampled.pk],
        )


class RoomResultInputSerializer(StrictSerializer):
    client_key = serializers.UUIDField(
        help_text=_(
            "A UUID the client makes for this result; sending the same key again changes "
            "nothing and answers as the first time."
        )
    )
    state = serializers.ChoiceField(choices=RESULT_STATES)
    elements = ElementSerializer(
        many=True,
        required=False,
        max_length=MAX_ELEMENTS,
        help_text=_(
            "Every element checked with its defects by kind (state inspected). In a multipart "
            "request: the same list as a JSON text."
        ),
    )
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why the room was not inspected (state not_inspected)."),
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RoomResultSerializer(StrictSerializer):
    """The answer to a result write (the same for a repeated client_key)."""

    id = serializers.IntegerField()
    room = serializers.IntegerField()
    area = serializers.IntegerField()
    state = serializers.ChoiceField(choices=RoomState.choices)
    elements = ElementSerializer(many=True)
    elements_checked = serializers.IntegerField()
    defects_dirt = serializers.IntegerField()
    defects_method = serializers.IntegerField()
    defects_material = serializers.IntegerField()
    reason = serializers.CharField()
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField(allow_null=True)
    photos = serializers.ListField(child=serializers.IntegerField(), help_text=_("Photo ids."))


class ConflictSerializer(StrictSerializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text=_("inspection_closed"))
    closed_at = serializers.DateTimeField()


class DrawAreaSerializer(StrictSerializer):
    area_type = serializers.ChoiceField(choices=AreaType.choices)
    aql = _aql_field()


class DrawInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    date = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    seed = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("Repeat a draw with a known seed; left out: a random one."),
    )
    areas = DrawAreaSerializer(many=True, allow_empty=False)
