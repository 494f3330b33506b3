"""Who may manage an API key: its owner, and the platform's staff (to cut off a leaked key
of someone who is unreachable)."""

from __future__ import annotations

from .models import ApiToken


def api_token_may_revoke(user, token: ApiToken) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return token.user_id == user.pk or bool(user.is_staff)
