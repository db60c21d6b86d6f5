"""Every form round-trips: on every walked page (tests/browser/walk.py) that renders a POST form
with an input a person fills in, in Dutch and in English, as the persona who opens the page, the
browser reads every field's value, submits the form unchanged, and the test proves that

(a) no field the server gave a value opens empty in the browser: `input.value` is empty when the
    browser rejected the `value` attribute (`4,00` in a number input, `02-12-2026` in a date
    input), which is how editing a KPI meant retyping its norm;
(b) nothing changed in the database: every table's fingerprint is the same before and after.
    An edit form says "Nothing changed"; a create form submitted as it opens is refused by the
    server's own validation (the browser's is switched off so the server is what is tested).

The persona the walk found may be read-only (the board member): then a form should not be on the
page at all, and one that is fails as "read-only persona sees a form". Every failure is collected
and reported together.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client

from tests.browser.walk import DESKTOP, Personas, demo_kit, set_language, walk_pages

pytestmark = pytest.mark.django_db(transaction=True)

READ_ONLY = {"board@stlucas.demo"}

# What legitimately moves while a person only looks: the session and sign-in tables, the user's
# last_login, and the hub's read state (opening a thread stamps `read_at`, and an unchanged
# submit of a thread form lands on the thread again).
SKIP_TABLES = {"django_session", "account_emailaddress"}
SKIP_COLUMNS = ("last_login", "read_at")

# Forms that are valid as they open because their button is an action, not an edit: they are
# listed (as a note in the output), not submitted. A regex on the form's action -> why.
VALID_AS_OPENED: dict[str, str] = {
    r"/norm/\d+/accept/$": "accepting a proposed norm is the button's action; its note is optional",
}

FIELDS_JS = """
(index) => {
  const forms = [...document.querySelectorAll('main form')];
  const form = forms[index];
  if (!form) return null;
  return [...form.elements].filter(e => e.name && !['submit', 'button', 'reset'].includes(e.type))
    .map(e => ({
      name: e.name, type: e.type, tag: e.tagName.toLowerCase(),
      value: (e.type === 'checkbox' || e.type === 'radio') ? (e.checked ? e.value : null) : e.value,
      attr: e.getAttribute('value'),
    }));
}
"""

FORMS_JS = """
() => [...document.querySelectorAll('main form')].map((f, i) => ({
  index: i,
  method: (f.getAttribute('method') || 'get').toLowerCase(),
  visible: [...f.elements].filter(e => e.name && !['hidden', 'submit', 'button', 'reset']
    .includes(e.type)).length,
  action: f.getAttribute('action') || '',
  htmx: f.hasAttribute('hx-post'),
}))
"""

SUBMIT_JS = """
(index) => {
  const form = document.querySelectorAll('main form')[index];
  form.noValidate = true;
  const button = form.querySelector('button[type=submit], button:not([type]), input[type=submit]');
  form.requestSubmit(button || undefined);
}
"""


def fingerprint() -> dict[str, str]:
    """Per table, an md5 of all its rows (less SKIP_COLUMNS), in one query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(t for (t,) in cursor.fetchall() if t not in SKIP_TABLES)
        drop = "{" + ",".join(SKIP_COLUMNS) + "}"
        row = f"(to_jsonb(t) - '{drop}'::text[])::text"
        parts = [
            f"SELECT '{name}', md5(coalesce(string_agg({row}, '|' ORDER BY {row}), ''))"
            f' FROM "{name}" t'
            for name in tables
        ]
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


class _PostForms(HTMLParser):
    """Whether a page's <main> has a POST form with a field a person fills in."""

    def __init__(self):
        super().__init__()
        self.in_main = self.in_post = False
        self.found = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "form" and self.in_main:
            self.in_post = (attrs.get("method") or "").lower() == "post"
        elif self.in_post and tag in ("select", "textarea"):
            self.found = True
        elif self.in_post and tag == "input":
            self.found |= attrs.get("type") not in ("hidden", "submit", "button", "reset")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post = False
        elif tag == "main":
            self.in_main = False


def pages_with_forms(visits) -> list:
    """The visits whose page has a POST form with fields (cheap: the test client, no browser)."""
    from accounts.models import User

    clients: dict = {}
    found = []
    for visit in visits:
        if visit.persona not in clients:
            client = Client()
            if visit.persona:
                client.force_login(User.objects.get(email=visit.persona))
            clients[visit.persona] = client
        parser = _PostForms()
        parser.feed(clients[visit.persona].get(visit.url).content.decode())
        if parser.found:
            found.append(visit)
    return found


@dataclass
class Findings:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    forms: int = 0

    def fail(self, where: str, what: str) -> None:
        self.failures.append(f"{where}: {what}")


def _rejected(fields) -> list[str]:
    """Fields whose `value` attribute the browser dropped (only inputs carry the attribute)."""
    return [
        f"{f['name']} ({f['type']}) has value={f['attr']!r} but opens empty"
        for f in fields
        if f["tag"] == "input"
        and f["type"] not in ("checkbox", "radio", "file", "hidden")
        and f["attr"]
        and not f["value"]
    ]


def _emptied(before, after) -> list[str]:
    now = {(f["name"], f["type"]): f["value"] for f in after if f["value"]}
    return [
        f"{f['name']} had {f['value']!r}, opens empty after the submit"
        for f in before
        if f["value"] and f["type"] not in ("hidden", "file") and (f["name"], f["type"]) not in now
    ]


def _one_per_view(forms: list[dict]) -> list[dict]:
    """A list shows one form per row (a role per member): the first of each kind is enough."""
    seen, kept = set(), []
    for form in forms:
        kind = re.sub(r"/[0-9a-f-]*\d[0-9a-f-]*/", "/<id>/", form["action"])
        if kind not in seen:
            seen.add(kind)
            kept.append(form)
    return kept


def _submit(page, form: dict) -> int:
    """Submit unchanged and wait for the answer: the page that follows, or htmx's swap."""
    if form["htmx"]:
        with page.expect_response(lambda r: r.request.method == "POST", timeout=8000) as info:
            page.evaluate(SUBMIT_JS, form["index"])
        page.wait_for_timeout(100)  # let htmx swap the answer in
        return info.value.status
    posted = page.expect_response(lambda r: r.request.method == "POST", timeout=8000)
    with posted as info, page.expect_navigation(timeout=8000):
        page.evaluate(SUBMIT_JS, form["index"])
    return info.value.status


def round_trip_page(page, visit, language: str, findings: Findings) -> None:
    page.goto(visit.url)
    where = f"[{language}] {visit.route} {visit.url}"
    forms = [f for f in page.evaluate(FORMS_JS) if f["method"] == "post" and f["visible"]]
    if forms and visit.persona in READ_ONLY:
        findings.fail(where, f"read-only persona {visit.persona} sees {len(forms)} form(s)")
        return
    fresh = True  # the page as it opens, until a form on it is submitted
    for form in _one_per_view(forms):
        findings.forms += 1
        label = f"{where} form #{form['index']} ({form['action'] or 'same URL'})"
        why = next((w for rx, w in VALID_AS_OPENED.items() if re.search(rx, form["action"])), None)
        if why:
            findings.notes.append(f"{label}: not submitted, valid as opened: {why}")
            continue
        if not fresh:
            page.goto(visit.url)
        fresh = False
        fields = page.evaluate(FIELDS_JS, form["index"])
        if fields is None:
            findings.fail(label, f"the form is gone when the page opens again ({page.url})")
            continue
        for problem in _rejected(fields):
            findings.fail(label, problem)
        before = fingerprint()
        try:
            status = _submit(page, form)
        except Exception as exc:  # noqa: BLE001 - the finding is reported, the walk goes on
            findings.fail(label, f"submitting sent no POST ({type(exc).__name__})")
            continue
        if status >= 400:
            findings.fail(label, f"the unchanged submit answers {status} to {visit.persona}")
        changed = sorted(t for t, h in fingerprint().items() if before.get(t) != h)
        if changed:
            findings.fail(label, f"the unchanged submit wrote to {', '.join(changed)}")
            page.goto(visit.url)
            forms_now = page.evaluate(FORMS_JS)
            if len(forms_now) > form["index"]:
                for problem in _emptied(fields, page.evaluate(FIELDS_JS, form["index"])):
                    findings.fail(label, problem)


def test_every_form_round_trips_unchanged_in_dutch_and_english(browser, live_server, demo_live_db):
    started = time.monotonic()
    kit = demo_kit()
    visits = pages_with_forms(walk_pages(kit))
    assert len(visits) > 20, f"the walk found only {len(visits)} pages with forms"
    print(f"walk: {time.monotonic() - started:.1f}s")  # noqa: T201
    signer = Personas(browser, live_server.url)
    findings = Findings()
    for language in ("nl", "en"):
        set_language(language)
        contexts = {}
        try:
            for visit in visits:
                if visit.persona not in contexts:
                    context = signer.context(
                        visit.persona, viewport=DESKTOP, locale=f"{language}-NL"
                    )
                    context.on("page", lambda p: p.on("dialog", lambda d: d.accept()))
                    contexts[visit.persona] = context.new_page()
                    contexts[visit.persona].set_default_timeout(10_000)
                round_trip_page(contexts[visit.persona], visit, language, findings)
        finally:
            for page in contexts.values():
                page.context.close()
    print(f"{findings.forms} forms on {len(visits)} pages, twice")  # noqa: T201
    for note in findings.notes:
        print("note:", note)  # noqa: T201
    assert not findings.failures, f"{len(findings.failures)} round-trip failure(s):\n" + "\n".join(
        findings.failures
    )
