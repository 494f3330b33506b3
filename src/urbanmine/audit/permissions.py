"""Who reads the audit log and who removes a person's data."""

from __future__ import annotations

from urbanmine.organisations.membership import user_is_platform_wide


def audit_may_view(user) -> bool:
    """The data steward's view: staff and matchmakers (platform-wide users) read the log of
    every organisation; nobody else reads it (it names people of other organisations)."""
    return user_is_platform_wide(user)


def user_may_remove(actor, user) -> bool:
    """Deactivating or pseudonymising an account is the data steward's (staff), never for
    oneself, and a superuser's account only by a superuser."""
    if actor is None or not actor.is_authenticated or not actor.is_active or not actor.is_staff:
        return False
    if actor.pk == user.pk:
        return False
    return actor.is_superuser or not user.is_superuser
