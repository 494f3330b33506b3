from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.filter
def pct(fraction, digits=1):
    """0.1219… → '12,2 %' (localised)."""
    if fraction is None or fraction == "":
        return ""
    digits = int(digits)
    return f"{number_format(round(float(fraction) * 100, digits), digits)}%"


@register.filter
def kg_to_t(kg, digits=1):
    digits = int(digits)
    return number_format(round(float(kg or 0) / 1000, digits), digits, force_grouping=True)
