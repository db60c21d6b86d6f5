"""HTML pages of the register of places: the list with its filters and figures, a room, the
import and the export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from partnership.scoping import PartnershipScopedMixin
from partnership.tabular import XLSX_TYPE, to_csv, to_xlsx
from partnership.views import apply_errors, nothing_changed

from . import imports, selectors, services
from .forms import RoomForm
from .models import AreaType, Room

PAGE_SIZE = 50


class RegisterEditorRequired:
    """Pages that only show a form to the register's keepers: the client's managers (403 for
    everyone else inside the partnership, after the base answered 404 to outsiders)."""

    def dispatch(self, request, *args, **kwargs):
        if not services.can_edit_register(self.access):
            raise PermissionDenied(_("The register of places is kept by the client's managers."))
        return super().dispatch(request, *args, **kwargs)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RegisterView(PartnershipScopedMixin, TemplateView):
    template_name = "places/register.html"

    def get_context_data(self, **kwargs):
        get = self.request.GET
        buildings = list(selectors.buildings_for_partnership(partnership=self.partnership))
        filters = {
            "retired": get.get("retired") == "1",
            "area_type": get.get("type", "") if get.get("type") in AreaType.values else "",
            "building_id": _int_or_none(get.get("building")),
            "q": get.get("q", "").strip()[:100],
            "sort": get.get("sort") if get.get("sort") in selectors.SORTS else "place",
        }
        rooms = selectors.rooms_for_partnership(partnership=self.partnership, **filters)
        page = Paginator(rooms, PAGE_SIZE).get_page(get.get("page"))
        filtered = bool(filters["area_type"] or filters["building_id"] or filters["q"])
        return super().get_context_data(
            page_obj=page,
            rooms=page.object_list,
            filters=filters,
            filtered=filtered,
            buildings=buildings,
            area_types=AreaType.choices,
            sorts=_sort_choices(),
            summary=selectors.register_summary(partnership=self.partnership),
            can_edit=services.can_edit_register(self.access),
            **kwargs,
        )


def _sort_choices():
    return [
        ("place", _("Building and floor")),
        ("code", _("Room code")),
        ("name", _("Name")),
        ("type", _("Area type")),
        ("area", _("Largest first")),
    ]


class RoomScoped(PartnershipScopedMixin):
    pk_url_kwarg = "room_id"

    def scoped_queryset(self, partnership):
        return Room.objects.filter(partnership=partnership).select_related(
            "floor__building__site", "updated_by"
        )


class RoomCreateView(RoomScoped, RegisterEditorRequired, TemplateView):
    template_name = "places/room_form.html"
    shows_form_on_get = True

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", RoomForm())
        return super().get_context_data(**kwargs)

    def post(self, request, partnership_id):
        form = RoomForm(request.POST)
        if form.is_valid():
            try:
                room = services.room_create(
                    actor=request.user, partnership=self.partnership, data=form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Room %(code)s added.") % {"code": room.code})
                return redirect("places:room", partnership_id=self.partnership.pk, room_id=room.pk)
        return self.render_to_response(self.get_context_data(form=form))


class RoomDetailView(RoomScoped, TemplateView):
    """A room: what the register says about it, editable by the client's managers."""

    template_name = "places/room_detail.html"
    shows_form_on_get = False

    def get_context_data(self, **kwargs):
        room = kwargs.setdefault("room", self.get_object())
        can_edit = services.can_edit_register(self.access)
        if can_edit:
            kwargs.setdefault("form", RoomForm(initial=RoomForm.initial_for(room)))
        changes = room.history.select_related("history_user").order_by("-history_date")[:10]
        return super().get_context_data(can_edit=can_edit, changes=changes, **kwargs)

    def post(self, request, partnership_id, room_id):
        room = self.get_object()
        if not services.can_edit_register(self.access):
            raise PermissionDenied(_("The register of places is kept by the client's managers."))
        form = RoomForm(request.POST, initial=RoomForm.initial_for(room))
        if form.is_valid():
            if nothing_changed(request, form):
                return redirect("places:room", partnership_id=partnership_id, room_id=room.pk)
            try:
                services.room_update(actor=request.user, room=room, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Room saved."))
                return redirect("places:room", partnership_id=partnership_id, room_id=room.pk)
        return self.render_to_response(self.get_context_data(room=room, form=form))


class RoomStateView(RoomScoped, View):
    """Retire a room or reinstate it (POST only)."""

    http_method_names = ["post"]
    change = "retire"

    def post(self, request, partnership_id, room_id):
        room = self.get_object()
        service = services.room_retire if self.change == "retire" else services.room_reinstate
        try:
            service(actor=request.user, room=room)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if self.change == "retire":
                messages.success(request, _("Room %(code)s retired.") % {"code": room.code})
            else:
                messages.success(request, _("Room %(code)s is in use again.") % {"code": room.code})
        return redirect("places:room", partnership_id=partnership_id, room_id=room.pk)


class ImportView(PartnershipScopedMixin, RegisterEditorRequired, TemplateView):
    """Upload the register from the CAFM system: every row checked first, then all written or
    none; the result says what changed."""

    template_name = "places/import.html"
    shows_form_on_get = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            headers=imports.headers(),
            required=[str(imports.HEADERS[f]) for f in imports.REQUIRED],
            area_types=AreaType.labels,
            max_rows=imports.MAX_ROWS,
            **kwargs,
        )

    def post(self, request, partnership_id):
        upload = request.FILES.get("file")
        if upload is None:
            return self._error(_("Choose a CSV or Excel file."))
        try:
            rows = imports.read_rooms(upload)
            result = services.rooms_import(
                actor=request.user, partnership=self.partnership, rows=rows
            )
        except services.RowErrors as exc:
            errors = [
                (number, str(imports.HEADERS.get(field, field)), " ".join(map(str, messages_)))
                for number, fields in exc.rows.items()
                for field, messages_ in fields.items()
            ]
            return self.render_to_response(self.get_context_data(row_errors=errors))
        except ValidationError as exc:
            return self._error(" ".join(exc.messages))
        return self.render_to_response(self.get_context_data(result=result))

    def _error(self, text):
        return self.render_to_response(self.get_context_data(error=text))


def _file_response(file_format: str, header, table, *, name: str, title: str) -> HttpResponse:
    if file_format == "xlsx":
        response = HttpResponse(to_xlsx(header, table, title=title), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(to_csv(header, table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


class ExportView(PartnershipScopedMixin, View):
    """The rooms in use as CSV or XLSX, with the import's columns."""

    http_method_names = ["get"]
    file_format = "csv"

    def get(self, request, partnership_id):
        rooms = selectors.rooms_for_partnership(partnership=self.partnership)
        header, table = imports.room_table(rooms.iterator(2000), for_csv=self.file_format == "csv")
        name = f"{_('rooms')}-{timezone.localdate().isoformat()}"
        return _file_response(self.file_format, header, table, name=name, title=_("Rooms"))


class ImportTemplateView(PartnershipScopedMixin, View):
    http_method_names = ["get"]
    file_format = "csv"

    def get(self, request, partnership_id):
        header, table = imports.template_table()
        name = _("rooms-template")
        return _file_response(self.file_format, header, table, name=name, title=_("Rooms"))
