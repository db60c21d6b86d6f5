import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from partnership.access import Action, access_for, resolve_access
from partnership.models import Partnership, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_visible_to_covers_participants_and_org_managers_only(world):
    visible = set(Partnership.objects.visible_to(world.member))
    assert visible == {world.partnership}
    # an admin of the supplier org who is no participant still sees both of its partnerships
    supplier_admin = f.member(world.cleaner, Role.ADMIN)
    assert set(Partnership.objects.visible_to(supplier_admin)) == {
        world.partnership,
        world.other_partnership,
    }
    # a plain member of the supplier org who is no participant sees nothing
    assert not Partnership.objects.visible_to(f.member(world.cleaner, Role.MEMBER)).exists()
    assert not Partnership.objects.visible_to(world.outsider).exists()


def test_resolve_access_raises_404_for_outsider_and_bad_ids(world):
    with pytest.raises(Http404):
        resolve_access(world.outsider, world.partnership.pk)
    with pytest.raises(Http404):
        resolve_access(world.manager, "not-a-uuid")


@pytest.mark.parametrize(
    ("who", "read", "participate", "manage", "facilitate"),
    [
        ("manager", True, True, True, False),
        ("member", True, True, False, False),
        ("viewer", True, False, False, False),
        ("supplier_lead", True, True, True, False),
        ("facilitator", True, False, False, True),
    ],
)
def test_roles_by_action(world, who, read, participate, manage, facilitate):
    access = access_for(getattr(world, who), world.partnership)
    assert access.can(Action.READ) is read
    assert access.can(Action.PARTICIPATE) is participate
    assert access.can(Action.MANAGE) is manage
    assert access.can(Action.FACILITATE) is facilitate


def test_facilitator_side_and_other_side(world):
    assert access_for(world.facilitator, world.partnership).side == "facilitator"
    assert access_for(world.supplier_lead, world.partnership).other_side == "client"


def test_ended_partnership_is_read_only_for_everyone(world):
    world.partnership.phase = "ended"
    world.partnership.save()
    access = access_for(world.manager, world.partnership)
    assert access.can(Action.READ)
    with pytest.raises(PermissionDenied):
        access.require(Action.MANAGE)
