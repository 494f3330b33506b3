from django import template

from urbanmine.core.templatetags.numbers import kg_to_t, num, pct

register = template.Library()
register.filter("pct", pct)
register.filter("kg_to_t", kg_to_t)
register.filter("num", num)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")
