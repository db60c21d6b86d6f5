from django.urls import path

from . import views_actions as views

urlpatterns = [
    path("actions/", views.ActionListView.as_view(), name="actions"),
]
