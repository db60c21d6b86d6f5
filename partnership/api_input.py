"""What the API accepts, checked in one place for every serializer, parser and list.

- `StrictSerializer` / `StrictModelSerializer`: the base of every API serializer. A body field the
  serializer does not write (unknown, misspelt, or read-only) is a 400 on that field, so a client
  that sends `"visibility": "supplier_internal"` instead of `"internal": true` learns it instead of
  silently getting a shared thread. Integer fields the serializer leaves unbounded are bounded to
  what their column holds (PostgreSQL `integer`), so a huge number is a 400, never a DataError.
- `QuerySerializer`: the base of the query-string serializers. A parameter sent empty is a value
  like any other (and so an invalid choice), not a parameter left out.
- `JSONParser`: bodies over `DATA_UPLOAD_MAX_MEMORY_SIZE` answer 413, nesting deeper than
  `MAX_JSON_DEPTH` a 400; both as JSON.
- `StrictFilterSet` and `BooleanFilter`: the base of the django-filter filter sets and their
  boolean filter. A filter sent empty, or a boolean that is not `true`/`false`, is a 400 on that
  filter instead of no filter at all. `FilterBackend` skips the filter set when the query string
  names none of its filters.
- `PageNumberPagination`: `?page=` that is not a positive whole number is a 400 on `page`; a page
  past the last stays a 404. A first page shorter than a page needs no COUNT query.

Every serializer built on them also writes its output faster than DRF's loop over its fields
(`_StrictFieldsMixin.to_representation`), with the same result: a list page of 50 rows reads
thousands of attributes, and DRF's general path (source lists, Mapping checks, callables, the
error handling of each) cost a quarter of a list request.
"""

import copy
import json
from collections.abc import Mapping

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, parsers, serializers, status
from rest_framework.fields import (
    BooleanField,
    CharField,
    EmailField,
    Field,
    IntegerField,
    SkipField,
    empty,
)
from rest_framework.relations import PKOnlyObject

INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1  # PostgreSQL `integer`, Django's IntegerField
MAX_JSON_DEPTH = 32
UNKNOWN_FIELD = _("Unknown field.")
# Free-text fields (not their subclasses that parse: e-mail, URL, regex, slug are strings too).
TEXT_FIELDS = (
    serializers.CharField,
    serializers.EmailField,
    serializers.URLField,
    serializers.RegexField,
    serializers.SlugField,
)


# --- Serializers -----------------------------------------------------------------------------


def _bound_integers(fields) -> None:
    for field in fields.values():
        if not isinstance(field, serializers.IntegerField) or field.read_only:
            continue
        if field.max_value is None:
            field.max_value = INTEGER_MAX
            message = field.error_messages["max_value"].format(max_value=INTEGER_MAX)
            field.validators.append(MaxValueValidator(INTEGER_MAX, message=message))
        if field.min_value is None:
            field.min_value = INTEGER_MIN
            message = field.error_messages["min_value"].format(min_value=INTEGER_MIN)
            field.validators.append(MinValueValidator(INTEGER_MIN, message=message))


# ModelSerializer class -> the fields it builds from its model. Building them (model
# introspection, one field class and its kwargs per column) costs more than serializing a
# page of rows, and nothing in it depends on the instance, the data or the context; a copy of
# the built fields is what every new serializer gets, as DRF copies declared fields.
_MODEL_FIELDS: dict[type, dict] = {}


# Field classes whose `to_representation` returns a value of this exact type unchanged
# (`str(s)`, `int(i)`, a bool found in TRUE_VALUES or FALSE_VALUES): skipping the call is exact.
_UNCHANGED = {CharField: str, EmailField: str, IntegerField: int, BooleanField: bool}


def _readers(serializer) -> list[tuple]:
    """(name, field, attribute to read or None, type passed through unchanged or None) for each
    readable field, worked out once per serializer instance (a list's child is one instance)."""
    readers = serializer.__dict__.get("_fast_readers")
    if readers is None:
        readers = []
        for field in serializer._readable_fields:
            attr = None
            if type(field).get_attribute is Field.get_attribute and len(field.source_attrs) == 1:
                attr = field.source_attrs[0]  # DRF's get_attribute is a getattr here
            readers.append((field.field_name, field, attr, _UNCHANGED.get(type(field))))
        serializer.__dict__["_fast_readers"] = readers
    return readers


class _StrictFieldsMixin:
    def to_representation(self, instance):
        """DRF's `Serializer.to_representation`, with the same result: a field that reads one
        attribute reads it with getattr (anything unusual, an error, a callable or a missing
        related object, goes DRF's way), and a value its field would return unchanged is not
        passed through the field."""
        if isinstance(instance, Mapping):
            return super().to_representation(instance)
        ret = {}
        for name, field, attr, unchanged in _readers(self):
            try:
                if attr is None:
                    raise LookupError
                attribute = getattr(instance, attr)
                if callable(attribute):
                    raise LookupError
            except Exception:  # noqa: BLE001 - DRF's path decides, and raises, as it would
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            if attribute is None or (isinstance(attribute, PKOnlyObject) and attribute.pk is None):
                ret[name] = None
            elif unchanged is not None and type(attribute) is unchanged:
                ret[name] = attribute
            else:
                ret[name] = field.to_representation(attribute)
        return ret

    def get_fields(self):
        if isinstance(self, serializers.ModelSerializer):
            built = _MODEL_FIELDS.get(type(self))
            if built is None:
                built = _MODEL_FIELDS[type(self)] = super().get_fields()
            fields = copy.deepcopy(built)
        else:
            fields = super().get_fields()
        _bound_integers(fields)  # after copying: a copy is made anew from its arguments
        return fields

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {field.field_name: field for field in self._writable_fields}
            unknown = sorted(str(name) for name in data if name not in writable)
            if unknown:
                raise serializers.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})
            # DRF turns a JSON number sent for a text field into its digits; the schema says
            # string, so a number is as wrong there as a list.
            numbers = [
                name
                for name, value in data.items()
                if type(writable[name]) in TEXT_FIELDS and isinstance(value, int | float)
            ]
            if numbers:
                raise serializers.ValidationError(
                    {
                        name: [serializers.CharField.default_error_messages["invalid"]]
                        for name in numbers
                    }
                )
        return super().to_internal_value(data)


class StrictSerializer(_StrictFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(_StrictFieldsMixin, serializers.ModelSerializer):
    pass


class QuerySerializer(serializers.Serializer):
    """Query parameters: other parameters (`page`, ...) pass; a value sent empty is checked."""

    def get_fields(self):
        fields = super().get_fields()
        _bound_integers(fields)
        return fields

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):  # a QueryDict: an empty value is not "left out"
            blank = {
                name
                for name, field in self.fields.items()
                if data.get(name) == ""
                and not getattr(field, "allow_blank", False)
                and not field.allow_null  # empty is how a query string says null
            }
            if blank:
                raise serializers.ValidationError({name: [BLANK] for name in blank})
        return super().to_internal_value(data)


# --- Filter sets -----------------------------------------------------------------------------

BLANK = serializers.CharField.default_error_messages["blank"]


class _StrictBooleanField(forms.NullBooleanField):
    widget = forms.TextInput  # the raw value, not NullBooleanSelect's "anything else is None"

    def to_python(self, value):
        if value is None:
            return None
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    """`true` or `false`; anything else is a 400 (django-filter reads it as "no filter")."""

    field_class = _StrictBooleanField


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds no filter set (a form and its fields) for a request
    whose query string names none of its filters: such a filter set filters nothing and finds
    nothing to refuse."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictFilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, refusing an empty value instead of reading it as no filter."""

    def is_valid(self):
        valid = super().is_valid()
        for name in self.filters:
            if self.data.get(name) == "":
                self.form.add_error(name, str(BLANK))
        return valid and not self.form.errors


# --- Parsing ---------------------------------------------------------------------------------


def _depth(value) -> int:
    """How deeply lists and objects nest in a parsed body (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size and a depth limit, both answered as JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > limit:
                raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        too_deep = exceptions.ParseError(
            _("The body nests deeper than %(depth)s levels.") % {"depth": MAX_JSON_DEPTH}
        )
        try:
            data = json.loads(stream.read().decode(encoding))
        except RecursionError as exc:
            raise too_deep from exc
        except ValueError as exc:  # not JSON, or not in the declared encoding
            raise exceptions.ParseError(_("The body is not valid JSON.")) from exc
        if _depth(data) > MAX_JSON_DEPTH:
            raise too_deep
        return data


# --- Pagination ------------------------------------------------------------------------------


class _Paginator(DjangoPaginator):
    """Django's paginator that counts only when it must: a first page with fewer rows than a
    page holds them all, so its length is the count. Most lists inside a partnership (its KPIs,
    threads, actions) fit on one page and so cost one query instead of two."""

    def page(self, number):
        if str(number) != "1":
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # `count` is a cached property
        return self._get_page(rows, 1, self)


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers; a `page` that is not a positive whole number is a 400 on `page`."""

    django_paginator_class = _Paginator

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param, empty)
        if number is empty:
            return 1
        if number in self.last_page_strings:
            return number
        if not (number.isascii() and number.isdigit() and int(number) >= 1):
            raise exceptions.ValidationError(
                {self.page_query_param: [_("Enter a page number from 1.")]}
            )
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
