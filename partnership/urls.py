"""The ground floor's pages. Two lists, included from `config.urls`:

- `urlpatterns` (namespace `partnership`): the dashboard, notifications, invitations, and a
  partnership's own pages under /partnerships/<uuid>/;
- `org_urlpatterns` (namespace `orgs`), under /orgs/: organisations, members and invitations.
"""

from django.urls import path

from .views import across_partnerships, contracts, orgs, participants, partnerships, plan

app_name = "partnership"

P = "partnerships/<uuid:partnership_id>/"
ORG = "<slug:slug>/"

urlpatterns = [
    path("", across_partnerships.dashboard, name="dashboard"),
    path("work/", across_partnerships.my_work, name="my_work"),
    path("notifications/", across_partnerships.notification_list, name="notifications"),
    path(
        "notifications/read-all/",
        across_partnerships.notification_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        across_partnerships.notification_read,
        name="notification_read",
    ),
    path(
        "invitations/<str:token>/", across_partnerships.invitation_accept, name="invitation_accept"
    ),
    path("partnerships/", partnerships.PartnershipListView.as_view(), name="list"),
    path("partnerships/new/", partnerships.PartnershipCreateView.as_view(), name="create"),
    path(P, partnerships.PartnershipOverviewView.as_view(), name="overview"),
    path(P + "edit/", partnerships.PartnershipEditView.as_view(), name="edit"),
    path(P + "phase/", partnerships.PhaseSetView.as_view(), name="phase"),
    path(
        P + "checklist/<str:checklist_key>/",
        partnerships.ChecklistToggleView.as_view(),
        name="checklist",
    ),
    path(P + "participants/", participants.ParticipantListView.as_view(), name="participants"),
    path(
        P + "participants/<int:participant_id>/edit/",
        participants.ParticipantEditView.as_view(),
        name="participant_edit",
    ),
    path(
        P + "participants/<int:participant_id>/remove/",
        participants.ParticipantRemoveView.as_view(),
        name="participant_remove",
    ),
    path(
        P + "invitations/<uuid:invitation_id>/resend/",
        participants.PartnershipInvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(P + "contracts/", contracts.ContractListView.as_view(), name="contracts"),
    path(P + "contracts/new/", contracts.ContractFormView.as_view(), name="contract_create"),
    path(
        P + "contracts/<int:contract_id>/",
        contracts.ContractDetailView.as_view(),
        name="contract_detail",
    ),
    path(
        P + "contracts/<int:contract_id>/edit/",
        contracts.ContractFormView.as_view(),
        name="contract_edit",
    ),
    path(
        P + "contracts/<int:contract_id>/delete/",
        contracts.ContractDeleteView.as_view(),
        name="contract_delete",
    ),
    path(P + "communication-plan/", plan.CommunicationPlanView.as_view(), name="plan"),
    path(
        P + "communication-plan/edit/",
        plan.CommunicationPlanEditView.as_view(),
        name="plan_edit",
    ),
    path(
        P + "communication-plan/<str:plan_part>/new/",
        plan.PlanPartFormView.as_view(),
        name="plan_part_create",
    ),
    path(
        P + "communication-plan/<str:plan_part>/<int:item_id>/edit/",
        plan.PlanPartFormView.as_view(),
        name="plan_part_edit",
    ),
    path(
        P + "communication-plan/<str:plan_part>/<int:item_id>/delete/",
        plan.PlanPartDeleteView.as_view(),
        name="plan_part_delete",
    ),
    path(P + "history/", partnerships.HistoryView.as_view(), name="history"),
]

org_urlpatterns = [
    path("", orgs.OrganizationListView.as_view(), name="list"),
    path("new/", orgs.OrganizationCreateView.as_view(), name="create"),
    path(ORG, orgs.OrganizationDetailView.as_view(), name="detail"),
    path(ORG + "members/", orgs.MemberListView.as_view(), name="members"),
    path(
        ORG + "members/<int:membership_id>/role/",
        orgs.MembershipRoleView.as_view(),
        name="member_role",
    ),
    path(
        ORG + "members/<int:membership_id>/remove/",
        orgs.MembershipRemoveView.as_view(),
        name="member_remove",
    ),
    path(ORG + "invitations/", orgs.InvitationListView.as_view(), name="invitations"),
    path(
        ORG + "invitations/<uuid:invitation_id>/revoke/",
        orgs.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        ORG + "invitations/<uuid:invitation_id>/resend/",
        orgs.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(ORG + "settings/", orgs.OrganizationSettingsView.as_view(), name="settings"),
]
