"""Forms of the hub pages. They only shape input: every rule (who may write, which assignee,
which file types) is the services' to enforce, and their errors are shown next to the field."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from partnership.models import Side

from . import selectors
from .models import Category, Delivery, DocumentCategory, Priority, Status, Visibility
from .storage import MAX_ATTACHMENTS

MARKDOWN_HELP = _(
    "Markdown works: **bold**, *italic*, lists with - and links as [text](https://…)."
)


def upload_help(files: int | None = None) -> str:
    """What may be uploaded, with the limits that apply (so nobody learns them by failing)."""
    from django.conf import settings

    mb = round(settings.UPLOAD_MAX_BYTES / 1024 / 1024)
    if files:
        return _(
            "PDF, photos, short videos (MP4, WebM), Word, Excel, PowerPoint or plain text; "
            "up to %(files)s files of at most %(mb)s MB each."
        ) % {"files": files, "mb": mb}
    return _(
        "PDF, photo, short video (MP4, WebM), Word, Excel, PowerPoint or plain text; "
        "at most %(mb)s MB."
    ) % {"mb": mb}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input: cleans to a list (empty when none were chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class UserChoiceField(forms.ModelChoiceField):
    """A participant, named with their side so both sides know whose person it is."""

    def label_from_instance(self, obj) -> str:
        side = getattr(obj, "side", "")
        if side in Side.values:
            return f"{obj.display_name} ({Side(side).label})"
        return obj.display_name


# Up to this many rooms in use the room is a select grouped by building (a phone shows it as its
# own picker list); beyond it a text input with the room code and a datalist of the codes.
ROOM_SELECT_LIMIT = 300


class RoomCodeInput(forms.TextInput):
    """The room code typed, with the register's codes offered as a datalist."""

    def __init__(self, rooms=(), attrs=None):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.rooms = rooms

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or 'id_' + name}-codes"
        attrs = {**(attrs or {}), "list": list_id}
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((r.code, r.name) for r in self.rooms)
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class RoomCodeField(forms.CharField):
    """A room code of the register (any case); cleans to the room."""

    def __init__(self, rooms):
        super().__init__(label=_("Room code"), required=False, widget=RoomCodeInput(rooms))
        self.by_code = {r.code.casefold(): r for r in rooms}

    def clean(self, value):
        code = (super().clean(value) or "").strip()
        if not code:
            return None
        try:
            return self.by_code[code.casefold()]
        except KeyError:
            raise forms.ValidationError(
                _("No room with the code %(code)s in the register."),
                code="invalid_choice",
                params={"code": code},
            ) from None


def add_room_field(form, *, partnership, current=None) -> None:
    """Give `form` a "room" field over the partnership's rooms in use (and the thread's current
    room, even when retired, so the form saved unchanged keeps it). No rooms: no field."""
    rooms = selectors.rooms_to_name(
        partnership=partnership, current_id=getattr(current, "pk", None)
    )
    if not rooms:
        return
    by_pk = {r.pk: r for r in rooms}
    if len(rooms) <= ROOM_SELECT_LIMIT:
        groups: dict[str, list] = {}
        for r in rooms:
            label = str(r.floor.building)
            text = f"{r.code} {r.name}".strip()  # the building is the group
            if r.retired_at:
                text += f" ({_('retired')})"
            groups.setdefault(label, []).append((str(r.pk), text))
        field = forms.TypedChoiceField(
            label=_("Room"),
            required=False,
            choices=[("", _("No room")), *groups.items()],
            coerce=lambda v: by_pk[int(v)],
            empty_value=None,
        )
        form.initial.setdefault("room", str(current.pk) if current else "")
    else:
        field = RoomCodeField(rooms)
        form.initial.setdefault("room", current.code if current else "")
    field.help_text = _("The room of the register this thread is about, if any.")
    if isinstance(field, RoomCodeField):
        field.help_text = _(
            "The code of the room this thread is about, if any; the register's codes are "
            "suggested as you type."
        )
    form.fields["room"] = field


class ThreadForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    internal = forms.BooleanField(label=_("Internal to my side"), required=False)
    assignee = UserChoiceField(
        label=_("Assignee"), required=False, queryset=None, empty_label=_("Nobody")
    )
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), help_text=MARKDOWN_HELP
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    documents = forms.ModelMultipleChoiceField(
        label=_("Linked documents"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, partnership, side, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = upload_help(MAX_ATTACHMENTS)
        # Choices come from inside the partnership, so an id from another tenant is refused.
        self.fields["assignee"].queryset = selectors.assignable_users(partnership=partnership)
        self.fields["documents"].queryset = selectors.linkable_documents(partnership=partnership)
        if not self.fields["documents"].queryset.exists():
            del self.fields["documents"]
        add_room_field(self, partnership=partnership)
        self.fields["internal"].label = _(
            "Internal to my side (%(side)s): the other side and the facilitator do not see it"
        ) % {"side": Side(side).label if side else ""}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), help_text=MARKDOWN_HELP
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = upload_help(MAX_ATTACHMENTS)


class MessageEditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), help_text=MARKDOWN_HELP
    )


class ThreadUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    assignee = UserChoiceField(
        label=_("Assignee"), required=False, queryset=None, empty_label=_("Nobody")
    )

    def __init__(self, *args, thread, side=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_users(
            partnership=thread.partnership, visibility=thread.visibility
        )
        waiting = {
            Side.CLIENT: _("Waiting for the supplier"),
            Side.SUPPLIER: _("Waiting for the client"),
        }
        # "Waiting" always means waiting for the *other* side of the person choosing it. When
        # the thread waits for this person's own side, that state is offered as the current one
        # (empty value: unchanged), so saving the assignee does not flip whom it waits for.
        choices = []
        if thread.status == Status.WAITING and thread.waiting_for == side:
            choices.append(("", _("%(state)s (now)") % {"state": thread.status_label}))
            self.initial["status"] = ""
        for value, label in Status.choices:
            if value == Status.WAITING:
                if thread.visibility != Visibility.SHARED:
                    continue  # an internal thread has no other side to wait for
                label = waiting.get(side, label)
            choices.append((value, label))
        self.fields["status"].choices = choices
        self.fields["status"].required = False
        add_room_field(self, partnership=thread.partnership, current=thread.room)


class LinkDocumentsForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        label=_("Link documents"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # not marked as required: an empty choice is answered in clean
    )

    def clean_documents(self):
        documents = self.cleaned_data["documents"]
        if not documents:
            raise forms.ValidationError(_("Tick the documents to link."))
        return documents

    def __init__(self, *args, thread, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = selectors.linkable_documents(
            partnership=thread.partnership
        ).exclude(threads=thread)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=DocumentCategory.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note on this version"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help()


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help()


class PreferencesForm(forms.Form):
    """One choice per thread category: immediate e-mail, daily digest or in Tandem only."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[value] = forms.ChoiceField(
                label=label,
                choices=Delivery.choices,
                initial=current.get(value, Delivery.IMMEDIATE),
                widget=forms.RadioSelect,
                required=False,  # an option is always ticked; none means "right away"
            )
