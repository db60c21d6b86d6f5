"""The session of a round: planning, the invitation, the agenda and session mode."""

from django.urls import path

from . import views_sessions as views

ROUND = "rounds/<int:round_id>/"
ITEM = ROUND + "agenda/<int:agenda_item_id>/"

urlpatterns = [
    path(ROUND + "session/plan/", views.SessionPlanView.as_view(), name="session_plan"),
    path(ROUND + "session/invite.ics", views.SessionIcsView.as_view(), name="session_ics"),
    path(ROUND + "session/", views.SessionModeView.as_view(), name="session_mode"),
    path(
        ROUND + "session/<int:agenda_item_id>/",
        views.SessionItemView.as_view(),
        name="session_item",
    ),
    path(ROUND + "agenda/", views.AgendaView.as_view(), name="agenda"),
    path(ITEM, views.AgendaItemView.as_view(), name="agenda_item"),
    path(ITEM + "move/", views.AgendaItemMoveView.as_view(), name="agenda_item_move"),
    path(ITEM + "delete/", views.AgendaItemDeleteView.as_view(), name="agenda_item_delete"),
    path(
        ROUND + "decisions/<int:decision_id>/delete/",
        views.DecisionDeleteView.as_view(),
        name="decision_delete",
    ),
]
