from django.urls import path

from . import views_actions as views

urlpatterns = [
    path("actions/", views.ActionListView.as_view(), name="actions"),
    path("actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path("actions/<int:action_id>/", views.ActionDetailView.as_view(), name="action"),
]
