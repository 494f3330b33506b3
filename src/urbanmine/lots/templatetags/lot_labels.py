"""`{{ lot|label:"status" }}`: `lot.get_status_display`, for long lists (see
`selectors.choice_label`)."""

from django import template

from ..selectors import choice_label

register = template.Library()


@register.filter
def label(obj, field: str) -> str:
    return choice_label(obj, field)
