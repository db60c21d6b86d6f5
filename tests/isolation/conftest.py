"""The isolation world: `build_world()` plus one object of every kind in both tenants.

Tenant A is the hospital's partnership (`world.partnership`), where `world.manager` is the insider.
Tenant B is the university's partnership (`world.other_partnership`). `world.outsider` (admin of
an unrelated organisation) belongs to neither. Both tenants get the same kit (`Kit`), so a URL
sample can point into B (the outsider and insider probes) or into A (the insider's own walk).

The world is built once per module inside a transaction that is rolled back at the module's end;
every case runs in a savepoint inside it.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.models import Dispute, NormProposal
from messaging import services as hub
from partnership.models import Membership, Notification, Participant
from tests import factories as f
from tests.conftest import build_world, shared_transaction, test_settings
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.places import factories as places_factories
from tests.sti import factories as sti_factories

from .objects import (
    make_api_token,
    make_inspection,
    make_invitation,
    make_plan_items,
    make_published_round,
)


@dataclass
class Kit:
    """One of everything in one tenant; every object carries a marker made of `tag`."""

    org: object
    partnership: object
    user: object  # the tenant's own admin and client participant
    contract: object
    participant: object
    membership: object
    notification: object
    invitation: object
    api_token: object
    plan_items: dict
    kpi: object
    measurement: object
    inspection: object
    dispute: object
    indicator_set: object
    survey: object
    thread: object
    message: object
    attachment: object
    document: object
    version: object
    round: object
    agenda_item: object
    decision: object
    action: object
    markers: list[str] = field(default_factory=list)
    norm_proposal: object = None
    room: object = None


@dataclass
class Isolation:
    world: object
    insider: object
    outsider: object
    outsider_token_key: str
    insider_token_key: str
    a: Kit
    b: Kit

    @property
    def ids(self) -> list[str]:
        return [str(self.a.partnership.pk), str(self.b.partnership.pk)]


def make_kit(partnership, org, user, tag: str, code: str) -> Kit:
    """`tag` names the tenant ("Hospital"); `code` makes its markers unique ("H")."""
    crew = f.participant(partnership, "supplier", role="member", email=f"crew-{code}@cleaner.test")
    staff = f.member(org, "member", email=f"staff@{tag.lower()}.test")
    contract = partnership.contracts.get()
    contract.reference = f"{tag.upper()}-CONTRACT-{code}77"
    contract.save()
    items = make_plan_items(partnership, f"{tag.lower()}side")
    invitation = make_invitation(org, f"newcomer@{tag.lower()}.test", partnership, user)
    notification = Notification.objects.create(
        user=user,
        partnership=partnership,
        kind="test",
        title=f"{tag} notice {code}K93",
        url=f"/partnerships/{partnership.pk}/",
    )
    api_token, _key = make_api_token(user, f"{tag} ERP link")
    kpi = KPIFactory(partnership=partnership, name=f"{tag} pass rate {code}Q88")
    measurement = MeasurementFactory(kpi=kpi)
    norm_proposal = NormProposal.objects.create(
        kpi=kpi,
        side="client",
        proposed_by=user,
        old_target=kpi.target,
        old_tolerance=0,
        old_weight=1,
        target=kpi.target + 1,
        tolerance=0,
        weight=1,
        reason=f"{tag} norm {code}N47",
    )
    inspection = make_inspection(partnership, crew)
    room = places_factories.room(partnership, f"{code}.1.101", name=f"{tag} ward {code}P53")
    dispute = Dispute.objects.create(
        partnership=partnership, inspection=inspection, raised_by=user, side="client", reason=code
    )
    indicator = f"{tag} openness {code}S61"
    indicator_set = sti_factories.adopted_set(partnership, indicators=[(indicator, "both")])
    survey = sti_factories.survey(
        partnership, indicator_set, state="closed", period_start=datetime.date(2026, 4, 1)
    )
    motivation = f"Late {code}M52"
    sti_factories.response(survey, user, "client", {(indicator, "supplier"): (3, motivation)})
    thread = hub.thread_create(
        actor=user,
        partnership=partnership,
        subject=f"{tag} thread {code}T74",
        body=f"{tag} words {code}W18",
        category="complaint",
        attachments=[SimpleUploadedFile(f"{tag.lower()}-notes.pdf", b"%PDF-1.4 notes")],
    )
    message = thread.messages.get()
    document = hub.document_create(
        actor=user,
        partnership=partnership,
        title=f"{tag} manual {code}D93",
        file=SimpleUploadedFile(f"{tag.lower()}-manual.pdf", b"%PDF-1.4 manual"),
    )
    review_round = make_published_round(partnership, survey, user, marker=f"{code}R36")
    agenda_item = review_round.agenda.get()
    decision = review_round.decisions.get()
    action = review_round.actions.get()
    return Kit(
        org=org,
        partnership=partnership,
        user=user,
        contract=contract,
        participant=Participant.objects.get(partnership=partnership, user=crew),
        membership=Membership.objects.get(user=staff, organization=org),
        notification=notification,
        invitation=invitation,
        api_token=api_token,
        plan_items=items,
        kpi=kpi,
        measurement=measurement,
        inspection=inspection,
        dispute=dispute,
        indicator_set=indicator_set,
        survey=survey,
        thread=thread,
        message=message,
        attachment=message.attachments.get(),
        document=document,
        version=document.versions.get(),
        round=review_round,
        agenda_item=agenda_item,
        decision=decision,
        action=action,
        norm_proposal=norm_proposal,
        room=room,
        markers=[
            partnership.title,
            contract.reference,
            items["contacts"].name,
            items["meetings"].frequency,
            items["escalation"].client_contact,
            invitation.email,
            notification.title,
            api_token.name,
            kpi.name,
            norm_proposal.reason,
            room.name,
            indicator,
            motivation,
            thread.subject,
            f"{tag} words {code}W18",
            document.title,
            user.email,
            crew.email,
            agenda_item.title,
            agenda_item.minutes,
            decision.text,
            action.title,
        ],
    )


def build_isolation() -> Isolation:
    world = build_world()
    a = make_kit(world.partnership, world.hospital, world.manager, "Hospital", "H")
    b_user = f.participant(
        world.other_partnership,
        "client",
        role="admin",
        email="fm@university.test",
        full_name="Ursula Vermeer",
    )
    b = make_kit(world.other_partnership, world.university, b_user, "University", "U")
    _outsider_token, outsider_key = make_api_token(world.outsider, "Outsider integration")
    _insider_token, insider_key = make_api_token(world.manager, "Insider integration")
    return Isolation(
        world=world,
        insider=world.manager,
        outsider=world.outsider,
        outsider_token_key=outsider_key,
        insider_token_key=insider_key,
        a=a,
        b=b,
    )


@pytest.fixture(scope="module")
def isolation_media(tmp_path_factory):
    return tmp_path_factory.mktemp("isolation-media")


@pytest.fixture(scope="module")
def isolation(django_db_setup, django_db_blocker, isolation_media) -> Isolation:
    with test_settings(isolation_media), shared_transaction(django_db_blocker):
        yield build_isolation()


@pytest.fixture(autouse=True)
def _isolation_case(db, settings, isolation_media):
    """Every case runs in a savepoint (`db`) inside the module's transaction, and the world's
    uploads live in the module's media folder, not in each test's own."""
    settings.MEDIA_ROOT = isolation_media
