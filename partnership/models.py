"""The tenancy core: organisations, memberships, invitations, partnerships and what hangs off them.

Organisations and partnerships carry UUID keys because they appear in URLs; everything else is
reached only through its partnership (see `access.py`).
"""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import deferred_text
from .validators import validate_phone


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


MANAGING_ROLES = (Role.ADMIN, Role.MANAGER)


class Side(models.TextChoices):
    CLIENT = "client", _("Client")
    SUPPLIER = "supplier", _("Supplier")
    FACILITATOR = "facilitator", _("Facilitator")


class Service(models.TextChoices):
    CLEANING = "cleaning", _("Cleaning")
    CATERING = "catering", _("Catering")
    RECEPTION = "reception", _("Reception")
    SECURITY = "security", _("Security")
    MAINTENANCE = "maintenance", _("Maintenance")
    IT = "it", _("IT services")
    OTHER = "other", _("Other")


class Phase(models.TextChoices):
    PILOT = "pilot", _("Pilot")
    KICKOFF = "kickoff", _("Kick-off")
    ACTIVE = "active", _("Active")
    RENEWAL = "renewal", _("Renewal")
    EXIT = "exit", _("Exit")
    ENDED = "ended", _("Ended")


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    require_mfa = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_("Members without two-factor authentication must set it up first."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An e-mailed link to join an organisation (and optionally a partnership) with a role, or,
    without an organisation, to join one partnership as its facilitator.

    Only the SHA-256 of the link's token is stored (`token_hash`): the raw token exists while the
    invitation is created or resent, when its e-mail is rendered, and in that e-mail.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    partnership = models.ForeignKey(
        "Partnership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("partnership"),
    )
    side = models.CharField(
        _("side in the partnership"), max_length=16, choices=Side.choices, blank=True
    )
    participant_title = models.CharField(_("title in the partnership"), max_length=100, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.UniqueConstraint(
                fields=["partnership", "email"],
                condition=Q(
                    organization__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True
                ),
                name="invitation_one_open_facilitator_per_email",
            ),
            # Without an organisation an invitation only brings a facilitator into a partnership.
            models.CheckConstraint(
                condition=Q(organization__isnull=False)
                | Q(partnership__isnull=False, side=Side.FACILITATOR),
                name="invitation_org_or_facilitator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization or self.partnership}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def joins_name(self) -> str:
        """What the invitation brings its reader into: the organisation, else the partnership."""
        return self.organization.name if self.organization_id else self.partnership.title

    @property
    def is_facilitator_invitation(self) -> bool:
        return self.organization_id is None

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        return {
            "accepted": _("Accepted"),
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "pending": _("Pending"),
        }[self.status]


def visible_q(user, via: str = "") -> Q:
    """THE access rule as a filter: participants, and admins/managers of the client or supplier
    org. On partnerships with `via=""`; on rows that belong to one through a foreign key with
    `via="partnership__"`, so a thread's or a KPI's query asks the rule itself in SQL instead of
    taking a list of partnership ids. For an authenticated `user` only.

    Written as `IN (subquery)` rather than correlated EXISTS: each subquery runs once and is
    probed as a hash, and the planner costs it so (a correlated EXISTS under OR is costed per
    row, which at 1,000 partnerships put simple pages over the JIT threshold)."""
    return memo_for(
        user,
        ("visible", via),
        lambda: (
            Q(**{f"{via}pk__in": participations_of(user).values("partnership_id")})
            | Q(**{f"{via}client_id__in": managed_by(user)})
            | Q(**{f"{via}supplier_id__in": managed_by(user)})
        ),
    )


def participations_of(user):
    """The user's current participations (former participants have no access)."""
    return memo_for(
        user, "participations", lambda: Participant.objects.filter(user=user).order_by()
    )


def managed_by(user):
    """The organisations the user manages (admin or manager), as a subquery of their ids."""
    return memo_for(
        user,
        "managed",
        lambda: (
            Membership.objects.filter(user=user, role__in=MANAGING_ROLES)
            .order_by()
            .values("organization_id")
        ),
    )


def memo_for(user, key, build):
    """A queryset (or filter) of the access rule built once per user object, that is once per
    request: building the rule's filters costs more Python than running them. Querysets come
    back as fresh clones and only their SQL is kept, never rows, so nothing goes stale."""
    built = getattr(user, "_tandem_access_sql", None)
    if built is None:
        built = {}
        user._tandem_access_sql = built
    if key not in built:
        built[key] = build()
    value = built[key]
    return value.all() if isinstance(value, models.QuerySet) else value


class PartnershipQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnershipQuerySet":
        """THE access rule: participants, and admins/managers of the client or supplier org."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(visible_q(user))

    def with_overview(self) -> "PartnershipQuerySet":
        return self.select_related("client", "supplier", "communication_plan")


class Partnership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="client_partnerships",
        verbose_name=_("client"),
    )
    supplier = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="supplier_partnerships",
        verbose_name=_("supplier"),
    )
    title = models.CharField(_("title"), max_length=200)
    services = models.JSONField(_("services"), default=list, blank=True)
    phase = models.CharField(
        _("phase"), max_length=16, choices=Phase.choices, default=Phase.KICKOFF
    )
    checklist_done = models.JSONField(
        _("checklist ticked"), default=list, blank=True, editable=False
    )
    core_values = models.TextField(_("core values"), blank=True)
    culture = models.TextField(_("culture"), blank=True)
    future_vision = models.TextField(_("future vision"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(client=models.F("supplier")), name="partnership_two_parties"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=Phase.values), name="partnership_phase_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("partnership:overview", kwargs={"partnership_id": self.pk})

    @property
    def service_labels(self) -> list[str]:
        labels = dict(Service.choices)
        return [str(labels.get(s, s)) for s in self.services]

    @property
    def is_archived(self) -> bool:
        return self.phase == Phase.ENDED

    def organization_for_side(self, side: str) -> Organization | None:
        return {Side.CLIENT: self.client, Side.SUPPLIER: self.supplier}.get(side)


class ParticipantQuerySet(models.QuerySet):
    def former(self) -> "ParticipantQuerySet":
        return self.filter(deactivated_at__isnull=False)


class ActiveParticipantManager(models.Manager.from_queryset(ParticipantQuerySet)):
    """The default manager: current participants only, so every reader (the access rule,
    selectors, `partnership.participants`, recipients) skips former ones without having to
    remember to. Joins through `participants__`/`participations__` bypass managers and filter
    `deactivated_at__isnull=True` themselves."""

    def get_queryset(self):
        return super().get_queryset().filter(deactivated_at__isnull=True)


class Participant(models.Model):
    """A person taking part in a partnership on a side. Someone who rated the other side and is
    then removed stays as a *former* participant (`deactivated_at`): their submitted ratings keep
    their rater, they lose access, and adding them again re-activates the row."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("partnership"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("user"),
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("former participant since"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ActiveParticipantManager()
    including_former = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["side", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "user"], name="participant_unique"),
            models.CheckConstraint(
                condition=Q(side__in=Side.values), name="participant_side_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_side_display()})"

    @property
    def is_former(self) -> bool:
        return self.deactivated_at is not None


class Contract(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="contracts",
        verbose_name=_("partnership"),
    )
    reference = models.CharField(_("reference"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    value = models.DecimalField(
        _("annual value (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    scope_of_services = models.TextField(_("scope of services"), blank=True)
    quality_agreements = models.TextField(_("agreements on quality"), blank=True)
    speed_agreements = models.TextField(_("agreements on speed"), blank=True)
    delivery_agreements = models.TextField(_("agreements on delivery"), blank=True)
    pilot_evaluation_date = models.DateField(_("pilot evaluation date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"], name="contract_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="contract_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="contract_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


class CommunicationPlan(models.Model):
    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        related_name="communication_plan",
        verbose_name=_("partnership"),
    )
    emergency_number = models.CharField(
        _("24/7 emergency number"), max_length=40, blank=True, validators=[validate_phone]
    )
    emergency_instructions = models.CharField(
        _("when to call the emergency number"), max_length=300, blank=True
    )
    channels = models.TextField(
        _("channels"),
        blank=True,
        help_text=_(
            "Which channel is for what, e.g. the hub for questions, phone for urgent matters."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("communication plan")
        verbose_name_plural = _("communication plans")

    def __str__(self) -> str:
        return str(_("Communication plan of %(partnership)s") % {"partnership": self.partnership})


class Contact(models.Model):
    plan = models.ForeignKey(
        CommunicationPlan,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("communication plan"),
    )
    side = models.CharField(
        _("side"),
        max_length=16,
        choices=[(Side.CLIENT, Side.CLIENT.label), (Side.SUPPLIER, Side.SUPPLIER.label)],
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail address"), blank=True)
    availability = models.CharField(_("availability"), max_length=150, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["side", "order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(side__in=[Side.CLIENT, Side.SUPPLIER]), name="contact_side_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class MeetingLevel(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    TACTICAL = "tactical", _("Tactical")
    STRATEGIC = "strategic", _("Strategic")


class MeetingCadence(models.Model):
    plan = models.ForeignKey(
        CommunicationPlan,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("communication plan"),
    )
    level = models.CharField(_("level"), max_length=16, choices=MeetingLevel.choices)
    frequency = models.CharField(
        _("frequency"), max_length=100, help_text=_("e.g. weekly, monthly")
    )
    participants = models.CharField(_("participants"), max_length=300)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        # Operational, tactical, strategic: the order people think in, not the alphabet's.
        ordering = [
            models.Case(
                models.When(level="operational", then=0),
                models.When(level="tactical", then=1),
                default=2,
            ).asc(),
            "id",
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.frequency}"


class EscalationStep(models.Model):
    plan = models.ForeignKey(
        CommunicationPlan,
        on_delete=models.CASCADE,
        related_name="escalation_steps",
        verbose_name=_("communication plan"),
    )
    level = models.PositiveSmallIntegerField(_("step"))
    client_contact = models.CharField(_("client contact"), max_length=150)
    supplier_contact = models.CharField(_("supplier contact"), max_length=150)
    when = models.CharField(_("when to escalate"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], name="escalation_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.client_contact} / {self.supplier_contact}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user; e-mail copies are sent after commit by `notify`.

    `title` and `body` hold the untranslated source text and `params` its typed parameters, so
    the message is rendered in the reader's language when it is read or e-mailed
    (`display_title`, `display_body`; see `partnership.deferred_text`). Rows from before that
    hold their text as rendered then, without parameters, and read as they were.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the active language (wrap in `translation.override` for another)."""
        return deferred_text.text_render(self.title, self.params)

    @property
    def display_body(self) -> str:
        return deferred_text.text_render(self.body, self.params) if self.body else ""
