"""factory_boy factories for the tenancy core; feature apps keep theirs in tests/<app>/."""

import datetime
import secrets

import factory
from django.conf import settings

from accounts.models import User
from partnership.models import (
    CommunicationPlan,
    Contact,
    Contract,
    EscalationStep,
    Invitation,
    MeetingCadence,
    Membership,
    Organization,
    Participant,
    Partnership,
    Role,
    Side,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    client = factory.SubFactory(OrganizationFactory)
    supplier = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Partnership {n}")
    services = factory.LazyFunction(lambda: ["cleaning"])
    phase = "active"

    @factory.post_generation
    def plan(obj, create, extracted, **kwargs):
        if create:
            CommunicationPlan.objects.get_or_create(
                partnership=obj, defaults={"emergency_number": "+31 20 555 0101"}
            )


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    partnership = factory.SubFactory(PartnershipFactory)
    user = factory.SubFactory(UserFactory)
    side = Side.CLIENT
    title = "Contract manager"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    partnership = factory.SubFactory(PartnershipFactory)
    reference = factory.Sequence(lambda n: f"C-{n:04d}")
    title = "Cleaning services"
    start_date = datetime.date(2026, 1, 1)
    end_date = datetime.date(2028, 12, 31)
    value = 250000


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    plan = factory.LazyAttribute(lambda o: o.partnership.communication_plan)
    side = Side.CLIENT
    name = factory.Faker("name")
    role = "Facility manager"
    phone = "+31 20 555 0199"

    class Params:
        partnership = factory.SubFactory(PartnershipFactory)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingCadence

    plan = factory.LazyAttribute(lambda o: o.partnership.communication_plan)
    level = "operational"
    frequency = "weekly"
    participants = "Facility manager, project leader"

    class Params:
        partnership = factory.SubFactory(PartnershipFactory)


class EscalationStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EscalationStep

    plan = factory.LazyAttribute(lambda o: o.partnership.communication_plan)
    level = factory.Sequence(lambda n: n + 1)
    client_contact = "Facility manager"
    supplier_contact = "Project leader"

    class Params:
        partnership = factory.SubFactory(PartnershipFactory)


def member(org: Organization, role: str = Role.MEMBER, **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organization=org, role=role)
    return user


def participant(
    partnership: Partnership, side: str, role: str = Role.MEMBER, title: str = "", **user_kwargs
) -> User:
    """A user who is a member of the side's organisation (with `role`) and a participant."""
    org = partnership.organization_for_side(side)
    user = member(org, role, **user_kwargs) if org is not None else UserFactory(**user_kwargs)
    ParticipantFactory(partnership=partnership, user=user, side=side, title=title)
    return user


def invitation(org, email: str, **kwargs) -> Invitation:
    """An invitation as if just e-mailed: only its token's hash is stored; the raw token, which
    only the e-mail carries, is handed to the test as `invitation.raw_token`."""
    token = secrets.token_urlsafe(32)
    created = Invitation.objects.create(
        organization=org, email=email, token_hash=Invitation.hash_token(token), **kwargs
    )
    created.raw_token = token
    return created


assert settings  # settings import keeps factory modules importable only under Django
