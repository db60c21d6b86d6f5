"""A hub thread names a room of the register: the services keep it within the partnership and
in use, the forms offer it (a select by building, or a code with a datalist for a large
register), the pages show it and the API reads and writes it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from messaging import forms, services
from messaging.models import Thread
from tests.api import paths
from tests.places.factories import floor, room, rooms

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world):
    """Two buildings of the hospital, and a room of the other partnership."""
    west = floor(world.partnership, building="W", code="2")
    return {
        "office": room(world.partnership, "HG.1.101", name="Kantoor"),
        "ward": room(world.partnership, "W.2.214", name="Spreekkamer", floor=west),
        "retired": room(world.partnership, "HG.1.199", retired_at=timezone.now()),
        "other": room(world.other_partnership, "U.1.101"),
    }


def _open(world, **kwargs):
    kwargs = {"subject": "Vloer vies", "body": "Niet gedweild.", **kwargs}
    return services.thread_create(actor=world.manager, partnership=world.partnership, **kwargs)


def _errors(exc) -> dict:
    return exc.value.message_dict


# --- Services -------------------------------------------------------------------------------


def test_a_thread_names_a_room_and_keeps_it_in_its_history(world, register):
    thread = _open(world, room=register["office"])
    assert thread.room == register["office"]
    services.thread_update(actor=world.supplier_lead, thread=thread, room=register["ward"])
    services.thread_update(actor=world.supplier_lead, thread=thread, room=None)
    rooms_in_history = list(thread.history.order_by("history_id").values_list("room_id", flat=True))
    assert rooms_in_history == [register["office"].pk, register["ward"].pk, None]


@pytest.mark.parametrize("which", ["other", "retired"])
def test_a_room_of_another_partnership_or_retired_is_refused(world, register, which):
    with pytest.raises(ValidationError) as exc:
        _open(world, room=register[which])
    assert list(_errors(exc)) == ["room"]
    thread = _open(world)
    with pytest.raises(ValidationError) as exc:
        services.thread_update(actor=world.manager, thread=thread, room=register[which])
    assert list(_errors(exc)) == ["room"]
    thread.refresh_from_db()
    assert thread.room is None


def test_a_room_retired_later_stays_on_its_thread(world, register):
    thread = _open(world, room=register["office"])
    register["office"].retired_at = timezone.now()
    register["office"].save()
    # Other handling changes keep the retired room; naming it again is no change either.
    services.thread_update(
        actor=world.manager, thread=thread, priority="high", room=register["office"]
    )
    thread.refresh_from_db()
    assert thread.room == register["office"] and thread.priority == "high"


# --- Forms ----------------------------------------------------------------------------------


def test_the_form_offers_rooms_in_use_grouped_by_building(world, register):
    form = forms.ThreadForm(partnership=world.partnership, side="client")
    groups = dict(form.fields["room"].choices[1:])
    assert sorted(groups) == ["HG", "W"]
    offered = {value for options in groups.values() for value, _ in options}
    assert offered == {str(register["office"].pk), str(register["ward"].pk)}


def test_without_rooms_in_use_the_form_has_no_room_field(world):
    room(world.partnership, "HG.0.001", retired_at=timezone.now())
    assert "room" not in forms.ThreadForm(partnership=world.partnership, side="client").fields


def test_the_handling_form_keeps_a_retired_room_unchanged(world, register):
    thread = _open(world, room=register["office"])
    register["office"].retired_at = timezone.now()
    register["office"].save()
    thread = Thread.objects.select_related("room").get(pk=thread.pk)
    form = forms.ThreadUpdateForm(thread=thread, side="client")
    offered = {v for _, options in form.fields["room"].choices[1:] for v, _ in options}
    assert str(register["office"].pk) in offered
    assert str(register["retired"].pk) not in offered
    assert form.initial["room"] == str(register["office"].pk)


def test_a_large_register_asks_for_the_code_with_a_datalist(world, monkeypatch):
    monkeypatch.setattr(forms, "ROOM_SELECT_LIMIT", 3)
    made = rooms(world.partnership, 4)
    form = forms.ThreadForm(
        {"room": made[2].code.lower()}, partnership=world.partnership, side="client"
    )
    html = str(form["room"])
    assert 'list="id_room-codes"' in html and f'<option value="{made[3].code}">' in html
    form.is_valid()
    assert form.cleaned_data["room"] == made[2]
    form = forms.ThreadForm({"room": "X.9"}, partnership=world.partnership, side="client")
    form.is_valid()
    assert "room" in form.errors


# --- Pages ----------------------------------------------------------------------------------


def _thread_page(p, thread):
    return reverse("messaging:thread", kwargs={"partnership_id": p.pk, "thread_id": thread.pk})


def test_new_thread_page_opens_a_thread_about_a_room(client, world, register):
    client.force_login(world.manager)
    path = reverse("messaging:thread_new", kwargs={"partnership_id": world.partnership.pk})
    page = client.get(path).content.decode()
    assert '<optgroup label="W">' in page and "W.2.214 Spreekkamer" in page
    response = client.post(
        path,
        {
            "category": "complaint",
            "subject": "Spreekkamer vies",
            "priority": "normal",
            "body": "Stof op de tafel.",
            "room": register["ward"].pk,
        },
    )
    assert response.status_code == 302
    thread = Thread.objects.get(subject="Spreekkamer vies")
    assert thread.room == register["ward"]
    shown = client.get(response["Location"]).content.decode()
    assert 'data-testid="thread-room"' in shown and "Spreekkamer" in shown
    assert 'data-testid="room-retired"' not in shown
    inbox = reverse("messaging:inbox", kwargs={"partnership_id": world.partnership.pk})
    assert "W.2.214</span>" in client.get(inbox).content.decode()


def test_a_foreign_room_id_posted_is_refused_on_the_form(client, world, register):
    thread = _open(world)
    client.force_login(world.manager)
    path = reverse(
        "messaging:thread_update",
        kwargs={"partnership_id": world.partnership.pk, "thread_id": thread.pk},
    )
    response = client.post(
        path, {"status": "open", "priority": "normal", "room": register["other"].pk}
    )
    assert response.status_code == 200
    assert "room" in response.context["update_form"].errors
    thread.refresh_from_db()
    assert thread.room is None


def test_the_handling_form_sets_the_room(client, world, register):
    thread = _open(world)
    client.force_login(world.supplier_lead)
    path = reverse(
        "messaging:thread_update",
        kwargs={"partnership_id": world.partnership.pk, "thread_id": thread.pk},
    )
    response = client.post(
        path, {"status": "open", "priority": "normal", "room": register["office"].pk}
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.room == register["office"]


def test_a_retired_room_stays_shown_on_the_thread_page(client, world, register):
    thread = _open(world, room=register["office"])
    register["office"].retired_at = timezone.now()
    register["office"].save()
    client.force_login(world.viewer)
    page = client.get(_thread_page(world.partnership, thread)).content.decode()
    shown = page[page.index('data-testid="thread-room"') :].split("</dd>")[0]
    assert "HG.1.101" in shown and "Kantoor" in shown and 'data-testid="room-retired"' in shown


# --- API ------------------------------------------------------------------------------------


def _api(world, user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(user)
    return api


def test_api_writes_and_reads_the_room(world, register):
    api = _api(world, world.manager)
    url = f"{paths.partnership(world.partnership)}threads/"
    response = api.post(
        url, {"subject": "Vies", "body": "Stof.", "room": register["ward"].pk}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()["room"]
    assert body == {
        "id": register["ward"].pk,
        "code": "W.2.214",
        "name": "Spreekkamer",
        "building": "W",
        "building_name": "W",
        "floor": "2",
        "retired_at": None,
    }
    thread_url = f"{url}{response.json()['id']}/"
    response = api.patch(thread_url, {"room": register["office"].pk}, format="json")
    assert response.status_code == 200 and response.json()["room"]["code"] == "HG.1.101"
    response = api.patch(thread_url, {"room": None}, format="json")
    assert response.status_code == 200 and response.json()["room"] is None


@pytest.mark.parametrize("which", ["other", "retired", "missing"])
def test_api_refuses_a_foreign_retired_or_unknown_room_with_400(world, register, which):
    api = _api(world, world.manager)
    pk = register[which].pk if which != "missing" else 999999
    url = f"{paths.partnership(world.partnership)}threads/"
    response = api.post(url, {"subject": "Vies", "body": "Stof.", "room": pk}, format="json")
    assert response.status_code == 400 and "room" in response.json(), response.content
    thread = _open(world)
    response = api.patch(f"{url}{thread.pk}/", {"room": pk}, format="json")
    assert response.status_code == 400 and "room" in response.json(), response.content
