"""Every state change of the tenancy core. Keyword-only, one transaction each, validation inside."""

import secrets
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

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
from .notifications import enqueue_after_commit, notify

User = get_user_model()


# --- Organisations and memberships -----------------------------------------------------------


def unique_org_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_create(*, actor, name: str, slug: str = "") -> Organization:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    slug = slug or unique_org_slug(name)
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("This short name is already taken.")})
    org = Organization.objects.create(name=name, slug=slug)
    if actor is not None:
        Membership.objects.create(user=actor, organization=org, role=Role.ADMIN)
    return org


@transaction.atomic
def organization_update(*, actor, organization: Organization, name: str, require_mfa: bool):
    _require_org_admin(actor, organization)
    organization.name = name.strip() or organization.name
    organization.require_mfa = require_mfa
    organization.save(update_fields=["name", "require_mfa"])
    return organization


def _require_org_admin(actor, organization: Organization) -> None:
    if not Membership.objects.filter(
        user=actor, organization=organization, role=Role.ADMIN
    ).exists():
        raise PermissionDenied


def _lock_admins(organization: Organization) -> int:
    """Lock the org's admin rows so two concurrent demotions cannot remove the last admin."""
    admins = Membership.objects.select_for_update().filter(
        organization=organization, role=Role.ADMIN
    )
    return len(list(admins))


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    _require_org_admin(actor, membership.organization)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    demoting_admin = membership.role == Role.ADMIN and role != Role.ADMIN
    if demoting_admin and _lock_admins(membership.organization) <= 1:
        raise ValidationError(_("An organisation needs at least one admin."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    _require_org_admin(actor, membership.organization)
    if membership.role == Role.ADMIN and _lock_admins(membership.organization) <= 1:
        raise ValidationError(_("An organisation needs at least one admin."))
    org = membership.organization
    # Leaving the organisation also ends their seat in its partnerships.
    Participant.objects.filter(user=membership.user).filter(
        Q(partnership__client=org, side=Side.CLIENT)
        | Q(partnership__supplier=org, side=Side.SUPPLIER)
    ).delete()
    membership.delete()


# --- Invitations -----------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def invitation_send(
    *,
    actor,
    organization: Organization,
    email: str,
    role: str = Role.MEMBER,
    partnership: Partnership | None = None,
    participant_title: str = "",
    check_admin: bool = True,
) -> Invitation:
    if check_admin:
        _require_org_admin(actor, organization)
    email = User.objects.normalize_email(email).lower().strip()
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if Invitation.objects.filter(
        organization=organization,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).exists():
        raise ValidationError(
            {"email": _("An invitation for this address is already open; resend it instead.")}
        )
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token=_new_token(),
        invited_by=actor,
        partnership=partnership,
        participant_title=participant_title,
    )
    _queue_invitation_email(invitation)
    return invitation


def _queue_invitation_email(invitation: Invitation) -> None:
    from .tasks import send_invitation_email

    enqueue_after_commit(send_invitation_email, str(invitation.pk))


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    _require_org_admin(actor, invitation.organization)
    if invitation.status == "accepted":
        raise ValidationError(_("This invitation has already been accepted."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation) -> Invitation:
    """Send again with a fresh link and a fresh expiry; the old link stops working."""
    _require_org_admin(actor, invitation.organization)
    if invitation.status in ("accepted", "revoked"):
        raise ValidationError(_("Only open invitations can be resent."))
    from .models import _invitation_expiry

    invitation.token = _new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = _invitation_expiry()
    invitation.save(update_fields=["token", "sent_at", "expires_at"])
    _queue_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, user, token: str) -> Invitation:
    """Join the organisation (and partnership) of an invitation. Single use, expires."""
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.status in ("revoked",):
        raise ValidationError(_("This invitation link is not valid."))
    if invitation.status == "accepted":
        raise ValidationError(_("This invitation has already been used."))
    if invitation.status == "expired":
        raise ValidationError(_("This invitation has expired. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    if invitation.partnership_id:
        side = (
            Side.CLIENT
            if invitation.partnership.client_id == invitation.organization_id
            else Side.SUPPLIER
        )
        Participant.objects.get_or_create(
            partnership=invitation.partnership,
            user=user,
            defaults={"side": side, "title": invitation.participant_title},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation


def invitations_purge_expired() -> int:
    """Expired, never-used invitations older than 90 days are of no further use."""
    cutoff = timezone.now() - timezone.timedelta(days=90)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted


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
    old = partnership.get_phase_display()
    partnership.phase = phase
    partnership.save(update_fields=["phase", "updated_at"])
    notify(
        users=[p.user for p in partnership.participants.select_related("user")],
        kind="partnership.phase",
        partnership=partnership,
        title=_("%(title)s moved from %(old)s to %(new)s"),
        params={"title": partnership.title, "old": old, "new": partnership.get_phase_display()},
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
            {"user": _("%(user)s is not a member of %(org)s.") % {"user": user, "org": org}}
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
