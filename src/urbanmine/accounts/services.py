"""Writes on accounts: issuing and revoking API keys.

The plain key exists only in the return value of `api_token_issue`; the database keeps its
hash. Revocation is a timestamp, not a delete, so the owner still sees which key was cut
off and when.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import PREFIX_LENGTH, ApiToken, key_hash
from .permissions import api_token_may_revoke

MAX_TOKEN_DAYS = 365
NAME_MAX_LENGTH = 100


def api_tokens_revoke_all(*, user) -> int:
    """Revoke every key of the user that is not revoked yet (the user leaves, is
    pseudonymised, or suspects a leak); returns how many were revoked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _check_issue(*, user, name: str, days: int) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the key a name, so that you can recognise it later.")
    elif len(name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = _("The name may be at most %(max)d characters long.") % {
            "max": NAME_MAX_LENGTH
        }
    if not 1 <= days <= MAX_TOKEN_DAYS:
        errors["days"] = _("A key is valid for 1 to %(max)d days.") % {"max": MAX_TOKEN_DAYS}
    if errors:
        raise ValidationError(errors)
    if not user.is_active:
        raise PermissionDenied(_("An inactive account cannot have API keys."))


@transaction.atomic
def api_token_issue(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new key for `user`, valid for `days` (default URBANMINE_API_TOKEN_DAYS). Returns the
    token and the plain key, which is shown once and never stored."""
    if days is None:
        days = settings.URBANMINE_API_TOKEN_DAYS
    _check_issue(user=user, name=name, days=days)
    key = secrets.token_urlsafe(32)  # 256 bits
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        key_hash=key_hash(key),
        prefix=key[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token_id: int, actor) -> ApiToken:
    """The owner (or staff) cuts a key off at once; revoking twice changes nothing."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or not api_token_may_revoke(actor, token):
        raise PermissionDenied(_("Only the owner of an API key can revoke it."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record that the key was used, at most once a minute (no write on every request)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --------------------------------------------------------------------- second factor (TOTP)
WRONG_CODE = _lazy("This code is not correct. Try the next one.")
TOO_MANY_CODES = _lazy("Too many wrong codes. Wait a minute and try again.")


def totp_verify(*, device: TOTPDevice, token: str) -> bool:
    """Check a code against the device. Committed on its own, so that django-otp's
    throttle (a growing delay after each wrong code) holds even when the caller fails."""
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise ValidationError({"otp_token": TOO_MANY_CODES})
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        verified = locked.verify_token(token.strip())
    device.refresh_from_db()
    return bool(verified)


def totp_device_start(*, user) -> TOTPDevice:
    """An unconfirmed TOTP device for the user (the one in progress, or a new one): it
    counts only once a code from the app confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_device_confirm(*, user, token: str) -> TOTPDevice:
    """The user proves the app holds the secret; the device then guards every sign-in and
    any earlier device is removed (one authenticator per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        raise ValidationError(_("Start the set-up of the authenticator first."))
    if not totp_verify(device=device, token=token):
        raise ValidationError({"otp_token": WRONG_CODE})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def totp_devices_remove(*, user, token: str) -> int:
    """Switch the second factor off; a current code is asked so that a session left open
    alone cannot do it. Returns the number of devices removed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return 0
    if not totp_verify(device=device, token=token):
        raise ValidationError({"otp_token": WRONG_CODE})
    deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
    return deleted
