"""Every state change of the tenancy core. Keyword-only, one transaction each, validation inside."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .access import Action, access_for
from .models import (
    MANAGING_ROLES,
    CommunicationPlan,
    Contract,
    Membership,
    Organization,
    Participant,
    Partnership,
    Phase,
    Role,
    Service,
    Side,
)
from .notifications import notify
from .services_orgs import invitation_send, unique_org_slug

User = get_user_model()


# --- Partnerships ----------------------------------------------------------------------------


def _clean_services(services) -> list[str]:
    services = list(dict.fromkeys(services or []))
    unknown = [s for s in services if s not in Service.values]
    if unknown:
        raise ValidationError({"services": _("Unknown service: %(s)s") % {"s": ", ".join(unknown)}})
    if not services:
        raise ValidationError({"services": _("Choose at least one service.")})
    return services


def _actor_side(actor, client: Organization, supplier: Organization) -> str:
    roles = dict(
        Membership.objects.filter(
            user=actor, organization__in=[client, supplier], role__in=MANAGING_ROLES
        ).values_list("organization_id", "role")
    )
    if client.pk in roles:
        return Side.CLIENT
    if supplier.pk in roles:
        return Side.SUPPLIER
    raise PermissionDenied(
        _("Only an admin or manager of one of the two organisations can do this.")
    )


@transaction.atomic
def partnership_create(
    *,
    actor,
    client: Organization | None = None,
    supplier: Organization | None = None,
    title: str,
    services: list[str],
    phase: str = Phase.KICKOFF,
    core_values: str = "",
    culture: str = "",
    future_vision: str = "",
    actor_title: str = "",
    new_org_name: str = "",
    new_org_email: str = "",
) -> Partnership:
    """Create a partnership. When the other party is not on Tandem yet, pass `new_org_name` and
    `new_org_email` in place of its organisation: it is created and its contact invited as admin.
    """
    services = _clean_services(services)
    if not title.strip():
        raise ValidationError({"title": _("Enter a title.")})
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Choose a valid phase.")})
    invite_other = None
    if client is None or supplier is None:
        if not (new_org_name.strip() and new_org_email.strip()):
            raise ValidationError(
                {"new_org_name": _("Choose the other organisation or enter its name and e-mail.")}
            )
        other = Organization.objects.create(
            name=new_org_name.strip(), slug=unique_org_slug(new_org_name)
        )
        invite_other = other
        client, supplier = (other, supplier) if client is None else (client, other)
    if client.pk == supplier.pk:
        raise ValidationError(
            {"supplier": _("Client and supplier must be different organisations.")}
        )
    side = _actor_side(actor, client, supplier)
    partnership = Partnership.objects.create(
        client=client,
        supplier=supplier,
        title=title.strip(),
        services=services,
        phase=phase,
        core_values=core_values,
        culture=culture,
        future_vision=future_vision,
        created_by=actor,
    )
    CommunicationPlan.objects.create(partnership=partnership)
    Participant.objects.create(partnership=partnership, user=actor, side=side, title=actor_title)
    if invite_other is not None:
        invitation_send(
            actor=actor,
            organization=invite_other,
            email=new_org_email,
            role=Role.ADMIN,
            partnership=partnership,
            check_admin=False,
        )
    return partnership


def _require(actor, partnership: Partnership, action: str):
    access = access_for(actor, partnership)
    if access.side is None or not access.can(action):
        raise PermissionDenied
    return access


@transaction.atomic
def partnership_update(*, actor, partnership: Partnership, **fields) -> Partnership:
    _require(actor, partnership, Action.MANAGE)
    allowed = {"title", "services", "phase", "core_values", "culture", "future_vision"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "services" in fields:
        fields["services"] = _clean_services(fields["services"])
    if "title" in fields and not str(fields["title"]).strip():
        raise ValidationError({"title": _("Enter a title.")})
    if "phase" in fields and fields["phase"] not in Phase.values:
        raise ValidationError({"phase": _("Choose a valid phase.")})
    for name, value in fields.items():
        setattr(partnership, name, value)
    partnership.save()
    return partnership


@transaction.atomic
def partnership_set_phase(*, actor, partnership: Partnership, phase: str) -> Partnership:
    # Reopening an ended partnership goes through here, so check the role without the archive rule.
    access = access_for(actor, partnership)
    if not access.is_manager:
        raise PermissionDenied
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Choose a valid phase.")})
    if phase == partnership.phase:
        return partnership
    old = Phase(partnership.phase).label  # lazy: rendered in each recipient's language
    partnership.phase = phase
    partnership.save(update_fields=["phase", "updated_at"])
    notify(
        users=[p.user for p in partnership.participants.select_related("user") if p.user != actor],
        kind="partnership.phase",
        partnership=partnership,
        title=_("%(title)s moved from %(old)s to %(new)s"),
        params={"title": partnership.title, "old": old, "new": Phase(phase).label},
        url=partnership.get_absolute_url(),
    )
    return partnership


@transaction.atomic
def checklist_item_toggle(*, actor, partnership: Partnership, key: str, done: bool) -> Partnership:
    from .phases import manual_keys

    _require(actor, partnership, Action.MANAGE)
    if key not in manual_keys():
        raise ValidationError(_("This checklist item is ticked automatically."))
    locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
    items = set(locked.checklist_done)
    items = items | {key} if done else items - {key}
    locked.checklist_done = sorted(items)
    locked.save(update_fields=["checklist_done", "updated_at"])
    return locked


# --- Participants ----------------------------------------------------------------------------


def _check_participant_side(partnership: Partnership, user, side: str) -> None:
    if side not in Side.values:
        raise ValidationError({"side": _("Choose a valid side.")})
    if side == Side.FACILITATOR:
        return  # facilitators come from their own organisation
    org = partnership.organization_for_side(side)
    if not Membership.objects.filter(user=user, organization=org).exists():
        raise ValidationError(
            {"user": _("This person is not a member of %(org)s.") % {"org": org.name}}
        )


@transaction.atomic
def participant_add(*, actor, partnership: Partnership, user, side: str, title: str = ""):
    _require(actor, partnership, Action.MANAGE)
    _check_participant_side(partnership, user, side)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                partnership=partnership, user=user, side=side, title=title
            )
    except IntegrityError as exc:
        raise ValidationError({"user": _("This person already takes part.")}) from exc
    notify(
        users=[user],
        kind="partnership.participant_added",
        partnership=partnership,
        title=_("You were added to %(title)s"),
        params={"title": partnership.title},
        url=partnership.get_absolute_url(),
    )
    return participant


@transaction.atomic
def participant_update(*, actor, participant: Participant, title: str) -> Participant:
    _require(actor, participant.partnership, Action.MANAGE)
    participant.title = title
    participant.save(update_fields=["title"])
    return participant


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> None:
    _require(actor, participant.partnership, Action.MANAGE)
    participant.delete()


# --- Contracts -------------------------------------------------------------------------------

CONTRACT_FIELDS = (
    "reference",
    "title",
    "start_date",
    "end_date",
    "value",
    "scope_of_services",
    "quality_agreements",
    "speed_agreements",
    "delivery_agreements",
    "pilot_evaluation_date",
)


def _validate_contract(contract: Contract) -> None:
    errors = {}
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        errors["end_date"] = _("The end date must be on or after the start date.")
    if contract.value is not None and Decimal(contract.value) < 0:
        errors["value"] = _("The value cannot be negative.")
    if (
        contract.pilot_evaluation_date
        and contract.start_date
        and isinstance(contract.pilot_evaluation_date, date)
        and contract.pilot_evaluation_date < contract.start_date
    ):
        errors["pilot_evaluation_date"] = _("The pilot evaluation cannot be before the start.")
    clash = Contract.objects.filter(
        partnership=contract.partnership, reference=contract.reference
    ).exclude(pk=contract.pk)
    if clash.exists():
        errors["reference"] = _("This partnership already has a contract with this reference.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_create(*, actor, partnership: Partnership, **fields) -> Contract:
    _require(actor, partnership, Action.MANAGE)
    contract = Contract(
        partnership=partnership, **{k: fields.get(k) for k in CONTRACT_FIELDS if k in fields}
    )
    _validate_contract(contract)
    contract.full_clean(exclude=["partnership"])
    contract.save()
    return contract


@transaction.atomic
def contract_update(*, actor, contract: Contract, **fields) -> Contract:
    _require(actor, contract.partnership, Action.MANAGE)
    for name in CONTRACT_FIELDS:
        if name in fields:
            setattr(contract, name, fields[name])
    _validate_contract(contract)
    contract.full_clean(exclude=["partnership"])
    contract.save()
    return contract


@transaction.atomic
def contract_delete(*, actor, contract: Contract) -> None:
    _require(actor, contract.partnership, Action.MANAGE)
    contract.delete()


# --- Communication plan ----------------------------------------------------------------------


@transaction.atomic
def communication_plan_update(
    *,
    actor,
    partnership: Partnership,
    emergency_number: str,
    emergency_instructions: str = "",
    channels: str = "",
) -> CommunicationPlan:
    _require(actor, partnership, Action.MANAGE)
    plan, _created = CommunicationPlan.objects.select_for_update().get_or_create(
        partnership=partnership
    )
    plan.emergency_number = emergency_number.strip()
    plan.emergency_instructions = emergency_instructions.strip()
    plan.channels = channels
    plan.full_clean(exclude=["partnership"])
    plan.save()
    return plan


def plan_child_save(*, actor, partnership: Partnership, instance) -> object:
    """Create or update a contact, meeting or escalation step of the partnership's plan."""
    with transaction.atomic():
        _require(actor, partnership, Action.MANAGE)
        instance.plan = partnership.communication_plan
        instance.full_clean()
        instance.save()
    return instance


def plan_child_delete(*, actor, partnership: Partnership, instance) -> None:
    with transaction.atomic():
        _require(actor, partnership, Action.MANAGE)
        if instance.plan.partnership_id != partnership.pk:
            raise PermissionDenied
        instance.delete()
