"""What feature apps add to the dashboard cards and the partnership overview.

A feature app registers a `Panel` from its AppConfig.ready(). Both hooks receive everything they
will show at once, so a page costs the same number of queries however many partnerships it lists.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    # partnership, access -> context for `overview_template` (or None to show nothing)
    overview: Callable | None = None
    overview_template: str = ""
    # list of partnerships -> {partnership id: context for `card_template`}
    cards: Callable | None = None
    card_template: str = ""
    # list of partnerships, user -> {partnership id: context}, for what depends on the reader
    # (unread counts, side-internal items); used instead of `cards` when both are given
    cards_for_user: Callable | None = None


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def _ordered() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: p.order)


def overview_panels(partnership, access) -> list[dict]:
    panels = []
    for panel in _ordered():
        if panel.overview is None:
            continue
        data = panel.overview(partnership, access)
        if data is not None:
            panels.append({"template": panel.overview_template, "data": data})
    return panels


def card_panels(partnerships, user=None) -> dict:
    """partnership id -> list of {"template", "data"} for the dashboard cards."""
    result = {p.pk: [] for p in partnerships}
    for panel in _ordered():
        if panel.cards_for_user is not None and user is not None:
            cards = panel.cards_for_user(partnerships, user)
        elif panel.cards is not None:
            cards = panel.cards(partnerships)
        else:
            continue
        for pk, data in cards.items():
            result.setdefault(pk, []).append({"template": panel.card_template, "data": data})
    return result
