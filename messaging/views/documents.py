"""The documents library of a partnership: the list, a new document, a document with all its
versions, a new version, archiving, and version downloads (through the access rule only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from partnership.uploads import download_response
from partnership.views import apply_errors

from .. import selectors, services
from ..forms import DocumentForm, VersionForm
from ..models import DocumentCategory, DocumentVersion
from .threads import PAGE_SIZE, HubMixin


class DocumentListView(HubMixin, TemplateView):
    template_name = "messaging/documents.html"

    def get_context_data(self, **kwargs):
        g = self.request.GET
        category = g.get("category", "")
        category = category if category in DocumentCategory.values else ""
        q = g.get("q", "").strip()[:100]
        archived = g.get("archived") == "1"
        documents = selectors.documents(
            partnership=self.partnership, category=category, q=q, archived=archived
        )
        page = Paginator(documents, PAGE_SIZE).get_page(g.get("page"))
        return super().get_context_data(
            page_obj=page,
            documents=page.object_list,
            categories=DocumentCategory.choices,
            filters={"category": category, "q": q, "archived": archived},
            filtered=bool(category or q),
            **kwargs,
        )


class DocumentCreateView(HubMixin, FormView):
    template_name = "messaging/document_form.html"
    form_class = DocumentForm

    def get_initial(self):
        category = self.request.GET.get("category", "")
        return {"category": category if category in DocumentCategory.values else "other"}

    def form_valid(self, form):
        try:
            document = services.document_create(
                actor=self.request.user, partnership=self.partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Document added."))
        return redirect(selectors.document_url(document))


class DocumentScopedMixin(HubMixin):
    """Views under documents/<document_id>/: `self.document` is resolved with the partnership."""

    pk_url_kwarg = "document_id"

    def scoped_queryset(self, partnership):
        return selectors.documents(partnership=partnership, archived=None)

    def resolve_partnership(self, request) -> None:
        super().resolve_partnership(request)
        self.document = self.get_object()
        self.document.partnership = self.partnership


class DocumentView(DocumentScopedMixin, TemplateView):
    """Every version (newest first), the threads that link it, a form for a new version."""

    template_name = "messaging/document.html"

    def get_context_data(self, **kwargs):
        document, user = self.document, self.request.user
        can_upload = self.can_participate and document.archived_at is None
        if can_upload:
            kwargs.setdefault("version_form", VersionForm())
        return super().get_context_data(
            document=document,
            versions=list(selectors.document_versions(document=document)),
            linking_threads=list(selectors.threads_linking(access=self.access, document=document)),
            can_upload=can_upload,
            can_archive=self.can_participate
            and (self.access.is_manager or document.created_by_id == user.pk),
            **kwargs,
        )


class DocumentVersionCreateView(DocumentView):
    http_method_names = ["post"]

    def post(self, request, partnership_id, document_id):
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.document_version_add(
                    actor=request.user, document=self.document, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Version %(n)s uploaded.") % {"n": version.number})
                return redirect(selectors.document_url(self.document))
        # The form sits below the version list: say at the top that nothing was uploaded.
        messages.error(request, _("The new version was not uploaded; see the form below."))
        return self.render_to_response(self.get_context_data(version_form=form))


class DocumentArchiveView(DocumentScopedMixin, View):
    """Archive (or bring back) a document; its versions stay downloadable."""

    http_method_names = ["post"]

    def post(self, request, partnership_id, document_id):
        archived = request.POST.get("archived", "1") == "1"
        try:
            services.document_archive(actor=request.user, document=self.document, archived=archived)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Document archived.") if archived else _("Document back in use.")
            )
        return redirect(selectors.document_url(self.document))


class VersionDownloadView(HubMixin, View):
    http_method_names = ["get"]
    pk_url_kwarg = "version_id"

    def scoped_queryset(self, partnership):
        return DocumentVersion.objects.filter(
            document__partnership=partnership, document_id=self.kwargs["document_id"]
        )

    def get(self, request, partnership_id, document_id, version_id):
        version = self.get_object()
        return download_response(
            version.file,
            filename=version.download_name,
            content_type=version.content_type,
        )
