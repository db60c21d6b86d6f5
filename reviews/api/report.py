"""GET /api/v1/partnerships/<uuid>/rounds/<round_id>/report.pdf: the round's report as a PDF.

Published rounds answer with the frozen PDF; closed and discussed rounds with a preview rendered
on demand; scheduled and open rounds have no report (404). The language is `?lang=nl|en`, else
the user's own.
"""

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics

from partnership.api_base import FileNegotiation, PartnershipScopedAPIMixin
from partnership.api_errors import error_responses

from ..models import ReviewRound
from ..views.reports import reader_language, report_pdf_response


class RoundReportPDFView(PartnershipScopedAPIMixin, generics.GenericAPIView):
    # The round's report as a PDF (see the module docstring).
    queryset = ReviewRound.objects.none()  # only for the schema
    lookup_url_kwarg = "round_id"
    lookup_field = "pk"
    filter_backends = []
    pagination_class = None
    content_negotiation_class = FileNegotiation

    def scoped_queryset(self, partnership):
        return ReviewRound.objects.filter(partnership=partnership).select_related(
            "partnership__client", "partnership__supplier", "survey", "session"
        )

    @extend_schema(
        tags=["review rounds"],
        operation_id="partnerships_rounds_report_pdf",
        summary="The round's report as a PDF",
        description=(
            "Published rounds: the frozen PDF (stored at publication, with its SHA-256). Closed "
            "and discussed rounds: a preview rendered on demand, which changes until the round "
            "is published. Scheduled and open rounds have no report yet (404): the scores are "
            "sealed until the questionnaire closes."
        ),
        parameters=[
            OpenApiParameter(
                "round_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A review round."
            ),
            OpenApiParameter(
                "lang",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=["nl", "en"],
                required=False,
                description="The report's language; default: the user's language.",
            ),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The report as a PDF."
            ),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        asked = request.query_params.get("lang")
        if asked is not None and asked not in dict(settings.LANGUAGES):
            raise exceptions.ValidationError({"lang": [_("Choose nl or en.")]})
        review_round = self.get_object()
        try:
            return report_pdf_response(review_round, reader_language(request, request.user))
        except Http404 as exc:
            raise exceptions.NotFound() from exc
