"""A wrong rate in the environment fails at start-up (`manage.py check`), not on the first
failed API key."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from .throttling import parse_rate


@checks.register(checks.Tags.security)
def api_auth_failure_rate(app_configs, **kwargs) -> list[checks.CheckMessage]:
    try:
        count, _period = parse_rate(settings.URBANMINE_API_AUTH_FAILURE_RATE)
    except (ValueError, KeyError, IndexError):
        count = 0
    if count > 0:
        return []
    return [
        checks.Error(
            f"URBANMINE_API_AUTH_FAILURE_RATE={settings.URBANMINE_API_AUTH_FAILURE_RATE!r} "
            "is not a rate like '20/min'.",
            id="accounts.E001",
        )
    ]
