"""Forms of the hub pages. They only shape input: every rule (who may write, which assignee,
which file types) is the services' to enforce, and their errors are shown next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnership.models import Side

from . import selectors
from .models import Category, Delivery, DocumentCategory, Priority, Status

MARKDOWN_HELP = _(
    "Markdown works: **bold**, *italic*, lists with - and links as [text](https://…)."
)
ATTACH_HELP = _("PDF, images, short videos, Office files; up to 10 files.")


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
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class ThreadForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    internal = forms.BooleanField(label=_("Internal to my side"), required=False)
    assignee = UserChoiceField(
        label=_("Assignee"), required=False, queryset=None, empty_label=_("Nobody yet")
    )
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), help_text=MARKDOWN_HELP
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False, help_text=ATTACH_HELP)
    documents = forms.ModelMultipleChoiceField(
        label=_("Linked documents"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, partnership, side, **kwargs):
        super().__init__(*args, **kwargs)
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
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), help_text=MARKDOWN_HELP
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False, help_text=ATTACH_HELP)


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

    def __init__(self, *args, thread, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_users(
            partnership=thread.partnership, visibility=thread.visibility
        )


class LinkDocumentsForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        label=_("Link documents"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

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
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image, short video (MP4/WebM) or Office file; up to the size limit."),
    )
    note = forms.CharField(label=_("Note on this version"), required=False, max_length=300)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New version"))
    note = forms.CharField(label=_("What changed"), required=False, max_length=300)


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
            )
