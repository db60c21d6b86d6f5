"""API serializers of the hub. They validate shapes; `messaging.services` decides and writes.

The partnership, the thread of a message and the actor come from the URL and the request, never
from a body. Ids that do arrive in a body (an assignee, linked documents) are resolved inside the
partnership of the URL, or rejected with a field error.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnership.api_input import QuerySerializer, StrictModelSerializer, StrictSerializer
from partnership.serializers import UserSummarySerializer
from places.models import Room

from . import selectors, services, storage
from .models import (
    Attachment,
    Category,
    Document,
    DocumentCategory,
    DocumentVersion,
    Message,
    Priority,
    Status,
    Thread,
    Visibility,
)

# Download links are paths on this server (relative references), not absolute URIs.
URI_REFERENCE = {"type": "string", "format": "uri-reference"}

# The two sides that open threads (and hold contacts): named once in the schema.
CLIENT_OR_SUPPLIER = Thread._meta.get_field("side").choices

# --- Threads ---------------------------------------------------------------------------------


class LinkedDocumentSerializer(StrictModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "title", "category"]
        read_only_fields = fields


class ThreadRoomSerializer(StrictModelSerializer):
    """The room of the register a thread names, with where it is."""

    building = serializers.CharField(
        source="floor.building.code", read_only=True, help_text=_("Building code.")
    )
    building_name = serializers.CharField(source="floor.building.name", read_only=True)
    floor = serializers.CharField(source="floor.code", read_only=True, help_text=_("Floor code."))

    class Meta:
        model = Room
        fields = ["id", "code", "name", "building", "building_name", "floor", "retired_at"]
        read_only_fields = fields


class ThreadSerializer(StrictModelSerializer):
    """A thread as its reader sees it, with their own unread flag (from the inbox annotations)."""

    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    is_unread = serializers.BooleanField(
        read_only=True, help_text=_("A message you have not seen yet.")
    )
    message_count = serializers.IntegerField(read_only=True)
    documents = LinkedDocumentSerializer(many=True, read_only=True)
    room = ThreadRoomSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "category",
            "subject",
            "status",
            "priority",
            "visibility",
            "side",
            "assignee",
            "room",
            "created_by",
            "created_at",
            "last_message_at",
            "first_response_at",
            "resolved_at",
            "is_unread",
            "message_count",
            "documents",
        ]
        read_only_fields = fields


class _AssigneeMixin:
    def validate_assignee(self, value):
        if value is None:
            return None
        partnership = self.context["partnership"]
        user = (
            selectors.assignable_users(partnership=partnership, visibility=Visibility.SHARED)
            .filter(pk=value)
            .first()
        )
        if user is None:
            raise serializers.ValidationError(
                _("Choose a participant of a side that can see this thread.")
            )
        return user


class _RoomMixin:
    def validate_room(self, value):
        """An id of a room of this partnership's register (a retired one is refused by the
        service unless the thread names it already); any other id is refused alike."""
        if value is None:
            return None
        room = Room.objects.filter(partnership=self.context["partnership"], pk=value).first()
        if room is None:
            raise serializers.ValidationError(_("Choose a room of this partnership's register."))
        return room


def _room_field():
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Id of a room in use in this partnership's register (null: no room)."),
    )


def _assignee_field():
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_(
            "Id of a client or supplier participant who can see the thread (null: nobody)."
        ),
    )


class ThreadCreateSerializer(_AssigneeMixin, _RoomMixin, StrictSerializer):
    """Open a thread with its first message (JSON)."""

    category = serializers.ChoiceField(choices=Category.choices, default=Category.QUESTION)
    subject = serializers.CharField(max_length=200)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    internal = serializers.BooleanField(
        default=False,
        help_text=_("Only your own side sees an internal thread; this cannot change later."),
    )
    assignee = _assignee_field()
    room = _room_field()
    body = serializers.CharField(
        max_length=services.MAX_BODY, help_text=_("The first message, in Markdown.")
    )
    documents = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("Ids of documents of this partnership to link."),
    )

    def validate_documents(self, ids):
        ids = set(ids)
        found = list(
            selectors.linkable_documents(partnership=self.context["partnership"]).filter(pk__in=ids)
        )
        if len(found) != len(ids):
            raise serializers.ValidationError(_("Choose documents of this partnership."))
        return found


def _attachments_field():
    return serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=storage.MAX_ATTACHMENTS,
        help_text=_(
            "Files to attach (PDF, photo, video, office document or plain text), each checked "
            "on its content."
        ),
    )


class ThreadCreateMultipartSerializer(ThreadCreateSerializer):
    """Open a thread with its first message and attachments (multipart/form-data)."""

    attachments = _attachments_field()


class ThreadUpdateSerializer(_AssigneeMixin, _RoomMixin, StrictSerializer):
    """Change a thread's handling. Fields left out stay as they are; visibility never changes."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    subject = serializers.CharField(max_length=200, required=False)
    assignee = _assignee_field()
    room = _room_field()


# --- Messages --------------------------------------------------------------------------------


class AttachmentSerializer(StrictModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "download_url"]
        read_only_fields = fields

    @extend_schema_field(URI_REFERENCE)
    def get_download_url(self, attachment) -> str:
        return reverse(
            "partnership-thread-attachment-detail",
            kwargs={
                "partnership_id": self.context["partnership"].pk,
                "thread_id": attachment.message.thread_id,
                "attachment_id": attachment.pk,
            },
        )


class MessageSerializer(StrictModelSerializer):
    author = UserSummarySerializer(read_only=True, allow_null=True)
    body_html = serializers.CharField(
        read_only=True, help_text=_("The body rendered from Markdown and sanitised.")
    )
    attachments = AttachmentSerializer(many=True, read_only=True)
    revision_count = serializers.SerializerMethodField(
        help_text=_("How many earlier texts were kept when the message was edited.")
    )
    editable_until = serializers.SerializerMethodField(
        help_text=_("Until when the author may still edit the message.")
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "author",
            "author_side",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "editable_until",
            "revision_count",
            "attachments",
        ]
        read_only_fields = fields

    def get_revision_count(self, message) -> int:
        return len(message.revisions.all())  # prefetched by `selectors.thread_messages`

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_editable_until(self, message):
        return serializers.DateTimeField().to_representation(services.edit_deadline(message))


class MessageCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=services.MAX_BODY, help_text=_("Markdown."))


class MessageCreateMultipartSerializer(MessageCreateSerializer):
    attachments = _attachments_field()


class MessageUpdateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=services.MAX_BODY, help_text=_("Markdown."))


# --- Documents -------------------------------------------------------------------------------


class DocumentVersionSerializer(StrictModelSerializer):
    uploaded_by = UserSummarySerializer(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "number",
            "note",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(URI_REFERENCE)
    def get_download_url(self, version) -> str:
        return reverse(
            "partnership-document-version-download",
            kwargs={
                "partnership_id": self.context["partnership"].pk,
                "document_id": version.document_id,
                "version_id": version.pk,
            },
        )


class DocumentSerializer(StrictModelSerializer):
    """A document with its latest version (read from the list's annotations)."""

    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    version_count = serializers.IntegerField(read_only=True)
    latest_version_id = serializers.IntegerField(read_only=True, allow_null=True)
    latest_version_number = serializers.IntegerField(
        read_only=True, allow_null=True, source="latest_number"
    )
    latest_version_size = serializers.IntegerField(
        read_only=True, allow_null=True, source="latest_size", help_text=_("In bytes.")
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "category",
            "title",
            "description",
            "created_by",
            "created_at",
            "updated_at",
            "archived_at",
            "version_count",
            "latest_version_id",
            "latest_version_number",
            "latest_version_size",
        ]
        read_only_fields = fields


class LinkingThreadSerializer(StrictModelSerializer):
    class Meta:
        model = Thread
        fields = ["id", "subject", "status"]
        read_only_fields = fields


class DocumentDetailSerializer(DocumentSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)
    threads = serializers.SerializerMethodField(
        help_text=_("Threads you can see that link this document.")
    )

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "versions", "threads"]
        read_only_fields = fields

    @extend_schema_field(LinkingThreadSerializer(many=True))
    def get_threads(self, document):
        threads = selectors.threads_linking(access=self.context["access"], document=document)
        return LinkingThreadSerializer(threads, many=True).data


class DocumentCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(
        choices=DocumentCategory.choices, default=DocumentCategory.OTHER
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text=_("What changed.")
    )
    file = serializers.FileField(help_text=_("The first version, checked on its content."))


class DocumentUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    category = serializers.ChoiceField(choices=DocumentCategory.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class DocumentArchiveSerializer(StrictSerializer):
    archived = serializers.BooleanField(
        default=True, help_text=_("true archives the document, false restores it.")
    )


class DocumentVersionCreateSerializer(StrictSerializer):
    file = serializers.FileField(help_text=_("The new version, checked on its content."))
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text=_("What changed.")
    )


# --- Query parameters ------------------------------------------------------------------------


class InboxQuerySerializer(QuerySerializer):
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    status = serializers.ChoiceField(
        choices=[("active", _("Not resolved or closed")), *Status.choices],
        required=False,
        help_text=_("A status, or `active` for every thread not resolved or closed."),
    )
    assignee = serializers.RegexField(
        r"^(me|none|[0-9]+)$",
        required=False,
        help_text=_("A user id, `me` or `none`."),
    )
    visibility = serializers.ChoiceField(
        choices=[("shared", _("Shared")), ("internal", _("Internal to your side"))],
        required=False,
    )
    q = serializers.CharField(
        required=False, max_length=200, help_text=_("Text in the subject, a message or a title.")
    )


class DocumentQuerySerializer(QuerySerializer):
    category = serializers.ChoiceField(choices=DocumentCategory.choices, required=False)
    q = serializers.CharField(
        required=False, max_length=200, help_text=_("Text in the title or description.")
    )
    archived = serializers.BooleanField(
        required=False, default=False, help_text=_("List archived documents instead.")
    )
