"""Tabs in the partnership header. Feature apps add theirs from AppConfig.ready(), so the
ground floor never names a feature app's URLs."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Tab:
    key: str
    label: object  # a lazy translation
    url_name: str
    order: int


_TABS: dict[str, Tab] = {}


def register_tab(tab: Tab) -> None:
    _TABS[tab.key] = tab


def tabs_for(partnership, current_path: str) -> list[dict]:
    result = []
    for tab in sorted(_TABS.values(), key=lambda t: t.order):
        url = reverse(tab.url_name, kwargs={"partnership_id": partnership.pk})
        result.append({"label": tab.label, "url": url, "active": False})
    # The most specific tab wins: /kpis/inspections/ is the inspections tab, not the KPI tab.
    matches = [t for t in result if current_path.startswith(t["url"])]
    if matches:
        max(matches, key=lambda t: len(t["url"]))["active"] = True
    return result
