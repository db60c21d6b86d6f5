"""Small formatting helpers for the hub pages."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A response or resolve time as people say it: minutes, hours or days."""
    if value is None:
        return "–"
    minutes = value.total_seconds() / 60
    if minutes < 60:
        n = max(int(round(minutes)), 0)
        return ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": n}
    hours = minutes / 60
    if hours < 48:
        n = round(hours, 1)
        text = _number(n)
        return ngettext("%(n)s hour", "%(n)s hours", int(n) if n == int(n) else 2) % {"n": text}
    days = round(hours / 24, 1)
    text = _number(days)
    return ngettext("%(n)s day", "%(n)s days", int(days) if days == int(days) else 2) % {"n": text}


def _number(value: float) -> str:
    """1.5 as "1,5" in Dutch and "1.5" in English; whole numbers without a decimal."""
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=0 if value == int(value) else 1)


@register.filter
def snippet(text: str | None, q: str, width: int = 80) -> str:
    """About `width` characters either side of the first place `text` holds `q`, with the match
    marked. Everything is escaped; only the <mark> is markup."""
    from django.utils.html import escape, format_html

    if not text or not q:
        return ""
    at = text.lower().find(q.lower())
    if at < 0:
        return escape(text[: 2 * width]) + ("…" if len(text) > 2 * width else "")
    start, end = max(at - width, 0), min(at + len(q) + width, len(text))
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "…" if start > 0 else "",
        text[start:at],
        text[at : at + len(q)],
        text[at + len(q) : end],
        "…" if end < len(text) else "",
    )


@register.filter
def side_label(side: str) -> str:
    from partnership.models import Side

    try:
        return Side(side).label
    except ValueError:
        return _("unknown side")
