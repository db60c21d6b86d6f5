"""The review panel on the partnership overview and the dashboard cards. (Filled in later.)"""


def overview(partnership, access):
    return None


def cards(partnerships) -> dict:
    return {}
