"""How the API answers when something is wrong, and how those answers appear in the schema.

Services raise Django's ValidationError / PermissionDenied; DRF only knows its own exceptions, so
without this handler a service's validation error would surface as a 500. Every error is JSON:
400 carries a field-level body (`{"field": ["message"]}`, `non_field_errors` for the rest),
401/403/404 carry `{"detail": "..."}`.
"""

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def field_errors(error: DjangoValidationError) -> dict:
    """A service's ValidationError as a serializer-style body (message_dict when present)."""
    body = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in body:
        body.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(body.pop(NON_FIELD_ERRORS))
    return body


def exception_handler(exc, context):
    if isinstance(exc, exceptions.ParseError):
        # A body that does not parse is invalid like any other: the documented 400 body.
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [exc.detail]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        # One body for "does not exist" and "not yours", whatever the lookup said.
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


# --- Outside DRF: Django's error handlers (config/urls.py) --------------------------------------
# A path under /api/ that matches no route (a non-UUID partnership id, a typo), a body Django
# itself refuses (over DATA_UPLOAD_MAX_MEMORY_SIZE) and an unhandled error answer JSON there too.


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler400(request, exception=None):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": str(_("The request body is too large."))}, status=413)
    body = {api_settings.NON_FIELD_ERRORS_KEY: [str(_("The request is malformed."))]}
    return JsonResponse(body, status=400)


def handler403(request, exception=None):
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse({"detail": str(exceptions.PermissionDenied.default_detail)}, status=403)


def handler404(request, exception=None):
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


def handler500(request):
    if not _is_api(request):
        return defaults.server_error(request)
    body = {"detail": str(_("Something went wrong on our side; nothing was changed."))}
    return JsonResponse(body, status=500)


# --- Schema ----------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the user's language."))


class FieldErrorsSerializer(serializers.Serializer):
    """Documented through `FieldErrorsSchema`: one list of messages per field."""


class FieldErrorsSchema(OpenApiSerializerExtension):
    target_class = FieldErrorsSerializer

    def get_name(self, auto_schema, direction):
        return "FieldErrors"

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": (
                "Validation errors: one list of messages per field of the request body "
                "(nested lists carry one object per item); errors that concern no single field "
                "are under `non_field_errors`."
            ),
            # A list of messages, or for a nested object or list the same shape per key/index.
            "additionalProperties": {"anyOf": [{"type": "array", "items": {}}, {"type": "object"}]},
            "example": {
                "end_date": ["The end date must be on or after the start date."],
                "non_field_errors": ["…"],
            },
        }


_ERRORS = {
    400: (FieldErrorsSerializer, "The request body or query is invalid; nothing was written."),
    401: (ErrorDetailSerializer, "No valid session or API token (expired, revoked, malformed)."),
    403: (ErrorDetailSerializer, "You take part, but your role does not allow this."),
    404: (ErrorDetailSerializer, "Not found, or outside your partnerships."),
    413: (ErrorDetailSerializer, "The request body is larger than the server accepts."),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses={200: X, **error_responses(400, 401, 403, 404)})`."""
    return {
        code: OpenApiResponse(response=_ERRORS[code][0], description=_ERRORS[code][1])
        for code in codes
    }


def _answer(component: str, description: str) -> dict:
    schema = {"$ref": f"#/components/schemas/{component}"}
    return {"content": {"application/json": {"schema": schema}}, "description": description}


def document_shared_answers(result, generator, request, public):
    """A drf-spectacular postprocessing hook: the answers the shared machinery gives every
    operation, documented on each (a view's own description of them wins). Query parameters
    and bodies are checked (400), pages past the last do not exist (404), and a body may be too
    large (413)."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            parameters = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            has_body = "requestBody" in operation
            if parameters or has_body:
                responses.setdefault("400", _answer("FieldErrors", _ERRORS[400][1]))
            if any(p.get("name") == "page" for p in parameters):
                responses.setdefault("404", _answer("ErrorDetail", _ERRORS[404][1]))
            if has_body:
                responses.setdefault("413", _answer("ErrorDetail", _ERRORS[413][1]))
    return result
