"""The indicator set: drafted in a workshop, signed off by both sides, versioned afterwards.

Every change to a draft voids the sign-offs it had: both sides sign what is actually in it.
Keyword-only, one transaction each.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, require_action
from partnership.models import Partnership, Side
from partnership.notifications import notify

from . import library, selectors
from .models import Indicator, IndicatorSet, RatedSide, SignOff, STISettings

INDICATOR_FIELDS = ("name", "meaning", "behaviours", "rated_side")
MAX_INDICATORS = 12


def _locked_draft(indicator_set: IndicatorSet) -> IndicatorSet:
    locked = IndicatorSet.objects.select_for_update().get(pk=indicator_set.pk)
    if not locked.is_draft:
        raise ValidationError(
            _("This version is signed off and can no longer change. Start a new version instead.")
        )
    return locked


def _void_sign_offs(indicator_set: IndicatorSet) -> None:
    SignOff.objects.filter(indicator_set=indicator_set).delete()


def _validate_indicator(indicator: Indicator) -> None:
    errors = {}
    indicator.name = (indicator.name or "").strip()
    if not indicator.name:
        errors["name"] = _("Enter a name.")
    elif len(indicator.name) > 80:
        errors["name"] = _("Keep the name to 80 characters or fewer.")
    if indicator.rated_side not in RatedSide.values:
        errors["rated_side"] = _("Choose a valid option.")
    clash = Indicator.objects.filter(
        indicator_set_id=indicator.indicator_set_id, name__iexact=indicator.name
    ).exclude(pk=indicator.pk)
    if indicator.name and clash.exists():
        errors["name"] = _("This set already has an indicator with this name.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_set_draft(*, actor, partnership: Partnership, note: str = "") -> IndicatorSet:
    """Start a new version, copying the indicators of the set in use (if any)."""
    require_action(actor, partnership, Action.MANAGE)
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    if IndicatorSet.objects.filter(partnership=partnership, adopted_at__isnull=True).exists():
        raise ValidationError(_("A draft version already exists; finish or discard it first."))
    current = selectors.current_set(partnership=partnership)
    last = IndicatorSet.objects.filter(partnership=partnership).aggregate(v=Max("version"))["v"]
    draft = IndicatorSet.objects.create(
        partnership=partnership, version=(last or 0) + 1, note=note.strip(), created_by=actor
    )
    if current is not None:
        Indicator.objects.bulk_create(
            Indicator(
                indicator_set=draft,
                lineage=old.lineage,
                library_key=old.library_key,
                position=old.position,
                name=old.name,
                meaning=old.meaning,
                behaviours=old.behaviours,
                rated_side=old.rated_side,
            )
            for old in current.indicators.all()
        )
    return draft


@transaction.atomic
def indicator_set_discard(*, actor, indicator_set: IndicatorSet) -> None:
    require_action(actor, indicator_set.partnership, Action.MANAGE)
    _locked_draft(indicator_set).delete()


@transaction.atomic
def indicator_add(
    *,
    actor,
    indicator_set: IndicatorSet,
    library_key: str = "",
    name: str = "",
    meaning: str = "",
    behaviours: str = "",
    rated_side: str = RatedSide.BOTH,
) -> Indicator:
    """Add an indicator to a draft, from the library (its texts as a start) or custom."""
    require_action(actor, indicator_set.partnership, Action.MANAGE)
    draft = _locked_draft(indicator_set)
    if draft.indicators.count() >= MAX_INDICATORS:
        raise ValidationError(
            _("A set holds at most %(max)s indicators; a handful works best.")
            % {"max": MAX_INDICATORS}
        )
    template = None
    if library_key:
        template = library.BY_KEY.get(library_key)
        if template is None:
            raise ValidationError({"library_key": _("Choose an indicator from the library.")})
    last = draft.indicators.aggregate(p=Max("position"))["p"]
    indicator = Indicator(
        indicator_set=draft,
        library_key=library_key,
        position=(last or 0) + 1,
        name=name or (str(template.name) if template else ""),
        meaning=meaning,
        behaviours=behaviours or (template.behaviours_text() if template else ""),
        rated_side=rated_side or RatedSide.BOTH,
    )
    _validate_indicator(indicator)
    indicator.save()
    _void_sign_offs(draft)
    return indicator


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **fields) -> Indicator:
    require_action(actor, indicator.indicator_set.partnership, Action.MANAGE)
    _locked_draft(indicator.indicator_set)
    for field in INDICATOR_FIELDS:
        if field in fields and fields[field] is not None:
            setattr(indicator, field, fields[field])
    _validate_indicator(indicator)
    stored = Indicator.objects.filter(pk=indicator.pk).values(*INDICATOR_FIELDS).first()
    if stored == {field: getattr(indicator, field) for field in INDICATOR_FIELDS}:
        return indicator  # saved unchanged: the sign-offs still cover what is in the set
    indicator.save()
    _void_sign_offs(indicator.indicator_set)
    return indicator


@transaction.atomic
def indicator_remove(*, actor, indicator: Indicator) -> None:
    require_action(actor, indicator.indicator_set.partnership, Action.MANAGE)
    draft = _locked_draft(indicator.indicator_set)
    indicator.delete()
    _void_sign_offs(draft)


@transaction.atomic
def indicator_move(*, actor, indicator: Indicator, offset: int) -> None:
    """Swap an indicator with its neighbour above (offset -1) or below (+1)."""
    require_action(actor, indicator.indicator_set.partnership, Action.MANAGE)
    draft = _locked_draft(indicator.indicator_set)
    ordered = list(draft.indicators.order_by("position", "id"))
    index = next(i for i, item in enumerate(ordered) if item.pk == indicator.pk)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(ordered):
        return  # already first or last: nothing changed, so the sign-offs stand
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    Indicator.objects.bulk_update(ordered, ["position"])
    _void_sign_offs(draft)


def _check_complete(draft: IndicatorSet) -> None:
    indicators = list(draft.indicators.all())
    if not indicators:
        raise ValidationError(_("Add at least one indicator before signing off."))
    missing = [i.name for i in indicators if not i.meaning.strip()]
    if missing:
        raise ValidationError(
            _("Write what these indicators mean here before signing off: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    for side in (Side.CLIENT, Side.SUPPLIER):
        if not any(i.rates(side) for i in indicators):
            raise ValidationError(
                _("No indicator rates the %(side)s; the rating goes both ways.")
                % {"side": Side(side).label.lower()}
            )


@transaction.atomic
def indicator_set_sign_off(*, actor, indicator_set: IndicatorSet) -> SignOff:
    """A manager signs the draft off for their side; with both sides it becomes the set in use."""
    partnership = indicator_set.partnership
    access = require_action(actor, partnership, Action.MANAGE)
    draft = _locked_draft(indicator_set)
    _check_complete(draft)
    if SignOff.objects.filter(indicator_set=draft, side=access.side).exists():
        raise ValidationError(_("Your side has already signed this version off."))
    sign_off = SignOff.objects.create(indicator_set=draft, side=access.side, user=actor)
    url = selectors.set_url(draft)
    if draft.sign_offs.count() == 2:
        now = timezone.now()
        IndicatorSet.objects.filter(
            partnership=partnership, adopted_at__isnull=False, superseded_at__isnull=True
        ).update(superseded_at=now)
        draft.adopted_at = now
        draft.save(update_fields=["adopted_at"])
        notify(
            users=selectors.managers_of(partnership=partnership),
            kind="sti.set_adopted",
            title=_("Indicator set version %(version)s is signed off by both sides"),
            params={"version": draft.version},
            url=url,
            partnership=partnership,
        )
    else:
        other = Side.SUPPLIER if access.side == Side.CLIENT else Side.CLIENT
        notify(
            users=selectors.managers_of(partnership=partnership, side=other),
            kind="sti.sign_off_requested",
            title=_("Indicator set version %(version)s awaits your side's sign-off"),
            params={"version": draft.version},
            url=url,
            partnership=partnership,
        )
    return sign_off


@transaction.atomic
def sti_settings_update(*, actor, partnership: Partnership, show_rater_names: bool) -> STISettings:
    require_action(actor, partnership, Action.MANAGE)
    settings_row, _created = STISettings.objects.select_for_update().get_or_create(
        partnership=partnership
    )
    settings_row.show_rater_names = bool(show_rater_names)
    settings_row.save()
    return settings_row
