"""The pages outside any one partnership: the dashboard, notifications, and the invitation link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services_orgs
from ..models import Membership, Partnership, Role
from ..panels import card_panels
from ..work import kind_labels, work_for

DASHBOARD_CARDS = 12
DASHBOARD_WORK = 8  # items of "My work" on the dashboard; the rest on /work/


@login_required
def dashboard(request):
    visible = selectors.partnerships_for_user(user=request.user)
    total = Partnership.objects.visible_to(request.user).count()  # without the annotations
    # The dashboard shows the first cards; the full, filterable list is one click away.
    partnerships = list(visible[:DASHBOARD_CARDS])
    sides = selectors.my_sides(user=request.user, partnerships=partnerships)
    extras = card_panels(partnerships, user=request.user)
    rows = [
        {
            "partnership": p,
            "side": sides.get(p.pk),
            "other": p.supplier if sides.get(p.pk) == "client" else p.client,
            "panels": extras.get(p.pk, []),
        }
        for p in partnerships
    ]
    roles = set(Membership.objects.filter(user=request.user).values_list("role", flat=True))
    can_create = bool(roles & {Role.ADMIN, Role.MANAGER})
    has_org = bool(roles)
    work = work_for(request.user)
    return render(
        request,
        "partnership/dashboard.html",
        {
            "rows": rows,
            "can_create": can_create,
            "has_org": has_org,
            "total": total,
            "work": work[:DASHBOARD_WORK],
            "work_total": len(work),
            "work_kinds": kind_labels(),
        },
    )


@login_required
def my_work(request):
    """Everything that waits for the user, across partnerships, overdue first."""
    work = work_for(request.user)
    return render(
        request,
        "partnership/my_work.html",
        {"work": work, "work_total": len(work), "work_kinds": kind_labels()},
    )


# --- Invitations (the link in the e-mail) ----------------------------------------------------


def invitation_accept(request, token):
    invitation = services_orgs.invitation_by_token(token)
    if invitation is None:
        request.session.pop("pending_invitation", None)
        raise Http404
    if request.user.is_authenticated and request.user.email.lower() != invitation.email.lower():
        # The link belongs to someone else: to a signed-in stranger it does not exist.
        request.session.pop("pending_invitation", None)
        raise Http404
    if not request.user.is_authenticated:
        if invitation.status == "pending":
            request.session["pending_invitation"] = token
        return render(request, "partnership/invitation_anonymous.html", {"invitation": invitation})
    if request.method == "POST":
        request.session.pop("pending_invitation", None)
        try:
            services_orgs.invitation_accept(user=request.user, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("partnership:dashboard")
        messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.joins_name})
        if invitation.partnership_id:
            return redirect(invitation.partnership)
        return redirect("partnership:dashboard")
    if invitation.status != "pending":
        request.session.pop("pending_invitation", None)
    return render(request, "partnership/invitation_accept.html", {"invitation": invitation})


# --- Notifications ---------------------------------------------------------------------------


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for_user(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request, "partnership/notifications.html", {"page_obj": page, "notifications": page}
    )


@login_required
def notification_read(request, notification_id):
    from ..models import Notification
    from ..notifications import notification_mark_read

    # Look the notification up before checking the method: someone else's is simply not there.
    notification = Notification.objects.filter(user=request.user, pk=notification_id).first()
    if notification is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    notification_mark_read(user=request.user, notification_id=notification.pk)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect(reverse("partnership:notifications"))


@login_required
@require_POST
def notification_read_all(request):
    from ..notifications import notification_mark_read

    notification_mark_read(user=request.user)
    messages.success(request, _("All notifications marked as read."))
    return redirect("partnership:notifications")
