import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from partnership import services
from partnership.models import (
    CommunicationPlan,
    Contract,
    Invitation,
    Notification,
    Organization,
    Participant,
    Partnership,
    Role,
)
from partnership.phases import checklist_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_partnership_create_makes_plan_and_seats_the_creator(world):
    p = services.partnership_create(
        actor=world.manager,
        client=world.hospital,
        supplier=world.cleaner,
        title="Security",
        services=["security"],
        actor_title="Contract manager",
    )
    assert CommunicationPlan.objects.filter(partnership=p).exists()
    seat = Participant.objects.get(partnership=p, user=world.manager)
    assert (seat.side, seat.title) == ("client", "Contract manager")


def test_partnership_create_invites_a_new_other_organisation(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        p = services.partnership_create(
            actor=world.manager,
            client=world.hospital,
            title="Catering",
            services=["catering"],
            new_org_name="Nieuwe Catering BV",
            new_org_email="Boss@NewCatering.test",
        )
    assert p.supplier.name == "Nieuwe Catering BV"
    invitation = Invitation.objects.get(organization=p.supplier)
    assert (invitation.email, invitation.role, invitation.partnership) == (
        "boss@newcatering.test",
        Role.ADMIN,
        p,
    )
    assert len(mail.outbox) == 1
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert invitation.token_hash == Invitation.hash_token(token)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"services": []}, "services"),
        ({"services": ["gardening"]}, "services"),
        ({"title": "  "}, "title"),
        ({"phase": "nonsense"}, "phase"),
    ],
)
def test_partnership_create_rejects_bad_input_and_writes_nothing(world, kwargs, field):
    before = (Partnership.objects.count(), Organization.objects.count())
    data = {"title": "X", "services": ["cleaning"], **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.partnership_create(
            actor=world.manager, client=world.hospital, supplier=world.university, **data
        )
    assert field in exc.value.message_dict
    assert (Partnership.objects.count(), Organization.objects.count()) == before


def test_partnership_create_needs_a_managing_role_in_one_party(world):
    with pytest.raises(PermissionDenied):
        services.partnership_create(
            actor=world.member,
            client=world.hospital,
            supplier=world.university,
            title="X",
            services=["cleaning"],
        )
    with pytest.raises(PermissionDenied):
        services.partnership_create(
            actor=world.outsider,
            client=world.hospital,
            supplier=world.university,
            title="X",
            services=["cleaning"],
        )


def test_partnership_update_only_by_managers(world):
    services.partnership_update(actor=world.manager, partnership=world.partnership, title="New")
    assert Partnership.objects.get(pk=world.partnership.pk).title == "New"
    with pytest.raises(PermissionDenied):
        services.partnership_update(actor=world.member, partnership=world.partnership, title="X")
    with pytest.raises(PermissionDenied):
        services.partnership_update(actor=world.outsider, partnership=world.partnership, title="X")


def test_contract_dates_and_reference_are_validated(world):
    data = {"reference": "R-1", "title": "T", "start_date": datetime.date(2026, 1, 1)}
    with pytest.raises(ValidationError) as exc:
        services.contract_create(
            actor=world.manager,
            partnership=world.partnership,
            end_date=datetime.date(2025, 1, 1),
            **data,
        )
    assert "end_date" in exc.value.message_dict
    services.contract_create(
        actor=world.manager,
        partnership=world.partnership,
        end_date=datetime.date(2027, 1, 1),
        **data,
    )
    with pytest.raises(ValidationError) as exc:
        services.contract_create(
            actor=world.manager,
            partnership=world.partnership,
            end_date=datetime.date(2027, 1, 1),
            **data,
        )
    assert "reference" in exc.value.message_dict
    assert Contract.objects.filter(partnership=world.partnership, reference="R-1").count() == 1


def test_participant_must_belong_to_the_side_organisation(world):
    stranger = f.member(world.university, Role.MEMBER)
    with pytest.raises(ValidationError) as exc:
        services.participant_add(
            actor=world.manager, partnership=world.partnership, user=stranger, side="client"
        )
    assert "user" in exc.value.message_dict
    colleague = f.member(world.hospital, Role.MEMBER)
    services.participant_add(
        actor=world.manager, partnership=world.partnership, user=colleague, side="client"
    )
    assert Notification.objects.filter(
        user=colleague, kind="partnership.participant_added"
    ).exists()
    with pytest.raises(ValidationError):
        services.participant_add(
            actor=world.manager, partnership=world.partnership, user=colleague, side="client"
        )


def test_phase_change_notifies_participants_in_their_language(
    world, django_capture_on_commit_callbacks
):
    world.member.language = "en"
    world.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_set_phase(
            actor=world.manager, partnership=world.partnership, phase="renewal"
        )
    note = Notification.objects.get(user=world.member, kind="partnership.phase")
    with translation.override("en"):
        assert "Renewal" in note.display_title
    with translation.override("nl"):
        assert "Verlenging" in note.display_title  # the same notice, read in Dutch
    assert any(m.to == [world.member.email] for m in mail.outbox)


def test_checklist_mixes_derived_and_manual_items(world):
    world.partnership.phase = "kickoff"
    world.partnership.save()
    items = {i.key: i for i in checklist_for(world.partnership)}
    assert items["kickoff.emergency"].done  # the factory sets an emergency number
    assert not items["kickoff.contacts"].done
    f.ContactFactory(partnership=world.partnership, side="client")
    f.ContactFactory(partnership=world.partnership, side="supplier")
    assert {i.key: i for i in checklist_for(world.partnership)}["kickoff.contacts"].done
    world.partnership.phase = "renewal"  # kick-off has no hand-ticked items left; renewal has
    world.partnership.save()
    services.checklist_item_toggle(
        actor=world.manager, partnership=world.partnership, key="renewal.evaluation", done=True
    )
    world.partnership.refresh_from_db()
    assert {i.key: i for i in checklist_for(world.partnership)}["renewal.evaluation"].done
    with pytest.raises(ValidationError):
        services.checklist_item_toggle(
            actor=world.manager, partnership=world.partnership, key="kickoff.contacts", done=True
        )


def test_audit_trail_records_who_changed_the_contract(world, client):
    client.force_login(world.manager)
    url = f"/partnerships/{world.partnership.pk}/contracts/{world.contract.pk}/edit/"
    data = {
        "reference": world.contract.reference,
        "title": "Renamed contract",
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
        "value": "1000",
    }
    assert client.post(url, data).status_code == 302
    record = Contract.history.filter(id=world.contract.pk).latest("history_date")
    assert record.history_user == world.manager and record.title == "Renamed contract"
    page = client.get(f"/partnerships/{world.partnership.pk}/history/").content.decode()
    assert "Renamed contract" in page
