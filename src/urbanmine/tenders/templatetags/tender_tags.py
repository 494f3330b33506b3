"""The province dashboard's tender panel reads its rows itself, so the dashboard includes
it with one line and no view of the insight app imports this app."""

from django import template

from urbanmine.tenders.selectors import dashboard_rows

register = template.Library()


@register.simple_tag
def tender_dashboard_rows() -> list[dict]:
    return dashboard_rows()
