"""Replacing a communication plan in one go, as the API's PUT/PATCH does.

The HTML pages edit one contact, meeting or escalation step at a time (`services.plan_child_save`);
an integration sends the whole plan. Either everything it sends is stored or nothing is.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .access import Action, access_for
from .models import CommunicationPlan, Contact, EscalationStep, MeetingCadence, Partnership

PLAN_FIELDS = ("emergency_number", "emergency_instructions", "channels")
PLAN_LISTS = {
    "contacts": (Contact, ("side", "name", "role", "phone", "email", "availability", "order")),
    "meetings": (MeetingCadence, ("level", "frequency", "participants", "purpose")),
    "escalation_steps": (EscalationStep, ("level", "client_contact", "supplier_contact", "when")),
}


def _replace_items(plan: CommunicationPlan, list_name: str, items: list[dict]) -> None:
    model, fields = PLAN_LISTS[list_name]
    model.objects.filter(plan=plan).delete()
    errors = []
    for number, item in enumerate(items, start=1):
        instance = model(plan=plan, **{k: v for k, v in item.items() if k in fields})
        try:
            # Saved one by one, so a duplicate escalation step in the list is caught too.
            instance.full_clean()
            instance.save()
        except ValidationError as exc:
            errors.append(
                _("Item %(number)s: %(errors)s")
                % {"number": number, "errors": " ".join(exc.messages)}
            )
    if errors:
        raise ValidationError({list_name: errors})


@transaction.atomic
def communication_plan_replace(*, actor, partnership: Partnership, **changes) -> CommunicationPlan:
    """Set the plan's fields that are given; a list that is given replaces the stored list."""
    access = access_for(actor, partnership)
    if access.side is None or not access.can(Action.MANAGE):
        raise PermissionDenied
    unknown = set(changes) - set(PLAN_FIELDS) - set(PLAN_LISTS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    plan, _created = CommunicationPlan.objects.select_for_update().get_or_create(
        partnership=partnership
    )
    for name in PLAN_FIELDS:
        if name in changes:
            value = changes[name] or ""
            setattr(plan, name, value if name == "channels" else value.strip())
    plan.full_clean(exclude=["partnership"])
    plan.save()
    for list_name in PLAN_LISTS:
        if changes.get(list_name) is not None:
            _replace_items(plan, list_name, changes[list_name])
    return plan
