"""The isolation world: `world` plus one object of every kind on both tenants' sides.

Tenant A is the hospital's partnership (`world.partnership`), where `world.manager` is an insider.
Tenant B is the university's partnership (`world.other_partnership`); every URL sample points into
B or at another user's things. `world.outsider` (admin of an unrelated organisation) belongs to
neither.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.models import Dispute
from messaging import services as hub
from partnership.models import Membership, Notification, Participant
from tests import factories as f
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.sti import factories as sti_factories

from .objects import (
    make_api_token,
    make_inspection,
    make_invitation,
    make_plan_items,
    make_published_round,
)


@dataclass
class Isolation:
    world: object
    insider: object
    outsider: object
    outsider_token_key: str
    a_org: object
    a_partnership: object
    b_org: object
    b_partnership: object
    b_user: object
    b_contract: object
    b_participant: object
    b_membership: object
    b_notification: object
    b_invitation: object
    b_token: object
    b_plan_items: dict
    b_kpi: object = None
    b_measurement: object = None
    b_inspection: object = None
    b_dispute: object = None
    b_indicator_set: object = None
    b_survey: object = None
    b_thread: object = None
    b_message: object = None
    b_attachment: object = None
    b_document: object = None
    b_version: object = None
    b_round: object = None
    b_agenda_item: object = None
    b_decision: object = None
    b_action: object = None
    a_markers: list[str] = field(default_factory=list)
    b_markers: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [str(self.a_partnership.pk), str(self.b_partnership.pk)]


@pytest.fixture
def isolation(world) -> Isolation:
    a, b = world.partnership, world.other_partnership

    # Tenant A: the insider's own partnership, with one of everything.
    a_items = make_plan_items(a, "hospitalside")
    a_invitation = make_invitation(world.hospital, "newcomer@hospital.test", a, world.manager)
    a_notification = Notification.objects.create(
        user=world.manager, partnership=a, kind="test", title="Hospital notice ZX41"
    )
    a_token, _ = make_api_token(world.manager, "Hospital CAFM link")

    # Tenant B: the university's partnership and people, which A's insider and the outsider
    # must never reach.
    b_user = f.participant(
        b, "client", role="admin", email="fm@university.test", full_name="Ursula Vermeer"
    )
    crew = f.participant(b, "supplier", role="member", email="crew@cleaner.test")
    b_staff = f.member(world.university, "member", email="staff@university.test")
    b_contract = world.other_contract
    b_contract.reference = "UNI-CONTRACT-77"
    b_contract.save()
    b_items = make_plan_items(b, "universityside")
    b_invitation = make_invitation(world.university, "newcomer@university.test", b, b_user)
    b_notification = Notification.objects.create(
        user=b_user,
        partnership=b,
        kind="test",
        title="University notice QK93",
        url=f"/partnerships/{b.pk}/",
    )
    b_token, _ = make_api_token(b_user, "University ERP link")
    a_kpi = KPIFactory(partnership=a, name="Hospital pass rate KX17")
    MeasurementFactory(kpi=a_kpi)
    b_kpi = KPIFactory(partnership=b, name="University pass rate KQ88")
    b_measurement = MeasurementFactory(kpi=b_kpi)
    b_inspection = make_inspection(b, crew)
    b_dispute = Dispute.objects.create(
        partnership=b, inspection=b_inspection, raised_by=b_user, side="client", reason="QK93"
    )
    a_set = sti_factories.adopted_set(a, indicators=[("Hospital openness SX23", "both")])
    sti_factories.survey(a, a_set, state="closed", period_start=datetime.date(2026, 4, 1))
    b_set = sti_factories.adopted_set(b, indicators=[("University openness SQ61", "both")])
    b_survey = sti_factories.survey(
        b, b_set, state="closed", period_start=datetime.date(2026, 4, 1)
    )
    sti_factories.response(
        b_survey, b_user, "client", {("University openness SQ61", "supplier"): (3, "Late QM52")}
    )
    a_thread = hub.thread_create(
        actor=world.manager, partnership=a, subject="Hospital thread HT52", body="Hospital words"
    )
    hub.document_create(
        actor=world.manager,
        partnership=a,
        title="Hospital manual HD31",
        file=SimpleUploadedFile("hospital.pdf", b"%PDF-1.4 hospital"),
    )
    b_thread = hub.thread_create(
        actor=b_user,
        partnership=b,
        subject="University thread UT74",
        body="University words UW18",
        category="complaint",
        attachments=[SimpleUploadedFile("uni-notes.pdf", b"%PDF-1.4 university")],
    )
    b_message = b_thread.messages.get()
    b_document = hub.document_create(
        actor=b_user,
        partnership=b,
        title="University manual UD93",
        file=SimpleUploadedFile("uni-manual.pdf", b"%PDF-1.4 manual"),
    )
    b_round = make_published_round(b, b_survey, b_user, marker="UR36")
    b_agenda_item = b_round.agenda.get()
    b_action = b_round.actions.get()
    outsider_token, outsider_key = make_api_token(world.outsider, "Outsider integration")
    assert outsider_token.is_active

    return Isolation(
        world=world,
        insider=world.manager,
        outsider=world.outsider,
        outsider_token_key=outsider_key,
        a_org=world.hospital,
        a_partnership=a,
        b_org=world.university,
        b_partnership=b,
        b_user=b_user,
        b_contract=b_contract,
        b_participant=Participant.objects.get(partnership=b, user=crew),
        b_membership=Membership.objects.get(user=b_staff, organization=world.university),
        b_notification=b_notification,
        b_invitation=b_invitation,
        b_token=b_token,
        b_plan_items=b_items,
        b_kpi=b_kpi,
        b_measurement=b_measurement,
        b_inspection=b_inspection,
        b_dispute=b_dispute,
        b_indicator_set=b_set,
        b_survey=b_survey,
        b_thread=b_thread,
        b_message=b_message,
        b_attachment=b_message.attachments.get(),
        b_document=b_document,
        b_version=b_document.versions.get(),
        b_round=b_round,
        b_agenda_item=b_agenda_item,
        b_decision=b_round.decisions.get(),
        b_action=b_action,
        a_markers=[
            a.title,
            world.contract.reference,
            a_items["contacts"].name,
            a_items["meetings"].frequency,
            a_items["escalation"].client_contact,
            a_invitation.email,
            a_notification.title,
            a_token.name,
            a_kpi.name,
            "Hospital openness SX23",
            a_thread.subject,
            "Hospital manual HD31",
            world.manager.email,
        ],
        b_markers=[
            b.title,
            b_contract.reference,
            b_items["contacts"].name,
            b_items["meetings"].frequency,
            b_items["escalation"].client_contact,
            b_invitation.email,
            b_notification.title,
            b_token.name,
            b_kpi.name,
            "University openness SQ61",
            "Late QM52",
            b_thread.subject,
            "University words UW18",
            "University manual UD93",
            b_user.email,
            crew.email,
            b_agenda_item.title,
            b_agenda_item.minutes,
            b_round.decisions.get().text,
            b_action.title,
        ],
    )
