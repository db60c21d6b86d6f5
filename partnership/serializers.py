"""API serializers of the tenancy core. They validate shapes; the services decide and write.

Nothing here reads the partnership or the actor from a body: the views pass them in. A foreign id
that does arrive in a body (a user for a participant) is resolved inside the partnership's
organisations, or rejected.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import (
    CommunicationPlan,
    Contact,
    Contract,
    EscalationStep,
    MeetingCadence,
    Organization,
    Participant,
    Partnership,
    Phase,
    Service,
)
from .services import CONTRACT_FIELDS

User = get_user_model()


# --- Partnerships ----------------------------------------------------------------------------


class OrganizationSummarySerializer(serializers.ModelSerializer):
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


class PartnershipSerializer(serializers.ModelSerializer):
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


class PartnershipCreateSerializer(serializers.Serializer):
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


class PartnershipUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    services = _services_field(allow_empty=False)
    phase = serializers.ChoiceField(choices=Phase.choices, required=False)
    core_values = serializers.CharField(required=False, allow_blank=True)
    culture = serializers.CharField(required=False, allow_blank=True)
    future_vision = serializers.CharField(required=False, allow_blank=True)


# --- Participants ----------------------------------------------------------------------------


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]
        read_only_fields = fields


class ParticipantSerializer(serializers.ModelSerializer):
    """Read a participant, or add one: `user_id` (a member of the client or supplier
    organisation) or `email` (anyone on Tandem, e.g. a facilitator), plus side and title."""

    user = UserSummarySerializer(read_only=True)
    user_id = serializers.IntegerField(
        write_only=True,
        required=False,
        help_text=_("Id of a member of the partnership's client or supplier organisation."),
    )
    email = serializers.EmailField(
        write_only=True,
        required=False,
        help_text=_("E-mail address of a person on Tandem; use it for facilitators."),
    )

    class Meta:
        model = Participant
        fields = ["id", "user", "user_id", "email", "side", "title", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs):
        user_id, email = attrs.pop("user_id", None), attrs.pop("email", None)
        if (user_id is None) == (not email):
            raise serializers.ValidationError(_("Give either user_id or email."))
        if user_id is not None:
            attrs["user"] = self._member_of_partnership(user_id)
        else:
            attrs["user"] = User.objects.filter(email__iexact=email).first()
            if attrs["user"] is None:
                raise serializers.ValidationError(
                    {
                        "email": _(
                            "Nobody with this address is on Tandem yet. "
                            "An admin of their organisation can invite them first."
                        )
                    }
                )
        return attrs

    def _member_of_partnership(self, user_id):
        partnership = self.context["partnership"]
        user = User.objects.filter(
            pk=user_id,
            memberships__organization_id__in=[partnership.client_id, partnership.supplier_id],
        ).first()
        if user is None:
            raise serializers.ValidationError(
                {"user_id": _("No member of this partnership's organisations has this id.")}
            )
        return user


class ParticipantUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["title"]


# --- Contracts -------------------------------------------------------------------------------


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", *CONTRACT_FIELDS, "created_at"]
        read_only_fields = ["id", "created_at"]


# --- Communication plan ----------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "side", "name", "role", "phone", "email", "availability", "order"]
        read_only_fields = ["id"]


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingCadence
        fields = ["id", "level", "frequency", "participants", "purpose"]
        read_only_fields = ["id"]


class EscalationStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationStep
        fields = ["id", "level", "client_contact", "supplier_contact", "when"]
        read_only_fields = ["id"]


class CommunicationPlanSerializer(serializers.ModelSerializer):
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
