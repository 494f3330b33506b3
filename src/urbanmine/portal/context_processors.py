"""`unread_notifications` for the page frame's menu, counted only when a template reads it."""

from __future__ import annotations

from urbanmine.core.models import Notification


def notifications(request) -> dict:
    user = getattr(request, "user", None)

    def unread() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"unread_notifications": unread}
