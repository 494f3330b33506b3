"""Reads on assets, for the pages and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from urbanmine.organisations.membership import user_organisation_ids

from .models import Asset, AssetGrant
from .permissions import assets_visible_to


def assets_for(user, *, q: str = "") -> QuerySet[Asset]:
    """The assets a user may open, by name, with what the list shows."""
    qs = assets_visible_to(user).select_related("municipality", "owner").order_by("name", "id")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def grants_visible_to(user) -> QuerySet[AssetGrant]:
    """Grants on the user's organisations' assets, and grants to its organisations."""
    orgs = user_organisation_ids(user)
    return AssetGrant.objects.filter(
        Q(asset__owner_id__in=orgs) | Q(organisation_id__in=orgs)
    ).select_related("asset", "organisation")


def asset_access(asset: Asset, viewer) -> dict:
    """The passport's access section: for the owner every grant (the asset's access
    history, newest first) and the form's data; for a grantee its own live grants."""
    grants = list(
        asset.grants.select_related("organisation", "granted_by", "revoked_by").order_by(
            "-granted_at", "-id"
        )
    )
    orgs = user_organisation_ids(viewer)
    if asset.owner_id in orgs:
        return {"grants": grants, "owner": True}
    return {"grants": [g for g in grants if g.organisation_id in orgs and g.live], "owner": False}
