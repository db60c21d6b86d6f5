"""Improvement actions of a partnership: the filtered list, recording a new one, and one action's
page (details, where it came from, its history, and the edit and status forms).

Everyone who reads the partnership sees its actions (they are shared by both sides). Recording
needs `services_actions.can_record`, changing `can_change`; the services check again.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, TemplateView

from partnership.access import Action
from partnership.models import Side
from partnership.scoping import PartnershipScopedMixin
from partnership.views import apply_errors, nothing_changed

from .. import selectors, services_actions
from ..forms import ActionCreateForm, ActionEditForm, ActionStatusForm, owner_queryset
from ..models import OPEN_ACTION_STATUSES, ActionItem, ActionOrigin, ActionStatus, ReviewRound

PAGE_SIZE = 25
# The default filter value: open or in progress. Its own value, so that "open" keeps meaning the
# status open alone (as `ActionStatus.OPEN` does) and each option is selected on its own.
CURRENT = "current"


def status_filter_choices() -> list[tuple[str, str]]:
    return [
        (CURRENT, _("Open or in progress")),
        *[(v, str(label)) for v, label in ActionStatus.choices],
    ]


def filter_actions(actions, *, status: str, overdue: bool, today):
    if status == CURRENT:
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES)
    elif status in ActionStatus.values:
        actions = actions.filter(status=status)
    if overdue:
        actions = actions.overdue(today)
    return actions


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ActionsMixin(PartnershipScopedMixin):
    pk_url_kwarg = "action_id"
    write_action = Action.READ  # who may record or change is decided per action below

    def scoped_queryset(self, partnership):
        return selectors.actions_for_partnership(partnership=partnership)

    @property
    def can_record(self) -> bool:
        return services_actions.can_record(self.access)


class ActionListView(ActionsMixin, TemplateView):
    template_name = "reviews/actions.html"

    def filters(self) -> dict:
        g = self.request.GET
        status = g.get("status", CURRENT)
        return {
            "status": status if status in (CURRENT, *ActionStatus.values) else "",
            "owner": _int(g.get("owner")),
            "origin": g.get("origin") if g.get("origin") in ActionOrigin.values else "",
            "round": _int(g.get("round")),
            "overdue": g.get("overdue") == "1",
        }

    def get_context_data(self, **kwargs):
        filters, today = self.filters(), selectors.today()
        actions = filter_actions(
            self.get_queryset(), status=filters["status"], overdue=filters["overdue"], today=today
        )
        if filters["owner"]:
            actions = actions.filter(owner_id=filters["owner"])
        if filters["origin"]:
            actions = actions.filter(origin=filters["origin"])
        if filters["round"]:
            actions = actions.filter(round_id=filters["round"])
        page = Paginator(actions.order_by("due_date", "pk"), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page_obj=page,
            actions=page.object_list,
            filters=filters,
            filtered=self.request.GET.get("status", CURRENT) != CURRENT
            or any(v for k, v in filters.items() if k != "status"),
            statuses=status_filter_choices(),
            origins=ActionOrigin.choices,
            owners=list(owner_queryset(self.partnership)),
            rounds=list(
                ReviewRound.objects.filter(partnership=self.partnership)
                .only("pk", "period_start", "period_end")
                .order_by("-period_start")
            ),
            can_record=self.can_record,
            today=today,
            **kwargs,
        )


class ActionCreateView(ActionsMixin, FormView):
    template_name = "reviews/action_form.html"
    form_class = ActionCreateForm

    def get(self, request, *args, **kwargs):
        self._require()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._require()
        return super().post(request, *args, **kwargs)

    def _require(self) -> None:
        if not self.can_record:
            raise PermissionDenied

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership": self.partnership}

    def get_initial(self):
        initial = {}
        round_id = _int(self.request.GET.get("round"))
        if round_id:
            initial["round"] = round_id
        if self.access.side in (Side.CLIENT, Side.SUPPLIER):
            initial["owner"] = self.request.user.pk
        return initial

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            action = services_actions.action_create(
                actor=self.request.user,
                partnership=self.partnership,
                title=d["title"],
                description=d["description"],
                owner=d["owner"],
                due_date=d["due_date"],
                review_round=d["round"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Action recorded."))
        return redirect(action)


class ActionDetailView(ActionsMixin, DetailView):
    """GET: the action; POST `form=edit` (every field but the status) or `form=status` (the
    status alone, from one of the status buttons)."""

    template_name = "reviews/action.html"
    context_object_name = "action"

    def _load(self) -> ActionItem:
        action = self.get_object()
        action.partnership = self.partnership
        return action

    def get(self, request, *args, **kwargs):
        self.object = self._load()
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        action = self.object
        can_change = services_actions.can_change(self.access, action)
        if can_change:
            kwargs.setdefault(
                "edit_form",
                ActionEditForm(partnership=self.partnership, initial=_edit_initial(action)),
            )
            kwargs.setdefault("status_form", ActionStatusForm(initial={"status": action.status}))
            kwargs.setdefault(
                "other_statuses",
                [(v, label) for v, label in ActionStatus.choices if v != action.status],
            )
        history = list(
            action.history.select_related("history_user").order_by("-history_date", "-history_id")
        )
        return super().get_context_data(
            can_change=can_change,
            history=_changes(history),
            today=selectors.today(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.object = action = self._load()
        if not services_actions.can_change(self.access, action):
            raise PermissionDenied
        which = request.POST.get("form")
        if which == "status":
            form = ActionStatusForm(request.POST, initial={"status": action.status})
            context_key = "status_form"
        else:
            form = ActionEditForm(
                request.POST, partnership=self.partnership, initial=_edit_initial(action)
            )
            context_key = "edit_form"
        if form.is_valid():
            if nothing_changed(request, form):
                return redirect(action)
            try:
                services_actions.action_update(
                    actor=request.user, action=action, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Action saved."))
                return redirect(action)
        return self.render_to_response(self.get_context_data(**{context_key: form}), status=200)


def _edit_initial(action: ActionItem) -> dict:
    return {
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id,
        "due_date": action.due_date,
    }


TRACKED = ("title", "description", "owner_id", "due_date", "status")


def _changes(history: list) -> list[dict]:
    """Each saved version of the action with the fields it changed (newest first)."""
    labels = {
        name: ActionItem._meta.get_field(name.removesuffix("_id")).verbose_name for name in TRACKED
    }
    rows = []
    for record, older in zip(history, [*history[1:], None], strict=True):
        changed = []
        if older is not None:
            changed = [
                labels[name] for name in TRACKED if getattr(record, name) != getattr(older, name)
            ]
        rows.append({"record": record, "changed": changed, "created": older is None})
    return rows
