"""Tabs in the partnership header and links in the site's header. Feature apps add theirs from
AppConfig.ready(), so the ground floor (and `templates/base.html`) never names a feature app's
URLs."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

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


@dataclass(frozen=True)
class HeaderLink:
    """A link in the site's header, for signed-in users. `key` gives the element its id
    (`<key>-link`); `shown_to(user)` hides it from some, `badge(user)` counts beside it."""

    key: str
    label: object  # a lazy translation
    url_name: str
    order: int
    shown_to: Callable[[object], bool] | None = None
    badge: Callable[[object], int] | None = None
    badge_label: object = ""  # what the count counts, for screen readers; or count -> text


_HEADER_LINKS: dict[str, HeaderLink] = {}


def register_header_link(link: HeaderLink) -> None:
    _HEADER_LINKS[link.key] = link


def header_links_for(user) -> Callable[[], list[dict]]:
    """The header's links for `user`, worked out when a template first reads them (full pages
    do, fragments and API answers don't), so their queries run only where they show."""

    @cache
    def links() -> list[dict]:
        result = []
        for link in sorted(_HEADER_LINKS.values(), key=lambda link: link.order):
            if link.shown_to is not None and not link.shown_to(user):
                continue
            badge = link.badge(user) if link.badge else 0
            badge_label = link.badge_label
            if callable(badge_label):
                badge_label = badge_label(badge)
            result.append(
                {
                    "key": link.key,
                    "label": link.label,
                    "url": reverse(link.url_name),
                    "badge": badge,
                    "badge_label": badge_label,
                }
            )
        return result

    return links
