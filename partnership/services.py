"""Every state change of the tenancy core. Keyword-only, one transaction each, validation inside."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services_orgs
from .access import Action, access_for
from .models import (
    MANAGING_ROLES,
    CommunicationPlan,
    Contract,
    Invitation,
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

# Feature apps register what makes a participant's seat part of the record (submitted STI
# ratings, ...): `record()` returns an `Exists` over rows with OuterRef("partnership_id") and
# OuterRef("user_id"). Such a participant is deactivated when removed, never deleted.
_PARTICIPANT_RECORDS: list[Callable[[], Exists]] = []


def register_participant_record(record: Callable[[], Exists]) -> None:
    if record not in _PARTICIPANT_RECORDS:
        _PARTICIPANT_RECORDS.append(record)


def _on_record() -> Q:
    q = Q(pk__in=[])
    for record in _PARTICIPANT_RECORDS:
        q |= Q(record())
    return q


def participants_end(*, participants) -> None:
    """End these seats: those on the record become former participants, the rest go."""
    now = timezone.now()
    for participant in participants.filter(_on_record()).select_for_update():
        participant.deactivated_at = now
        participant.save(update_fields=["deactivated_at"])  # one save each: the history shows it
    participants.exclude(_on_record()).delete()


def _manageable_sides(access) -> tuple[str, ...]:
    """A manager looks after their own side and, with the other side's managers, the
    facilitator; never the other side's people."""
    return (access.side, Side.FACILITATOR) if access.is_manager else ()


def manageable_sides(*, actor, partnership: Partnership) -> tuple[str, ...]:
    access = access_for(actor, partnership)
    return _manageable_sides(access) if access.can(Action.MANAGE) else ()


def _check_side(access, side: str) -> None:
    if side not in Side.values:
        raise ValidationError({"side": _("Choose a valid side.")})
    if side not in _manageable_sides(access):
        raise ValidationError(
            {
                "side": _(
                    "You add people of your own side (%(side)s) or a facilitator; the other "
                    "side's managers add theirs."
                )
                % {"side": Side(access.side).label}
            }
        )


def _facilitator_known_to(actor, partnership: Partnership):
    """People who may be added as facilitator directly: taking part (or having taken part) in a
    partnership the actor can see, and members of an organisation that is neither party. Anyone
    else is invited by e-mail, so no answer tells who else has an account."""
    parties = [partnership.client_id, partnership.supplier_id]
    seen = Participant.including_former.filter(
        partnership__in=Partnership.objects.visible_to(actor)
    ).values("user_id")
    return (
        User.objects.filter(is_active=True, pk__in=seen)
        .filter(
            Exists(
                Membership.objects.filter(user=OuterRef("pk")).exclude(organization_id__in=parties)
            )
        )
        .exclude(
            Exists(Membership.objects.filter(user=OuterRef("pk"), organization_id__in=parties))
        )
    )


def _check_person(access, partnership: Partnership, user, side: str) -> None:
    if side == Side.FACILITATOR:
        if not _facilitator_known_to(access.user, partnership).filter(pk=user.pk).exists():
            raise ValidationError(
                {
                    "user": _(
                        "Choose a facilitator you already work with, from outside both "
                        "organisations, or invite the facilitator by e-mail."
                    )
                }
            )
        return
    org = partnership.organization_for_side(side)
    if not Membership.objects.filter(user=user, organization=org).exists():
        raise ValidationError(
            {"user": _("This person is not a member of %(org)s.") % {"org": org.name}}
        )


def participant_join(*, partnership: Partnership, user, side: str, title: str = ""):
    """Seat `user` on `side`, re-activating a former participant. Someone already taking part
    keeps their side and title. Returns (participant, joined)."""
    participant = (
        Participant.including_former.select_for_update()
        .filter(partnership=partnership, user=user)
        .first()
    )
    if participant is not None and not participant.is_former:
        return participant, False
    if participant is None:
        participant = Participant(partnership=partnership, user=user)
    participant.side, participant.title, participant.deactivated_at = side, title, None
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as exc:  # added by someone else a moment ago
        raise ValidationError({"user": _("This person already takes part.")}) from exc
    return participant, True


@transaction.atomic
def participant_add(
    *, actor, partnership: Partnership, user, side: str, title: str = ""
) -> Participant:
    """Add a member of the actor's own side, or a facilitator the actor already works with;
    a former participant is re-activated. Nobody's organisation role changes."""
    access = _require(actor, partnership, Action.MANAGE)
    _check_side(access, side)
    _check_person(access, partnership, user, side)
    participant, joined = participant_join(
        partnership=partnership, user=user, side=side, title=title.strip()
    )
    if not joined:
        raise ValidationError({"user": _("This person already takes part.")})
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
def participant_invite(*, actor, partnership: Partnership, email: str, title: str = ""):
    """Invite a facilitator by e-mail. The answer is the same pending invitation whether or not
    the address has an account; the person joins as facilitator when they accept."""
    access = _require(actor, partnership, Action.MANAGE)
    email = services_orgs.clean_email(email)
    own_org = partnership.organization_for_side(access.side)
    if Membership.objects.filter(organization=own_org, user__email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _(
                    "This person is a member of %(org)s, a party to this partnership: add them "
                    "on your own side."
                )
                % {"org": own_org.name}
            }
        )
    if Participant.objects.filter(partnership=partnership, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person already takes part.")})
    return services_orgs.facilitator_invitation_send(
        actor=actor, partnership=partnership, email=email, participant_title=title.strip()
    )


@transaction.atomic
def participant_add_by_email(
    *, actor, partnership: Partnership, email: str, side: str, title: str = ""
) -> Participant | Invitation:
    """The one entry for adding by address (the page's form and the API): a facilitator is
    invited; a person of the actor's own side is found among their organisation's members only,
    so nothing tells who has an account elsewhere."""
    access = _require(actor, partnership, Action.MANAGE)
    _check_side(access, side)
    if side == Side.FACILITATOR:
        return participant_invite(actor=actor, partnership=partnership, email=email, title=title)
    email = services_orgs.clean_email(email)
    org = partnership.organization_for_side(side)
    user = User.objects.filter(email__iexact=email, memberships__organization=org).first()
    if user is None:
        raise ValidationError(
            {
                "email": _(
                    "No member of %(org)s has this address. An admin of %(org)s can invite them "
                    "first."
                )
                % {"org": org.name}
            }
        )
    return participant_add(actor=actor, partnership=partnership, user=user, side=side, title=title)


@transaction.atomic
def participant_add_by_id(
    *, actor, partnership: Partnership, user_id: int, side: str, title: str = ""
) -> Participant:
    """Add by user id (the API): the id is looked for only among the people the actor may add,
    so an id of anyone else answers exactly like an id of nobody."""
    access = _require(actor, partnership, Action.MANAGE)
    _check_side(access, side)
    if side == Side.FACILITATOR:
        eligible = _facilitator_known_to(actor, partnership)
    else:
        eligible = User.objects.filter(
            memberships__organization=partnership.organization_for_side(side)
        )
    user = eligible.filter(pk=user_id).first()
    if user is None:
        _check_person(access, partnership, User(pk=0), side)  # raises the message for nobody
    return participant_add(actor=actor, partnership=partnership, user=user, side=side, title=title)


def _require_manageable(actor, participant: Participant):
    access = _require(actor, participant.partnership, Action.MANAGE)
    if participant.side not in _manageable_sides(access):
        raise PermissionDenied(_("Only the managers of that side can change its people."))
    return access


@transaction.atomic
def participant_update(*, actor, participant: Participant, title: str) -> Participant:
    _require_manageable(actor, participant)
    participant.title = title
    participant.save(update_fields=["title"])
    return participant


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> None:
    """Remove a participant of the actor's side or the facilitator. Someone on the record (a
    submitted rating) becomes a former participant instead: no access, history kept."""
    _require_manageable(actor, participant)
    participants_end(participants=Participant.objects.filter(pk=participant.pk))


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
