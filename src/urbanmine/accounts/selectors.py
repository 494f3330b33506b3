"""Reads on accounts: a user's API keys, and the key behind an Authorization header."""

from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, key_hash


def api_tokens_of(*, viewer) -> QuerySet[ApiToken]:
    """The viewer's own keys, newest first (one query)."""
    return ApiToken.objects.filter(user=viewer).order_by("-created_at", "-id")


def api_token_for_key(key: str) -> ApiToken | None:
    """The token whose hash matches `key`, with its user (one query), or None."""
    return ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()


def totp_device_of(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None (then no code is asked at sign-in)."""
    if getattr(user, "pk", None) is None:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def totp_device_pending(user) -> TOTPDevice | None:
    """The authenticator being set up (not confirmed yet), or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
