"""API keys for tests: issued through the real service (accounts.services.api_token_issue),
so the tests sign in as an integration does."""

from __future__ import annotations

from rest_framework.test import APIClient

from urbanmine.accounts.services import api_token_issue


def api_key_for(user, name: str = "test", days: int | None = None) -> str:
    """A fresh plain key for `user`."""
    _token, key = api_token_issue(user=user, name=name, days=days)
    return key


def api_client_for(user, *, scheme: str = "Token") -> APIClient:
    """An APIClient that sends a fresh key of `user` (`Token <key>` or `Bearer <key>`)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {api_key_for(user)}")
    return client


def api_key_fixed(user, key: str, days: int = 1) -> str:
    """Install a known key for `user` (a test whose headers are fixed before the database
    exists, like the schemathesis run); stored hashed as the service stores it."""
    from datetime import timedelta

    from django.utils import timezone

    from urbanmine.accounts.models import PREFIX_LENGTH, ApiToken, key_hash

    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        name="fixed test key",
        key_hash=key_hash(key),
        prefix=key[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return key
