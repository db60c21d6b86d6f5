"""Review pages across partnerships: "my actions" and the facilitator's workspace.

Both start from what the user may see (`ActionItem.objects.visible_to`, the partnerships they
facilitate) and read everything for all partnerships at once: a fixed number of queries however
many partnerships there are.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from partnership.models import Partnership
from sti import selectors as sti_selectors

from .. import panels, selectors
from ..models import ReviewRound, RoundState, Session
from .actions import CURRENT, filter_actions, status_filter_choices

PAGE_SIZE = 25


class MyActionsView(LoginRequiredMixin, TemplateView):
    template_name = "reviews/my_actions.html"

    def get_context_data(self, **kwargs):
        user, g = self.request.user, self.request.GET
        today = selectors.today()
        partnerships = list(
            Partnership.objects.visible_to(user).only("pk", "title").order_by("title")
        )
        status = g.get("status", CURRENT)
        chosen = g.get("partnership", "")
        filters = {
            "status": status if status in dict(status_filter_choices()) else "",
            "partnership": chosen if chosen in {str(p.pk) for p in partnerships} else "",
            "overdue": g.get("overdue") == "1",
        }
        actions = filter_actions(
            selectors.actions_of_user(user=user),
            status=filters["status"],
            overdue=filters["overdue"],
            today=today,
        )
        if filters["partnership"]:
            actions = actions.filter(partnership_id=filters["partnership"])
        page = Paginator(actions.order_by("due_date", "pk"), PAGE_SIZE).get_page(g.get("page"))
        return super().get_context_data(
            page_obj=page,
            actions=page.object_list,
            filters=filters,
            filtered=status != CURRENT or bool(filters["partnership"]) or filters["overdue"],
            statuses=status_filter_choices(),
            partnerships=partnerships,
            is_facilitator=selectors.facilitated_partnerships(user=user).exists(),
            today=today,
            **kwargs,
        )


class WorkspaceView(LoginRequiredMixin, TemplateView):
    """For a facilitator: every partnership they facilitate and what waits for them."""

    template_name = "reviews/workspace.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        partnerships = list(
            selectors.facilitated_partnerships(user=user)
            .select_related("client", "supplier")
            .order_by("title")
        )
        ids = [p.pk for p in partnerships]
        today, now = selectors.today(), timezone.now()
        current = panels.current_rounds(ids)
        counts = panels.action_counts(ids, today)
        # Closed rounds without a session, however old: each one still waits for its session.
        waiting = list(
            ReviewRound.objects.filter(
                partnership_id__in=ids, state=RoundState.CLOSED, session__isnull=True
            )
            .select_related("partnership")
            .order_by("closed_at")
        )
        # Sessions still to be held: the round is closed (not yet discussed) and the session
        # has not ended. A session under way stays listed, so its session mode is one click away.
        upcoming = list(
            Session.objects.filter(
                round__partnership_id__in=ids, round__state=RoundState.CLOSED, ends_at__gte=now
            )
            .select_related("round__partnership")
            .order_by("starts_at")
        )
        open_rounds = [r for r in current.values() if r.state == RoundState.OPEN]
        rates = sti_selectors.response_rates_across(surveys=[r.survey for r in open_rounds])
        by_pk = {p.pk: p for p in partnerships}
        for review_round in open_rounds:
            review_round.partnership = by_pk[review_round.partnership_id]
            review_round.rate = rates.get(review_round.survey_id)
        rows = [
            {
                "partnership": p,
                "round": current.get(p.pk),
                "open_actions": counts.get(p.pk, {}).get("open", 0),
                "overdue_actions": counts.get(p.pk, {}).get("overdue", 0),
            }
            for p in partnerships
        ]
        return super().get_context_data(
            rows=rows,
            is_facilitator=bool(partnerships),
            waiting=waiting,
            upcoming=upcoming,
            open_rounds=sorted(open_rounds, key=lambda r: r.closes_at),
            **kwargs,
        )
