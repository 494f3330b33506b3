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


def menu(request) -> dict:
    """`menu`: which parts of the platform the user's roles use, for the page frame's menu
    (issue #13: the menu shows what the role uses); asked only when a template reads it."""
    from .membership import user_is_platform_wide, user_roles
    from .models import ChainRole as R

    user = getattr(request, "user", None)

    def flags() -> dict[str, bool]:
        if not getattr(user, "is_authenticated", False):
            return {}
        if user_is_platform_wide(user):
            return {"hubs": True, "demand": True, "matching": True}
        roles = user_roles(user)
        buying = bool(roles & {R.BUILDER, R.DESIGNER, R.TRADER, R.ASSET_OWNER})
        return {
            "hubs": bool(
                roles & {R.STORAGE_MANAGER, R.PROCESSOR, R.DEMOLISHER, R.ASSET_OWNER, R.TRADER}
            ),
            "demand": buying,
            "matching": buying,
        }

    return {"menu": flags}
