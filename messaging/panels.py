"""The hub on the partnership overview and the dashboard cards."""


def overview(partnership, access):
    return {}


def cards(partnerships):
    return {}
