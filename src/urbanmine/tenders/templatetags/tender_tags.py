"""The province dashboard's tender panel and the project page's commitments read their rows
themselves, so the dashboard and the passport include them with one line each and no view
of the insight or lots app imports this app."""

from django import template

from urbanmine.tenders.selectors import asset_commitments, dashboard_rows

register = template.Library()


@register.simple_tag
def tender_dashboard_rows() -> list[dict]:
    return dashboard_rows()


@register.simple_tag
def tender_asset_commitments(asset, user) -> list[dict]:
    """The commitments of the asset's awarded tenders the user may see, with realisation."""
    return asset_commitments(asset, user)
