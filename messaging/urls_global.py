"""The hub across partnerships, under /hub/ (namespace "hub")."""

from django.urls import path

from . import views_global

urlpatterns = [
    path("", views_global.GlobalInboxView.as_view(), name="inbox"),
    path("search/", views_global.SearchView.as_view(), name="search"),
    path("mark-read/", views_global.MarkAllReadView.as_view(), name="mark_all_read"),
    path("preferences/", views_global.PreferencesView.as_view(), name="preferences"),
]
