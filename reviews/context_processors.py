"""Header data of the review pages: whether to show the "Facilitation" link."""

from functools import cache

from partnership.models import Participant, Side


def facilitation(request):
    """`facilitates`: does the user facilitate any partnership? One `exists()` query, only for a
    signed-in user and only when a template asks (the header of full pages), not on every
    fragment or API answer."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def facilitates() -> bool:
        return Participant.objects.filter(user=user, side=Side.FACILITATOR).exists()

    return {"facilitates": facilitates}
