"""Forms of the hub pages. They only shape input: every rule (who may write, which assignee,
which file types) is the services' to enforce, and their errors are shown next to the field."""

from django import forms
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
