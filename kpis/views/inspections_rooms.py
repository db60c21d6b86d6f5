"""HTML pages of inspections drawn from the register: the draw, and recording room by room.

The recording page lists the drawn rooms per area type, each with its own form. With
JavaScript (static/js/inspection_rooms.js) a form posts to the API's result endpoint (its
`data-result-url`) with a fresh `client_key`; without it the form posts here and the page comes
back. Both end in `room_result_record`.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from partnership.access import Action
from partnership.scoping import PartnershipScopedMixin

from .. import selectors
from ..forms import AQL_CHOICES, InspectionForm
from ..models import DEFAULT_AQL, AreaType, DefectKind, DefectPhoto, InspectionKind, RoomState
from ..services_inspections import inspection_scores
from ..services_samples import (
    InspectionClosed,
    _check_recorder,
    draw_notes,
    elements_for,
    inspection_close,
    lot_sizes,
    room_result_record,
)

EXTRA_ELEMENTS = 1  # an empty row per room for an element the list does not have


def _element_results():
    from django.utils.translation import gettext_lazy

    return [
        ("ok", gettext_lazy("OK")),
        *DefectKind.choices,
        ("skip", gettext_lazy("Not checked")),
    ]


ELEMENT_RESULTS = _element_results()


def _result_of(element: dict) -> str:
    return next((k for k in DefectKind.values if element.get(k)), "ok")


def _may_record(access, inspection) -> bool:
    try:
        _check_recorder(access.user, inspection)
    except PermissionDenied:
        return False
    return not inspection.partnership.is_archived


class SampleDrawView(PartnershipScopedMixin, View):
    """Choose kind, date and area types (with their AQL); the rooms are drawn on submit."""

    template_name = "kpis/inspection_draw.html"
    read_action = Action.PARTICIPATE
    write_action = Action.PARTICIPATE

    def _rows(self, data=None):
        lots = lot_sizes(partnership=self.partnership)
        rows = []
        for value, label in AreaType.choices:
            chosen = data.get(f"area-{value}") == "on" if data is not None else False
            aql = data.get(f"aql-{value}", "") if data is not None else ""
            rows.append(
                {
                    "value": value,
                    "label": label,
                    "lot": lots.get(value, 0),
                    "chosen": chosen,
                    "aql": aql,
                    "usual": DEFAULT_AQL[value],
                }
            )
        return rows

    def _render(self, request, form, rows, errors=()):
        # A refused draw is the page again with its errors (200), as every form of the product.
        return render(
            request,
            self.template_name,
            {
                "partnership": self.partnership,
                "access": self.access,
                "form": form,
                "rows": rows,
                "aql_choices": AQL_CHOICES,
                "errors": errors,
                "has_rooms": any(r["lot"] for r in rows),
            },
        )

    def get(self, request, partnership_id):
        kind = InspectionKind.DKS if self.access.side == "supplier" else InspectionKind.KMS
        form = InspectionForm(initial={"kind": kind, "date": timezone.localdate()})
        return self._render(request, form, self._rows())

    def post(self, request, partnership_id):
        from ..services_samples import sample_draw

        form = InspectionForm(request.POST)
        rows = self._rows(request.POST)
        if not form.is_valid():
            return self._render(request, form, rows)
        areas = [{"area_type": r["value"], "aql": r["aql"] or None} for r in rows if r["chosen"]]
        try:
            inspection = sample_draw(
                actor=request.user, partnership=self.partnership, areas=areas, **form.cleaned_data
            )
        except ValidationError as exc:
            return self._render(request, form, rows, errors=exc.messages)
        except PermissionDenied as exc:
            form.add_error("kind", str(exc) or _("You cannot record this kind."))
            return self._render(request, form, rows)
        messages.success(
            request,
            _("%(n)s rooms drawn from the register. Record them one by one.")
            % {"n": inspection.sampled_rooms.count()},
        )
        for note in draw_notes(inspection):
            messages.info(request, note)
        return redirect(
            "kpis:inspection_rooms", partnership_id=self.partnership.pk, inspection_id=inspection.pk
        )


class InspectionRoomsView(PartnershipScopedMixin, TemplateView):
    """The drawn rooms per area type with a form each; a fixed number of queries however many
    rooms were drawn."""

    template_name = "kpis/inspection_rooms.html"
    pk_url_kwarg = "inspection_id"

    def scoped_queryset(self, partnership):
        rooms = (
            selectors.sampled_rooms_for_partnership(partnership=partnership)
            .select_related("room__floor__building")
            .prefetch_related(Prefetch("photos", queryset=DefectPhoto.objects.order_by("id")))
            .order_by("position", "id")
        )
        return (
            selectors.inspections_for_partnership(partnership=partnership)
            .prefetch_related(None)
            .prefetch_related(Prefetch("areas__sampled_rooms", queryset=rooms))
        )

    def get_context_data(self, **kwargs):
        inspection = self.get_object()
        may_record = inspection.closed_at is None and _may_record(self.access, inspection)
        areas = []
        for area in inspection.areas.all():
            # The area type's elements, then those the inspector added in this area's rooms so
            # far (an element added once is offered in every room after it).
            names = elements_for(area.area_type)
            for sampled in area.sampled_rooms.all():
                names += [e["element"] for e in sampled.elements if e["element"] not in names]
            rooms = []
            for sampled in area.sampled_rooms.all():
                recorded = {e["element"]: _result_of(e) for e in sampled.elements}
                fresh = sampled.state != RoomState.INSPECTED
                rows = [
                    {"name": n, "result": recorded.get(n, "ok" if fresh else "skip")} for n in names
                ]
                rows += [{"name": "", "result": "ok", "extra": True}] * EXTRA_ELEMENTS
                rooms.append({"sampled": sampled, "rows": rows})
            counts = dict.fromkeys(RoomState.values, 0)
            for r in rooms:
                counts[r["sampled"].state] += 1
            areas.append({"area": area, "rooms": rooms, "counts": counts})
        pending = sum(a["counts"][RoomState.PENDING] for a in areas)
        return super().get_context_data(
            inspection=inspection,
            areas=areas,
            pending=pending,
            may_record=may_record,
            defect_kinds=DefectKind.choices,
            element_results=ELEMENT_RESULTS,
            figures=inspection_scores([inspection]) if inspection.closed_at else None,
            new_key=uuid.uuid4,
            **kwargs,
        )


class RoomResultFormView(PartnershipScopedMixin, View):
    """The room form without JavaScript: the same service as the API, then back to the page."""

    http_method_names = ["post"]
    write_action = Action.PARTICIPATE
    pk_url_kwarg = "sampled_room_id"

    def scoped_queryset(self, partnership):
        return selectors.sampled_rooms_for_partnership(partnership=partnership).filter(
            inspection_id=self.kwargs["inspection_id"]
        )

    def post(self, request, partnership_id, inspection_id, sampled_room_id):
        sampled = self.get_object()
        post = request.POST
        elements = []
        for index in range(int(post.get("element_count") or 0)):
            name = (post.get(f"element-{index}") or "").strip()
            result = post.get(f"result-{index}") or "skip"
            if name and result != "skip":
                elements.append(
                    {"element": name, **{k: int(result == k) for k in DefectKind.values}}
                )
        kind = post.get("photo_kind", DefectKind.DIRT)
        photos = [(kind, upload) for upload in request.FILES.getlist("photo")]
        try:
            room_result_record(
                actor=request.user,
                sampled_room=sampled,
                client_key=post.get("client_key") or uuid.uuid4(),
                state=post.get("state", ""),
                elements=elements,
                reason=post.get("reason", ""),
                note=post.get("note", ""),
                photos=photos,
            )
        except InspectionClosed as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, f"{sampled.room.code}: " + " ".join(exc.messages))
        else:
            messages.success(request, _("Room %(code)s recorded.") % {"code": sampled.room.code})
        url = reverse("kpis:inspection_rooms", args=[self.partnership.pk, inspection_id])
        return redirect(f"{url}#room-{sampled.pk}")


class InspectionCloseView(PartnershipScopedMixin, View):
    http_method_names = ["post"]
    write_action = Action.PARTICIPATE
    pk_url_kwarg = "inspection_id"

    def scoped_queryset(self, partnership):
        return selectors.inspections_for_partnership(partnership=partnership).prefetch_related(None)

    def post(self, request, partnership_id, inspection_id):
        inspection = self.get_object()
        try:
            inspection_close(actor=request.user, inspection=inspection)
        except InspectionClosed as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(
                "kpis:inspection_rooms",
                partnership_id=self.partnership.pk,
                inspection_id=inspection.pk,
            )
        else:
            messages.success(request, _("Inspection closed; its result is fixed."))
        return redirect(
            "kpis:inspection_detail",
            partnership_id=self.partnership.pk,
            inspection_id=inspection.pk,
        )
