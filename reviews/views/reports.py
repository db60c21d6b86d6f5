"""The round's report as a page and as a PDF, for everyone who reads the partnership.

Published: from the frozen snapshot, with the stored PDF (and its hash). Closed or discussed: a
live preview, compiled on each request. Scheduled or open: no report yet (STI results are sealed).
"""

from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.generic import DetailView

from partnership.scoping import PartnershipScopedMixin
from partnership.uploads import download_response

from .. import report, report_render
from ..models import ReviewRound, RoundState

PREVIEW_STATES = (RoundState.CLOSED, RoundState.DISCUSSED)


def reader_language(request=None, user=None) -> str:
    """The reader's language among the report's languages (the active one for a page)."""
    from django.conf import settings

    codes = [code for code, _name in settings.LANGUAGES]
    asked = (request.GET.get("lang") if request is not None else None) or ""
    if asked in codes:
        return asked
    language = getattr(user, "language", None) if user is not None else None
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


def pdf_filename(review_round: ReviewRound, language: str, *, preview: bool = False) -> str:
    """Named for what it is among a reader's downloads: schoonmaak-sint-lucas-2026-q3-nl.pdf."""
    parts = [review_round.partnership.title, review_round.label, "preview" if preview else ""]
    return "-".join(slugify(part) for part in [*parts, language] if slugify(part)) + ".pdf"


def report_pdf_response(review_round: ReviewRound, language: str):
    """The round's PDF: the frozen file once published, a preview while closed or discussed."""
    if review_round.state == RoundState.PUBLISHED:
        stored = report_render.report_file(review_round=review_round, language=language)
        if stored is None:  # the worker has not got to it yet: render and store it now
            stored = report_render.store_report_files(
                review_round=review_round, languages=[language]
            )[0]
        return download_response(
            stored.file,
            filename=pdf_filename(review_round, language),
            content_type="application/pdf",
            sha256=stored.sha256,  # checked on every read: a changed file is refused
        )
    if review_round.state in PREVIEW_STATES:
        snapshot = report.compile_report(review_round=review_round)
        pdf = report_render.render_pdf(snapshot, language, preview=True)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            False, pdf_filename(review_round, language, preview=True)
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response
    raise Http404


class _RoundReportMixin(PartnershipScopedMixin):
    pk_url_kwarg = "round_id"

    def scoped_queryset(self, partnership):
        return ReviewRound.objects.filter(partnership=partnership).select_related(
            "partnership__client", "partnership__supplier", "survey", "session"
        )


class ReportView(_RoundReportMixin, DetailView):
    template_name = "reviews/report.html"
    context_object_name = "review_round"

    def get_context_data(self, **kwargs):
        review_round = self.object
        language = reader_language(user=None)
        body, stored, preview = None, None, False
        if review_round.state == RoundState.PUBLISHED:
            body = report_render.render_html(review_round.report_snapshot, language)
            stored = report_render.report_file(review_round=review_round, language=language)
        elif review_round.state in PREVIEW_STATES:
            snapshot = report.compile_report(review_round=review_round)
            body, preview = report_render.render_html(snapshot, language), True
        return super().get_context_data(
            # Rendered by our own template from escaped data.
            report_body=mark_safe(body) if body is not None else None,  # noqa: S308
            stored=stored,
            preview=preview,
            language=language,
            **kwargs,
        )


class ReportPDFView(_RoundReportMixin, DetailView):
    def get(self, request, *args, **kwargs):
        review_round = self.get_object()
        return report_pdf_response(review_round, reader_language(request))
