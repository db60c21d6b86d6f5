"""The places API's shapes: a room as it is read, a room as it is sent in a bulk upsert, and
the upsert's answers.

A room is read and sent with the same keys, the columns of the register's spreadsheet (site,
building, floor by code, with the site's and building's names), so a list read from the API can
be sent back unchanged. The serializers check shapes only; `places.services` decides what a
value means (area types by value or label, "12,5" or 12.5) and reports it by item number.
"""

import math

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnership.api_input import QuerySerializer, StrictModelSerializer, StrictSerializer

from .models import Room


class PlaceSerializer(StrictModelSerializer):
    site = serializers.CharField(source="floor.building.site.code", read_only=True)
    site_name = serializers.CharField(source="floor.building.site.name", read_only=True)
    building = serializers.CharField(source="floor.building.code", read_only=True)
    building_name = serializers.CharField(source="floor.building.name", read_only=True)
    floor = serializers.CharField(source="floor.code", read_only=True)
    retired = serializers.BooleanField(source="is_retired", read_only=True)

    class Meta:
        model = Room
        fields = [
            "id",
            "code",
            "name",
            "area_type",
            "floor_area",
            "cleaning_frequency",
            "site",
            "site_name",
            "building",
            "building_name",
            "floor",
            "retired",
            "retired_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "maxLength": 40}, {"type": "number"}],
        "description": 'A number, or text such as "12,5".',
    }
)
class NumberOrTextField(serializers.Field):
    """A number sent as JSON or as text ("12,5", "12.5"); the service reads it."""

    default_error_messages = {"invalid": _("Enter a number, such as 12,5.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("invalid")
        if isinstance(data, str) and (len(data) > 40 or "\x00" in data):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


def _text(max_length: int, help_text, *, required: bool = False) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        trim_whitespace=True,
        help_text=help_text,
    )


class PlaceInputSerializer(StrictSerializer):
    """One room of a bulk upsert. Of a room that exists, the fields left out stay as they
    are."""

    site = _text(40, _("The site's code; made when new."), required=True)
    site_name = _text(200, _("The site's name (its code when left out)."))
    building = _text(40, _("The building's code; made when new."), required=True)
    building_name = _text(200, _("The building's name (its code when left out)."))
    floor = _text(20, _("The floor as the CAFM system writes it: 0, 1, -1, BG."), required=True)
    code = _text(40, _("The room's code, unique in the partnership: the key."), required=True)
    name = _text(200, _("The room's name."))
    area_type = _text(
        100,
        _("The area type: its value (office, sanitary, …) or its label in Dutch or English."),
        required=True,
    )
    floor_area = NumberOrTextField(help_text=_("Floor area in m², greater than 0."))
    cleaning_frequency = NumberOrTextField(
        required=False,
        allow_null=True,
        help_text=_("Cleanings a week (0.2 is about once a month); null when not set."),
    )


class PlaceUpsertResultSerializer(StrictSerializer):
    added = serializers.IntegerField(help_text=_("Rooms with a new code."))
    updated = serializers.IntegerField(help_text=_("Rooms in use that changed."))
    reinstated = serializers.IntegerField(help_text=_("Retired rooms listed again, in use now."))
    retired = serializers.IntegerField(
        help_text=_("Rooms in use the list left out (only with retire_missing=true).")
    )
    unchanged = serializers.IntegerField(help_text=_("Rooms listed exactly as they are."))


@extend_schema_field(OpenApiTypes.OBJECT)
class _RowErrorsField(serializers.DictField):
    pass


class PlaceErrorsSerializer(StrictSerializer):
    rows = _RowErrorsField(
        required=False,
        help_text=_(
            "Errors per item number (1 is the first room sent), each a list of messages per "
            'field, e.g. {"3": {"floor_area": ["Enter a number, such as 12,5."]}}.'
        ),
    )
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class UpsertQuerySerializer(QuerySerializer):
    retire_missing = serializers.BooleanField(required=False, default=False)
