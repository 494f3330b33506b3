"""The template side of `core/formatting.py`: one way to write numbers, percentages,
tonnes and dates for people, in the active language. Built in to every template
(settings.TEMPLATES "builtins"): `{{ x|num:1 }}`, `{{ q|qty }}`, `{{ share|pct }}`, `{{ kg|kg_to_t }}`,
`{{ day|day }}`, `{{ moment|moment }}`."""

from django import template

from urbanmine.core.formatting import (
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_quantity,
)

register = template.Library()


@register.filter
def num(value, digits=0):
    """The one number format (`core.formatting.format_number`): 28.624,7 in Dutch."""
    return format_number(value, int(digits))


@register.filter
def qty(value):
    """A quantity with the decimals it has, grouped: 12.500 → '12,5', 1250 → '1.250'."""
    return format_quantity(value)


@register.filter
def pct(fraction, digits=1):
    """0.1219… → '12,2%' (localised; `core.formatting.format_percent`)."""
    return format_percent(fraction, int(digits))


@register.filter
def kg_to_t(kg, digits=1):
    """A mass in kg written in tonnes: 299900 → '299,9' (the unit goes beside it)."""
    if kg is None or kg == "":
        return ""
    return format_number(float(kg) / 1000, int(digits))


@register.filter
def day(value):
    """The one date style: '30 november 2026' (`core.formatting.format_date`)."""
    return format_date(value)


@register.filter
def moment(value):
    """The one date-and-time style: '30 november 2026 14:05' in local time."""
    return format_datetime(value)
