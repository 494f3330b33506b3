"""`my_organisation_id` for the page frame's menu (the first organisation the user acts
for), asked only when a template reads it, from the memberships the permission checks
loaded already."""

from __future__ import annotations

from .membership import user_organisation_ids


def membership(request) -> dict:
    user = getattr(request, "user", None)

    def first() -> int | None:
        orgs = sorted(user_organisation_ids(user))
        return orgs[0] if orgs else None

    return {"my_organisation_id": first}
