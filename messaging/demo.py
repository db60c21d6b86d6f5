"""The hub of the demo world: a year of threads between Sint-Lucas and CleanCare.

The year starts rough (the OK-complex not mopped, the wrong invoice, complaints every other week)
and settles: complaints drop from six in the first quarter to one in the last, answers come
sooner, and ideas start to come from both sides. Both sides keep internal threads. The library
holds the contract, work instructions (a PDF and an image), technical sheets, invoices and a
report, two of them with three versions by different people.

Everything goes through the services, as the demo people would do it. The services work in
"now", so afterwards the seeder moves each thread, message and version to the moment it was
written (`_backdate_*`), and removes the notifications of long-past events.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnership.models import Notification, Side

from . import services
from .models import (
    DONE_STATUSES,
    Document,
    DocumentVersion,
    Message,
    ReadState,
    Status,
    Thread,
    Visibility,
)

CLIENT_KEYS = {"fm", "cm", "staff", "viewer", "uni"}
# Notifications of events older than this are removed: they would only be noise in the bell.
RECENT = datetime.timedelta(days=3)

# when, category, opener, internal, priority, assignee, subject, messages, final status,
# hours until resolved
# `when` is (month index 0..10 of the past year, day, hour) or ("ago", days, hour) for the
# current month; messages are (author, hours after opening, Markdown text).
CLEANING = [
    # --- Quarter 1: a rough start -------------------------------------------------------------
    (
        (0, 2, 8),
        "complaint",
        "staff",
        False,
        "high",
        "pl2",
        "Vloer OK-complex niet gedweild",
        [
            (
                "staff",
                0,
                "Vanochtend om 7:00 lag er in **OK 3 en 4** nog opgedroogd vuil van de "
                "avond ervoor. De eerste operatie is 20 minuten uitgesteld.",
            ),
            (
                "pl2",
                3,
                "Excuses. De avondploeg was onderbezet door ziekte; ik heb vandaag een "
                "extra medewerker ingepland en loop morgen zelf mee.",
            ),
            ("staff", 5, "Dank, morgen om 6:45 controleren wij samen."),
            (
                "pl2",
                26,
                "Vanochtend samen gecontroleerd: alles in orde. We passen de "
                "werkinstructie aan (zie bibliotheek).",
            ),
        ],
        "resolved",
        28,
    ),
    (
        (0, 9, 10),
        "invoice",
        "cm",
        False,
        "normal",
        "pl",
        "Factuur november klopt niet",
        [
            (
                "cm",
                0,
                "Op de factuur van november staan 412 uur meerwerk. Afgesproken was "
                "maximaal 300 uur. Graag een specificatie per afdeling.",
            ),
            (
                "pl",
                30,
                "U heeft gelijk: de uren van de verbouwing op de SEH zijn dubbel "
                "geboekt. Er volgt een creditnota.",
            ),
            ("cm", 32, "Prima, dan keur ik de gecorrigeerde factuur goed."),
        ],
        "closed",
        40,
    ),
    (
        (0, 15, 14),
        "complaint",
        "fm",
        False,
        "normal",
        "pl2",
        "Prullenbakken polikliniek niet geleegd",
        [
            (
                "fm",
                0,
                "Op de polikliniek Oogheelkunde zijn de prullenbakken sinds vrijdag niet geleegd.",
            ),
            (
                "pl2",
                20,
                "Klopt, de route was na de verhuizing van de poli niet bijgewerkt. Is "
                "vandaag rechtgezet.",
            ),
        ],
        "resolved",
        22,
    ),
    (
        (0, 22, 9),
        "incident",
        "staff",
        False,
        "urgent",
        "pl",
        "Lekkage in de keuken van afdeling C3",
        [
            (
                "staff",
                0,
                "Er staat water in de keuken van C3, vermoedelijk de vaatwasser. "
                "Kan er iemand met een waterzuiger komen?",
            ),
            ("pl", 1, "Teamleider is onderweg, binnen 20 minuten ter plaatse."),
            (
                "staff",
                3,
                "Opgelost, technische dienst heeft de slang vervangen. Dank voor de snelle actie!",
            ),
        ],
        "resolved",
        3,
    ),
    (
        (1, 6, 11),
        "complaint",
        "fm",
        False,
        "high",
        "pl",
        "Isolatiekamers niet volgens protocol gereinigd",
        [
            (
                "fm",
                0,
                "De hygiënist constateerde dat kamer 4.12 (isolatie) niet met chloor is "
                "gereinigd. Dit is een **ernstig** risico.",
            ),
            (
                "pl",
                8,
                "We hebben de betrokken medewerker direct opnieuw geïnstrueerd en "
                "laten alle isolatiekamers vandaag nogmaals reinigen.",
            ),
            ("fm", 10, "Ik wil graag de aangepaste instructie zien voordat we dit sluiten."),
            ("pl", 30, "Staat in de bibliotheek als nieuwe versie van de werkinstructie."),
        ],
        "resolved",
        50,
    ),
    (
        (1, 13, 15),
        "question",
        "staff",
        False,
        "normal",
        "pl2",
        "Wie is het aanspreekpunt in het weekend?",
        [
            ("staff", 0, "Bij wie kunnen we zaterdag en zondag terecht als er iets misgaat?"),
            (
                "pl2",
                2,
                "In het weekend via het 24/7-noodnummer; de dienstdoende teamleider "
                "neemt op. Ik zet het rooster in de hub.",
            ),
        ],
        "closed",
        3,
    ),
    (
        (1, 20, 10),
        "complaint",
        "cm",
        False,
        "normal",
        "pl",
        "Ramen hoofdingang al twee weken vies",
        [
            ("cm", 0, "De glazenwasser is bij de hoofdingang al twee keer niet geweest."),
            ("pl", 46, "De onderaannemer had een planningsfout. Morgen staat hij er."),
            ("cm", 70, "Ziet er weer goed uit."),
        ],
        "resolved",
        70,
    ),
    (
        (2, 3, 8),
        "complaint",
        "staff",
        False,
        "high",
        "pl2",
        "SEH-wachtruimte 's nachts niet schoongemaakt",
        [
            (
                "staff",
                0,
                "Nachtdienst SEH meldt dat de wachtruimte tussen 23:00 en 7:00 niet is gedaan.",
            ),
            (
                "pl2",
                6,
                "Nachtploeg was naar de IC gestuurd na een besmetting. We zorgen voor een "
                "vaste vervanger.",
            ),
        ],
        "resolved",
        30,
    ),
    (
        (2, 12, 13),
        "request",
        "fm",
        False,
        "normal",
        "pl",
        "Extra schoonmaak na verbouwing radiologie",
        [
            (
                "fm",
                0,
                "Radiologie wordt op 28 maart opgeleverd. Kunnen jullie een "
                "bouwoplevering doen op 27 maart?",
            ),
            ("pl", 24, "Ja, we komen met zes mensen. Offerte volgt vandaag."),
            ("fm", 26, "Akkoord."),
        ],
        "closed",
        30,
    ),
    (
        (2, 19, 16),
        "technical_sheet",
        "pl",
        False,
        "normal",
        None,
        "Nieuw desinfectiemiddel per april",
        [
            (
                "pl",
                0,
                "Per april stappen we over op een ander desinfectiemiddel. Het technisch "
                "blad staat in de bibliotheek; graag akkoord van de hygiënist.",
            ),
            ("fm", 28, "Hygiënist heeft het goedgekeurd."),
        ],
        "closed",
        30,
    ),
    # --- Quarter 2: getting better -------------------------------------------------------------
    (
        (3, 2, 9),
        "complaint",
        "staff",
        False,
        "normal",
        "pl2",
        "Sanitair afdeling B2 niet bijgevuld",
        [
            ("staff", 0, "Geen zeep en papier op de toiletten van B2."),
            (
                "pl2",
                4,
                "Vandaag bijgevuld; de voorraadkast op B2 was leeg. Ik heb de bestelling verhoogd.",
            ),
        ],
        "resolved",
        6,
    ),
    (
        (3, 14, 11),
        "idea",
        "pl",
        False,
        "normal",
        None,
        "Voorstel: microvezel in plaats van nat moppen",
        [
            (
                "pl",
                0,
                "Met microvezelmoppen verbruiken we 90% minder water en chemie. Zullen we "
                "een proef doen op twee afdelingen?",
            ),
            ("fm", 20, "Goed idee. Begin met C3 en C4, dan bespreken we het in het maandoverleg."),
            ("pl", 22, "Afgesproken, start maandag."),
        ],
        "closed",
        500,
    ),
    (
        (3, 23, 14),
        "complaint",
        "fm",
        False,
        "normal",
        "pl",
        "Liften centrale hal plakkerig",
        [
            ("fm", 0, "Meerdere bezoekers klagen over plakkerige liftknoppen."),
            ("pl", 5, "We nemen de liften op in de ronde van 12:00 en 16:00."),
        ],
        "resolved",
        8,
    ),
    (
        (4, 7, 10),
        "incident",
        "pl2",
        False,
        "high",
        "staff",
        "Medewerker geprikt aan naald in afvalzak",
        [
            (
                "pl2",
                0,
                "Een medewerker heeft zich op C1 geprikt aan een naald die in een "
                "gewone afvalzak zat. Hij is bij de bedrijfsarts geweest.",
            ),
            (
                "staff",
                2,
                "Vervelend, we spreken de verpleging van C1 erop aan en zetten extra "
                "naaldcontainers neer.",
            ),
            ("pl2", 4, "Dank. Ik meld het ook in het maandoverleg."),
        ],
        "resolved",
        24,
    ),
    (
        (4, 16, 9),
        "question",
        "cm",
        False,
        "normal",
        "pl",
        "Indexering tarieven 2026",
        [
            ("cm", 0, "Welke indexering passen jullie toe voor 2026?"),
            ("pl", 26, "De CAO-verhoging van 3,4%, zoals in artikel 7 van het contract."),
        ],
        "closed",
        30,
    ),
    (
        (5, 4, 15),
        "complaint",
        "staff",
        False,
        "normal",
        "pl2",
        "Kantoren directie overgeslagen",
        [
            ("staff", 0, "De kantoren op de 6e verdieping zijn dinsdag overgeslagen."),
            ("pl2", 3, "Nieuwe collega kende de route nog niet. Is ingehaald."),
        ],
        "resolved",
        5,
    ),
    (
        (5, 18, 11),
        "general",
        "fm",
        False,
        "low",
        None,
        "Bedankt voor de inzet tijdens de open dag",
        [
            (
                "fm",
                0,
                "Complimenten aan het team: het ziekenhuis zag er tijdens de open dag "
                "geweldig uit.",
            ),
            ("pl", 6, "Dank, ik geef het door aan de ploeg!"),
        ],
        "closed",
        7,
    ),
    (
        (5, 25, 10),
        "invoice",
        "pl",
        False,
        "normal",
        "cm",
        "Creditnota meerwerk SEH",
        [
            ("pl", 0, "Hierbij de creditnota voor de dubbel geboekte uren van de SEH."),
            ("cm", 18, "Ontvangen en verwerkt, dank."),
        ],
        "closed",
        20,
    ),
    # --- Quarter 3: a steady summer ------------------------------------------------------------
    (
        (6, 8, 9),
        "complaint",
        "fm",
        False,
        "normal",
        "pl2",
        "Stof op de vensterbanken van de kinderafdeling",
        [
            ("fm", 0, "Ouders wijzen ons op stof op de vensterbanken van de kinderafdeling."),
            ("pl2", 2, "We nemen de vensterbanken dagelijks mee in plaats van wekelijks."),
        ],
        "resolved",
        4,
    ),
    (
        (6, 21, 13),
        "request",
        "staff",
        False,
        "normal",
        "pl2",
        "Zomerbezetting: extra ronde op de SEH",
        [
            ("staff", 0, "Kunnen jullie in juli en augustus een extra middagronde op de SEH doen?"),
            ("pl2", 5, "Ja, met de vakantiekrachten lukt dat. Vanaf 1 juli."),
        ],
        "closed",
        6,
    ),
    (
        (7, 5, 10),
        "idea",
        "fm",
        False,
        "normal",
        "pl",
        "Idee: schoonmaakrooster zichtbaar op de afdelingen",
        [
            (
                "fm",
                0,
                "Als de afdelingen zien wanneer er is schoongemaakt, krijgen we minder "
                "vragen. Kan het rooster op een scherm?",
            ),
            (
                "pl",
                3,
                "Leuk idee. We hebben een app met QR-codes per ruimte; ik laat een demo "
                "zien in het maandoverleg.",
            ),
        ],
        "closed",
        300,
    ),
    (
        (7, 19, 16),
        "incident",
        "staff",
        False,
        "urgent",
        "pl",
        "Norovirus op afdeling A2",
        [
            (
                "staff",
                0,
                "Uitbraak van norovirus op A2. Graag direct overschakelen op het "
                "protocol besmettelijke ziekten.",
            ),
            ("pl", 1, "Protocol is gestart, twee extra mensen zijn onderweg."),
            ("staff", 50, "Afdeling is weer vrijgegeven. Complimenten voor de snelle reactie."),
        ],
        "resolved",
        50,
    ),
    (
        (8, 2, 9),
        "complaint",
        "cm",
        False,
        "normal",
        "pl",
        "Schoonmaakkar in de gang van de OK laten staan",
        [
            ("cm", 0, "Er stond een schoonmaakkar onbeheerd in de steriele gang van de OK."),
            (
                "pl",
                2,
                "Dat mag niet gebeuren. Besproken met het team en opgenomen in de werkinstructie.",
            ),
        ],
        "resolved",
        3,
    ),
    (
        (8, 17, 11),
        "technical_sheet",
        "pl2",
        False,
        "normal",
        None,
        "Technisch blad handzeep bijgewerkt",
        [
            (
                "pl2",
                0,
                "De leverancier heeft de samenstelling van de handzeep aangepast; de "
                "nieuwe versie van het technisch blad staat in de bibliotheek.",
            ),
            ("staff", 4, "Gezien, dank."),
        ],
        "closed",
        5,
    ),
    # --- Quarter 4: a partnership that works ----------------------------------------------------
    (
        (9, 6, 10),
        "idea",
        "pl",
        False,
        "normal",
        "fm",
        "Voorstel: robotstofzuigers in de kantoortuin",
        [
            (
                "pl",
                0,
                "In de kantoortuin kunnen robotstofzuigers 's nachts het stofzuigen "
                "overnemen. Dat maakt uren vrij voor de afdelingen.",
            ),
            ("fm", 4, "Interessant. Wat kost het en wat doen we met de uren?"),
            ("pl", 6, "Kosten vallen weg tegen de uren; de uren gaan naar de poliklinieken."),
        ],
        "waiting",
        None,
    ),
    (
        (9, 20, 9),
        "question",
        "staff",
        False,
        "normal",
        "pl2",
        "Schoonmaak nieuwe dagbehandeling",
        [
            (
                "staff",
                0,
                "Per 1 december opent de nieuwe dagbehandeling. Kunnen jullie die "
                "meenemen in het werkprogramma?",
            ),
            ("pl2", 1, "Ja, ik maak een voorstel voor frequenties en uren."),
        ],
        "resolved",
        3,
    ),
    (
        (10, 4, 14),
        "incident",
        "pl2",
        False,
        "high",
        "staff",
        "Stroomstoring: schrobmachines niet geladen",
        [
            (
                "pl2",
                0,
                "Door de stroomstoring van vannacht zijn de schrobmachines niet geladen. "
                "De centrale hal doen we vandaag handmatig.",
            ),
            ("staff", 1, "Dank voor het melden vooraf!"),
        ],
        "resolved",
        10,
    ),
    (
        ("ago", 6, 10),
        "invoice",
        "cm",
        False,
        "normal",
        "pl",
        "Factuur oktober klopt niet",
        [
            (
                "cm",
                0,
                "Op de factuur van oktober ontbreekt de korting voor de microvezelproef. "
                "Zie de factuur in de bibliotheek.",
            ),
            ("pl", 50, "Ik zoek het uit met onze administratie en kom er deze week op terug."),
        ],
        "open",
        None,
    ),
    (
        ("ago", 4, 9),
        "complaint",
        "staff",
        False,
        "normal",
        "pl2",
        "Toiletten polikliniek niet bijgevuld",
        [
            ("staff", 0, "Maandagochtend waren de toiletten van de polikliniek niet bijgevuld."),
            (
                "pl2",
                2,
                "Dat klopt, de bevoorrading in het weekend is misgegaan. Is het nu in orde?",
            ),
        ],
        "waiting",
        None,
    ),
    (
        ("ago", 2, 11),
        "question",
        "fm",
        False,
        "normal",
        "pl",
        "Planning kerstperiode",
        [
            ("fm", 0, "Hoe ziet de bezetting eruit tussen kerst en oud en nieuw?"),
            (
                "pl",
                23,
                "Volledige bezetting, met een extra ploeg op 27 december voor de "
                "polikliniek. Het rooster volgt.",
            ),
        ],
        "waiting",
        None,
    ),
    (
        ("ago", 1, 15),
        "idea",
        "pl2",
        False,
        "low",
        None,
        "Idee: groene schoonmaakmiddelen op de kinderafdeling",
        [
            (
                "pl2",
                0,
                "We kunnen op de kinderafdeling overstappen op middelen met een "
                "EU Ecolabel. Zullen we dat bespreken?",
            ),
        ],
        "open",
        None,
    ),
    # --- Internal threads ---------------------------------------------------------------------
    (
        (1, 25, 9),
        "general",
        "fm",
        True,
        "normal",
        "cm",
        "Intern: boeteclausule toepassen?",
        [
            ("fm", 0, "Na de isolatiekamer en de OK-vloer: passen we de boeteclausule toe?"),
            (
                "cm",
                5,
                "Liever niet: ze hebben snel gereageerd. Eerst bespreken in het kwartaaloverleg.",
            ),
        ],
        "closed",
        30,
    ),
    (
        (8, 28, 10),
        "general",
        "cm",
        True,
        "normal",
        "fm",
        "Intern: voorbereiding kwartaalronde",
        [
            ("cm", 0, "Wat willen we in de kwartaalronde aan de orde stellen?"),
            (
                "fm",
                3,
                "De daling van de klachten benoemen, en het voorstel over de robotstofzuigers.",
            ),
        ],
        "open",
        None,
    ),
    (
        (2, 10, 8),
        "general",
        "pl",
        True,
        "high",
        "pl2",
        "Intern: bezetting avondploeg OK-complex",
        [
            (
                "pl",
                0,
                "We halen de OK 's avonds niet met drie mensen. Kunnen we iemand van de "
                "dagploeg verschuiven?",
            ),
            ("pl2", 2, "Ik vraag het aan Ahmed en Ilse; allebei staan ze open voor avonddiensten."),
        ],
        "closed",
        48,
    ),
    (
        ("ago", 3, 16),
        "general",
        "pl2",
        True,
        "normal",
        "pl",
        "Intern: marge op meerwerk dagbehandeling",
        [
            ("pl2", 0, "Welke uurprijs rekenen we voor de dagbehandeling?"),
            ("pl", 4, "Het contracttarief; geen opslag, we willen de verlenging binnenhalen."),
        ],
        "open",
        None,
    ),
]

OTHERS = {
    "catering": [
        (
            (9, 14, 10),
            "question",
            "fm",
            False,
            "normal",
            "cat",
            "Dieetwensen in het bestelsysteem",
            [
                ("fm", 0, "Kunnen patiënten hun dieetwensen zelf in het bestelsysteem aangeven?"),
                ("cat", 20, "Ja, vanaf de nieuwe release in november."),
            ],
            "closed",
            24,
        ),
        (
            ("ago", 5, 12),
            "complaint",
            "fm",
            False,
            "normal",
            "cat",
            "Koffie in de personeelsruimte koud",
            [
                ("fm", 0, "De koffie in de personeelsruimte van de SEH is 's nachts koud."),
                ("cat", 6, "De thermoskannen worden vanaf nu om 2:00 ververst."),
            ],
            "resolved",
            8,
        ),
    ],
    "university": [
        (
            (8, 9, 9),
            "complaint",
            "uni",
            False,
            "normal",
            "pl",
            "Collegezalen na avondonderwijs niet opgeruimd",
            [
                ("uni", 0, "Na het avondonderwijs liggen er nog bekers en papier in zaal 1.04."),
                ("pl", 12, "We verschuiven de ronde naar 22:00."),
            ],
            "resolved",
            14,
        ),
        (
            ("ago", 8, 10),
            "request",
            "uni",
            False,
            "normal",
            "pl",
            "Receptie tijdens de open dag",
            [
                ("uni", 0, "Kunnen jullie op de open dag twee extra receptiemedewerkers leveren?"),
                ("pl", 30, "Ja, dat regelen we."),
            ],
            "closed",
            32,
        ),
    ],
}


def seed(world) -> None:
    users = world.users
    cleaning = world.partnerships["cleaning"]
    if not Thread.objects.filter(partnership=cleaning).exists():
        documents = _library(cleaning, users)
        threads = [_thread(cleaning, users, spec) for spec in CLEANING]
        _link(threads, documents, users)
        _read_states(cleaning, users, threads)
        _quiet_old_notifications(threads, documents.values())
    for key, specs in OTHERS.items():
        partnership = world.partnerships[key]
        if not Thread.objects.filter(partnership=partnership).exists():
            threads = [_thread(partnership, users, spec) for spec in specs]
            _read_states(partnership, users, threads, unread_for=())
            _quiet_old_notifications(threads, [])


# --- Times ---------------------------------------------------------------------------------


def _year_start() -> datetime.date:
    """The first day of the month eleven months ago: the demo year ends with this month."""
    today = timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return datetime.date(year, (month - 1) % 12 + 1, 1)


def _when(spec) -> datetime.datetime:
    now = timezone.localtime()
    if spec[0] == "ago":
        day = now.date() - datetime.timedelta(days=spec[1])
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(spec[2])))
    month_index, day, hour = spec
    start = _year_start()
    month = start.month - 1 + month_index
    first = datetime.date(start.year + month // 12, month % 12 + 1, 1)
    return timezone.make_aware(
        datetime.datetime.combine(first.replace(day=day), datetime.time(hour))
    )


def _side(key: str) -> str:
    return Side.CLIENT if key in CLIENT_KEYS else Side.SUPPLIER


# --- Threads -------------------------------------------------------------------------------


def _thread(partnership, users: dict, spec) -> Thread:
    when, category, opener, internal, priority, assignee, subject, messages, status, resolve = spec
    first_author, _offset, first_body = messages[0]
    thread = services.thread_create(
        actor=users[opener],
        partnership=partnership,
        subject=subject,
        body=first_body,
        category=category,
        priority=priority,
        internal=internal,
        assignee=users[assignee] if assignee else None,
    )
    for author, _hours, body in messages[1:]:
        services.message_post(actor=users[author], thread=thread, body=body)
    if status != Status.OPEN:
        services.thread_update(actor=users[opener], thread=thread, status=status)
    _backdate_thread(thread, _when(when), messages, status, resolve)
    return thread


def _backdate_thread(thread: Thread, opened, messages, status, resolve) -> None:
    times = [opened + datetime.timedelta(hours=hours) for _a, hours, _b in messages]
    for message, when in zip(thread.messages.order_by("pk"), times, strict=True):
        Message.objects.filter(pk=message.pk).update(created_at=when)
    answers = [
        t
        for (author, _h, _b), t in zip(messages, times, strict=True)
        if _side(author) != thread.side
    ]
    first_response = answers[0] if answers and thread.visibility == Visibility.SHARED else None
    resolved = opened + datetime.timedelta(hours=resolve) if status in DONE_STATUSES else None
    Thread.objects.filter(pk=thread.pk).update(
        created_at=opened,
        last_message_at=times[-1],
        first_response_at=first_response,
        resolved_at=resolved,
    )
    records = list(thread.history.order_by("history_id"))
    for index, record in enumerate(records):
        at = opened if index == 0 else (resolved or times[-1])
        thread.history.filter(history_id=record.history_id).update(history_date=at)


def _read_states(partnership, users: dict, threads, unread_for=("fm",)) -> None:
    """Everyone has read what happened, except the facility manager's newest news."""
    threads = list(Thread.objects.filter(pk__in=[t.pk for t in threads]))
    ReadState.objects.filter(thread__in=threads).delete()
    recent = timezone.now() - RECENT - datetime.timedelta(days=1)
    last_author = {
        t.pk: t.messages.order_by("-created_at", "-pk").first().author_id for t in threads
    }
    states = []
    for key, user in users.items():
        visible = set(
            Thread.objects.visible_to(user)
            .filter(partnership=partnership)
            .values_list("pk", flat=True)
        )
        for thread in threads:
            if thread.pk not in visible:
                continue
            if (
                key in unread_for
                and thread.last_message_at >= recent
                and last_author[thread.pk] != user.pk
            ):
                continue
            states.append(ReadState(user=user, thread=thread, read_at=thread.last_message_at))
    ReadState.objects.bulk_create(states)


def _quiet_old_notifications(threads, documents) -> None:
    """The services told everyone about every message and version; keep only the last few days'
    news about threads, dated to when it happened."""
    from . import selectors

    cutoff = timezone.now() - RECENT
    urls = {selectors.thread_url(t): t.pk for t in threads}
    last = dict(Thread.objects.filter(pk__in=urls.values()).values_list("pk", "last_message_at"))
    old = [url for url, pk in urls.items() if last[pk] < cutoff]
    hub = Notification.objects.filter(kind__in=["hub.thread", "hub.reply"])
    hub.filter(url__in=old).delete()
    for url, pk in urls.items():
        if url not in old:
            hub.filter(url=url).update(created_at=last[pk])
    Notification.objects.filter(
        kind="hub.document", url__in=[selectors.document_url(d) for d in documents]
    ).delete()


# --- The library ---------------------------------------------------------------------------


def _pdf(title: str) -> bytes:
    """A minimal, valid one-page PDF that shows `title`."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text.replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 300, 180), outline=colour, width=6)
    draw.ellipse((120, 60, 200, 140), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# key, category, title, [(uploader, month index, file name, content, note)]
LIBRARY = [
    (
        "contract",
        "contract",
        "Raamovereenkomst schoonmaak 2025–2028",
        [("cm", (0, 1, 9), "raamovereenkomst.pdf", "Raamovereenkomst", "")],
    ),
    (
        "wi_ok",
        "work_instruction",
        "Werkinstructie reiniging OK-complex",
        [
            ("pl", (0, 1, 10), "wi-ok-complex.pdf", "Werkinstructie OK v1", ""),
            (
                "pl2",
                (0, 3, 14),
                "wi-ok-complex.pdf",
                "Werkinstructie OK v2",
                "Controle om 6:45 samen met de huishoudelijke dienst toegevoegd",
            ),
            (
                "pl",
                (8, 3, 11),
                "wi-ok-complex.pdf",
                "Werkinstructie OK v3",
                "Geen schoonmaakkar onbeheerd in de steriele gang",
            ),
        ],
    ),
    (
        "wi_hands",
        "work_instruction",
        "Werkinstructie doseerunits handhygiëne",
        [("pl2", (1, 20, 9), "doseerunits.png", (0, 120, 200), "")],
    ),
    (
        "wi_isolation",
        "work_instruction",
        "Werkinstructie isolatiekamers",
        [
            ("pl", (0, 2, 9), "wi-isolatie.pdf", "Werkinstructie isolatie v1", ""),
            (
                "pl",
                (1, 7, 15),
                "wi-isolatie.pdf",
                "Werkinstructie isolatie v2",
                "Chloorreiniging verplicht na ontslag",
            ),
        ],
    ),
    (
        "sheet_soap",
        "technical_sheet",
        "Technisch blad handzeep",
        [
            ("pl2", (0, 5, 9), "handzeep.pdf", "Technisch blad handzeep 2025", ""),
            (
                "pl",
                (4, 10, 10),
                "handzeep.pdf",
                "Technisch blad handzeep 2026",
                "Nieuwe leverancier",
            ),
            (
                "pl2",
                (8, 17, 10),
                "handzeep.pdf",
                "Technisch blad handzeep 2026-2",
                "Samenstelling aangepast",
            ),
        ],
    ),
    (
        "sheet_disinfectant",
        "technical_sheet",
        "Technisch blad desinfectiemiddel",
        [("pl", (2, 19, 15), "desinfectie.pdf", "Technisch blad desinfectiemiddel", "")],
    ),
    (
        "invoice_sep",
        "invoice",
        "Factuur september 2026",
        [("pl", (9, 3, 9), "factuur-2026-09.pdf", "Factuur september", "")],
    ),
    (
        "invoice_oct",
        "invoice",
        "Factuur oktober 2026",
        [("pl", ("ago", 7, 9), "factuur-2026-10.pdf", "Factuur oktober", "")],
    ),
    (
        "report_q3",
        "report",
        "Kwartaalrapportage kwaliteit Q3",
        [
            ("pl", (9, 8, 10), "rapportage-q3.pdf", "Rapportage Q3 concept", ""),
            ("pl2", (9, 10, 10), "rapportage-q3.pdf", "Rapportage Q3", "Cijfers SEH gecorrigeerd"),
            (
                "cm",
                (9, 15, 16),
                "rapportage-q3.pdf",
                "Rapportage Q3 met opmerkingen",
                "Opmerkingen van Sint-Lucas toegevoegd",
            ),
        ],
    ),
]


def _upload(name: str, content) -> SimpleUploadedFile:
    data = _png(content) if name.endswith(".png") else _pdf(content)
    return SimpleUploadedFile(name, data)


def _library(partnership, users: dict) -> dict:
    documents = {}
    for key, category, title, versions in LIBRARY:
        uploader, when, name, content, note = versions[0]
        document = services.document_create(
            actor=users[uploader],
            partnership=partnership,
            title=title,
            category=category,
            file=_upload(name, content),
            note=note,
        )
        for uploader, _at, name, content, note in versions[1:]:
            services.document_version_add(
                actor=users[uploader], document=document, file=_upload(name, content), note=note
            )
        times = [_when(v[1]) for v in versions]
        for version, at in zip(document.versions.order_by("number"), times, strict=True):
            DocumentVersion.objects.filter(pk=version.pk).update(uploaded_at=at)
        Document.objects.filter(pk=document.pk).update(created_at=times[0], updated_at=times[-1])
        document.history.update(history_date=times[0])
        documents[key] = document
    return documents


def _link(threads, documents: dict, users: dict) -> None:
    by_subject = {t.subject: t for t in threads}
    links = [
        ("Vloer OK-complex niet gedweild", "wi_ok", "staff"),
        ("Isolatiekamers niet volgens protocol gereinigd", "wi_isolation", "fm"),
        ("Nieuw desinfectiemiddel per april", "sheet_disinfectant", "pl"),
        ("Technisch blad handzeep bijgewerkt", "sheet_soap", "pl2"),
        ("Factuur oktober klopt niet", "invoice_oct", "cm"),
    ]
    for subject, key, actor in links:
        services.thread_link_documents(
            actor=users[actor], thread=by_subject[subject], documents=[documents[key]]
        )
