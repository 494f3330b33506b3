"""`{{ lot|label:"status" }}`: `lot.get_status_display`, for long lists (see
`selectors.choice_label`)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from urbanmine.catalogue.models import guideline_label

from ..ifc_messages import note_text
from ..selectors import choice_label

register = template.Library()


@register.filter
def label(obj, field: str) -> str:
    return choice_label(obj, field)


@register.simple_tag
def sort_header(title: str, key: str, sort: str, query: str, numeric: bool = False) -> str:
    """A column header that sorts the list by `key` (again: the other way round), with
    aria-sort telling screen readers the current order."""
    state, next_sort, arrow = "none", key, ""
    if sort == key:
        state, next_sort, arrow = "ascending", f"-{key}", " ▲"
    elif sort == f"-{key}":
        state, next_sort, arrow = "descending", key, " ▼"
    href = f"?{query}&sort={next_sort}" if query else f"?sort={next_sort}"
    return format_html(
        '<th{} aria-sort="{}"><a href="{}" data-sort="{}">{}{}</a></th>',
        mark_safe(' class="num"') if numeric else "",  # noqa: S308 (a constant)
        state,
        href,
        key,
        title,
        arrow,
    )


@register.filter
def ifc_note(note: str) -> str:
    """An IFC import remark in the interface's language (`lots.ifc_messages`)."""
    return note_text(note or "")


@register.filter
def guideline(text: str) -> str:
    """An assessment guideline with what it checks in the interface's language."""
    return guideline_label(text or "")
