"""`may_decide_permits` for the page frame's menu (core/templates/base.html), asked only
when a template reads it."""

from __future__ import annotations

from urbanmine.assets.permissions import permit_authority_municipality_ids


def permits(request) -> dict:
    user = getattr(request, "user", None)
    return {"may_decide_permits": lambda: bool(permit_authority_municipality_ids(user))}
