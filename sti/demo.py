"""The cooperation indicators of the demo hospital and its cleaner.

In their kick-off workshop Sint-Lucas and CleanCare agreed six indicators. Since then they have
rated each other for four quarters: the grade the hospital gives climbs from a troubled start
(unanswered mail, a missed emergency call, forgotten rounds) to a supplier that comes with its own
proposals. The survey of the quarter just ended is open and partly answered; the facility manager
and the project leader have not answered yet, so a visitor can fill it in.

Everything goes through the services, as the demo managers would do it. The services work in
"now", so afterwards the seeder moves the past surveys to the dates they ran on (`_backdate_*`).
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from partnership.models import Notification, Side
from partnership.periods import QUARTERLY, Period, last_periods

from . import selectors, services, services_surveys
from .models import IndicatorSet, RatedSide, Response, SignOff, Survey

# library key, name, who is rated, what it means here, behaviours that show it
INDICATORS = (
    (
        "proactivity",
        "Proactiviteit",
        RatedSide.BOTH,
        "CleanCare meldt risico's (uitval, besmettingen, verbouwingen) voordat een afdeling er "
        "last van heeft en komt zelf met voorstellen. Sint-Lucas laat wijzigingen in het "
        "OK-programma, isolatieopnames en evenementen vooraf weten.",
        "Meldt een risico voordat het een klacht wordt\n"
        "Denkt vooruit over de zomerbezetting, de griepgolf en de feestdagen\n"
        "Komt zelf met verbetervoorstellen in het maandoverleg",
    ),
    (
        "openness",
        "Openheid",
        RatedSide.BOTH,
        "Slecht nieuws wordt dezelfde dag gedeeld, ook als het om een eigen fout gaat: een "
        "gemiste ronde op de IC, een fout in de factuur, een besluit van het bestuur dat de "
        "schoonmaak raakt.",
        "Vertelt slecht nieuws vroeg\n"
        "Deelt inspectie- en klachtcijfers zonder dat erom gevraagd wordt\n"
        "Legt uit waarom een besluit is genomen",
    ),
    (
        "reachability",
        "Bereikbaarheid",
        RatedSide.SUPPLIER,
        "De projectleider en de teamleiders reageren binnen vier uur op vragen via de hub; bij "
        "afwezigheid is er een vervanger die de afdelingen kennen; het 24/7-noodnummer wordt "
        "altijd opgenomen.",
        "Beantwoordt vragen binnen vier uur\n"
        "Heeft een bekende vervanger bij afwezigheid\n"
        "Het noodnummer wordt dag en nacht opgenomen",
    ),
    (
        "reliability",
        "Betrouwbaarheid",
        RatedSide.BOTH,
        "De kwaliteit op de verpleegafdelingen, de OK en de SEH is elke dag gelijk, ook in het "
        "weekend en 's nachts. Het ziekenhuis regelt toegang tot ruimten en levert de "
        "afgesproken middelen op tijd.",
        "De kwaliteit hangt niet af van wie er dienst heeft\n"
        "Rapportages zijn volledig en op tijd\n"
        "Cijfers kloppen en zijn te controleren",
    ),
    (
        "keeping_agreements",
        "Afspraken nakomen",
        RatedSide.BOTH,
        "Acties uit het overleg zijn op de afgesproken datum klaar, klachten worden binnen 24 uur "
        "opgelost en extra verzoeken lopen via de hub, niet via de gang.",
        "Acties uit het overleg zijn op tijd klaar\n"
        "Meldt het op tijd als een afspraak niet haalbaar is\n"
        "Gebruikt de afgesproken kanalen en procedures",
    ),
    (
        "knowledge_sharing",
        "Kennisdelen",
        RatedSide.BOTH,
        "CleanCare brengt kennis over infectiepreventie en nieuwe schoonmaakmethoden in; de "
        "afdeling Infectiepreventie van Sint-Lucas deelt richtlijnen en uitbraken op tijd met "
        "het schoonmaakteam.",
        "Brengt vernieuwingen uit andere ziekenhuizen in\n"
        "Legt de achtergrond van een keuze uit\n"
        "Deelt lessen na een incident of uitbraak",
    ),
)

# Who rates whom: the hospital's people rate the supplier, the cleaner's people the client.
CLIENT_RATERS = ("fm", "cm", "staff")
SUPPLIER_RATERS = ("pl", "pl2")

# Per past quarter, oldest first: indicator key -> one score per rater, in the order above.
# The grade is the mean of the indicator means: 5.28, 6.00, 6.61, 7.22 to the supplier.
TO_SUPPLIER = (
    {
        "proactivity": (5, 5, 4),
        "openness": (6, 6, 6),
        "reachability": (4, 4, 3),
        "reliability": (6, 6, 5),
        "keeping_agreements": (5, 6, 5),
        "knowledge_sharing": (6, 7, 6),
    },
    {
        "proactivity": (6, 6, 5),
        "openness": (7, 6, 6),
        "reachability": (5, 5, 4),
        "reliability": (6, 7, 6),
        "keeping_agreements": (6, 6, 6),
        "knowledge_sharing": (7, 7, 7),
    },
    {
        "proactivity": (7, 7, 6),
        "openness": (7, 7, 6),
        "reachability": (6, 6, 6),
        "reliability": (7, 7, 6),
        "keeping_agreements": (6, 7, 6),
        "knowledge_sharing": (7, 8, 7),
    },
    {
        "proactivity": (8, 8, 9),
        "openness": (7, 8, 7),
        "reachability": (7, 7, 7),
        "reliability": (7, 7, 7),
        "keeping_agreements": (7, 7, 6),
        "knowledge_sharing": (7, 7, 7),
    },
)
# And to the client: 5.8, 6.2, 6.4, 7.0.
TO_CLIENT = (
    {
        "proactivity": (5, 6),
        "openness": (6, 6),
        "reliability": (6, 6),
        "keeping_agreements": (5, 6),
        "knowledge_sharing": (6, 6),
    },
    {
        "proactivity": (6, 6),
        "openness": (7, 6),
        "reliability": (6, 7),
        "keeping_agreements": (6, 6),
        "knowledge_sharing": (6, 6),
    },
    {
        "proactivity": (6, 7),
        "openness": (7, 7),
        "reliability": (7, 6),
        "keeping_agreements": (6, 6),
        "knowledge_sharing": (6, 6),
    },
    {
        "proactivity": (7, 7),
        "openness": (9, 7),
        "reliability": (7, 7),
        "keeping_agreements": (7, 7),
        "knowledge_sharing": (6, 6),
    },
)
# Self-assessments, per quarter: the project leader thinks better of CleanCare's reachability
# than the hospital does, and the facility manager of the hospital's pro-activity.
SELF = {
    "pl": tuple(
        dict(zip([i[0] for i in INDICATORS], row, strict=True))
        for row in ((7, 7, 7, 7, 7, 8), (7, 7, 7, 7, 7, 8), (7, 8, 7, 7, 7, 8), (8, 8, 8, 7, 7, 8))
    ),
    "fm": (
        {"proactivity": 7, "openness": 7, "keeping_agreements": 7},
        {"proactivity": 7, "openness": 8, "keeping_agreements": 7},
        {"proactivity": 7, "openness": 8, "keeping_agreements": 7},
        {"proactivity": 8, "openness": 8, "keeping_agreements": 8},
    ),
}

_S, _C = Side.SUPPLIER, Side.CLIENT
# (quarter index, rater, indicator key, rated side) -> motivation. Every score of 5 or lower and
# of 9 or higher has one (the questionnaire demands it); a few middling scores have one too.
MOTIVATIONS = {
    (0, "fm", "proactivity", _S): "Problemen op de verpleegafdelingen horen we pas als er een "
    "klacht ligt. Voorstellen van CleanCare zelf heb ik dit kwartaal niet gezien.",
    (0, "cm", "proactivity", _S): "Voor de zomerbezetting moesten wij zelf achter de roosters "
    "aan; niemand dacht vooruit over de vakantieperiode.",
    (0, "staff", "proactivity", _S): "Vervuilde isolatiekamers worden niet gemeld; wij ontdekken "
    "het bij de overdracht van de dienst.",
    (0, "fm", "reachability", _S): "Op vragen per mail kwam vaak pas na drie of vier dagen "
    "antwoord, terwijl we vier uur hebben afgesproken.",
    (0, "cm", "reachability", _S): "De projectleider was twee weken onbereikbaar en er was geen "
    "vervanger geregeld.",
    (0, "staff", "reachability", _S): "Het noodnummer werd 's avonds twee keer niet opgenomen, "
    "ook niet bij een lekkage op de SEH.",
    (0, "staff", "reliability", _S): "De kwaliteit hangt af van wie er dienst heeft; in het "
    "weekend is het sanitair op de verpleegafdelingen niet op orde.",
    (0, "fm", "keeping_agreements", _S): "De afgesproken extra ronde op de OK-gang is drie keer "
    "vergeten.",
    (0, "staff", "keeping_agreements", _S): "Klachten worden vaak niet binnen 24 uur opgelost; "
    "aan het eind van het kwartaal stonden er 31 open.",
    (0, "pl", "proactivity", _C): "Wijzigingen in het OK-programma horen we op de dag zelf, "
    "waardoor onze mensen op de verkeerde plek staan.",
    (0, "pl", "keeping_agreements", _C): "Extra verzoeken komen via de gang in plaats van via "
    "de hub, buiten de afgesproken kanalen om.",
    (0, "pl", "reachability", _S): "Wij vonden onszelf goed bereikbaar via het noodnummer; de "
    "trage antwoorden op mail hebben we onderschat.",
    (1, "staff", "proactivity", _S): "Het gaat iets beter, maar de griepgolf op de longafdeling "
    "hebben we weer zelf moeten aankaarten.",
    (1, "fm", "reachability", _S): "Antwoorden komen sneller, maar nog niet binnen de "
    "afgesproken vier uur.",
    (1, "cm", "reachability", _S): "Er is nu een vervanger bij afwezigheid; alleen weten de "
    "afdelingen nog niet wie dat is.",
    (1, "staff", "reachability", _S): "Het noodnummer wordt nu opgenomen, maar het terugbellen "
    "duurt nog te lang.",
    (1, "fm", "keeping_agreements", _S): "Het aantal open klachten aan het eind van het "
    "kwartaal is gedaald van 31 naar 18.",
    (1, "pl", "keeping_agreements", _C): "De hub wordt steeds vaker gebruikt, maar nog niet door "
    "alle afdelingshoofden.",
    (2, "fm", "reachability", _S): "Vragen worden nu meestal dezelfde dag beantwoord en "
    "iedereen kent de vervanger.",
    (2, "cm", "knowledge_sharing", _S): "Goede toelichting op de microvezelmethode en wat die "
    "betekent voor de infectiepreventie.",
    (2, "pl2", "proactivity", _C): "De afdelingen melden verhuizingen nu een week vooraf; dat "
    "scheelt ons veel zoekwerk.",
    (3, "staff", "proactivity", _S): "CleanCare kwam zelf met een plan voor de isolatiekamers "
    "tijdens de verbouwing van vleugel B, nog voordat wij erom vroegen.",
    (3, "fm", "proactivity", _S): "Het aantal klachten is gehalveerd sinds de dagelijkse ronde "
    "met de teamleider; dat was hun eigen voorstel.",
    (3, "cm", "reachability", _S): "Vragen worden binnen vier uur opgepakt, ook in de "
    "vakantieperiode.",
    (3, "pl", "openness", _C): "Het ziekenhuis deelde de planning van de verbouwing maanden "
    "vooraf en dacht mee over onze inzet.",
}

# The open survey: who has submitted what, and who has only saved a draft.
OPEN_SUBMITTED = {
    "cm": {
        "proactivity": 8,
        "openness": 8,
        "reachability": 7,
        "reliability": 8,
        "keeping_agreements": 7,
        "knowledge_sharing": 8,
    },
    "pl2": {
        "proactivity": 7,
        "openness": 8,
        "reliability": 7,
        "keeping_agreements": 7,
        "knowledge_sharing": 6,
    },
}
OPEN_DRAFT = {"staff": {"proactivity": 8, "openness": 7}}
OPEN_DAYS_AGO, OPEN_DAYS_LEFT = 4, 10
SURVEY_DAYS = 14


def seed(world) -> None:
    partnership = world.partnerships.get("cleaning")
    if partnership is None or IndicatorSet.objects.filter(partnership=partnership).exists():
        return
    quarters = last_periods(QUARTERLY, len(TO_SUPPLIER) + 1, timezone.localdate())
    workshop = _at(quarters[0].start - datetime.timedelta(days=26))
    indicator_set = _adopt_set(partnership, world.users, workshop)
    indicators = {i.library_key: i for i in indicator_set.indicators.all()}
    raters = _raters(partnership, world.users)
    manager = world.users["cm"]
    for index, quarter in enumerate(quarters[:-1]):
        _past_survey(partnership, manager, raters, indicators, index, quarter)
    _open_survey(partnership, manager, raters, indicators, quarters[-1])


def _raters(partnership, users: dict) -> dict:
    """Demo key -> user, for the demo people who fill in the questionnaire."""
    answering = {p.user_id for p in selectors.respondents(partnership=partnership)}
    return {key: user for key, user in users.items() if user.pk in answering}


def _adopt_set(partnership, users: dict, workshop: datetime.datetime) -> IndicatorSet:
    client_manager, supplier_manager = users["cm"], users["pl"]
    draft = services.indicator_set_draft(
        actor=client_manager, partnership=partnership, note="Vastgesteld in de startworkshop."
    )
    for key, name, rated_side, meaning, behaviours in INDICATORS:
        services.indicator_add(
            actor=client_manager,
            indicator_set=draft,
            library_key=key,
            name=name,
            meaning=meaning,
            behaviours=behaviours,
            rated_side=rated_side,
        )
    services.indicator_set_sign_off(actor=client_manager, indicator_set=draft)
    services.indicator_set_sign_off(actor=supplier_manager, indicator_set=draft)
    _backdate_set(draft, workshop)
    return draft


def _answers(indicators: dict, key: str, index: int, scores: dict, rated_side: str) -> list:
    return [
        {
            "indicator": indicators[indicator_key],
            "rated_side": rated_side,
            "score": score,
            "motivation": MOTIVATIONS.get((index, key, indicator_key, rated_side), ""),
        }
        for indicator_key, score in scores.items()
    ]


def _past_answers(indicators: dict, key: str, index: int) -> list:
    """A rater's scores of the other side in past quarter `index`, and their self-assessment."""
    if key in CLIENT_RATERS:
        column, table, own, other = CLIENT_RATERS.index(key), TO_SUPPLIER, _C, _S
    else:
        column, table, own, other = SUPPLIER_RATERS.index(key), TO_CLIENT, _S, _C
    scores = {indicator_key: row[column] for indicator_key, row in table[index].items()}
    answers = _answers(indicators, key, index, scores, other)
    if key in SELF:
        answers += _answers(indicators, key, index, SELF[key][index], own)
    return answers


def _past_survey(
    partnership, manager, raters: dict, indicators: dict, index: int, quarter: Period
) -> None:
    now = timezone.now()
    survey = services_surveys.survey_create(
        actor=manager,
        partnership=partnership,
        period=quarter,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=SURVEY_DAYS),
    )
    survey = services_surveys.survey_open(survey=survey, actor=manager)
    for key, user in raters.items():
        if key in CLIENT_RATERS or key in SUPPLIER_RATERS:
            answers = _past_answers(indicators, key, index)
            services_surveys.response_save(actor=user, survey=survey, answers=answers, submit=True)
    services_surveys.survey_close(survey=survey, actor=manager)
    opens = _at(_first_working_day(quarter.end + datetime.timedelta(days=1)))
    _backdate_survey(survey, opens, opens + datetime.timedelta(days=SURVEY_DAYS), closed=True)
    # The notices of a round that ended long ago are stale news: they go, and so do their e-mails
    # (the e-mail task runs after commit and finds nothing to send).
    Notification.objects.filter(url=selectors.survey_url(survey)).delete()


def _open_survey(partnership, manager, raters: dict, indicators: dict, quarter: Period) -> None:
    now = timezone.now()
    survey = services_surveys.survey_create(
        actor=manager,
        partnership=partnership,
        period=quarter,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=OPEN_DAYS_LEFT),
    )
    survey = services_surveys.survey_open(survey=survey, actor=manager)
    for key, submit in [*((k, True) for k in OPEN_SUBMITTED), *((k, False) for k in OPEN_DRAFT)]:
        user = raters.get(key)
        if user is None:
            continue
        other = _S if key in CLIENT_RATERS else _C
        scores = (OPEN_SUBMITTED if submit else OPEN_DRAFT)[key]
        answers = _answers(indicators, key, len(TO_SUPPLIER), scores, other)
        services_surveys.response_save(actor=user, survey=survey, answers=answers, submit=submit)
    # Opened a few days ago, so the early birds answered on earlier days than today.
    _backdate_survey(survey, now - datetime.timedelta(days=OPEN_DAYS_AGO), survey.closes_at)
    Notification.objects.filter(url=selectors.survey_url(survey)).update(
        created_at=now - datetime.timedelta(days=OPEN_DAYS_AGO)
    )


# Backdating. Only the demo may rewrite when something happened: the services stamp "now", and a
# demo whose past quarters were all surveyed today would show a meaningless timeline. Plain
# queryset updates leave the audit trail alone, so its records are moved along explicitly.


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _first_working_day(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5 or (day.month, day.day) == (1, 1):
        day += datetime.timedelta(days=1)
    return day


def _backdate_history(records: QuerySet, dates: list) -> None:
    """Give an object's audit records, oldest first, the dates of `dates` (the last one repeats)."""
    for position, record in enumerate(records.order_by("history_id")):
        when = dates[min(position, len(dates) - 1)]
        records.filter(history_id=record.history_id).update(history_date=when)


def _backdate_set(indicator_set: IndicatorSet, workshop: datetime.datetime) -> None:
    """Drafted in the workshop; signed off by the client after five days, the supplier after
    seven, which adopted it."""
    client_signed = workshop + datetime.timedelta(days=5)
    adopted = workshop + datetime.timedelta(days=7)
    IndicatorSet.objects.filter(pk=indicator_set.pk).update(created_at=workshop, adopted_at=adopted)
    set_history = IndicatorSet.history.filter(id=indicator_set.pk)
    set_history.filter(adopted_at__isnull=False).update(adopted_at=adopted)
    _backdate_history(set_history, [workshop, adopted])
    for indicator in indicator_set.indicators.all():
        _backdate_history(indicator.history.all(), [workshop])
    for sign_off in indicator_set.sign_offs.all():
        when = client_signed if sign_off.side == _C else adopted
        SignOff.objects.filter(pk=sign_off.pk).update(signed_at=when)
        _backdate_history(SignOff.history.filter(id=sign_off.pk), [when])
        SignOff.history.filter(id=sign_off.pk).update(signed_at=when)
    # The set's notices (sign-off asked, set adopted) are as stale as the workshop.
    Notification.objects.filter(url=selectors.set_url(indicator_set)).delete()


def _backdate_survey(survey: Survey, opens, closes, closed: bool = False) -> None:
    """Move a survey to the window it ran in, with its answers spread over that window."""
    times = {"opens_at": opens, "opened_at": opens, "closes_at": closes}
    if closed:
        times["closed_at"] = closes
    created = opens - datetime.timedelta(days=7)
    Survey.objects.filter(pk=survey.pk).update(created_at=created, **times)
    history = Survey.history.filter(id=survey.pk)
    history.update(opens_at=opens, closes_at=closes)
    history.filter(opened_at__isnull=False).update(opened_at=opens)
    history.filter(closed_at__isnull=False).update(closed_at=closes)
    _backdate_history(history, [created, opens, closes])
    answered = Response.objects.filter(survey=survey).order_by("side", "respondent__email")
    last = max(opens, min(closes, timezone.now()) - datetime.timedelta(hours=1))
    for position, response in enumerate(answered):
        when = min(opens + datetime.timedelta(days=1 + 3 * position, hours=position), last)
        Response.objects.filter(pk=response.pk).update(
            created_at=when - datetime.timedelta(minutes=20),
            updated_at=when,
            submitted_at=when if response.submitted_at else None,
        )
