from django.urls import path

from . import views_orgs as v

app_name = "orgs"

ORG = "<slug:slug>/"

urlpatterns = [
    path("", v.OrganizationListView.as_view(), name="list"),
    path("new/", v.OrganizationCreateView.as_view(), name="create"),
    path(ORG, v.OrganizationDetailView.as_view(), name="detail"),
    path(ORG + "members/", v.MemberListView.as_view(), name="members"),
    path(
        ORG + "members/<int:membership_id>/role/",
        v.MembershipRoleView.as_view(),
        name="member_role",
    ),
    path(
        ORG + "members/<int:membership_id>/remove/",
        v.MembershipRemoveView.as_view(),
        name="member_remove",
    ),
    path(ORG + "invitations/", v.InvitationListView.as_view(), name="invitations"),
    path(
        ORG + "invitations/<uuid:invitation_id>/revoke/",
        v.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        ORG + "invitations/<uuid:invitation_id>/resend/",
        v.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path(ORG + "settings/", v.OrganizationSettingsView.as_view(), name="settings"),
]
