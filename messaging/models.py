"""The hub: threads and messages, the document library with versions, read state and
per-user notification choices.

A thread is shared with the other side or internal to the side that opened it. Which threads a
person sees is decided in one place, `ThreadQuerySet.visible_to` / `for_access`; the other side and
the facilitator never see an internal thread, its messages, its attachments or its count.
Nothing is hard-deleted by users: messages are edited for a short while (each earlier text kept)
and documents are archived, never removed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from partnership.access import side_q
from partnership.models import Partnership, Side, memo_for


class Category(models.TextChoices):
    QUESTION = "question", _("Question")
    REQUEST = "request", _("Request")
    COMPLAINT = "complaint", _("Complaint")
    INCIDENT = "incident", _("Incident")
    INVOICE = "invoice", _("Invoice")
    TECHNICAL_SHEET = "technical_sheet", _("Technical sheet")
    IDEA = "idea", _("Idea")
    GENERAL = "general", _("General")


# Categories whose time to resolve is measured.
RESOLVE_TIMED = (Category.COMPLAINT, Category.INCIDENT)


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("thread status", "Open")
    WAITING = "waiting", _("Waiting for the other side")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Visibility(models.TextChoices):
    SHARED = "shared", _("Shared with the other side")
    CLIENT_INTERNAL = "client_internal", _("Internal to the client side")
    SUPPLIER_INTERNAL = "supplier_internal", _("Internal to the supplier side")


INTERNAL_FOR_SIDE = {
    Side.CLIENT: Visibility.CLIENT_INTERNAL,
    Side.SUPPLIER: Visibility.SUPPLIER_INTERNAL,
}


def visibilities_for_side(side: str | None) -> list[str]:
    """What a person on `side` may see: shared threads, plus their own side's internal ones."""
    internal = INTERNAL_FOR_SIDE.get(side)
    return [Visibility.SHARED, internal] if internal else [Visibility.SHARED]


def _thread_rule(user) -> Q:
    via = "partnership__"
    return Q(partnership__in=Partnership.objects.visible_to(user)) & (
        Q(visibility=Visibility.SHARED)
        | (Q(visibility=Visibility.CLIENT_INTERNAL) & side_q(user, Side.CLIENT, via))
        | (Q(visibility=Visibility.SUPPLIER_INTERNAL) & side_q(user, Side.SUPPLIER, via))
    )


class ThreadQuerySet(models.QuerySet):
    def for_access(self, access) -> "ThreadQuerySet":
        """Threads of one partnership that the holder of `access` may see."""
        return self.filter(
            partnership=access.partnership, visibility__in=visibilities_for_side(access.side)
        )

    def visible_to(self, user) -> "ThreadQuerySet":
        """Threads across every partnership `user` can see, internal ones only for their side.

        Answered in SQL by the access rule itself: the thread's partnership is visible to the
        user (`partnership.models.visible_q`, what `Partnership.objects.visible_to` filters
        with), and an internal thread belongs to the side the user is on there
        (`access.side_q`, which follows `access_for`: a participant's own side first, else the
        side whose organisation the user manages). No ids travel through Python, so the query
        is the same whether the user sees 1 or 10,000 partnerships.
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(memo_for(user, "threads", lambda: _thread_rule(user)))

    def unread_for(self, user) -> "ThreadQuerySet":
        """Threads with a message `user` has not seen (their own messages count as seen)."""
        read = ReadState.objects.filter(thread=OuterRef("pk"), user=user)
        return self.filter(last_message_at__isnull=False).exclude(
            Exists(read.filter(read_at__gte=OuterRef("last_message_at")))
        )

    def with_unread(self, user) -> "ThreadQuerySet":
        read = ReadState.objects.filter(thread=OuterRef("pk"), user=user)
        return self.annotate(
            is_unread=~Exists(read.filter(read_at__gte=OuterRef("last_message_at")))
        )


class Thread(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="threads", verbose_name=_("partnership")
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.QUESTION
    )
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.SHARED
    )
    side = models.CharField(
        _("opened by side"),
        max_length=16,
        choices=[(Side.CLIENT, Side.CLIENT.label), (Side.SUPPLIER, Side.SUPPLIER.label)],
    )
    waiting_for = models.CharField(
        _("waiting for"),
        max_length=16,
        blank=True,
        choices=[(Side.CLIENT, Side.CLIENT.label), (Side.SUPPLIER, Side.SUPPLIER.label)],
        help_text=_("The side whose answer the thread waits for; its next message reopens it."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_threads",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("opened"), db_index=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # The place from the register the thread is about (a complaint about room 2.14). PROTECT: a
    # room is retired, never deleted, and a retired room stays shown on its old threads.
    room = models.ForeignKey(
        "places.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("room"),
    )
    documents = models.ManyToManyField(
        "Document", blank=True, related_name="threads", verbose_name=_("linked documents")
    )
    history = HistoricalRecords(excluded_fields=["last_message_at"])

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-last_message_at", "-pk"]
        indexes = [models.Index(fields=["partnership", "-last_message_at"])]
        constraints = [
            # An internal thread belongs to the side that opened it.
            models.CheckConstraint(
                condition=Q(visibility=Visibility.SHARED)
                | Q(visibility=Visibility.CLIENT_INTERNAL, side=Side.CLIENT)
                | Q(visibility=Visibility.SUPPLIER_INTERNAL, side=Side.SUPPLIER),
                name="thread_internal_to_own_side",
            ),
            models.CheckConstraint(
                condition=Q(side__in=[Side.CLIENT, Side.SUPPLIER]), name="thread_side_valid"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(status__in=DONE_STATUSES),
                name="thread_resolved_only_when_done",
            ),
            # Waiting names the side waited for, and only a shared thread has another side.
            models.CheckConstraint(
                condition=Q(
                    status=Status.WAITING,
                    visibility=Visibility.SHARED,
                    waiting_for__in=[Side.CLIENT, Side.SUPPLIER],
                )
                | (~Q(status=Status.WAITING) & Q(waiting_for="")),
                name="thread_waiting_names_a_side",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def status_label(self) -> str:
        if self.status == Status.WAITING:
            if self.waiting_for == Side.CLIENT:
                return _("Waiting for the client")
            if self.waiting_for == Side.SUPPLIER:
                return _("Waiting for the supplier")
        return self.get_status_display()

    @property
    def is_internal(self) -> bool:
        return self.visibility != Visibility.SHARED

    @property
    def first_response_time(self):
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.created_at

    @property
    def time_to_resolve(self):
        if self.category not in RESOLVE_TIMED or self.resolved_at is None:
            return None
        return self.resolved_at - self.created_at


class Message(models.Model):
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("thread")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)  # sanitised rendering of `body`
    body_text = models.TextField(editable=False, blank=True)  # what a reader sees, for search
    created_at = models.DateTimeField(_("written"))
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class MessageRevision(models.Model):
    """An earlier text of an edited message: edits are recorded, never silent."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("message")
    )
    body = models.TextField(_("earlier text"))
    replaced_at = models.DateTimeField(_("replaced"))

    class Meta:
        verbose_name = _("message revision")
        verbose_name_plural = _("message revisions")
        ordering = ["replaced_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class StoredFile(models.Model):
    """What attachments and document versions share: a file under a random name, with the
    uploader's name kept only for display, its checked type, size and SHA-256."""

    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        abstract = True


class Attachment(StoredFile):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class DocumentCategory(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    WORK_INSTRUCTION = "work_instruction", _("Work instruction")
    TECHNICAL_SHEET = "technical_sheet", _("Technical sheet")
    INVOICE = "invoice", _("Invoice")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class Document(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("partnership"),
    )
    category = models.CharField(
        _("category"), max_length=20, choices=DocumentCategory.choices, default="other"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), db_index=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "title"],
                condition=Q(archived_at__isnull=True),
                name="document_title_unique_per_partnership",
                violation_error_message=_("This partnership already has a document by that name."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(StoredFile):
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def download_name(self) -> str:
        """The uploader's name with the version number, so versions do not overwrite each
        other in a downloads folder: handzeep.pdf -> handzeep-v3.pdf."""
        stem, dot, suffix = self.original_name.rpartition(".")
        if not dot or not stem:
            return f"{self.original_name}-v{self.number}"
        return f"{stem}-v{self.number}.{suffix}"


class ReadState(models.Model):
    """Up to when a user has read a thread; a thread is unread while a newer message exists."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_reads"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="read_state_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id}"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail right away")
    DIGEST = "digest", _("Daily digest e-mail")
    IN_APP = "in_app", _("In Tandem only")


class HubPreference(models.Model):
    """How a user hears about hub activity of one category. Without a row: e-mail right away."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_preferences"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )

    class Meta:
        verbose_name = _("hub notification preference")
        verbose_name_plural = _("hub notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="hub_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.delivery}"


class DigestItem(models.Model):
    """One hub event waiting for a user's daily digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "digest"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.thread_id}"


class Digest(models.Model):
    """The claim that a user's digest for a day went out: at most one row per user per day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
