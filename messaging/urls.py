from django.urls import path

from . import views, views_documents

app_name = "messaging"

T = "threads/<int:thread_id>/"
D = "documents/<int:document_id>/"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("mark-read/", views.MarkAllReadView.as_view(), name="mark_all_read"),
    path("new/", views.ThreadCreateView.as_view(), name="thread_new"),
    path("preview/", views.PreviewView.as_view(), name="preview"),
    path(T, views.ThreadView.as_view(), name="thread"),
    path(T + "reply/", views.ThreadReplyView.as_view(), name="thread_reply"),
    path(T + "update/", views.ThreadUpdateView.as_view(), name="thread_update"),
    path(T + "documents/", views.ThreadDocumentsView.as_view(), name="thread_documents"),
    path(
        T + "messages/<int:message_id>/edit/",
        views.MessageEditView.as_view(),
        name="message_edit",
    ),
    path("attachments/<int:attachment_id>/", views.AttachmentView.as_view(), name="attachment"),
    path("documents/", views_documents.DocumentListView.as_view(), name="documents"),
    path("documents/new/", views_documents.DocumentCreateView.as_view(), name="document_new"),
    path(D, views_documents.DocumentView.as_view(), name="document"),
    path(
        D + "versions/",
        views_documents.DocumentVersionCreateView.as_view(),
        name="document_version_new",
    ),
    path(D + "archive/", views_documents.DocumentArchiveView.as_view(), name="document_archive"),
    path(
        D + "versions/<int:version_id>/download/",
        views_documents.VersionDownloadView.as_view(),
        name="version_download",
    ),
]
