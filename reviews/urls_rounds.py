from django.urls import path

from . import views_rounds as views

urlpatterns = [
    path("rounds/", views.RoundListView.as_view(), name="rounds"),
    path("rounds/<int:round_id>/", views.RoundDetailView.as_view(), name="round"),
]
