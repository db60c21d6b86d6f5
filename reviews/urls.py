"""The review pages. Two lists, included from `config.urls`:

- `urlpatterns` (namespace `reviews`), inside a partnership: /partnerships/<uuid>/rounds/… and
  …/actions/…: the rounds, the session and its agenda, the report, actions;
- `global_urlpatterns` (namespace `reviews_global`), across partnerships: /actions/ and
  /facilitation/.
"""

from django.urls import path

from .views import across_partnerships, actions, reports, rounds, session_mode, sessions

app_name = "reviews"

ROUND = "rounds/<int:round_id>/"
ITEM = ROUND + "agenda/<int:agenda_item_id>/"

urlpatterns = [
    # Rounds
    path("rounds/", rounds.RoundListView.as_view(), name="rounds"),
    path("rounds/settings/", rounds.RoundSettingsView.as_view(), name="round_settings"),
    path(ROUND, rounds.RoundDetailView.as_view(), name="round"),
    *[
        path(
            f"{ROUND}{transition}/",
            rounds.RoundTransitionView.as_view(transition=transition),
            name=f"round_{transition}",
        )
        for transition in ("open", "close", "finish", "publish", "reopen")
    ],
    # The session and its agenda
    path(ROUND + "session/plan/", sessions.SessionPlanView.as_view(), name="session_plan"),
    path(ROUND + "session/invite.ics", sessions.SessionIcsView.as_view(), name="session_ics"),
    path(ROUND + "session/", session_mode.SessionModeView.as_view(), name="session_mode"),
    path(
        ROUND + "session/<int:agenda_item_id>/",
        session_mode.SessionItemView.as_view(),
        name="session_item",
    ),
    path(ROUND + "agenda/", sessions.AgendaView.as_view(), name="agenda"),
    path(ITEM, sessions.AgendaItemView.as_view(), name="agenda_item"),
    path(ITEM + "move/", sessions.AgendaItemMoveView.as_view(), name="agenda_item_move"),
    path(ITEM + "delete/", sessions.AgendaItemDeleteView.as_view(), name="agenda_item_delete"),
    path(
        ROUND + "decisions/<int:decision_id>/delete/",
        session_mode.DecisionDeleteView.as_view(),
        name="decision_delete",
    ),
    # The report
    path(ROUND + "report/", reports.ReportView.as_view(), name="report"),
    path(ROUND + "report.pdf", reports.ReportPDFView.as_view(), name="report_pdf"),
    # Actions
    path("actions/", actions.ActionListView.as_view(), name="actions"),
    path("actions/new/", actions.ActionCreateView.as_view(), name="action_create"),
    path("actions/<int:action_id>/", actions.ActionDetailView.as_view(), name="action"),
]

global_urlpatterns = [
    path("actions/", across_partnerships.MyActionsView.as_view(), name="my_actions"),
    path("facilitation/", across_partnerships.WorkspaceView.as_view(), name="workspace"),
]
