"""What the pages of every app share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, next to the field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


def nothing_changed(request, form) -> bool:
    """True, with "Nothing changed." for the user, when a valid edit form came back exactly as
    it was shown: the caller then answers as after a save without calling the service, so an
    unchanged submit writes nothing (no save, no history record, no notification).

    The form compares the post with its initial values (`has_changed`), so it must be built
    with the stored values, as `initial` or `instance`, on POST as on GET; a file input counts
    as changed only when a file was chosen.

        if nothing_changed(self.request, form):
            return redirect(...)
    """
    if any(not _same_text(form, name) for name in form.changed_data):
        return False
    messages.info(request, _("Nothing changed."))
    return True


def same_text(a, b) -> bool:
    """Two texts that differ at most in line endings (a browser posts a textarea's lines with
    CRLF) or in the whitespace around them, which a CharField strips."""
    return isinstance(a, str) and isinstance(b, str) and _plain(a) == _plain(b)


def _plain(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _same_text(form, name: str) -> bool:
    return same_text(form[name].initial, form.cleaned_data.get(name))
