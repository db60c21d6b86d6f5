"""The indicator set: drafting, editing, the two-sided sign-off and versions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from partnership.models import Notification
from sti import library, selectors, services
from sti.models import Indicator, IndicatorSet, SignOff
from tests import factories as f
from tests.sti import factories as sf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (Dutch is the default language)."""
    with translation.override("en"):
        yield


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    with translation.override("en"):
        return [str(m) for m in exc.value.messages]


def new_draft(world, actor=None):
    return services.indicator_set_draft(actor=actor or world.manager, partnership=world.partnership)


def add(world, draft, name, rated_side="both", meaning="Here it means this", **kwargs):
    return services.indicator_add(
        actor=world.manager,
        indicator_set=draft,
        name=name,
        meaning=meaning,
        rated_side=rated_side,
        **kwargs,
    )


def sign_both(world, draft):
    services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    services.indicator_set_sign_off(actor=world.supplier_lead, indicator_set=draft)
    draft.refresh_from_db()
    return draft


def other_manager(world, side):
    """Another manager of a side's organisation, not a participant of the partnership."""
    org = world.hospital if side == "client" else world.cleaner
    return f.member(org, "manager")


def names(indicator_set):
    return list(selectors.indicators_of(indicator_set=indicator_set).values_list("name", flat=True))


# --- drafting and editing ---------------------------------------------------------------------


def test_manager_drafts_version_one_from_nothing(world):
    draft = services.indicator_set_draft(
        actor=world.manager, partnership=world.partnership, note="  Kick-off workshop  "
    )
    assert (draft.version, draft.note, draft.created_by) == (1, "Kick-off workshop", world.manager)
    assert draft.is_draft and not draft.is_current
    assert not draft.indicators.exists()
    assert selectors.draft_set(partnership=world.partnership) == draft
    assert selectors.current_set(partnership=world.partnership) is None


def test_supplier_manager_may_draft_too(world):
    draft = new_draft(world, actor=world.supplier_lead)
    assert draft.created_by == world.supplier_lead


def test_indicator_from_the_library_gets_its_name_and_behaviours(world):
    draft = new_draft(world)
    template = library.BY_KEY["openness"]
    indicator = services.indicator_add(
        actor=world.manager, indicator_set=draft, library_key="openness"
    )
    indicator.refresh_from_db()
    assert indicator.name == "Openness"
    assert indicator.library_key == "openness"
    assert indicator.behaviours == template.behaviours_text()
    assert indicator.behaviour_list == [str(b) for b in template.behaviours]
    assert indicator.rated_side == "both"
    assert indicator.meaning == ""  # what it means *here* is for the partnership to write
    assert indicator.position == 1


def test_library_indicator_keeps_texts_the_workshop_typed(world):
    draft = new_draft(world)
    indicator = services.indicator_add(
        actor=world.manager,
        indicator_set=draft,
        library_key="reachability",
        name="Reachable at night",
        behaviours="Answers the night line",
        rated_side="supplier",
    )
    assert (indicator.name, indicator.behaviours, indicator.rated_side) == (
        "Reachable at night",
        "Answers the night line",
        "supplier",
    )


def test_unknown_library_key_is_a_field_error(world):
    draft = new_draft(world)
    with pytest.raises(ValidationError) as exc:
        services.indicator_add(actor=world.manager, indicator_set=draft, library_key="telepathy")
    assert "library_key" in exc.value.message_dict
    assert not draft.indicators.exists()


def test_custom_indicators_are_added_in_order(world):
    draft = new_draft(world)
    first = add(world, draft, "  Safety first ", rated_side="supplier")
    second = add(
        world, draft, "Paying on time", rated_side="client", behaviours="- Pays\n\n- Early"
    )
    assert first.name == "Safety first"  # trimmed
    assert (first.position, second.position) == (1, 2)
    assert second.behaviour_list == ["Pays", "Early"]
    assert names(draft) == ["Safety first", "Paying on time"]


def test_duplicate_names_are_refused_case_insensitively(world):
    draft = new_draft(world)
    services.indicator_add(actor=world.manager, indicator_set=draft, library_key="openness")
    with pytest.raises(ValidationError) as exc:
        add(world, draft, "  OPENNESS ")
    assert exc.value.message_dict["name"] == ["This set already has an indicator with this name."]
    with pytest.raises(ValidationError) as exc:
        services.indicator_add(actor=world.manager, indicator_set=draft, library_key="openness")
    assert "name" in exc.value.message_dict
    assert draft.indicators.count() == 1


def test_renaming_onto_another_name_is_refused_but_recasing_itself_is_fine(world):
    draft = new_draft(world)
    add(world, draft, "Openness")
    other = add(world, draft, "Flexibility")
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(actor=world.manager, indicator=other, name="openness")
    assert "name" in exc.value.message_dict
    other.refresh_from_db()
    assert other.name == "Flexibility"
    services.indicator_update(actor=world.manager, indicator=other, name="FLEXIBILITY")
    other.refresh_from_db()
    assert other.name == "FLEXIBILITY"


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Fine", "rated_side": "facilitator"}, "rated_side"),
        ({"name": "Fine", "rated_side": "nobody"}, "rated_side"),
    ],
)
def test_bad_indicator_input_is_a_field_error(world, fields, error_field):
    draft = new_draft(world)
    with pytest.raises(ValidationError) as exc:
        services.indicator_add(actor=world.manager, indicator_set=draft, **fields)
    assert error_field in exc.value.message_dict
    assert not draft.indicators.exists()


def test_name_of_exactly_80_characters_is_accepted(world):
    draft = new_draft(world)
    assert len(add(world, draft, "x" * 80).name) == 80


def test_a_set_holds_at_most_twelve_indicators(world):
    draft = new_draft(world)
    for number in range(12):
        add(world, draft, f"Indicator {number}")
    with pytest.raises(ValidationError) as exc:
        add(world, draft, "Thirteenth")
    assert "12" in messages(exc)[0]
    assert draft.indicators.count() == 12
    # Removing one makes room again.
    services.indicator_remove(actor=world.manager, indicator=draft.indicators.first())
    add(world, draft, "Thirteenth")
    assert draft.indicators.count() == 12


def test_manager_edits_an_indicator(world):
    draft = new_draft(world)
    indicator = add(world, draft, "Openness")
    services.indicator_update(
        actor=world.supplier_lead,
        indicator=indicator,
        meaning="Bad news travels fast",
        behaviours="Calls before noon",
        rated_side="client",
        name=None,  # None leaves a field alone
    )
    indicator.refresh_from_db()
    assert (indicator.name, indicator.meaning, indicator.behaviours, indicator.rated_side) == (
        "Openness",
        "Bad news travels fast",
        "Calls before noon",
        "client",
    )
    assert Indicator.history.filter(id=indicator.pk).count() == 2


def test_invalid_edit_changes_nothing(world):
    draft = new_draft(world)
    indicator = add(world, draft, "Openness")
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(
            actor=world.manager, indicator=indicator, meaning="Changed", rated_side="everyone"
        )
    assert "rated_side" in exc.value.message_dict
    indicator.refresh_from_db()
    assert (indicator.meaning, indicator.rated_side) == ("Here it means this", "both")


def test_manager_removes_an_indicator(world):
    draft = new_draft(world)
    add(world, draft, "Openness")
    doomed = add(world, draft, "Flexibility")
    services.indicator_remove(actor=world.manager, indicator=doomed)
    assert names(draft) == ["Openness"]


def test_manager_moves_indicators_up_and_down(world):
    draft = new_draft(world)
    a, b, c = (add(world, draft, name) for name in ("A", "B", "C"))
    services.indicator_move(actor=world.manager, indicator=c, offset=-1)
    assert names(draft) == ["A", "C", "B"]
    services.indicator_move(actor=world.manager, indicator=a, offset=1)
    assert names(draft) == ["C", "A", "B"]
    services.indicator_move(actor=world.manager, indicator=b, offset=1)  # already last
    services.indicator_move(actor=world.manager, indicator=c, offset=-1)  # already first
    assert names(draft) == ["C", "A", "B"]
    positions = list(draft.indicators.order_by("position").values_list("position", flat=True))
    assert positions == [1, 2, 3]


# --- who may change it ------------------------------------------------------------------------

NOT_MANAGERS = ["member", "viewer", "facilitator", "outsider"]


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_only_managers_draft_a_set(world, who):
    with pytest.raises(PermissionDenied):
        new_draft(world, actor=getattr(world, who))
    assert not IndicatorSet.objects.exists()


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_only_managers_change_or_sign_a_draft(world, who):
    actor = getattr(world, who)
    draft = sf.draft_set(world.partnership)
    indicator = draft.indicators.first()
    calls = [
        lambda: services.indicator_add(actor=actor, indicator_set=draft, name="New"),
        lambda: services.indicator_update(actor=actor, indicator=indicator, name="Renamed"),
        lambda: services.indicator_remove(actor=actor, indicator=indicator),
        lambda: services.indicator_move(actor=actor, indicator=indicator, offset=1),
        lambda: services.indicator_set_sign_off(actor=actor, indicator_set=draft),
        lambda: services.indicator_set_discard(actor=actor, indicator_set=draft),
        lambda: services.sti_settings_update(
            actor=actor, partnership=world.partnership, show_rater_names=True
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert names(draft) == ["Pro-activity", "Openness", "Reachability"]
    assert not SignOff.objects.exists()
    assert IndicatorSet.objects.filter(pk=draft.pk).exists()


def test_outsider_cannot_touch_another_tenants_set(world):
    draft = sf.draft_set(world.other_partnership)
    with pytest.raises(PermissionDenied):
        services.indicator_add(actor=world.manager, indicator_set=draft, name="Sneaky")
    assert draft.indicators.count() == 3


# --- signing off --------------------------------------------------------------------------------


def test_an_empty_set_cannot_be_signed_off(world):
    draft = new_draft(world)
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    assert messages(exc) == ["Add at least one indicator before signing off."]
    assert not SignOff.objects.exists()


def test_sign_off_needs_every_meaning_written(world):
    draft = new_draft(world)
    services.indicator_add(actor=world.manager, indicator_set=draft, library_key="openness")
    services.indicator_add(actor=world.manager, indicator_set=draft, library_key="flexibility")
    add(world, draft, "Safety", meaning="Safe work")
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    assert messages(exc) == [
        "Write what these indicators mean here before signing off: Openness, Flexibility."
    ]
    assert not SignOff.objects.exists()


def test_sign_off_refuses_meanings_of_only_whitespace(world):
    draft = new_draft(world)
    add(world, draft, "Openness", meaning="   \n ")
    with pytest.raises(ValidationError):
        services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)


@pytest.mark.parametrize(("rated", "unrated"), [("supplier", "client"), ("client", "supplier")])
def test_sign_off_needs_an_indicator_rating_each_side(world, rated, unrated):
    draft = new_draft(world)
    add(world, draft, "Only one way", rated_side=rated)
    with pytest.raises(ValidationError) as exc:
        services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    assert messages(exc) == [f"No indicator rates the {unrated}; the rating goes both ways."]
    add(world, draft, "The other way", rated_side=unrated)
    services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)


def test_first_sign_off_keeps_the_draft_and_asks_the_other_side(world):
    draft = sf.draft_set(world.partnership)
    sign_off = services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    draft.refresh_from_db()
    assert (sign_off.side, sign_off.user) == ("client", world.manager)
    assert draft.is_draft and draft.adopted_at is None
    assert selectors.current_set(partnership=world.partnership) is None
    asked = Notification.objects.filter(kind="sti.sign_off_requested")
    assert [n.user for n in asked] == [world.supplier_lead]
    assert asked.get().url == selectors.set_url(draft)
    assert asked.get().partnership == world.partnership


def test_supplier_signing_first_asks_the_client_managers(world):
    draft = sf.draft_set(world.partnership)
    services.indicator_set_sign_off(actor=world.supplier_lead, indicator_set=draft)
    asked = Notification.objects.filter(kind="sti.sign_off_requested")
    assert {n.user for n in asked} == {world.manager}


def test_second_side_signing_adopts_the_set_and_tells_all_managers(world):
    draft = sf.draft_set(world.partnership)
    services.indicator_set_sign_off(actor=world.supplier_lead, indicator_set=draft)
    services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    draft.refresh_from_db()
    assert draft.adopted_at is not None and draft.superseded_at is None
    assert draft.is_current and draft.status_label == "In use"
    assert selectors.current_set(partnership=world.partnership) == draft
    assert selectors.draft_set(partnership=world.partnership) is None
    assert set(draft.sign_offs.values_list("side", "user")) == {
        ("client", world.manager.pk),
        ("supplier", world.supplier_lead.pk),
    }
    adopted = Notification.objects.filter(kind="sti.set_adopted")
    assert {n.user for n in adopted} == {world.manager, world.supplier_lead}
    with translation.override("nl"):  # the managers read Dutch; this module runs in English
        assert "versie 1" in adopted.first().display_title.lower()


def test_the_same_side_cannot_sign_twice(world):
    draft = sf.draft_set(world.partnership)
    colleague = other_manager(world, "client")
    services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    for actor in (world.manager, colleague):
        with pytest.raises(ValidationError) as exc:
            services.indicator_set_sign_off(actor=actor, indicator_set=draft)
        assert messages(exc) == ["Your side has already signed this version off."]
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.sign_offs.count() == 1


def test_a_manager_who_is_no_participant_signs_for_their_organisation(world):
    draft = sf.draft_set(world.partnership)
    services.indicator_set_sign_off(actor=other_manager(world, "supplier"), indicator_set=draft)
    assert draft.sign_offs.get().side == "supplier"


CHANGES = {
    "add": lambda w, d, i: services.indicator_add(
        actor=w.manager, indicator_set=d, name="New", meaning="New here"
    ),
    "update": lambda w, d, i: services.indicator_update(
        actor=w.supplier_lead, indicator=i, meaning="Changed"
    ),
    "remove": lambda w, d, i: services.indicator_remove(actor=w.manager, indicator=i),
    "move": lambda w, d, i: services.indicator_move(actor=w.manager, indicator=i, offset=1),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_after_one_sign_off_voids_it(world, change):
    draft = sf.draft_set(world.partnership)
    services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    CHANGES[change](world, draft, draft.indicators.first())
    assert not draft.sign_offs.exists()
    # The other side signing now does not adopt what the first side never saw.
    services.indicator_set_sign_off(actor=world.supplier_lead, indicator_set=draft)
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_move_that_changes_nothing_keeps_the_sign_off(world):
    draft = sf.draft_set(world.partnership)
    services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    first = selectors.indicators_of(indicator_set=draft).first()
    services.indicator_move(actor=world.manager, indicator=first, offset=-1)
    assert draft.sign_offs.count() == 1


def test_saving_an_indicator_unchanged_keeps_the_sign_off(world):
    draft = sf.draft_set(world.partnership)
    services.indicator_set_sign_off(actor=world.manager, indicator_set=draft)
    indicator = draft.indicators.get(name="Openness")
    services.indicator_update(
        actor=world.supplier_lead,
        indicator=indicator,
        name=" Openness ",
        meaning=indicator.meaning,
        rated_side="both",
    )
    assert draft.sign_offs.count() == 1
    assert Indicator.history.filter(id=indicator.pk).count() == 1
    services.indicator_update(actor=world.supplier_lead, indicator=indicator, rated_side="client")
    assert not draft.sign_offs.exists()


def test_an_adopted_set_can_no_longer_change(world):
    adopted = sf.adopted_set(world.partnership)
    indicator = adopted.indicators.first()
    calls = [
        lambda: services.indicator_add(actor=world.manager, indicator_set=adopted, name="New"),
        lambda: services.indicator_update(actor=world.manager, indicator=indicator, name="Else"),
        lambda: services.indicator_remove(actor=world.manager, indicator=indicator),
        lambda: services.indicator_move(actor=world.manager, indicator=indicator, offset=1),
        lambda: services.indicator_set_sign_off(actor=world.manager, indicator_set=adopted),
        lambda: services.indicator_set_discard(actor=world.manager, indicator_set=adopted),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as exc:
            call()
        assert "signed off and can no longer change" in messages(exc)[0]
    assert names(adopted) == ["Pro-activity", "Openness", "Reachability"]
    assert adopted.sign_offs.count() == 2
    adopted.refresh_from_db()
    assert adopted.is_current


def test_a_stale_draft_object_cannot_be_changed_after_adoption(world):
    draft = sf.draft_set(world.partnership)
    stale = IndicatorSet.objects.get(pk=draft.pk)
    sign_both(world, draft)
    with pytest.raises(ValidationError):
        services.indicator_add(actor=world.manager, indicator_set=stale, name="Late")
    assert draft.indicators.count() == 3


# --- versions -----------------------------------------------------------------------------------


def test_new_version_copies_the_indicators_with_their_lineage(world):
    v1 = sign_both(world, sf.draft_set(world.partnership))
    v2 = services.indicator_set_draft(
        actor=world.supplier_lead, partnership=world.partnership, note="Add flexibility"
    )
    assert v2.version == 2 and v2.is_draft
    old = list(selectors.indicators_of(indicator_set=v1))
    new = list(selectors.indicators_of(indicator_set=v2))
    fields = ("lineage", "library_key", "position", "name", "meaning", "behaviours", "rated_side")
    assert [[getattr(i, f) for f in fields] for i in new] == [
        [getattr(i, f) for f in fields] for i in old
    ]
    assert not {i.pk for i in new} & {i.pk for i in old}
    # Until both sides sign the new version off, the old one stays in use.
    services.indicator_update(actor=world.manager, indicator=new[0], meaning="Rewritten")
    services.indicator_add(actor=world.manager, indicator_set=v2, name="Flexibility", meaning="x")
    services.indicator_set_sign_off(actor=world.manager, indicator_set=v2)
    assert selectors.current_set(partnership=world.partnership) == v1
    old[0].refresh_from_db()
    assert old[0].meaning == "What Pro-activity means here"


def test_new_version_signed_by_both_supersedes_the_old_one(world):
    v1 = sf.adopted_set(world.partnership)
    survey = sf.survey(world.partnership, v1, state="closed")
    v2 = new_draft(world)
    add(world, v2, "Flexibility")
    sign_both(world, v2)
    v1.refresh_from_db()
    assert v1.superseded_at is not None and v1.superseded_at == v2.adopted_at
    assert v1.status_label == "Superseded" and not v1.is_current
    assert selectors.current_set(partnership=world.partnership) == v2
    survey.refresh_from_db()
    assert survey.indicator_set == v1  # past surveys keep their version
    notified = Notification.objects.filter(kind="sti.set_adopted")
    assert {n.user for n in notified} == {world.manager, world.supplier_lead}
    # A third version supersedes the second and leaves the first as it was.
    v3 = new_draft(world)
    sign_both(world, v3)
    v1_superseded = v1.superseded_at
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.superseded_at == v1_superseded and v2.superseded_at == v3.adopted_at
    assert list(
        selectors.sets_for_partnership(partnership=world.partnership).values_list(
            "version", "indicator_count"
        )
    ) == [(3, 4), (2, 4), (1, 3)]


def test_only_one_draft_at_a_time(world):
    sf.adopted_set(world.partnership)
    new_draft(world)
    with pytest.raises(ValidationError) as exc:
        new_draft(world, actor=world.supplier_lead)
    assert messages(exc) == ["A draft version already exists; finish or discard it first."]
    assert IndicatorSet.objects.filter(partnership=world.partnership).count() == 2


def test_the_database_refuses_a_second_draft(world):
    sf.draft_set(world.partnership)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorSet.objects.create(partnership=world.partnership, version=2)


def test_the_database_refuses_two_sets_in_use(world):
    sf.adopted_set(world.partnership)
    with pytest.raises(IntegrityError), transaction.atomic():
        sf.adopted_set(world.partnership, version=2)


def test_each_partnership_has_its_own_draft(world):
    sf.draft_set(world.other_partnership)
    draft = new_draft(world)
    assert draft.version == 1


def test_discarding_a_draft_removes_it_and_leaves_the_set_in_use(world):
    v1 = sf.adopted_set(world.partnership)
    v2 = new_draft(world)
    services.indicator_set_sign_off(actor=world.manager, indicator_set=v2)
    services.indicator_set_discard(actor=world.supplier_lead, indicator_set=v2)
    assert not IndicatorSet.objects.filter(pk=v2.pk).exists()
    assert not Indicator.objects.filter(indicator_set_id=v2.pk).exists()
    assert selectors.current_set(partnership=world.partnership) == v1
    assert v1.indicators.count() == 3
    assert new_draft(world).version == 2  # a fresh draft can start again


def test_discarding_the_first_draft_leaves_nothing(world):
    draft = sf.draft_set(world.partnership)
    services.indicator_set_discard(actor=world.manager, indicator_set=draft)
    assert not IndicatorSet.objects.filter(partnership=world.partnership).exists()


# --- settings ---------------------------------------------------------------------------------


def test_manager_chooses_whether_rater_names_show_to_the_other_side(world):
    assert selectors.settings_for(partnership=world.partnership).show_rater_names is False
    services.sti_settings_update(
        actor=world.supplier_lead, partnership=world.partnership, show_rater_names=True
    )
    assert selectors.settings_for(partnership=world.partnership).show_rater_names is True
    services.sti_settings_update(
        actor=world.manager, partnership=world.partnership, show_rater_names=False
    )
    assert selectors.settings_for(partnership=world.partnership).show_rater_names is False
    assert selectors.settings_for(partnership=world.other_partnership).pk is None
