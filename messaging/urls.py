from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("threads/<int:thread_id>/", views.InboxView.as_view(), name="thread"),
    path("documents/", views.InboxView.as_view(), name="documents"),
    path("documents/<int:document_id>/", views.InboxView.as_view(), name="document"),
]
