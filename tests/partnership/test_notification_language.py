"""Notifications read in the reader's language and number format, whoever raised them.

The message is stored untranslated with typed parameters and rendered when it is read (the
notification list) or e-mailed (the worker), so a Dutch sender cannot leave Dutch text or Dutch
numbers in an English reader's notifications, nor the other way round.
"""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from kpis import services
from partnership.deferred_text import Phrase, params_store, text_render, text_store
from partnership.models import Notification
from partnership.notifications import notify
from tests.kpis.factories import KPIFactory

pytestmark = pytest.mark.django_db

READS = {
    "en": ("is off target for 2026-02", "Value 72.50 against a target of 95.00."),
    "nl": ("is buiten norm voor 2026-02", "Waarde 72,50 tegenover een norm van 95,00."),
}


@pytest.mark.parametrize(("language", "other"), [("en", "nl"), ("nl", "en")])
def test_a_red_alert_reads_in_the_recipients_language_in_the_app_and_the_mail(
    client, world, django_capture_on_commit_callbacks, language, other
):
    world.supplier_lead.language = other  # the sender speaks the other language
    world.supplier_lead.save(update_fields=["language"])
    world.member.language = language
    world.member.save(update_fields=["language"])
    kpi = KPIFactory(partnership=world.partnership, source="supplier", target=95, tolerance=5)
    with translation.override(other), django_capture_on_commit_callbacks(execute=True):
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period="2026-02", value="72.5"
        )
    title, body = READS[language]
    wrong_title, wrong_body = READS[other]

    client.force_login(world.member)
    page = client.get(reverse("partnership:notifications")).content.decode()
    assert f"{kpi.name} {title}" in page and body in page
    assert wrong_title not in page and wrong_body not in page

    (message,) = [m for m in mail.outbox if m.to == [world.member.email]]
    assert message.subject == f"[Tandem] {kpi.name} {title}"
    assert body in message.body and wrong_body not in message.body


def test_the_reader_switching_language_reads_the_same_notice_in_the_new_one(world):
    (note,) = notify(
        users=[world.member],
        kind="test",
        title=gettext_lazy("Action due on %(due)s: %(title)s"),
        params={"due": datetime.date(2026, 12, 2), "title": "Ramen C3"},
        email=False,
    )
    note = Notification.objects.get(pk=note.pk)
    with translation.override("en"):
        assert note.display_title == "Action due on 2 December 2026: Ramen C3"
    with translation.override("nl"):
        assert note.display_title == "Actie met deadline 2 december 2026: Ramen C3"


def test_parameters_keep_their_type_and_render_in_the_active_language():
    moment = datetime.datetime(2026, 7, 1, 6, 30, tzinfo=datetime.UTC)  # 08:30 in Amsterdam
    params = params_store(
        {
            "when": moment,
            "value": Decimal("1234.5"),
            "count": 3,
            "state": pgettext_lazy("round state", "Closed"),
            "subject": Phrase(
                gettext_lazy("%(kpi)s: %(value)s (%(period)s)"),
                kpi="Schoon",
                value=Decimal("4.30"),
                period="2026-03",
            ),
            "name": "Sint-Lucas",
        }
    )
    assert params["value"] == {"type": "number", "value": "1234.5"}
    assert params["name"] == "Sint-Lucas" and params["count"] == 3
    text = "%(when)s %(value)s %(count)s %(state)s %(subject)s %(name)s"
    with translation.override("nl"), timezone.override("Europe/Amsterdam"):
        assert text_render(text, params) == (
            "1 juli 2026 08:30 1234,5 3 Gesloten Schoon: 4,30 (2026-03) Sint-Lucas"
        )
    with translation.override("en"), timezone.override("Europe/Amsterdam"):
        assert text_render(text, params) == (
            "1 July 2026, 08:30 1234.5 3 Closed Schoon: 4.30 (2026-03) Sint-Lucas"
        )


def test_a_notice_stored_before_keeps_its_rendered_text():
    legacy = "Waarde 0.00 tegenover een norm van 90.00 (100 %)"
    with translation.override("en"):
        assert text_render(legacy, {}) == legacy
    assert text_store(gettext_lazy("Open")) == "Open"  # the msgid, whatever the active language
