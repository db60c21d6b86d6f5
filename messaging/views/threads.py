"""HTML pages of a partnership's hub: the inbox, a new thread, the thread page with its htmx
reply, handling and editing, and attachment downloads. The documents library is in
`documents`, the cross-partnership inbox, search and preferences in `across_partnerships`.

Every thread comes from `Thread.objects.for_access`, and a page that names a thread resolves it
before the role check: an internal thread of the other side is a 404 on every route and method,
never a 403 or a 405 that would confirm it exists."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView, View

from partnership.access import Action
from partnership.htmx import is_htmx
from partnership.models import Side
from partnership.periods import QUARTERLY, Period, last_periods
from partnership.scoping import PartnershipScopedMixin
from partnership.uploads import download_response
from partnership.views import apply_errors, nothing_changed

from .. import markdown, selectors, services, services_reading
from ..forms import LinkDocumentsForm, MessageEditForm, ReplyForm, ThreadForm, ThreadUpdateForm
from ..models import Category, Message, Priority, Status, Thread, Visibility

PAGE_SIZE = 25
FIGURE_QUARTERS = 4
# Served inline (shown in the browser); everything else is downloaded.
INLINE_PREFIXES = ("image/", "video/", "application/pdf")


def status_choices() -> list[tuple[str, str]]:
    return [("active", _("Not resolved")), *Status.choices]


def hub_quarters(today: datetime.date) -> list[Period]:
    """The current quarter and the three before it, oldest first."""
    next_start = Period.containing(today, QUARTERLY).next().start
    return last_periods(QUARTERLY, FIGURE_QUARTERS, next_start)


class HubMixin(PartnershipScopedMixin):
    """Writing in the hub is for participants of the two sides; reading for every reader."""

    write_action = Action.PARTICIPATE

    @property
    def can_participate(self) -> bool:
        return self.access.can(Action.PARTICIPATE)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("can_participate", self.can_participate)
        return super().get_context_data(**kwargs)


class ThreadScopedMixin(HubMixin):
    """Views under threads/<thread_id>/: `self.thread` is resolved with the partnership."""

    pk_url_kwarg = "thread_id"
    thread: Thread

    def scoped_queryset(self, partnership):
        return Thread.objects.for_access(self.access).select_related(
            "assignee", "created_by", selectors.THREAD_ROOM
        )

    def resolve_partnership(self, request) -> None:
        super().resolve_partnership(request)
        # Before the role check, so that what the reader may not see is absent for every method.
        self.thread = self.get_object()
        self.thread.partnership = self.partnership

    def thread_url(self) -> str:
        return selectors.thread_url(self.thread)


# --- Inbox ---------------------------------------------------------------------------------


class InboxView(HubMixin, TemplateView):
    template_name = "messaging/inbox.html"

    def filters(self) -> dict:
        g = self.request.GET
        return {k: g.get(k, "").strip() for k in ("category", "status", "assignee", "visibility")}

    def get_context_data(self, **kwargs):
        filters = self.filters()
        threads = selectors.inbox(access=self.access, **filters)
        page = Paginator(threads, PAGE_SIZE).get_page(self.request.GET.get("page"))
        # A partnership made before plans existed may lack one: the column then says so.
        plan = getattr(self.partnership, "communication_plan", None)
        contacts = list(plan.contacts.all()) if plan else []
        return super().get_context_data(
            page_obj=page,
            threads=page.object_list,
            filters=filters,
            filtered=any(filters.values()),
            categories=Category.choices,
            statuses=status_choices(),
            assignees=list(selectors.assignable_users(partnership=self.partnership)),
            own_side=self.access.side in (Side.CLIENT, Side.SUPPLIER),
            plan=plan,
            client_contacts=[c for c in contacts if c.side == Side.CLIENT],
            supplier_contacts=[c for c in contacts if c.side == Side.SUPPLIER],
            escalation_steps=list(plan.escalation_steps.all()) if plan else [],
            figures=selectors.figures_by_period(
                partnership=self.partnership, periods=hub_quarters(timezone.localdate())
            ),
            **kwargs,
        )


class MarkAllReadView(HubMixin, View):
    """Reading needs no write role: viewers and the facilitator keep their own read state."""

    http_method_names = ["post"]
    write_action = Action.READ

    def post(self, request, partnership_id):
        n = services_reading.threads_mark_read(user=request.user, partnership=self.partnership)
        messages.success(
            request,
            ngettext("%(n)s thread marked as read.", "%(n)s threads marked as read.", n) % {"n": n},
        )
        return redirect("messaging:inbox", partnership_id=self.partnership.pk)


class PreviewView(HubMixin, View):
    """A message as it will read, before it is sent: the same Markdown rendering and
    sanitising as a stored message (htmx fragment)."""

    http_method_names = ["post"]
    MAX = 20_000

    def post(self, request, partnership_id):
        text = request.POST.get("body", "")[: self.MAX]
        return render(
            request, "messaging/_preview.html", {"html": markdown.render(text), "text": text}
        )


# --- A new thread --------------------------------------------------------------------------


class ThreadCreateView(HubMixin, FormView):
    template_name = "messaging/thread_form.html"
    form_class = ThreadForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "partnership": self.partnership,
            "side": self.access.side,
        }

    def get_initial(self):
        category = self.request.GET.get("category", "")
        return {"category": category if category in Category.values else Category.QUESTION}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            thread = services.thread_create(
                actor=self.request.user,
                partnership=self.partnership,
                category=d["category"],
                subject=d["subject"],
                priority=d["priority"] or Priority.NORMAL,
                internal=d["internal"],
                assignee=d["assignee"],
                room=d.get("room"),
                body=d["body"],
                attachments=d["attachments"],
                documents=d.get("documents") or [],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Thread opened."))
        return redirect(selectors.thread_url(thread))


# --- The thread page -----------------------------------------------------------------------


class ThreadView(ThreadScopedMixin, TemplateView):
    """Messages, linked documents, handling and figures; opening it marks it read."""

    template_name = "messaging/thread.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        services_reading.thread_mark_read(user=request.user, thread=self.thread)
        return response

    def get_context_data(self, **kwargs):
        thread, user = self.thread, self.request.user
        now = timezone.now()
        thread_messages = list(selectors.thread_messages(thread=thread))
        for message in thread_messages:
            message.thread = thread
            message.editable = self.can_participate and services.can_edit(
                user=user, message=message, now=now
            )
        forms = {}
        if self.can_participate:
            forms = {
                "reply_form": ReplyForm(),
                "update_form": ThreadUpdateForm(
                    thread=thread, side=self.access.side, initial=self.update_initial()
                ),
                "link_form": LinkDocumentsForm(thread=thread),
            }
        forms.update(kwargs)
        return super().get_context_data(
            thread=thread,
            thread_messages=thread_messages,
            linked_documents=list(thread.documents.order_by("title")),
            is_internal=thread.visibility != Visibility.SHARED,
            **forms,
        )

    def update_initial(self) -> dict:
        thread = self.thread
        return {
            "status": thread.status,
            "priority": thread.priority,
            "assignee": thread.assignee_id,
        }


class ThreadReplyView(ThreadView):
    """POST a reply. With htmx the new message and a fresh form come back as a fragment;
    without JavaScript the browser is sent back to the thread."""

    http_method_names = ["post"]

    def post(self, request, partnership_id, thread_id):
        form = ReplyForm(request.POST, request.FILES)
        message = None
        status_before = self.thread.status
        if form.is_valid():
            try:
                message = services.message_post(
                    actor=request.user,
                    thread=self.thread,
                    body=form.cleaned_data["body"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
        if is_htmx(request):
            if message is not None and status_before != message.thread.status:
                # The answer reopened the thread: the status shown beside it must change too.
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return self.fragment(request, form, message)
        if message is None:  # the whole page again, the error next to the field
            return self.render_to_response(self.get_context_data(reply_form=form))
        return redirect(f"{self.thread_url()}#message-{message.pk}")

    def fragment(self, request, form, message):
        if message is not None:
            message = selectors.thread_messages(thread=self.thread).get(pk=message.pk)
            message.thread = self.thread
            message.editable = services.can_edit(user=request.user, message=message)
            form = ReplyForm()
        context = {
            "partnership": self.partnership,
            "thread": self.thread,
            "reply_form": form,
            "new_message": message,
            "can_participate": True,
        }
        # 200 on errors too: htmx swaps only 2xx answers, and the form must show the error.
        return render(request, "messaging/_reply_result.html", context)


class ThreadUpdateView(ThreadView):
    """Status, priority and assignee of a thread."""

    http_method_names = ["post"]

    def post(self, request, partnership_id, thread_id):
        form = ThreadUpdateForm(
            request.POST, thread=self.thread, side=self.access.side, initial=self.update_initial()
        )
        if form.is_valid():
            if nothing_changed(request, form):
                return redirect(self.thread_url())
            d = form.cleaned_data
            try:
                services.thread_update(
                    actor=request.user,
                    thread=self.thread,
                    status=d["status"] or None,  # empty: the current state stays
                    priority=d["priority"],
                    assignee=d["assignee"],
                    **({"room": d["room"]} if "room" in form.fields else {}),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Thread updated."))
                return redirect(self.thread_url())
        return self.render_to_response(self.get_context_data(update_form=form))


class ThreadDocumentsView(ThreadView):
    """Link documents of the library to the thread."""

    http_method_names = ["post"]

    def post(self, request, partnership_id, thread_id):
        form = LinkDocumentsForm(request.POST, thread=self.thread)
        if form.is_valid():
            try:
                services.thread_link_documents(
                    actor=request.user, thread=self.thread, documents=form.cleaned_data["documents"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Documents linked."))
                return redirect(self.thread_url())
        return self.render_to_response(self.get_context_data(link_form=form))


class MessageEditView(ThreadScopedMixin, FormView):
    """Change one's own message while the edit window is open; the earlier text is kept."""

    template_name = "messaging/message_edit.html"
    form_class = MessageEditForm

    def get_message(self):
        if not hasattr(self, "_message"):
            try:
                message = selectors.thread_messages(thread=self.thread).get(
                    pk=self.kwargs["message_id"]
                )
            except (ValueError, TypeError, Message.DoesNotExist) as exc:
                raise Http404 from exc
            if message.author_id != self.request.user.pk:
                raise PermissionDenied
            message.thread = self.thread
            self._message = message
        return self._message

    def get(self, request, *args, **kwargs):
        if not services.can_edit(user=request.user, message=self.get_message()):
            messages.error(request, self.closed_message())
            return redirect(self.thread_url())
        return super().get(request, *args, **kwargs)

    def closed_message(self) -> str:
        return _("A message can only be edited in the first %(n)s minutes.") % {
            "n": settings.HUB_EDIT_MINUTES
        }

    def get_initial(self):
        return {"body": self.get_message().body}

    def get_context_data(self, **kwargs):
        message = self.get_message()
        return super().get_context_data(
            thread=self.thread,
            message=message,
            deadline=services.edit_deadline(message),
            **kwargs,
        )

    def form_valid(self, form):
        if nothing_changed(self.request, form):
            return redirect(f"{self.thread_url()}#message-{self.get_message().pk}")
        try:
            message = services.message_edit(
                actor=self.request.user, message=self.get_message(), body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Message changed; the earlier text is kept."))
        return redirect(f"{self.thread_url()}#message-{message.pk}")


# --- Attachments ---------------------------------------------------------------------------


class AttachmentView(HubMixin, View):
    """An attachment, only from a thread the reader may see."""

    http_method_names = ["get"]
    pk_url_kwarg = "attachment_id"

    def scoped_queryset(self, partnership):
        return selectors.attachments_for_access(access=self.access)

    def resolve_partnership(self, request) -> None:
        super().resolve_partnership(request)
        self.attachment = self.get_object()  # absent for every method when not visible

    def get(self, request, partnership_id, attachment_id):
        attachment = self.attachment
        return download_response(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
            inline=attachment.content_type.startswith(INLINE_PREFIXES),
        )
