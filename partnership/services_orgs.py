"""State changes of organisations: creation, memberships and invitations.

Keyword-only, one transaction each, validation inside (split from services.py by subject).
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .models import (
    Invitation,
    Membership,
    Organization,
    Participant,
    Partnership,
    Role,
    Side,
    _invitation_expiry,
)
from .notifications import notify

User = get_user_model()


# --- Organisations and memberships -----------------------------------------------------------


# Short names that would collide with fixed paths under /orgs/.
RESERVED_SLUGS = frozenset({"new"})


def unique_org_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_create(*, actor, name: str, slug: str = "") -> Organization:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    slug = slug.strip().lower() or unique_org_slug(name)
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise ValidationError(
            {"slug": _("Use only letters, digits, hyphens and underscores.")}
        ) from exc
    if slug in RESERVED_SLUGS or Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("This short name is already taken.")})
    org = Organization.objects.create(name=name, slug=slug)
    if actor is not None:
        Membership.objects.create(user=actor, organization=org, role=Role.ADMIN)
    return org


@transaction.atomic
def organization_update(
    *, actor, organization: Organization, name: str, require_mfa: bool
) -> Organization:
    _require_org_admin(actor, organization)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    organization.name = name
    organization.require_mfa = require_mfa
    organization.save(update_fields=["name", "require_mfa"])
    return organization


def _require_org_admin(actor, organization: Organization) -> None:
    if not Membership.objects.filter(
        user=actor, organization=organization, role=Role.ADMIN
    ).exists():
        raise PermissionDenied


def _lock_admins(membership: Membership) -> tuple[Membership, int]:
    """Lock the org's admin rows (and re-read the membership under the lock), so two concurrent
    demotions or removals cannot leave the organisation without an admin."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    return current, len(admins)


def _is_last_admin(membership: Membership) -> bool:
    current, admin_count = _lock_admins(membership)
    return current.role == Role.ADMIN and admin_count <= 1


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    _require_org_admin(actor, membership.organization)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if role != Role.ADMIN and _is_last_admin(membership):
        raise ValidationError(_("An organisation needs at least one admin."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    _require_org_admin(actor, membership.organization)
    if _is_last_admin(membership):
        raise ValidationError(_("An organisation needs at least one admin."))
    from .services import participants_end

    org = membership.organization
    # Leaving the organisation also ends their seat in its partnerships (raters stay as former).
    participants_end(
        participants=Participant.objects.filter(user=membership.user).filter(
            Q(partnership__client=org, side=Side.CLIENT)
            | Q(partnership__supplier=org, side=Side.SUPPLIER)
        )
    )
    membership.delete()


# --- Invitations -----------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _issue_and_send(invitation: Invitation) -> None:
    """Give the invitation a fresh token, store only its hash, and write the e-mail with the
    link to the outbox in this transaction: after it the raw token exists nowhere but the mail."""
    from .emails import send_invitation

    token = _new_token()
    invitation.token_hash = Invitation.hash_token(token)
    invitation.save()
    send_invitation(invitation, token=token)


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
    email = clean_email(email)
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
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        invited_by=actor,
        partnership=partnership,
        side=_side_of(partnership, organization) if partnership else "",
        participant_title=participant_title,
    )
    _issue_and_send(invitation)
    return invitation


def _side_of(partnership: Partnership, organization: Organization) -> str:
    return Side.CLIENT if partnership.client_id == organization.pk else Side.SUPPLIER


def clean_email(email: str) -> str:
    email = User.objects.normalize_email(email or "").lower().strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    return email


def facilitator_invitation_send(
    *, actor, partnership: Partnership, email: str, participant_title: str = ""
) -> Invitation:
    """Invite someone by e-mail to facilitate a partnership; they join when they accept.

    The caller (`services.participant_invite`) has checked the actor's role. Whether the address
    has an account makes no difference here: an open invitation to the same address is sent
    again with a new link, otherwise a new one is sent.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .filter(
            partnership=partnership,
            organization__isnull=True,
            email=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .first()
    )
    if invitation is None:
        invitation = Invitation(
            partnership=partnership, email=email, side=Side.FACILITATOR, role=Role.MEMBER
        )
    invitation.invited_by = actor
    invitation.participant_title = participant_title
    invitation.sent_at = timezone.now()
    invitation.expires_at = _invitation_expiry()
    _issue_and_send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    _require_org_admin(actor, invitation.organization)
    if invitation.status == "accepted":
        raise ValidationError(_("This invitation has already been accepted."))
    if invitation.revoked_at:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_resend(*, actor, invitation: Invitation) -> Invitation:
    """Send again with a fresh link and a fresh expiry; the old link stops working."""
    _require_org_admin(actor, invitation.organization)
    return _resend(invitation)


@transaction.atomic
def partnership_invitation_resend(*, actor, invitation: Invitation) -> Invitation:
    """A partnership's manager resends the invitation that brings the other party in: the new
    organisation has no admin yet who could."""
    from .access import Action, access_for

    if invitation.partnership is None:
        raise PermissionDenied
    access_for(actor, invitation.partnership).require(Action.MANAGE)
    return _resend(invitation)


def _resend(invitation: Invitation) -> Invitation:
    if invitation.status in ("accepted", "revoked"):
        raise ValidationError(_("Only open invitations can be resent."))
    invitation.sent_at = timezone.now()
    invitation.expires_at = _invitation_expiry()
    _issue_and_send(invitation)
    return invitation


def invitation_by_token(token: str, *, for_update: bool = False) -> Invitation | None:
    """The invitation whose link carries `token`, looked up by the token's hash."""
    qs = Invitation.objects.select_related("organization", "partnership", "invited_by")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.filter(token_hash=Invitation.hash_token(token or "")).first()


@transaction.atomic
def invitation_accept(*, user, token: str) -> Invitation:
    """Join the organisation (and partnership) of an invitation. Single use, expires.

    An existing membership keeps its role, and someone already taking part keeps their side: an
    invitation never changes what a person already is."""
    invitation = invitation_by_token(token, for_update=True)
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."))
    if invitation.status == "revoked":
        raise ValidationError(_("This invitation has been withdrawn. Ask for a new one."))
    if invitation.status == "accepted":
        raise ValidationError(_("This invitation has already been used."))
    if invitation.status == "expired":
        raise ValidationError(_("This invitation has expired. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    if invitation.is_facilitator_invitation:
        _check_can_facilitate(user, invitation.partnership)
    else:
        Membership.objects.get_or_create(
            user=user, organization=invitation.organization, defaults={"role": invitation.role}
        )
    if invitation.partnership_id:
        from .services import participant_join

        participant_join(
            partnership=invitation.partnership,
            user=user,
            side=invitation.side or _side_of(invitation.partnership, invitation.organization),
            title=invitation.participant_title,
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if invitation.invited_by_id and invitation.invited_by_id != user.pk:
        notify(
            users=[invitation.invited_by],
            kind="organization.invitation_accepted",
            partnership=invitation.partnership,
            title=_("%(person)s accepted your invitation to %(org)s"),
            params={"person": user.display_name, "org": invitation.joins_name},
            url=(
                invitation.partnership.get_absolute_url()
                if invitation.partnership_id
                else f"/orgs/{invitation.organization.slug}/members/"
            ),
        )
    return invitation


def _check_can_facilitate(user, partnership: Partnership) -> None:
    """A facilitator stands between the two sides: a member of either party cannot be one (it
    would also hide their role on their own side)."""
    party = (
        Organization.objects.filter(
            pk__in=[partnership.client_id, partnership.supplier_id], memberships__user=user
        )
        .order_by("name")
        .first()
    )
    if party is not None:
        raise ValidationError(
            _(
                "You are a member of %(org)s, a party to this partnership, so you cannot be its "
                "facilitator. Ask a manager of %(org)s to add you on that side."
            )
            % {"org": party.name}
        )


def invitations_purge_expired() -> int:
    """Expired, never-used invitations older than 90 days are of no further use."""
    cutoff = timezone.now() - timezone.timedelta(days=90)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted
