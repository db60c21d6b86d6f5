"""The STI summary on the partnership overview and the dashboard cards."""


def overview(partnership, access):
    return {"partnership": partnership}


def cards(partnerships):
    return {}
