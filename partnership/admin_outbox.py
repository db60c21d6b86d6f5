"""The mail outbox in the Django admin (/admin/post_office/email/, staff only): what waits, what
failed and why, and a requeue for operators. Refines django-post-office's own `EmailAdmin`."""

from django.contrib import admin
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from post_office.admin import EmailAdmin
from post_office.models import STATUS, Email, Log

from . import outbox


class OutboxEmailAdmin(EmailAdmin):
    list_display = [
        "truncated_message_id",
        "to_display",
        "shortened_subject",
        "status",
        "retries",
        "scheduled_time",
        "last_error",
        "last_updated",
    ]
    list_filter = ["status"]
    actions = ["requeue_mail"]

    def get_queryset(self, request):
        # The latest failure of each mail, in the same query as the list (no query per row).
        failures = Log.objects.filter(email=OuterRef("pk"), status=STATUS.failed)
        failures = failures.order_by("-date", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_error_type=Subquery(failures.values("exception_type")[:1]),
                last_error_message=Subquery(failures.values("message")[:1]),
            )
        )

    @admin.display(description=_("Retries"), ordering="number_of_retries")
    def retries(self, email: Email) -> int:
        return email.number_of_retries or 0

    @admin.display(description=_("Last error"))
    def last_error(self, email: Email) -> str:
        if email.status == STATUS.sent or not email.last_error_message:
            return ""
        return Truncator(f"{email.last_error_type}: {email.last_error_message}").chars(160)

    @admin.action(description=_("Send the selected mail again (with all its retries)"))
    def requeue_mail(self, request, queryset) -> None:
        from .notifications import enqueue_after_commit
        from .tasks import send_queued_mail

        with transaction.atomic():
            ids = list(queryset.values_list("pk", flat=True))
            count = outbox.outbox_requeue(email_ids=ids)
            enqueue_after_commit(send_queued_mail, ids)  # the beat would, within the minute
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail is queued to be sent again.",
                "%(count)d e-mails are queued to be sent again.",
                count,
            )
            % {"count": count},
        )


admin.site.unregister(Email)
admin.site.register(Email, OutboxEmailAdmin)
