"""The hub's pages. Two lists, included from `config.urls`:

- `urlpatterns` (namespace `messaging`), inside a partnership under /partnerships/<uuid>/hub/:
  the inbox, threads, attachments and the documents library;
- `global_urlpatterns` (namespace `hub`), across partnerships under /hub/: one inbox, search,
  "mark all read" and preferences.
"""

from django.urls import path

from .views import across_partnerships, documents, threads

app_name = "messaging"

T = "threads/<int:thread_id>/"
D = "documents/<int:document_id>/"

urlpatterns = [
    path("", threads.InboxView.as_view(), name="inbox"),
    path("mark-read/", threads.MarkAllReadView.as_view(), name="mark_all_read"),
    path("new/", threads.ThreadCreateView.as_view(), name="thread_new"),
    path("preview/", threads.PreviewView.as_view(), name="preview"),
    path(T, threads.ThreadView.as_view(), name="thread"),
    path(T + "reply/", threads.ThreadReplyView.as_view(), name="thread_reply"),
    path(T + "update/", threads.ThreadUpdateView.as_view(), name="thread_update"),
    path(T + "documents/", threads.ThreadDocumentsView.as_view(), name="thread_documents"),
    path(
        T + "messages/<int:message_id>/edit/",
        threads.MessageEditView.as_view(),
        name="message_edit",
    ),
    path("attachments/<int:attachment_id>/", threads.AttachmentView.as_view(), name="attachment"),
    path("documents/", documents.DocumentListView.as_view(), name="documents"),
    path("documents/new/", documents.DocumentCreateView.as_view(), name="document_new"),
    path(D, documents.DocumentView.as_view(), name="document"),
    path(
        D + "versions/",
        documents.DocumentVersionCreateView.as_view(),
        name="document_version_new",
    ),
    path(D + "archive/", documents.DocumentArchiveView.as_view(), name="document_archive"),
    path(
        D + "versions/<int:version_id>/download/",
        documents.VersionDownloadView.as_view(),
        name="version_download",
    ),
]

global_urlpatterns = [
    path("", across_partnerships.GlobalInboxView.as_view(), name="inbox"),
    path("search/", across_partnerships.SearchView.as_view(), name="search"),
    path("mark-read/", across_partnerships.MarkAllReadView.as_view(), name="mark_all_read"),
    path("preferences/", across_partnerships.PreferencesView.as_view(), name="preferences"),
]
