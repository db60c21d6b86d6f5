"""`{% inspection_offline_panel inspection %}`: what the recording page needs to work offline.

It renders the status the inspector reads ("3 results waiting to send", conflicts), the texts of
js/offline/inspection.js in the user's language, and the script itself. The recording page's
room forms carry `data-sampled-room`, `data-result-url` and `data-room-label`.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext, ngettext

register = template.Library()


def offline_texts() -> dict[str, str]:
    # Dutch and English have one plural rule (1 / other): the script picks one of the two forms.
    return {
        "waiting_one": ngettext(
            "%(count)s result waiting to send", "%(count)s results waiting to send", 1
        ),
        "waiting_other": ngettext(
            "%(count)s result waiting to send", "%(count)s results waiting to send", 2
        ),
        "all_sent": gettext("No results waiting to send."),
        "offline": gettext(
            "No connection: results are kept on this device and sent when the connection returns."
        ),
        "signed_out": gettext("The server did not accept the results: sign in again to send them."),
        "unsupported": gettext(
            "This browser cannot keep the inspection for offline use: keep the connection."
        ),
        "refused": gettext("The server did not accept this result."),
        "not_saved": gettext(
            "This room could not be saved on this device. Save it again with a connection: "
            "it is then sent at once."
        ),
        "room_waiting": gettext("Saved on this device"),
        "room_sent": gettext("Sent"),
        "room_conflict": gettext("Not accepted"),
        "conflict_detail": gettext("Saved %(saved)s, photos: %(photos)s."),
        "discard": gettext("Discard this result"),
        "discard_confirm": gettext(
            "Discard this result from this device? It has not been accepted and will be lost."
        ),
    }


@register.inclusion_tag("kpis/_offline_panel.html", takes_context=True)
def inspection_offline_panel(context, inspection, recording: bool = True):
    """The recording page of `inspection`, at the request's path, for the signed-in user; the
    drawn rooms as the API lists them are kept for offline use too. Where nothing can be
    recorded (`recording` false: closed, or the other side's) the panel stays hidden unless
    this device still holds results of the user, such as one refused after the closing."""
    request = context["request"]
    rooms = reverse(
        "partnership-inspection-room-list", args=[inspection.partnership_id, inspection.pk]
    )
    return {
        "inspection": inspection,
        "scope": request.path,
        "service_worker_url": reverse("inspection_service_worker"),
        "user_id": request.user.pk,
        "keep": rooms,
        "recording": recording,
        "texts": offline_texts(),
    }
