"""The review rounds of the demo world.

Sint-Lucas and CleanCare have looked back together four times, each time in a session led by
Eva Claes of Samen Verder: a troubled first quarter (unanswered mail, a missed emergency call,
31 open complaints), then quarter by quarter better, until the supplier comes with its own
proposals. Every past round was discussed and published, with minutes, decisions and actions on
both sides; most actions are done, a few run on, and one is overdue. The round of the quarter
just ended is open (its questionnaire is the open demo survey of `sti.demo`) and the round of the
current quarter is planned.

The Rijnland pilot, which the same facilitator evaluates with both sides, has its first round
closed and waiting for a session: that is what the facilitator's workspace asks them to do.
Catering Sint-Lucas is still in its kick-off and runs no rounds yet.

Past rounds are written in their final state, with every moment they passed through and one
`RoundEvent` per step (the database trigger guards changes of state, not inserts). Actions go
through the services at the moment they were agreed (`now=`); the report is compiled by the real
`reviews.report` when each round is published, in the order things happened, so each frozen
report shows the actions as they stood then. Everything is dated relative to today.
"""

import datetime

from django.db.models import Model
from django.utils import timezone

from partnership.models import Notification, Participant, Side
from partnership.periods import QUARTERLY, last_periods
from sti.models import Survey, SurveyState

from . import calendar, services, services_actions
from .models import (
    ActionItem,
    ActionOrigin,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Decision,
    ReviewRound,
    RoundEvent,
    RoundState,
    Session,
)

PAST_ROUNDS = 4
ROOM = "Sint-Lucas, vergaderzaal Schelde (B 2.14)"
VIDEO = "https://meet.samenverder.demo/schoonmaak-sint-lucas"

# One past round per spec, oldest first. Items: (kind, title, details, minutes, link, decisions,
# actions); `link` names an indicator (library key) or a KPI (name). Actions: (title, owner,
# due, status, description) where `due` is days after the session for finished actions, or
# ("today", days) for actions that still run: the one with a negative offset is overdue.
ROUNDS = [
    {
        "video": False,
        "items": [
            (
                AgendaKind.INDICATOR,
                "Bereikbaarheid: laagste score (3,7 van Sint-Lucas)",
                "Drie beoordelaars, alle drie met een toelichting bij hun score.",
                "Vragen per mail bleven drie tot vier dagen liggen, terwijl vier uur is "
                "afgesproken. De projectleider was twee weken afwezig zonder vervanger en het "
                "noodnummer werd 's avonds twee keer niet opgenomen, één keer bij een lekkage op "
                "de SEH. CleanCare erkent dit zonder voorbehoud: de doorschakeling naar de "
                "avonddienst was bij een telefoniewissel verloren gegaan.",
                "reachability",
                [
                    "Vragen via de hub worden binnen vier uur opgepakt, ook als ze nog niet "
                    "opgelost kunnen worden.",
                    "Bij afwezigheid van de projectleider neemt de teamleider waar; de "
                    "afdelingen weten wie dat is.",
                ],
                [
                    (
                        "Vervangingsregeling projectleider vastleggen en delen",
                        "pl",
                        21,
                        ActionStatus.DONE,
                        "Wie neemt waar, hoe is die bereikbaar, en hoe weten de afdelingen het.",
                    ),
                    (
                        "Noodnummer 's avonds doorschakelen naar de avonddienst",
                        "pl2",
                        7,
                        ActionStatus.DONE,
                        "Doorschakeling herstellen en elke maand een proefoproep doen.",
                    ),
                ],
            ),
            (
                AgendaKind.INDICATOR,
                "Proactiviteit: Sint-Lucas 4,7, CleanCare over Sint-Lucas 5,5",
                "Beide kanten geven elkaar een onvoldoende.",
                "Sint-Lucas hoort problemen pas als er een klacht ligt; CleanCare hoort "
                "wijzigingen in het OK-programma op de dag zelf, waardoor mensen op de verkeerde "
                "plek staan. Afgesproken dat beide kanten vooraf melden wat de ander raakt.",
                "proactivity",
                ["Sint-Lucas deelt het OK-programma van de volgende week elke donderdag."],
                [
                    (
                        "OK-programma wekelijks delen met de teamleider",
                        "cm",
                        14,
                        ActionStatus.DONE,
                        "Elke donderdag vóór 12:00 via de hub.",
                    ),
                ],
            ),
            (
                AgendaKind.KPI,
                "Klachten per maand: rood",
                "Eind van het kwartaal stonden er 31 klachten open.",
                "De achterstand komt vooral van de verpleegafdelingen in het weekend. CleanCare "
                "zet de komende drie maanden een extra teamleider in om de open klachten weg te "
                "werken; Sint-Lucas meldt klachten voortaan via de hub en niet via de gang.",
                "Klachten per maand",
                ["De open klachten zijn binnen drie maanden onder de tien."],
                [
                    (
                        "Achterstand open klachten wegwerken (31 naar minder dan 10)",
                        "pl2",
                        112,
                        ActionStatus.DONE,
                        "",
                    ),
                    (
                        "Afdelingshoofden vragen extra verzoeken via de hub te melden",
                        "fm",
                        14,
                        ActionStatus.DONE,
                        "Toelichting in het afdelingshoofdenoverleg, met een korte handleiding.",
                    ),
                ],
            ),
            (
                AgendaKind.GAP,
                "Perceptieverschil bereikbaarheid: zelfbeeld 7,0 tegen 3,7",
                "",
                "De projectleider vond CleanCare goed bereikbaar via het noodnummer en had de "
                "trage antwoorden op mail onderschat. Het gesprek hierover was open; beide "
                "kanten willen het verschil de volgende ronde kleiner zien.",
                "reachability",
                [],
                [],
            ),
        ],
    },
    {
        "video": True,
        "items": [
            (
                AgendaKind.ACTION,
                "Acties van de vorige ronde",
                "Vijf acties, op één na klaar.",
                "Vier van de vijf acties zijn op tijd klaar. De achterstand in klachten loopt "
                "terug van 31 naar 18 en is over drie weken weggewerkt.",
                None,
                [],
                [],
            ),
            (
                AgendaKind.INDICATOR,
                "Bereikbaarheid: 4,7, nog steeds de laagste",
                "",
                "Er is nu een vervanger bij afwezigheid, maar de afdelingen weten nog niet wie "
                "dat is. Het noodnummer wordt opgenomen; het terugbellen duurt nog te lang.",
                "reachability",
                ["Bij het noodnummer wordt binnen 30 minuten teruggebeld."],
                [
                    (
                        "Contactkaart met vervangers op alle afdelingen ophangen",
                        "pl2",
                        14,
                        ActionStatus.DONE,
                        "",
                    ),
                ],
            ),
            (
                AgendaKind.KPI,
                "Oplostijd incidenten: oranje",
                "Gemiddeld ruim vijf uur tegen vier uur afgesproken.",
                "Een deel van de incidenten staat als verzoek geregistreerd en telt zo niet "
                "mee. Afgesproken dat CleanCare incidenten en verzoeken in de hub scheidt.",
                "Oplostijd incidenten",
                [],
                [
                    (
                        "Incidenten en verzoeken gescheiden registreren in de hub",
                        "pl",
                        28,
                        ActionStatus.DONE,
                        "",
                    ),
                ],
            ),
            (
                AgendaKind.INDICATOR,
                "Proactiviteit: de griepgolf op de longafdeling",
                "",
                "Het schoonmaakteam hoorde pas na drie dagen van de griepgolf. Infectiepreventie "
                "meldt uitbraken voortaan dezelfde dag aan de teamleider, zodat CleanCare de "
                "frequentie van de desinfectie kan verhogen.",
                "proactivity",
                ["Infectiepreventie meldt een uitbraak dezelfde dag aan de teamleider."],
                [
                    (
                        "Meldroute uitbraken van infectiepreventie naar de teamleider vastleggen",
                        "staff",
                        21,
                        ActionStatus.DONE,
                        "",
                    ),
                ],
            ),
            (
                AgendaKind.HUB,
                "Cijfers uit de hub",
                "Minder klachten dan het kwartaal ervoor; eerste reactie sneller.",
                "Het aantal klachten daalt, maar nog niet alle afdelingshoofden gebruiken de "
                "hub. Sint-Lucas herhaalt de oproep in het afdelingshoofdenoverleg.",
                None,
                [],
                [],
            ),
        ],
    },
    {
        "video": False,
        "items": [
            (
                AgendaKind.INDICATOR,
                "Afspraken nakomen: 6,3, de laagste",
                "",
                "Acties uit het overleg zijn op tijd klaar, maar extra verzoeken lopen soms nog "
                "buiten de hub om. Het gaat de goede kant op; geen nieuwe afspraken nodig.",
                "keeping_agreements",
                [],
                [],
            ),
            (
                AgendaKind.INDICATOR,
                "Kennisdelen: de microvezelmethode",
                "De hoogste score van het kwartaal (7,3).",
                "CleanCare lichtte de microvezelmethode toe en wat die betekent voor de "
                "infectiepreventie. Sint-Lucas wil het op twee verpleegafdelingen proberen "
                "voordat het breder wordt ingevoerd.",
                "knowledge_sharing",
                ["Proef met de microvezelmethode op de afdelingen Longziekten en Cardiologie."],
                [
                    (
                        "Proef microvezelmethode op twee verpleegafdelingen uitvoeren en evalueren",
                        "pl",
                        ("today", 26),
                        ActionStatus.IN_PROGRESS,
                        "Metingen vóór en na, met infectiepreventie.",
                    ),
                ],
            ),
            (
                AgendaKind.KPI,
                "Schoonmaakkwaliteit (VSR-score): bijna op norm",
                "",
                "De VSR-score stijgt al drie maanden en ligt nu net onder de 90%. De afwijkingen "
                "zitten vooral in het sanitair in het weekend.",
                "Schoonmaakkwaliteit (VSR-score)",
                [],
                [],
            ),
            (
                AgendaKind.OTHER,
                "Verbouwing vleugel B en de isolatiekamers",
                "De verbouwing start volgend kwartaal.",
                "Sint-Lucas deelt de planning van de verbouwing nu al. CleanCare maakt een plan "
                "voor de isolatiekamers die tijdelijk naar vleugel C verhuizen.",
                None,
                ["CleanCare maakt het schoonmaakplan voor de tijdelijke isolatiekamers."],
                [
                    (
                        "Schoonmaakplan isolatiekamers tijdens de verbouwing van vleugel B",
                        "pl",
                        30,
                        ActionStatus.DONE,
                        "",
                    ),
                    (
                        "Toegangspassen voor de nachtploeg in vleugel C regelen",
                        "fm",
                        21,
                        ActionStatus.DONE,
                        "",
                    ),
                ],
            ),
        ],
    },
    {
        "video": True,
        "items": [
            (
                AgendaKind.INDICATOR,
                "Proactiviteit: 8,3, van laagste naar hoogste",
                "",
                "Het aantal klachten is gehalveerd sinds de dagelijkse ronde met de teamleider, "
                "een voorstel van CleanCare zelf. Het plan voor de isolatiekamers kwam er voordat "
                "Sint-Lucas erom vroeg. De facilitator vraagt wat dit jaar het verschil maakte: "
                "de vaste contactpersonen en het wekelijkse OK-programma.",
                "proactivity",
                ["De dagelijkse ronde met de teamleider blijft, ook na de verbouwing."],
                [
                    (
                        "Dagelijkse ronde met de teamleider evalueren met de afdelingshoofden",
                        "staff",
                        ("today", 12),
                        ActionStatus.OPEN,
                        "",
                    ),
                ],
            ),
            (
                AgendaKind.INDICATOR,
                "Afspraken nakomen: 6,7, nu de laagste",
                "",
                "Klachten worden binnen 24 uur opgelost; de rapportage per afdeling die "
                "Sint-Lucas vroeg, komt nog niet elke maand. CleanCare levert die voortaan "
                "zonder dat erom gevraagd wordt.",
                "keeping_agreements",
                [],
                [
                    (
                        "Maandelijkse klachtenrapportage per afdeling delen",
                        "pl",
                        ("today", -6),
                        ActionStatus.IN_PROGRESS,
                        "Eerste rapportage over de afgelopen maand, daarna elke eerste werkdag.",
                    ),
                ],
            ),
            (
                AgendaKind.KPI,
                "Goedkeuring inspecties",
                "",
                "Zowel de eigen controle van CleanCare als de controle van Sint-Lucas is "
                "goedgekeurd. Afgesproken de inspecties voortaan samen te lopen.",
                "Goedkeuring inspecties",
                ["De kwartaalinspectie wordt voortaan samen gelopen."],
                [
                    (
                        "Gezamenlijke inspectie plannen",
                        "fm",
                        ("today", 9),
                        ActionStatus.OPEN,
                        "",
                    ),
                ],
            ),
            (
                AgendaKind.OTHER,
                "Een jaar samenwerking: van 5,3 naar 7,2",
                "",
                "Het cijfer voor CleanCare steeg in een jaar van 5,3 naar 7,2, dat voor "
                "Sint-Lucas van 5,8 naar 7,0. Beide kanten willen een jaarplan met ambities "
                "voor volgend jaar, met het voorbeeldpartnership uit de visie als richtpunt.",
                None,
                ["CleanCare stelt het jaarplan op; Sint-Lucas levert de ambities aan."],
                [
                    (
                        "Jaarplan schoonmaak voor volgend jaar opstellen",
                        "pl",
                        ("today", 33),
                        ActionStatus.IN_PROGRESS,
                        "",
                    ),
                    (
                        "Ambities Sint-Lucas voor het jaarplan aanleveren",
                        "cm",
                        ("today", 19),
                        ActionStatus.OPEN,
                        "",
                    ),
                ],
            ),
        ],
    },
]

PILOT_ITEMS = [
    (
        "Eerste kwartaal van de pilot: schoonmaak en receptie",
        "Wat ging goed, wat viel tegen, voor beide diensten.",
    ),
    (
        "Voorbereiding go/no-go",
        "Welke cijfers en ervaringen wegen mee in het besluit na de pilot.",
    ),
]


def seed(world) -> None:
    cleaning = world.partnerships.get("cleaning")
    if cleaning is not None:
        _seed_cleaning(cleaning, world.users)
    university = world.partnerships.get("university")
    if university is not None and "fac" in world.users:
        _seed_pilot(university, world.users)


# --- Times -------------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=calendar.TIME_ZONE)


def _period(quarter) -> calendar.ReviewPeriod:
    return calendar.ReviewPeriod(quarter.start, quarter.end, 3)


def _stamp(model: type[Model], pk: int, when: datetime.datetime, **fields) -> None:
    """Date an object (and its newest audit record) to when it happened."""
    model.objects.filter(pk=pk).update(**fields)
    history = getattr(model, "history", None)
    if history is not None:
        latest = history.filter(id=pk).order_by("-history_id").first()
        if latest is not None:
            history.filter(history_id=latest.history_id).update(history_date=when)


# --- Sint-Lucas and CleanCare ---------------------------------------------------------------


def _seed_cleaning(partnership, users: dict) -> None:
    if ReviewRound.objects.filter(partnership=partnership).exists():
        return
    now = timezone.now()
    quarters = last_periods(QUARTERLY, PAST_ROUNDS + 1, calendar.local_date(now))
    surveys = {
        s.period_start: s
        for s in Survey.objects.filter(
            partnership=partnership, period_start__in=[q.start for q in quarters]
        )
    }
    if len(surveys) < len(quarters):
        return  # no questionnaires (the indicators are seeded by sti.demo)
    indicators = {
        i.library_key: i for i in surveys[quarters[-1].start].indicator_set.indicators.all()
    }
    kpis = {k.name: k for k in partnership.kpis.all()}
    facilitator = users["fac"]
    pending: list[tuple[datetime.datetime, int, str, object]] = []  # (when, action, status, owner)
    for index, (quarter, spec) in enumerate(zip(quarters[:-1], ROUNDS, strict=True)):
        survey = surveys[quarter.start]
        if survey.state != SurveyState.CLOSED:
            return
        review_round, published_at = _past_round(
            partnership, quarter, survey, spec, index, indicators, kpis, users, pending, now
        )
        # Whatever changed in the actions before this report was frozen shows in it.
        pending.sort(key=lambda change: change[0])
        while pending and pending[0][0] <= published_at:
            _apply(*pending.pop(0))
        _publish(review_round, facilitator, published_at)
    for change in pending:
        _apply(*change)
    Notification.objects.filter(
        partnership=partnership, kind="reviews.action_assigned"
    ).delete()  # the news of actions agreed in long-past sessions
    _current_round(partnership, quarters[-1], surveys[quarters[-1].start])
    services.round_plan(partnership=partnership, period=_period(quarters[-1]).next())


def _past_round(
    partnership, quarter, survey, spec, index, indicators, kpis, users, pending, now
) -> tuple[ReviewRound, datetime.datetime]:
    facilitator = users["fac"]
    opens, closes = survey.opens_at, survey.closes_at
    session_day = calendar.working_day_after(calendar.local_date(closes), 6 + index % 2)
    starts = _at(session_day, 14)
    ends = starts + datetime.timedelta(hours=2)
    discussed = ends + datetime.timedelta(minutes=20)
    published = _at(calendar.working_day_after(session_day, 3), 10)
    review_round = ReviewRound.objects.create(
        partnership=partnership,
        period_start=quarter.start,
        period_end=quarter.end,
        survey=survey,
        state=RoundState.DISCUSSED,
        opens_at=opens,
        closes_at=closes,
        opened_at=opens,
        closed_at=closes,
        discussed_at=discussed,
    )
    ReviewRound.objects.filter(pk=review_round.pk).update(
        created_at=calendar.at_day_start(quarter.start)
    )
    RoundEvent.objects.bulk_create(
        [
            RoundEvent(round=review_round, from_state=a, to_state=b, actor=actor, at=at)
            for a, b, actor, at in (
                (RoundState.SCHEDULED, RoundState.OPEN, None, opens),
                (RoundState.OPEN, RoundState.CLOSED, None, closes),
                (RoundState.CLOSED, RoundState.DISCUSSED, facilitator, discussed),
            )
        ]
    )
    invited = _at(calendar.working_day_after(calendar.local_date(closes), 1), 10)
    session = Session.objects.create(
        round=review_round,
        starts_at=starts,
        ends_at=ends,
        location="" if spec["video"] else ROOM,
        video_url=VIDEO if spec["video"] else "",
        note="Graag de resultaten van de vragenlijst vooraf doorlezen.",
        planned_by=facilitator,
        invited_at=invited,
        held_at=starts,
    )
    _stamp(Session, session.pk, invited, created_at=invited, updated_at=discussed)
    for position, (kind, title, details, minutes, link, decisions, actions) in enumerate(
        spec["items"], start=1
    ):
        item = AgendaItem.objects.create(
            round=review_round,
            position=position,
            kind=kind,
            title=title,
            details=details,
            indicator=indicators.get(link)
            if kind in (AgendaKind.INDICATOR, AgendaKind.GAP)
            else None,
            kpi=kpis.get(link) if kind == AgendaKind.KPI else None,
        )
        _stamp(AgendaItem, item.pk, closes, created_at=closes)  # proposed when it closed
        item.minutes = minutes
        item.save(update_fields=["minutes"])
        _stamp(AgendaItem, item.pk, starts + datetime.timedelta(minutes=20 * position))
        for number, text in enumerate(decisions):
            decision = Decision.objects.create(
                round=review_round, agenda_item=item, text=text, created_by=facilitator
            )
            when = starts + datetime.timedelta(minutes=20 * position + number)
            _stamp(Decision, decision.pk, when, created_at=when)
        for title_, owner_key, due, status, description in actions:
            _agree(
                item,
                title=title_,
                owner=users[owner_key],
                due=due,
                status=status,
                description=description,
                kpi=item.kpi,
                facilitator=facilitator,
                when=starts + datetime.timedelta(minutes=20 * position + 5),
                pending=pending,
                now=now,
            )
    return review_round, published


def _agree(
    item: AgendaItem,
    *,
    title: str,
    owner,
    due,
    status: str,
    description: str,
    kpi,
    facilitator,
    when: datetime.datetime,
    pending: list,
    now: datetime.datetime,
) -> None:
    """An action agreed in the session, and the later changes of its status."""
    today = calendar.local_date(now)
    session_day = calendar.local_date(when)
    due_date = (
        today + datetime.timedelta(days=due[1])
        if isinstance(due, tuple)
        else (session_day + datetime.timedelta(days=due))
    )
    action = services_actions.action_create(
        actor=facilitator,
        partnership=item.round.partnership,
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        origin=ActionOrigin.KPI if kpi else ActionOrigin.SESSION,
        review_round=item.round,
        agenda_item=item,
        kpi=kpi,
        now=when,
    )
    _stamp(ActionItem, action.pk, when, created_at=when, updated_at=when)
    latest = now - datetime.timedelta(hours=2)
    if status in (ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        started = min(when + datetime.timedelta(days=5), latest)
        pending.append((started, action.pk, ActionStatus.IN_PROGRESS, owner))
    if status == ActionStatus.DONE:
        finished = _at(due_date - datetime.timedelta(days=2), 16)
        pending.append(
            (
                min(max(finished, when + datetime.timedelta(days=6)), latest),
                action.pk,
                ActionStatus.DONE,
                owner,
            )
        )


def _apply(when: datetime.datetime, action_id: int, status: str, owner) -> None:
    action = ActionItem.objects.get(pk=action_id)
    services_actions.action_set_status(actor=owner, action=action, status=status, now=when)
    _stamp(ActionItem, action_id, when, updated_at=when)


def _publish(review_round: ReviewRound, facilitator, published_at: datetime.datetime) -> None:
    """Freeze the report as it stood then. Both sides were told back then, so the clock tells
    nobody again; the PDFs are rendered when first downloaded (or by a worker)."""
    from . import report  # through the module: the real compiler, whoever finished it

    review_round.refresh_from_db()
    snapshot = report.compile_report(review_round=review_round, now=published_at)
    ReviewRound.objects.filter(pk=review_round.pk).update(
        state=RoundState.PUBLISHED,
        published_at=published_at,
        report_snapshot=snapshot,
        report_edition=1,
        report_notified_at=published_at + datetime.timedelta(minutes=5),
    )
    RoundEvent.objects.create(
        round=review_round,
        from_state=RoundState.DISCUSSED,
        to_state=RoundState.PUBLISHED,
        actor=facilitator,
        at=published_at,
    )


def _current_round(partnership, quarter, survey: Survey) -> ReviewRound | None:
    """The round of the quarter just ended, open with the demo's open questionnaire."""
    if survey.state != SurveyState.OPEN:
        return None
    review_round = services.round_plan(partnership=partnership, period=_period(quarter))
    # The questionnaire opened a few days ago and closes in a few days: the round follows it.
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        created_at=calendar.at_day_start(quarter.start),
    )
    review_round.refresh_from_db()
    return services.round_open(review_round=review_round, now=survey.opened_at or survey.opens_at)


# --- The Rijnland pilot ---------------------------------------------------------------------


def _seed_pilot(partnership, users: dict) -> None:
    """The pilot's first round: questionnaire-less (no indicators agreed yet), closed, and the
    facilitator asked to plan its session."""
    facilitator = users["fac"]
    Participant.objects.get_or_create(
        partnership=partnership,
        user=facilitator,
        defaults={"side": Side.FACILITATOR, "title": "Facilitator pilotevaluatie"},
    )
    if ReviewRound.objects.filter(partnership=partnership).exists():
        return
    now = timezone.now()
    quarter = last_periods(QUARTERLY, 1, calendar.local_date(now))[0]
    review_round = services.round_plan(partnership=partnership, period=_period(quarter))
    # The window closed a few days ago (for the demo; the pilot's own calendar ran later).
    closes = now - datetime.timedelta(days=3)
    opens = max(review_round.opens_at, closes - datetime.timedelta(days=14))
    opens = min(opens, closes - datetime.timedelta(days=3))
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opens_at=opens, closes_at=closes, created_at=calendar.at_day_start(quarter.start)
    )
    review_round.refresh_from_db()
    review_round = services.round_open(review_round=review_round, now=opens)
    review_round = services.round_close(review_round=review_round, now=closes)
    url = review_round.get_absolute_url()
    Notification.objects.filter(url=url, kind="reviews.round_opened_without_survey").delete()
    Notification.objects.filter(url=url, kind="reviews.plan_session").update(created_at=closes)
    position = AgendaItem.objects.filter(round=review_round).count()
    for offset, (title, details) in enumerate(PILOT_ITEMS, start=1):
        item = AgendaItem.objects.create(
            round=review_round,
            position=position + offset,
            kind=AgendaKind.OTHER,
            title=title,
            details=details,
        )
        _stamp(AgendaItem, item.pk, closes, created_at=closes)
    services.round_plan(partnership=partnership, period=_period(quarter).next())
