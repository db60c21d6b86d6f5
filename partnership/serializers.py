"""API serializers of the tenancy core. They validate shapes; the services decide and write.

Nothing here reads the partnership or the actor from a body: the views pass them in. A foreign id
that does arrive in a body (a user for a participant) is resolved inside the partnership's
organisations, or rejected.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .api_input import StrictModelSerializer, StrictSerializer
from .models import (
    CommunicationPlan,
    Contact,
    Contract,
    EscalationStep,
    Invitation,
    MeetingCadence,
    Organization,
    Participant,
    Partnership,
    Phase,
    Service,
    Side,
)
from .services import CONTRACT_FIELDS

User = get_user_model()


# --- Partnerships ----------------------------------------------------------------------------


class OrganizationSummarySerializer(StrictModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug"]
        read_only_fields = fields


def _services_field(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=Service.choices),
        help_text=_("One or more of the services the supplier delivers."),
        **kwargs,
    )


class PartnershipSerializer(StrictModelSerializer):
    client = OrganizationSummarySerializer(read_only=True)
    supplier = OrganizationSummarySerializer(read_only=True)
    services = _services_field(read_only=True)
    participant_count = serializers.IntegerField(read_only=True)
    contract_end = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("End date of the contract that ends last.")
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "title",
            "client",
            "supplier",
            "services",
            "phase",
            "core_values",
            "culture",
            "future_vision",
            "participant_count",
            "contract_end",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _organization_field(help_text):
    return serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        pk_field=serializers.UUIDField(),
        help_text=help_text,
        error_messages={"does_not_exist": _("No organisation has this id.")},
    )


class PartnershipCreateSerializer(StrictSerializer):
    client = _organization_field(_("Id of the client organisation."))
    supplier = _organization_field(_("Id of the supplier organisation."))
    title = serializers.CharField(max_length=200)
    services = _services_field(allow_empty=False)
    phase = serializers.ChoiceField(choices=Phase.choices, default=Phase.KICKOFF)
    core_values = serializers.CharField(required=False, allow_blank=True, default="")
    culture = serializers.CharField(required=False, allow_blank=True, default="")
    future_vision = serializers.CharField(required=False, allow_blank=True, default="")
    actor_title = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text=_("Your own title in the partnership, e.g. contract manager."),
    )


class PartnershipUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    services = _services_field(allow_empty=False)
    phase = serializers.ChoiceField(choices=Phase.choices, required=False)
    core_values = serializers.CharField(required=False, allow_blank=True)
    culture = serializers.CharField(required=False, allow_blank=True)
    future_vision = serializers.CharField(required=False, allow_blank=True)


# --- Participants ----------------------------------------------------------------------------


class UserSummarySerializer(StrictModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]
        read_only_fields = fields


class ParticipantSerializer(StrictModelSerializer):
    """A participant; `active` is false for a former participant (removed after rating: kept
    for the record, without access)."""

    user = UserSummarySerializer(read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = ["id", "user", "side", "title", "active", "deactivated_at", "created_at"]
        read_only_fields = fields

    def get_active(self, participant) -> bool:
        return not participant.is_former


class ParticipantCreateSerializer(StrictSerializer):
    """Add someone: `user_id` (a member of your own side's organisation, or a facilitator you
    already work with in another partnership) or `email`, plus side and title."""

    user_id = serializers.IntegerField(
        required=False,
        help_text=_(
            "Id of a member of your side's organisation, or of a facilitator you already work with."
        ),
    )
    email = serializers.EmailField(
        required=False,
        help_text=_(
            "A member of your side's organisation by address, or anyone as facilitator: they "
            "are invited and join when they accept."
        ),
    )
    side = serializers.ChoiceField(choices=Side.choices)
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")

    def validate(self, attrs):
        if ("user_id" in attrs) == bool(attrs.get("email")):
            raise serializers.ValidationError(_("Give either user_id or email."))
        return attrs


class ParticipantInvitationSerializer(StrictModelSerializer):
    """The pending invitation that answers adding a facilitator by e-mail: the same for every
    address, whether or not it has an account."""

    title = serializers.CharField(source="participant_title", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "side", "title", "status", "sent_at", "expires_at"]
        read_only_fields = fields


class ParticipantUpdateSerializer(StrictModelSerializer):
    class Meta:
        model = Participant
        fields = ["title"]


# --- Contracts -------------------------------------------------------------------------------


class ContractSerializer(StrictModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", *CONTRACT_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]


# --- Communication plan ----------------------------------------------------------------------


class ContactSerializer(StrictModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "side", "name", "role", "phone", "email", "availability", "order"]
        read_only_fields = ["id"]


class MeetingSerializer(StrictModelSerializer):
    class Meta:
        model = MeetingCadence
        fields = ["id", "level", "frequency", "participants", "purpose"]
        read_only_fields = ["id"]


class EscalationStepSerializer(StrictModelSerializer):
    class Meta:
        model = EscalationStep
        fields = ["id", "level", "client_contact", "supplier_contact", "when"]
        read_only_fields = ["id"]


class CommunicationPlanSerializer(StrictModelSerializer):
    """Fields left out stay as they are; a list that is sent replaces the stored list."""

    contacts = ContactSerializer(many=True, required=False)
    meetings = MeetingSerializer(many=True, required=False)
    escalation_steps = EscalationStepSerializer(many=True, required=False)

    class Meta:
        model = CommunicationPlan
        fields = [
            "emergency_number",
            "emergency_instructions",
            "channels",
            "contacts",
            "meetings",
            "escalation_steps",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate_escalation_steps(self, steps):
        levels = [step["level"] for step in steps]
        if len(levels) != len(set(levels)):
            raise serializers.ValidationError(_("Each escalation step needs its own number."))
        return steps
