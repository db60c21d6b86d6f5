"""The ground floor's pages. Two lists, included from `config.urls`:

- `urlpatterns` (namespace `partnership`): the dashboard, notifications, invitations, and a
  partnership's own pages under /partnerships/<uuid>/;
- `org_urlpatterns` (namespace `orgs`), under /orgs/: organisations, members and invitations.
"""

from django.urls import path

from . import views, views_orgs, views_plan

app_name = "partnership"

P = "partnerships/<uuid:partnership_id>/"
ORG = "<slug:slug>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("partnerships/", views.PartnershipListView.as_view(), name="list"),
    path("partnerships/new/", views.PartnershipCreateView.as_view(), name="create"),
    path(P, views.PartnershipOverviewView.as_view(), name="overview"),
    path(P + "edit/", views.PartnershipEditView.as_view(), name="edit"),
    path(P + "phase/", views.PhaseSetView.as_view(), name="phase"),
    path(
        P + "checklist/<str:checklist_key>/", views.ChecklistToggleView.as_view(), name="checklist"
    ),
    path(P + "participants/", views.ParticipantListView.as_view(), name="participants"),
    path(
        P + "participants/<int:participant_id>/edit/",
        views.ParticipantEditView.as_view(),
        name="participant_edit",
    ),
    path(
        P + "participants/<int:participant_id>/remove/",
        views.ParticipantRemoveView.as_view(),
        name="participant_remove",
    ),
    path(
        P + "invitations/<uuid:invitation_id>/resend/",
        views.PartnershipInvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(P + "contracts/", views.ContractListView.as_view(), name="contracts"),
    path(P + "contracts/new/", views.ContractFormView.as_view(), name="contract_create"),
    path(
        P + "contracts/<int:contract_id>/",
        views.ContractDetailView.as_view(),
        name="contract_detail",
    ),
    path(
        P + "contracts/<int:contract_id>/edit/",
        views.ContractFormView.as_view(),
        name="contract_edit",
    ),
    path(
        P + "contracts/<int:contract_id>/delete/",
        views.ContractDeleteView.as_view(),
        name="contract_delete",
    ),
    path(P + "communication-plan/", views_plan.CommunicationPlanView.as_view(), name="plan"),
    path(
        P + "communication-plan/edit/",
        views_plan.CommunicationPlanEditView.as_view(),
        name="plan_edit",
    ),
    path(
        P + "communication-plan/<str:plan_part>/new/",
        views_plan.PlanPartFormView.as_view(),
        name="plan_part_create",
    ),
    path(
        P + "communication-plan/<str:plan_part>/<int:item_id>/edit/",
        views_plan.PlanPartFormView.as_view(),
        name="plan_part_edit",
    ),
    path(
        P + "communication-plan/<str:plan_part>/<int:item_id>/delete/",
        views_plan.PlanPartDeleteView.as_view(),
        name="plan_part_delete",
    ),
    path(P + "history/", views.HistoryView.as_view(), name="history"),
]

org_urlpatterns = [
    path("", views_orgs.OrganizationListView.as_view(), name="list"),
    path("new/", views_orgs.OrganizationCreateView.as_view(), name="create"),
    path(ORG, views_orgs.OrganizationDetailView.as_view(), name="detail"),
    path(ORG + "members/", views_orgs.MemberListView.as_view(), name="members"),
    path(
        ORG + "members/<int:membership_id>/role/",
        views_orgs.MembershipRoleView.as_view(),
        name="member_role",
    ),
    path(
        ORG + "members/<int:membership_id>/remove/",
        views_orgs.MembershipRemoveView.as_view(),
        name="member_remove",
    ),
    path(ORG + "invitations/", views_orgs.InvitationListView.as_view(), name="invitations"),
    path(
        ORG + "invitations/<uuid:invitation_id>/revoke/",
        views_orgs.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        ORG + "invitations/<uuid:invitation_id>/resend/",
        views_orgs.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(ORG + "settings/", views_orgs.OrganizationSettingsView.as_view(), name="settings"),
]
