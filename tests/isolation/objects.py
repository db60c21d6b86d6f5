"""Objects the isolation world needs that tests/factories.py does not make."""

import secrets

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
    return Invitation.objects.create(
        organization=org,
        email=email,
        role="member",
        token=secrets.token_urlsafe(32),
        partnership=partnership,
        invited_by=invited_by,
    )


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
