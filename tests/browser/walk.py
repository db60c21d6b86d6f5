"""The page walker: every HTML page of the URLconf, on the seeded demo, with a persona who sees it.

Routes come from the URLconf walk of the isolation suite (`tests/isolation/routes.py`) and their
kwargs from its SAMPLES (`tests/isolation/samples.py`), filled from a `DemoKit` of the demo world,
so a route added later is walked without touching this file. A route whose kwarg has no sample,
or that no persona can open, makes `walk_pages` raise with a message saying what to add.

Use (inside a test with `demo_live_db` and `live_server`; `browser` is the session fixture):

    kit = demo_kit()  # the richest partnership's objects, plus what the demo lacks
    visits = walk_pages(kit)  # [PageVisit(route, url, persona)]: that persona gets 200 HTML
    personas = Personas(browser, live_server.url)
    for persona, group in by_persona(visits):
        context = personas.context(persona, viewport=PHONE)  # signed in; close it afterwards
        page = context.new_page()
        for visit in group:
            page.goto(visit.url)
    set_language("en")  # the personas read the app in English from the next request on

`walk_pages` uses Django's test `Client` (no browser): each route is tried with PERSONAS in
order and the first persona who gets a 200 HTML answer is recorded. Pages a signed-out visitor
sees (the login page) are tried last, signed out (persona `None`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from tests.demo_db import SIGN_IN_PASSWORD
from tests.isolation.objects import make_api_token, make_invitation
from tests.isolation.routes import Route, discover
from tests.isolation.samples import SAMPLES, missing_samples, sample_key, variants_for

DEMO_PARTNERSHIP = "Schoonmaak Sint-Lucas"  # Sint-Lucas x CleanCare, the richest partnership

# Tried in this order; the first who gets 200 is the one the browser signs in as. `None` is a
# signed-out visitor (the login and password-reset pages redirect a signed-in one away).
PERSONAS: tuple[str | None, ...] = (
    "fm@stlucas.demo",  # client facility manager, admin of Sint-Lucas
    "pl@cleancare.demo",  # supplier project leader
    "facilitator@samenverder.demo",
    "admin@cleancare.demo",  # supplier organisation admin
    "board@stlucas.demo",  # read-only viewer
    None,
)

# What the walk leaves out, by full route name prefix, and why. Everything else in the URLconf
# that answers GET is walked; a route that answers GET with something else fails the walk.
SKIPPED_PREFIXES: dict[str, str] = {
    "admin:": "Django admin: staff-only, Django's own pages, not the product",
    "api-schema": "OpenAPI schema: YAML, not a page",
    "api-docs": "Swagger UI: a third-party page (tests/browser/test_api_docs.py covers it)",
    "healthz": "health check: JSON for the load balancer",
    "readyz": "readiness check: JSON for the load balancer",
    "metrics": "Prometheus metrics: text for the scraper, 404 without its token",
    "inspection_service_worker": "the inspection page's service worker: a script, not a page",
    "set_language": "Django's language switch: POST only, redirects",
    "accounts:set_language": "the profile's language switch: POST only, redirects",
    # allauth pages that need a one-time key from an e-mail, or a half-finished sign-in: without
    # the key (or the pending login / a second factor) allauth only redirects.
    "account_confirm_email": "one-time key from an e-mail",
    "account_reset_password_from_key": "one-time key from an e-mail (its 'done' page is walked)",
    "account_confirm_login_code": "needs a pending sign-in by code",
    "account_set_password": "only for users without a password; the demo users have one",
    "mfa_authenticate": "second step of a sign-in in progress",
    "mfa_activate_totp": "asks for the password again first (account_reauthenticate is walked)",
    "mfa_reauthenticate": "needs an activated second factor",
    "mfa_deactivate_totp": "needs an activated second factor",
    "mfa_view_recovery_codes": "needs an activated second factor",
    "mfa_generate_recovery_codes": "needs an activated second factor",
    "mfa_download_recovery_codes": "a text file, and needs an activated second factor",
    # Files, not pages (their content type is checked below: a 200 that is not HTML fails
    # unless listed here).
    "kpis:export_csv": "CSV download",
    "kpis:export_xlsx": "XLSX download",
    "kpis:import_template": "CSV/XLSX template download for the import",
    "places:export_": "CSV/XLSX download of the register",
    "places:import_template": "CSV/XLSX template download for the register's import",
    "kpis:defect_photo": "image download (the photo is shown on the inspection page)",
    "kpis:measurement_evidence": "evidence file download",
    "messaging:attachment": "attachment download",
    "messaging:version_download": "document version download",
    "reviews:report_pdf": "PDF download",
    "reviews:session_ics": "calendar file",
    "kpis:sampling_plan": "htmx fragment of the inspection form (kpis:inspection_create is walked)",
    "reviews:session_mode": "redirects to the current agenda item (reviews:session_item is walked)",
}

# Routes whose natural object differs from the kit's one for that kwarg (the kit's survey is
# closed, with results; answering needs an open one). Route name -> {kwarg: kit attribute}.
ROUTE_SAMPLES: dict[str, dict[str, str]] = {
    "sti:respond": {"survey_id": "open_survey"},
    # Indicators are edited only in a draft version; the kit's set is the adopted one.
    "sti:indicator_add": {"set_id": "draft_set"},
    "sti:indicator_edit": {"set_id": "draft_set", "indicator_id": "draft_indicator"},
    # A message is edited by its author, shortly after writing it.
    "messaging:message_edit": {"message_id": "own_message"},
}

# The kit's own values for kwargs whose SAMPLES entry assumes the isolation kit's shape (one area
# per inspection): the demo's inspections have three areas.
KIT_SAMPLES = {
    "area_id": lambda kit, v: kit.area.pk,
    "photo_id": lambda kit, v: kit.photo.pk,
}


@dataclass(frozen=True)
class PageVisit:
    route: str  # full route name, e.g. "partnership:plan"
    url: str  # path, e.g. "/partnerships/<uuid>/communication-plan/"
    persona: str | None  # e-mail of the persona who gets 200; None: signed out


@dataclass
class DemoKit:
    """One object of every kind SAMPLES names, from the demo's richest partnership; what the
    demo lacks (an invitation, an API token, a defect photo) is created."""

    org: object
    partnership: object
    user: object
    contract: object
    participant: object
    membership: object
    notification: object
    invitation: object
    api_token: object
    plan_items: dict
    kpi: object
    measurement: object
    norm_proposal: object
    inspection: object
    area: object
    photo: object
    dispute: object
    indicator_set: object
    draft_set: object
    draft_indicator: object
    survey: object
    open_survey: object
    thread: object
    message: object
    own_message: object
    attachment: object | None
    document: object
    version: object
    round: object
    agenda_item: object
    decision: object
    action: object
    extra: dict = field(default_factory=dict)
    room: object = None


def _photo(area, user):
    from kpis.models import DefectPhoto
    from tests.messaging.factories import image_bytes

    name = default_storage.save("inspections/walk-dirt.png", ContentFile(image_bytes("PNG")))
    return DefectPhoto.objects.create(
        area=area,
        kind="dirt",
        caption="Stof op vensterbank",
        image=name,
        content_type="image/png",
        original_name="vensterbank.png",
        uploaded_by=user,
    )


def demo_kit() -> DemoKit:
    """Build the kit on the demo database (call inside a test using `demo_live_db`)."""
    from accounts.models import User
    from kpis.models import KPI, Inspection
    from kpis.services_norms import norm_propose
    from messaging import services as hub
    from messaging.models import Attachment, Document, Thread
    from partnership.models import Membership, Participant, Partnership
    from places.models import Room
    from reviews.models import ReviewRound
    from sti import services as sti_services
    from sti.models import Survey

    p = Partnership.objects.get(title=DEMO_PARTNERSHIP)
    fm = User.objects.get(email=PERSONAS[0])
    kpi = KPI.objects.filter(partnership=p).annotate(n=Count("measurements")).order_by("-n")[0]
    inspection = (
        Inspection.objects.filter(partnership=p).annotate(n=Count("areas")).order_by("-n", "-pk")
    )[0]
    area = inspection.areas.order_by("pk")[0]
    threads = Thread.objects.filter(partnership=p).exclude(status="closed")
    thread = threads.annotate(n=Count("messages")).order_by("-n", "pk")[0]
    document = Document.objects.filter(partnership=p).annotate(n=Count("versions"))
    document = document.order_by("-n", "pk")[0]
    rounds = ReviewRound.objects.filter(partnership=p, state="published")
    review_round = rounds.annotate(n=Count("agenda")).order_by("-n", "-period_start")[0]
    surveys = Survey.objects.filter(partnership=p)
    api_token, _key = make_api_token(fm, "Koppeling facilitair managementsysteem")
    draft_set = sti_services.indicator_set_draft(
        actor=fm, partnership=p, note="Herziening na kwartaalevaluatie"
    )
    # The supplier's project leader proposes a new norm; the client's manager is to accept it.
    norm_proposal = norm_propose(
        actor=User.objects.get(email=PERSONAS[1]),
        kpi=kpi,
        reason="Nieuwe meetmethode vanaf het volgende kwartaal",
        target=kpi.target + Decimal("0.5"),
    )
    own_message = hub.message_post(
        actor=fm,
        thread=thread,
        body="Dank voor de snelle opvolging; we bespreken dit in het volgende werkoverleg.",
    )
    return DemoKit(
        org=p.client,
        partnership=p,
        user=fm,
        contract=p.contracts.order_by("pk")[0],
        participant=Participant.objects.filter(partnership=p, side="supplier").order_by("pk")[0],
        membership=Membership.objects.filter(organization=p.client).exclude(user=fm)[0],
        notification=fm.notifications.order_by("-pk")[0],
        invitation=make_invitation(p.client, "nieuwe.collega@stlucas.demo", p, fm),
        api_token=api_token,
        plan_items={
            "contacts": p.communication_plan.contacts.order_by("pk")[0],
            "meetings": p.communication_plan.meetings.order_by("pk")[0],
            "escalation": p.communication_plan.escalation_steps.order_by("pk")[0],
        },
        kpi=kpi,
        measurement=kpi.measurements.order_by("-period_start")[0],
        norm_proposal=norm_proposal,
        inspection=inspection,
        area=area,
        photo=_photo(area, fm),
        dispute=p.disputes.order_by("pk")[0],
        indicator_set=p.indicator_sets.exclude(adopted_at=None).order_by("-version")[0],
        draft_set=draft_set,
        draft_indicator=draft_set.indicators.order_by("position")[0],
        survey=surveys.filter(state="closed").order_by("-period_start")[0],
        open_survey=surveys.filter(state="open").order_by("-period_start")[0],
        thread=thread,
        message=thread.messages.order_by("pk")[0],
        own_message=own_message,
        attachment=Attachment.objects.filter(message__thread__partnership=p).first(),
        document=document,
        version=document.versions.order_by("-pk")[0],
        round=review_round,
        agenda_item=review_round.agenda.order_by("position")[0],
        decision=review_round.decisions.order_by("pk")[0],
        action=review_round.actions.order_by("pk")[0],
        room=Room.objects.filter(partnership=p).in_use().order_by("code")[0],
    )


def skip_reason(route: Route) -> str | None:
    if route.is_api:
        return "API route (api/v1/...): JSON, covered by tests/api and the isolation suite"
    # An unnamed pattern is matched by its namespace ("admin:" covers admin's unnamed ones).
    name = route.name or (f"{route.namespace}:" if route.namespace else "")
    for prefix, reason in SKIPPED_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    if route.callback_path in ("django.views.static.serve",):
        return "static/media file serving"
    return None


def page_routes() -> list[Route]:
    """The routes the walk covers: every route of the URLconf that is not skipped."""
    return [r for r in discover() if skip_reason(r) is None]


def route_urls(route: Route, kit: DemoKit) -> list[str]:
    """The route reversed with the kit's samples, one URL per variant (e.g. each plan part)."""
    problems = missing_samples(route)
    if problems:
        raise WalkError(
            "\n".join(problems) + "\n  ...and give DemoKit in tests/browser/walk.py that object"
        )
    overrides = ROUTE_SAMPLES.get(route.name, {})
    urls = []
    for variant in variants_for(route):
        kwargs = {}
        for kwarg in route.kwargs:
            key = sample_key(route, kwarg)
            if kwarg in overrides:
                kwargs[kwarg] = getattr(kit, overrides[kwarg]).pk
            else:
                kwargs[kwarg] = KIT_SAMPLES.get(key, SAMPLES[key])(kit, variant)
        urls.append(reverse(route.name, kwargs=kwargs))
    return urls


class WalkError(AssertionError):
    pass


@dataclass
class _Clients:
    """One signed-in test Client per persona, made on first use."""

    clients: dict = field(default_factory=dict)

    def get(self, email: str | None) -> Client:
        if email not in self.clients:
            client = Client(raise_request_exception=False)
            if email is not None:  # through the form, as in the browser (allauth records it)
                response = client.post(
                    reverse("account_login"), {"login": email, "password": SIGN_IN_PASSWORD}
                )
                assert response.status_code == 302, f"{email} cannot sign in: {response}"
            self.clients[email] = client
        return self.clients[email]


def _is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def walk_pages(kit: DemoKit, *, personas=PERSONAS, routes=None) -> list[PageVisit]:
    """Every walked page with the first persona who gets 200 HTML, in URLconf order.

    Routes that answer 405 to GET for the first persona are actions (POST only), not pages, and
    are left out. Raises WalkError listing every route it could not fill or open, with what each
    persona got and what to do.
    """
    clients = _Clients()
    visits, problems = [], []
    for route in page_routes() if routes is None else routes:
        try:
            urls = route_urls(route, kit)
        except WalkError as exc:
            problems.append(str(exc))
            continue
        for url in urls:
            visit, problem = _first_persona(route, url, clients, personas)
            if visit:
                visits.append(visit)
            elif problem:
                problems.append(problem)
    if problems:
        raise WalkError(
            f"The page walk could not open {len(problems)} route(s):\n" + "\n".join(problems)
        )
    return visits


def _first_persona(route, url, clients, personas) -> tuple[PageVisit | None, str | None]:
    answers = []
    for email in personas:
        response = clients.get(email).get(url)
        if response.status_code == 405:
            return None, None  # an action: POST only
        if response.status_code == 200:
            if not _is_html(response):
                return None, (
                    f"{route.name} ({url}) answers {response['Content-Type']}, not a page: add it "
                    "to SKIPPED_PREFIXES in tests/browser/walk.py with the reason"
                )
            if b"<html" not in response.content[:500]:
                return None, (
                    f"{route.name} ({url}) answers an HTML fragment, not a page: add it to "
                    "SKIPPED_PREFIXES in tests/browser/walk.py, naming the page that shows it"
                )
            return PageVisit(route=route.name, url=url, persona=email), None
        where = f" -> {response['Location']}" if response.get("Location") else ""
        answers.append(f"{email or 'signed out'}: {response.status_code}{where}")
    return None, (
        f"{route.name} ({url}): no persona gets 200 ({'; '.join(answers)}). Give the walk an "
        "object this page can show (DemoKit / ROUTE_SAMPLES in tests/browser/walk.py), a persona "
        "who may open it (PERSONAS), or list it in SKIPPED_PREFIXES with the reason."
    )


# --- the browser side ------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def by_persona(visits: list[PageVisit]) -> list[tuple[str | None, list[PageVisit]]]:
    """The visits grouped by persona (in PERSONAS order), so a walk signs in once per persona."""
    groups: dict[str | None, list[PageVisit]] = {}
    for visit in visits:
        groups.setdefault(visit.persona, []).append(visit)
    return sorted(groups.items(), key=lambda item: PERSONAS.index(item[0]))


class Personas:
    """Signs Playwright contexts in as a persona: one real sign-in per persona through the login
    form, then its `storage_state` (the session cookie) is reused, so each page costs one
    navigation."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.states: dict[str | None, dict] = {None: {"cookies": [], "origins": []}}

    def storage_state(self, email: str | None) -> dict:
        if email not in self.states:
            context = self.browser.new_context(base_url=self.base_url, locale="nl-NL")
            page = context.new_page()
            page.goto("/accounts/login/")
            page.fill("input[name=login]", email)
            page.fill("input[name=password]", SIGN_IN_PASSWORD)
            page.locator("main form").filter(has=page.locator("input[name=password]")).locator(
                "[type=submit]"
            ).click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            self.states[email] = context.storage_state()
            context.close()
        return self.states[email]

    def context(self, email: str | None, *, viewport=PHONE, locale: str = "nl-NL", **kwargs):
        """A new browser context signed in as `email` (None: signed out); close it when done."""
        return self.browser.new_context(
            base_url=self.base_url,
            storage_state=self.storage_state(email),
            viewport=viewport,
            locale=locale,
            **kwargs,
        )


def set_language(language: str, personas=PERSONAS) -> None:
    """The personas read the app in `language` ("nl" or "en"); their profile choice wins over the
    browser's, and a signed-out visitor follows the context's `locale`."""
    from accounts.models import User

    User.objects.filter(email__in=[p for p in personas if p]).update(language=language)
