from django import template

from urbanmine.core.formatting import format_number, format_percent

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def pct(fraction, digits=1):
    """0.1219… → '12,2%' (localised; `core.formatting.format_percent`)."""
    return format_percent(fraction, int(digits))


@register.filter
def kg_to_t(kg, digits=1):
    return format_number(float(kg or 0) / 1000, int(digits))


@register.filter
def num(value, digits=0):
    """The one number format of the dashboard (`core.formatting.format_number`)."""
    return format_number(value, int(digits))
