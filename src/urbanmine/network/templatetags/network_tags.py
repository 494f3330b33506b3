from django import template

from urbanmine.core.formatting import format_number, format_percent

from ..indicators import UNIT_LABELS

register = template.Library()


@register.filter
def nnum(value, digits=0):
    """A number in the active language's format (`core.formatting.format_number`)."""
    return format_number(value, int(digits))


@register.filter
def npct(fraction, digits=0):
    return format_percent(fraction, int(digits))


@register.filter
def unit_label(unit):
    return UNIT_LABELS.get(unit, unit)


@register.filter
def nvalue(value, unit):
    """A value of an indicator: whole hubs, masses and shares with one decimal."""
    return format_number(value, 0 if unit == "hubs" else 1)
