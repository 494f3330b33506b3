"""Failure counts live in the shared cache, which outlives a test's transaction on Redis:
each test here starts and ends with none."""

import time

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_counts(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username="steward", password="pw-test-12345", is_staff=True, is_superuser=True
    )


def totp_code(device, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` periods later: a code is
    accepted once, so a second sign-in in the same 30 s uses the next one)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
