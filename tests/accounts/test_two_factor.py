"""The optional second factor (TOTP, django-otp): set up on /accounts/two-factor/ with a QR
code and confirmed with a code; then asked after the password at sign-in; and required by
the admin when URBANMINE_ADMIN_OTP is true. Codes are computed as an authenticator app
computes them."""

import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import totp_code

PASSWORD = "pw-test-12345"


def _set_up(client: Client, user) -> TOTPDevice:
    client.force_login(user)
    r = client.get("/accounts/two-factor/")
    assert r.status_code == 200 and r.context["device"] is None
    assert client.post("/accounts/two-factor/", {"action": "start"}).status_code == 302
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    r = client.post("/accounts/two-factor/", {"action": "confirm", "otp_token": totp_code(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_set_up_shows_an_inline_svg_qr_code_and_the_secret(client, chain):
    client.force_login(chain.owner_user)
    client.post("/accounts/two-factor/", {"action": "start"})
    r = client.get("/accounts/two-factor/")
    page = r.content.decode()
    assert "<svg" in page and "<img" not in page.split("<main ")[1]
    assert "style=" not in page  # the Content-Security-Policy allows no inline style
    assert r.context["secret"] and r.context["secret"] in page
    assert not TOTPDevice.objects.get(user=chain.owner_user).confirmed


def test_a_wrong_code_does_not_switch_it_on(client, chain):
    client.force_login(chain.owner_user)
    client.post("/accounts/two-factor/", {"action": "start"})
    r = client.post("/accounts/two-factor/", {"action": "confirm", "otp_token": "000000"})
    assert r.status_code == 400
    assert not TOTPDevice.objects.filter(user=chain.owner_user, confirmed=True).exists()


def test_sign_in_asks_for_the_code_after_the_password(chain):
    device = _set_up(Client(), chain.owner_user)
    client = Client()
    r = client.post(
        "/accounts/login/", {"username": "owner", "password": PASSWORD, "next": "/assets/"}
    )
    assert r.status_code == 200
    assert "accounts/login_code.html" in [t.name for t in r.templates]
    assert "_auth_user_id" not in client.session  # not signed in on the password alone
    assert client.get("/assets/").status_code == 302

    r = client.post("/accounts/login/", {"otp_token": "000000"})
    assert r.status_code == 400 and "_auth_user_id" not in client.session
    time.sleep(1.1)  # django-otp waits 1 s after a wrong code (doubling with each one)

    r = client.post("/accounts/login/", {"otp_token": totp_code(device, steps_ahead=1)})
    assert r.status_code == 302 and r["Location"] == "/assets/"
    assert client.get("/assets/").status_code == 200
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_code_is_accepted_only_once(chain):
    device = _set_up(Client(), chain.owner_user)
    code = totp_code(device, steps_ahead=1)
    first = Client()
    first.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert first.post("/accounts/login/", {"otp_token": code}).status_code == 302
    second = Client()
    second.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert second.post("/accounts/login/", {"otp_token": code}).status_code == 400


def test_a_user_without_a_device_signs_in_with_the_password(chain):
    client = Client()
    r = client.post("/accounts/login/", {"username": "buyer", "password": PASSWORD})
    assert r.status_code == 302


def test_switching_it_off_needs_a_current_code(client, chain):
    device = _set_up(client, chain.owner_user)
    r = client.post("/accounts/two-factor/", {"action": "remove", "otp_token": "123456"})
    assert r.status_code == 400
    assert TOTPDevice.objects.filter(user=chain.owner_user).exists()
    time.sleep(1.1)
    code = totp_code(device, steps_ahead=1)
    r = client.post("/accounts/two-factor/", {"action": "remove", "otp_token": code})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=chain.owner_user).exists()


# ------------------------------------------------------------------------- the admin
def test_without_the_setting_the_admin_needs_no_code(staff, settings):
    settings.URBANMINE_ADMIN_OTP = False
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_with_the_setting_the_admin_needs_a_verified_session(staff, settings):
    settings.URBANMINE_ADMIN_OTP = True
    client = Client()
    client.force_login(staff)  # password only
    r = client.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")
    r = client.post("/admin/login/?next=/admin/", {"username": "steward", "password": PASSWORD})
    assert r.status_code == 200  # asks for the code
    assert Client().get("/admin/login/").status_code == 200


def test_with_the_setting_a_code_opens_the_admin(staff, settings):
    settings.URBANMINE_ADMIN_OTP = True
    device = _set_up(Client(), staff)
    # through the site's sign-in: password, then code
    client = Client()
    client.post("/accounts/login/", {"username": "steward", "password": PASSWORD})
    client.post("/accounts/login/", {"otp_token": totp_code(device, steps_ahead=1)})
    assert client.get("/admin/").status_code == 200


def test_with_the_setting_the_admin_sign_in_form_takes_the_code(staff, settings):
    settings.URBANMINE_ADMIN_OTP = True
    device = _set_up(Client(), staff)
    admin = Client()
    r = admin.post(
        "/admin/login/?next=/admin/",
        {
            "username": "steward",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": totp_code(device, steps_ahead=1),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert admin.get("/admin/").status_code == 200


@pytest.mark.parametrize("path", ["/accounts/two-factor/", "/accounts/tokens/"])
def test_the_pages_need_a_signed_in_user(client, path):
    r = client.get(path)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_the_code_must_follow_the_password_within_five_minutes(chain):
    device = _set_up(Client(), chain.owner_user)
    client = Client()
    client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    session = client.session
    session["accounts_pending_sign_in"]["at"] -= 301
    session.save()
    r = client.post("/accounts/login/", {"otp_token": totp_code(device, steps_ahead=1)})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
