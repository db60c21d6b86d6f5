""" "My work": what waits for one person, across every partnership they take part in.

The ground floor keeps the registry; each feature app has a `work.py` that registers its
`WorkSource`s when imported (questionnaires in `sti.work`, KPI values, disputes and norm changes
in `kpis.work`, hub threads in `messaging.work`, actions and sessions in `reviews.work`).
`PartnershipConfig.ready()` imports every installed app's `work` module, as Django's admin finds
`admin.py` (`autodiscover_modules`), so this module never names a feature app.

A source answers for all of a user's partnerships at once, with a fixed number of queries
however many partnerships there are: it filters with `access.partnerships_where` (the access
rule in SQL), never with a list of ids built in Python. `count` is the cheap form for the
header's badge; when a page has already built the items in this request, the badge reuses them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .statements import sum_of_counts


@dataclass(frozen=True)
class WorkItem:
    kind: str  # the source's key, e.g. "sti.questionnaire"
    title: str  # what to do, in the reader's language
    partnership: object  # the Partnership it belongs to
    url: str
    due: datetime.date | None = None
    overdue: bool = False

    @property
    def kind_label(self):
        source = _SOURCES.get(self.kind)
        return source.label if source else ""


@dataclass(frozen=True)
class WorkSource:
    key: str
    label: object  # a lazy translation naming the kind of work, e.g. "Questionnaire"
    order: int
    # (user, today) -> list of WorkItem
    items: Callable[[object, datetime.date], list]
    # (user, today) -> int, the same number as len(items) without building them
    count: Callable[[object, datetime.date], int] | None = None
    # (user, today) -> QuerySet of the rows `items` lists, one per item: lets the header's
    # badge count every source in one query (used instead of `count` when given)
    queryset: Callable[[object, datetime.date], object] | None = None


_SOURCES: dict[str, WorkSource] = {}


def register_work_source(source: WorkSource) -> None:
    _SOURCES[source.key] = source


def sources() -> list[WorkSource]:
    return sorted(_SOURCES.values(), key=lambda s: s.order)


def kind_labels() -> dict[str, object]:
    return {s.key: s.label for s in sources()}


_CACHE = "_tandem_work_items"


def _sort_key(item: WorkItem):
    # Overdue first, then by due date; work without a date after dated work.
    return (not item.overdue, item.due is None, item.due or datetime.date.max)


def work_for(user, *, today: datetime.date | None = None) -> list[WorkItem]:
    """Everything that waits for `user`, overdue first, then by due date."""
    if user is None or not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    items = [item for source in sources() for item in source.items(user, today)]
    items.sort(key=_sort_key)
    # Kept on the user object of this request, so the header's badge does not ask again.
    setattr(user, _CACHE, items)
    return items


def work_count(user, *, today: datetime.date | None = None) -> int:
    """How many items wait for `user` (the header's badge): one query for the sources that
    give their rows as a queryset (compiled once per person and day, see
    `partnership.statements`), one more per source that only counts."""
    if user is None or not user.is_authenticated:
        return 0
    built = getattr(user, _CACHE, None)
    if built is not None:
        return len(built)
    today = today or timezone.localdate()
    total, counted = 0, []
    for source in sources():
        if source.queryset is not None:
            counted.append(source)
        elif source.count is not None:
            total += source.count(user, today)
        else:
            total += len(source.items(user, today))
    key = ("work", user.pk, user.is_active, today, *(source.key for source in counted))
    return total + sum_of_counts(key, lambda: [s.queryset(user, today) for s in counted])


def badge_text(count: int) -> str:
    """What follows the badge's number for a screen reader: "3" + " tasks wait for you"."""
    return ngettext("task waits for you", "tasks wait for you", count)


MY_WORK = _("My work")
