"""An inspection recorded on a tablet without a connection: the page keeps working, the results
wait on the device and arrive once when the connection returns; a result the server no longer
accepts (the inspection was closed meanwhile) is shown until the inspector discards it.

Real Chromium with its service worker and IndexedDB against the live server (127.0.0.1 counts
as a secure context); `context.set_offline` cuts the page and its service worker off.
"""

import datetime
import io

import pytest
from PIL import Image

from accounts.models import User
from kpis.models import DefectPhoto, InspectionKind, RoomResultWrite, RoomState, SampledRoom
from kpis.services_samples import inspection_close, sample_draw
from partnership.models import Partnership
from places.models import AreaType, Building, Floor, Room, Site

from .walk import DEMO_PARTNERSHIP, Personas

TABLET = {"width": 820, "height": 1180}
INSPECTOR = "pl@cleancare.demo"  # the supplier's project leader records the self-check (DKS)


def png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (shade, 60, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def open_inspection(partnership, inspector):
    """A self-check drawn from a wing of 20 rooms of their own type: 5 drawn (ISO 2859-1)."""
    site = Site.objects.create(partnership=partnership, code="OFF", name="Offline-vleugel")
    building = Building.objects.create(partnership=partnership, site=site, code="W", name="Wing")
    floor = Floor.objects.create(partnership=partnership, building=building, code="0")
    Room.objects.bulk_create(
        Room(
            partnership=partnership,
            floor=floor,
            code=f"W0.{n:02d}",
            name=f"Berging {n}",
            area_type=AreaType.OTHER,
            floor_area=12,
        )
        for n in range(1, 21)
    )
    return sample_draw(
        actor=inspector,
        partnership=partnership,
        kind=InspectionKind.DKS,
        date=datetime.date.today(),
        areas=[{"area_type": AreaType.OTHER}],
        seed=17,
    )


def record_room(page, room, shade: int) -> None:
    """Open the room, mark its first element dirty, add a photo, save."""
    if room.locator("details[open]").count() == 0:
        room.locator("summary").click()
    room.locator("input[name=result-0][value=dirt] + label").click()  # a radio styled as a button
    assert room.locator("input[name=result-0][value=dirt]").is_checked()
    room.locator("input[type=file][name=photo]").set_input_files(
        {"name": f"gebrek-{shade}.png", "mimeType": "image/png", "buffer": png(shade)}
    )
    room.locator("button[type=submit]").click()
    room.locator("[data-room-offline-state]").wait_for()


def expected(console_error: str) -> bool:
    """What the console says when a request finds no network, or the closed inspection's 409;
    anything else (a CSP violation among them) is a problem."""
    return "ERR_INTERNET_DISCONNECTED" in console_error or "status of 409" in console_error


def waiting(page) -> str:
    return page.get_attribute("[data-offline-status]", "data-waiting")


def wait_for_waiting(page, count: int, timeout=15_000) -> None:
    page.wait_for_selector(f"[data-offline-status][data-waiting='{count}']", timeout=timeout)


@pytest.mark.browser
def test_three_rooms_recorded_offline_arrive_once_with_their_photos(
    browser, live_server, demo_live_db
):
    partnership = Partnership.objects.get(title=DEMO_PARTNERSHIP)
    inspector = User.objects.get(email=INSPECTOR)
    inspection = open_inspection(partnership, inspector)
    drawn = list(inspection.sampled_rooms.order_by("area_id", "position"))
    assert len(drawn) >= 4

    context = Personas(browser, live_server.url).context(INSPECTOR, viewport=TABLET)
    problems = []
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda exc: problems.append(f"uncaught exception: {exc}"))
    page.on(
        "console", lambda m: m.type == "error" and not expected(m.text) and problems.append(m.text)
    )
    cancel_next = []  # the next confirmation is answered "cancel"
    page.on("dialog", lambda d: d.dismiss() if cancel_next and cancel_next.pop() else d.accept())
    try:
        url = f"/partnerships/{partnership.pk}/kpis/inspections/{inspection.pk}/rooms/"
        page.goto(url)
        page.wait_for_selector("[data-offline-inspection][data-offline-ready=true]")
        assert waiting(page) == "0"

        context.set_offline(True)
        rooms = page.locator("li[data-sampled-room]")
        for index in range(3):
            record_room(page, rooms.nth(index), shade=100 + index)
        wait_for_waiting(page, 3)
        assert page.get_attribute("[data-offline-inspection]", "data-connection") == "offline"
        assert RoomResultWrite.objects.filter(sampled_room__inspection=inspection).count() == 0

        # The page comes from the service worker's copy, and the queue from IndexedDB.
        page.reload()
        wait_for_waiting(page, 3)
        assert page.locator("[data-room-offline-state=waiting]").count() == 3
        assert "3" in page.inner_text("[data-offline-status]")

        context.set_offline(False)
        wait_for_waiting(page, 0)
        assert page.locator("[data-room-offline-state=sent]").count() == 3

        writes = RoomResultWrite.objects.filter(sampled_room__inspection=inspection)
        assert writes.count() == 3
        assert len({w.client_key for w in writes}) == 3
        recorded = SampledRoom.objects.filter(inspection=inspection, state=RoomState.INSPECTED)
        assert sorted(recorded.values_list("pk", flat=True)) == [s.pk for s in drawn[:3]]
        assert all(s.defects_dirt == 1 for s in recorded)
        photos = DefectPhoto.objects.filter(sampled_room__inspection=inspection)
        assert sorted(photos.values_list("sampled_room_id", flat=True)) == [s.pk for s in drawn[:3]]
        assert sorted(p.original_name for p in photos) == [
            f"gebrek-{n}.png" for n in (100, 101, 102)
        ]

        # Offline again, a fourth room; meanwhile the inspection is closed elsewhere.
        context.set_offline(True)
        record_room(page, rooms.nth(3), shade=200)
        wait_for_waiting(page, 1)
        inspection_close(actor=inspector, inspection=inspection)
        context.set_offline(False)
        conflict = page.wait_for_selector("[data-offline-conflict]")
        assert drawn[3].room.code in conflict.inner_text()
        assert waiting(page) == "0"
        assert page.locator("[data-room-offline-state=conflict]").count() == 1
        # Not dropped: discarding asks first (cancelled here), and after a reload it is still
        # there, until discarded.
        cancel_next.append(True)
        page.locator("[data-offline-discard]").click()
        page.reload()
        page.wait_for_selector("[data-offline-conflict]")
        page.locator("[data-offline-discard]").click()
        page.wait_for_selector("[data-offline-conflicts]", state="hidden")
        assert RoomResultWrite.objects.filter(sampled_room__inspection=inspection).count() == 3
        assert DefectPhoto.objects.filter(sampled_room__inspection=inspection).count() == 3

        # Signing out forgets the pages and data kept for offline use (a shared tablet).
        kept = "async () => (await caches.keys()).filter(n => /inspection-(pages|data)/.test(n))"
        assert page.evaluate(kept)
        with page.expect_navigation():
            page.evaluate("document.querySelector('form[data-sign-out]').requestSubmit()")
        assert page.evaluate(kept) == []
    finally:
        context.close()
    assert not problems, problems
