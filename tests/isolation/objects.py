"""Objects the isolation world needs that tests/factories.py does not make."""

from accounts.models import ApiToken
from partnership.models import Invitation
from tests import factories as f


def make_api_token(user, name: str) -> tuple[ApiToken, str]:
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), key_hint=key[:12]
    )
    return token, key


def make_invitation(org, email: str, partnership, invited_by) -> Invitation:
    from tests.factories import invitation

    return invitation(org, email, role="member", partnership=partnership, invited_by=invited_by)


def make_plan_items(partnership, tag: str) -> dict:
    return {
        "contacts": f.ContactFactory(
            partnership=partnership, name=f"{tag} Contact Person", email=f"contact@{tag}.test"
        ),
        "meetings": f.MeetingFactory(
            partnership=partnership, frequency=f"{tag} fortnightly", participants=f"{tag} board"
        ),
        "escalation": f.EscalationStepFactory(
            partnership=partnership, level=1, client_contact=f"{tag} Escalation Dean"
        ),
    }


def make_inspection(partnership, inspector):
    """An inspection with one area, written directly (the service's role checks are not the
    point here)."""
    import datetime

    from django.utils import timezone

    from kpis.models import Inspection, InspectionArea

    inspection = Inspection.objects.create(
        partnership=partnership,
        kind="dks",
        date=datetime.date(2026, 2, 2),
        inspector=inspector,
        sample_seed=1,
        closed_at=timezone.now(),
    )
    area = InspectionArea.objects.create(
        inspection=inspection,
        area_type="sanitary",
        lot_size=120,
        aql="4.0",
        sample_size=20,
        accept=2,
        reject=3,
        rooms_inspected=20,
        elements_checked=200,
        defects_dirt=1,
    )
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from kpis.models import DefectPhoto, SampledRoom
    from tests.messaging.factories import image_bytes
    from tests.places.factories import room

    sampled = SampledRoom.objects.create(
        inspection=inspection,
        area=area,
        room=room(partnership, f"KIT-SAN-{inspection.pk}", area_type="sanitary"),
        position=1,
    )
    DefectPhoto.objects.create(
        area=area,
        sampled_room=sampled,
        kind="dirt",
        image=default_storage.save("inspections/dirt.png", ContentFile(image_bytes("PNG"))),
        content_type="image/png",
        original_name="dirt.png",
    )
    return inspection


def make_published_round(partnership, survey, owner, *, marker: str):
    """A published round with a session, one agenda item with minutes, a decision and an action,
    inserted directly (the state trigger guards changes, not inserts) to keep the suite fast."""
    import datetime

    from django.utils import timezone

    from reviews.models import ActionItem, AgendaItem, Decision, ReviewRound, Session

    opens = timezone.now() - datetime.timedelta(days=40)
    review_round = ReviewRound.objects.create(
        partnership=partnership,
        period_start=survey.period_start,
        period_end=survey.period.end,
        survey=survey,
        state="published",
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=14),
        opened_at=opens,
        closed_at=opens + datetime.timedelta(days=14),
        discussed_at=opens + datetime.timedelta(days=20),
        published_at=opens + datetime.timedelta(days=21),
        report_snapshot={"marker": f"Report {marker}"},
        report_edition=1,
    )
    Session.objects.create(
        round=review_round,
        starts_at=opens + datetime.timedelta(days=20),
        ends_at=opens + datetime.timedelta(days=20, hours=2),
        location=f"Room {marker}",
    )
    item = AgendaItem.objects.create(
        round=review_round,
        position=1,
        title=f"Agenda {marker}",
        minutes=f"Minutes {marker}M",
    )
    Decision.objects.create(round=review_round, agenda_item=item, text=f"Decision {marker}D")
    ActionItem.objects.create(
        partnership=partnership,
        round=review_round,
        agenda_item=item,
        title=f"Action {marker}A",
        owner=owner,
        owner_side="client",
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        origin="session",
    )
    return review_round
