"""`may_view_audit_log` for the page frame's menu (core/templates/base.html), asked only
when a template reads it: staff cost no query, a matchmaker the two of membership.py."""

from __future__ import annotations

from .permissions import audit_may_view


def audit(request) -> dict:
    return {"may_view_audit_log": lambda: audit_may_view(getattr(request, "user", None))}
