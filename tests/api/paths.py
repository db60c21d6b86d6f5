"""API paths as the URL contract in DESIGN.md spells them."""

API = "/api/v1"


def partnerships() -> str:
    return f"{API}/partnerships/"


def partnership(p) -> str:
    return f"{API}/partnerships/{p.pk}/"


def participants(p) -> str:
    return f"{partnership(p)}participants/"


def participant(p, participant_obj) -> str:
    return f"{participants(p)}{participant_obj.pk}/"


def contracts(p) -> str:
    return f"{partnership(p)}contracts/"


def contract(p, contract_obj) -> str:
    return f"{contracts(p)}{contract_obj.pk}/"


def plan(p) -> str:
    return f"{partnership(p)}communication-plan/"
