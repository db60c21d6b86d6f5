"""Who is who in the hub's API tests (the fixtures are in conftest.py)."""

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator", "outsider"]
READERS = ["manager", "member", "viewer", "supplier_lead", "facilitator"]
WRITERS = ["manager", "member", "supplier_lead"]
NOT_WRITERS = ["viewer", "facilitator"]
