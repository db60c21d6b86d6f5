from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    CommunicationPlan,
    Contact,
    Contract,
    EscalationStep,
    Invitation,
    MeetingCadence,
    Membership,
    Notification,
    Organization,
    Participant,
    Partnership,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "require_mfa", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "partnership", "role", "created_at", "expires_at"]
    exclude = ["token_hash"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return Participant.including_former.all()  # operators see former participants too


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["title", "client", "supplier", "phase"]
    list_filter = ["phase"]
    search_fields = ["title", "client__name", "supplier__name"]
    inlines = [ParticipantInline]


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "partnership", "start_date", "end_date"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class MeetingInline(admin.TabularInline):
    model = MeetingCadence
    extra = 0


class EscalationInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(CommunicationPlan)
class CommunicationPlanAdmin(SimpleHistoryAdmin):
    list_display = ["partnership", "emergency_number"]
    inlines = [ContactInline, MeetingInline, EscalationInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["display_title", "user", "kind", "created_at", "read_at"]


from . import admin_outbox  # noqa: E402, F401 (the mail outbox's admin)
