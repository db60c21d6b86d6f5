"""A button is shown only to those who may use it: as the demo's board member (a read-only
viewer) and as its facilitator, walk every page reachable from the dashboard and prove that no
link or form on it answers them 403. Links are followed; forms are posted (as they are, with
their own fields) inside a savepoint that is rolled back. Generic over pages: a new page or
button is covered without a line here."""

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import transaction
from django.urls import Resolver404, resolve, reverse

from accounts.models import User
from partnership.models import Partnership

# Pages of the KPI app are engineer C's walk (tests/kpis); everything else is walked here.
OTHER_WALKS = ("kpis:",)
# Not buttons of the product's pages: signing out, switching the language, the API's docs.
NOT_BUTTONS = ("account_logout", "accounts:set_language", "set_language", "schema", "swagger")
MAX_PAGES = 150
# Files rendered on request (the report's PDF) answer by the same rule as their page; rendering
# them here would only cost time.
RENDERED_FILES = ("reviews:report_pdf",)


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: set[str] = set()
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.add(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "data": {},
            }
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select", "button") and self._form is not None:
            name = a.get("name")
            if name and a.get("type") not in ("submit", "checkbox", "radio", "file"):
                self._form["data"][name] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _route(path: str):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _ours(path: str) -> bool:
    name = _route(path)
    return bool(name) and not name.startswith(OTHER_WALKS) and not name.endswith(NOT_BUTTONS)


def _local(href: str, here: str) -> str | None:
    href = urldefrag(href)[0]
    if not href or href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(href)
    if parts.netloc and parts.netloc not in ("testserver",):
        return None
    path = parts.path or urlsplit(here).path
    return path + (f"?{parts.query}" if parts.query else "")


def walk(client, user, start: str = "/") -> list[str]:
    client.force_login(user)
    seen, queue, forbidden = set(), [start], []
    posted: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        route = _route(urlsplit(path).path)
        if route in seen:  # one visit per route: the same page for another object is alike
            continue
        seen.add(route)
        if route in RENDERED_FILES:
            continue
        response = client.get(path)
        if response.status_code == 403:
            forbidden.append(f"GET {path}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = Page()
        page.feed(response.content.decode())
        for href in page.links:
            target = _local(href, path)
            if target and _ours(urlsplit(target).path):
                queue.append(target)
        for form in page.forms:
            target = _local(form["action"], path) or path
            if not _ours(urlsplit(target).path):
                continue
            if form["method"] == "get":
                queue.append(target)
                continue
            if _route(urlsplit(target).path) in posted:
                continue
            posted.add(_route(urlsplit(target).path))
            with transaction.atomic():
                answer = client.post(target, form["data"])
                transaction.set_rollback(True)
            if answer.status_code == 403:
                forbidden.append(f"POST {target} (a form on {path})")
    return forbidden


@pytest.mark.parametrize("email", ["board@stlucas.demo", "facilitator@samenverder.demo"])
def test_no_button_answers_403(client, demo_db, email):
    user = User.objects.get(email=email)
    assert walk(client, user) == []
    # The walk sees a refusal when there is one: the board member may not edit the partnership.
    partnership = Partnership.objects.visible_to(user).order_by("title").first()
    edit = reverse("partnership:edit", args=[partnership.pk])
    assert walk(client, user, start=edit) == [f"GET {edit}"]
