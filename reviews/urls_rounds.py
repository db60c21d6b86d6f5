from django.urls import path

from . import views_rounds as views

urlpatterns = [
    path("rounds/", views.RoundListView.as_view(), name="rounds"),
    path("rounds/settings/", views.RoundSettingsView.as_view(), name="round_settings"),
    path("rounds/<int:round_id>/", views.RoundDetailView.as_view(), name="round"),
    *[
        path(
            f"rounds/<int:round_id>/{transition}/",
            views.RoundTransitionView.as_view(transition=transition),
            name=f"round_{transition}",
        )
        for transition in ("open", "close", "finish", "publish", "reopen")
    ],
]
