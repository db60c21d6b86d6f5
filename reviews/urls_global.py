"""Review pages across partnerships (namespace `reviews_global`): /actions/ and /facilitation/."""

from django.urls import path

from . import views_global as views

urlpatterns = [
    path("actions/", views.MyActionsView.as_view(), name="my_actions"),
    path("facilitation/", views.WorkspaceView.as_view(), name="workspace"),
]
