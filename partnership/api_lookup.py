"""Ids looked up inside a partnership's scope, for the API views of every feature app.

The caller passes a queryset it has already scoped (a partnership's rounds, the threads the
person may see, ...), so nothing is ever looked up outside it. An id from the URL that is not in
it answers 404, like a partnership the person cannot see; an id from a request body answers 400
on its field, so a client learns which value was wrong without learning whether the object exists
elsewhere.
"""

from django.db.models import Model, QuerySet
from rest_framework import exceptions

from .scoping import get_scoped_object_or_404


def get_in_scope_or_404(queryset: QuerySet, pk) -> Model:
    """The object with this id from the URL in the scoped queryset, or Http404 (the scoping
    bases' rule: an id that is not even a number is just as absent)."""
    return get_scoped_object_or_404(queryset, pk=pk)


def get_in_scope_or_400(queryset: QuerySet, pk, *, field: str, message) -> Model | None:
    """The object with this id from a request body in the scoped queryset; None when no id was
    sent. A foreign or unknown id is a 400 with `message` on `field`."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise exceptions.ValidationError({field: [message]})
    return found


def validated(serializer_class, data, **kwargs) -> dict:
    """The validated data of a request body or query string, or a 400 with the field errors."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
