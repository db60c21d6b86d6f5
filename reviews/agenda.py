"""The session agenda proposed from a closed round. (Filled in by the session work.)"""


def agenda_propose(*, review_round, now=None) -> list:
    return []
