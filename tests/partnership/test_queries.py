"""Pages run a constant number of queries, whatever the number of partnerships."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f

pytestmark = pytest.mark.django_db


def _make_partnerships(user, org, n):
    for _ in range(n):
        p = f.PartnershipFactory(client=org)
        f.ParticipantFactory(partnership=p, user=user, side="client")
        f.ContractFactory(partnership=p)
        f.ContactFactory(partnership=p)


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/", "/partnerships/"])
def test_query_count_is_constant_for_5_and_50_partnerships(client, path):
    org = f.OrganizationFactory()
    small, large = f.member(org, "admin"), f.member(org, "manager")
    other = f.OrganizationFactory()
    small_org_user = f.member(other, "manager")
    _make_partnerships(small_org_user, other, 5)
    _make_partnerships(large, org, 50)
    client.force_login(small_org_user)
    five = _count(client, path)
    client.force_login(large)
    fifty = _count(client, path)
    assert five == fifty
    assert small  # the admin makes `org` realistic; it is not measured


def test_overview_query_count_does_not_grow_with_contacts(client, world):
    client.force_login(world.manager)
    path = world.partnership.get_absolute_url()
    before = _count(client, path)
    for _ in range(10):
        f.ContactFactory(partnership=world.partnership)
        f.MeetingFactory(partnership=world.partnership)
        f.ContractFactory(partnership=world.partnership)
    assert _count(client, path) == before
