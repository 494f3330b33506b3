"""Passwords: the validators refuse short, name-like, common and numeric ones; a signed-in
user changes hers; a forgotten one is reset by e-mail.

Before, `sloper123` was accepted for the user `sloper`, and there was no page to change or
reset a password."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

PASSWORD = "pw-test-12345"
NEW = "grind-kozijn-baksteen-7"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("sloper", "sloper123"),  # short and like the username
        ("eigenaar", "123456789012345"),  # numeric
        ("eigenaar", "password1234"),  # common
        ("eigenaar", "kort-wacht1"),  # 11 characters
    ],
)
def test_weak_passwords_are_refused(db, username, password):
    with pytest.raises(ValidationError):
        validate_password(password, get_user_model()(username=username))


def test_a_long_unrelated_password_is_accepted(db):
    validate_password(NEW, get_user_model()(username="sloper"))


def test_the_documented_demo_password_passes_the_validators(db):
    from urbanmine.demo.generator import DEMO_PASSWORD, demo_accounts

    for username, _pw, _org in demo_accounts(steward=True):
        validate_password(DEMO_PASSWORD, get_user_model()(username=username))


# ------------------------------------------------------------------------- change
def test_a_signed_in_user_changes_her_password(client, chain):
    client.force_login(chain.owner_user)
    assert client.get("/accounts/password/").status_code == 200
    r = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert r.status_code == 302
    assert client.get("/assets/").status_code == 200  # still signed in
    chain.owner_user.refresh_from_db()
    assert chain.owner_user.check_password(NEW)


def test_a_weak_new_password_is_refused(client, chain):
    client.force_login(chain.demolisher_user)
    r = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "sloper123", "new_password2": "sloper123"},
    )
    assert r.status_code == 200 and r.context["form"].errors
    chain.demolisher_user.refresh_from_db()
    assert chain.demolisher_user.check_password(PASSWORD)


def test_the_change_page_needs_a_signed_in_user(client):
    r = client.get("/accounts/password/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# ------------------------------------------------------------------------- reset
def _reset_link(outbox) -> str:
    (message,) = outbox
    match = re.search(r"https?://testserver(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_forgotten_password_is_reset_by_e_mail(chain, settings):
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"  # pytest
    chain.owner_user.email = "eigenaar@example.nl"
    chain.owner_user.save()
    client = Client()
    assert client.get("/accounts/login/").content.decode().count("/accounts/password/reset/")
    r = client.post("/accounts/password/reset/", {"email": "eigenaar@example.nl"})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    link = _reset_link(mail.outbox)
    assert mail.outbox[0].to == ["eigenaar@example.nl"]

    r = client.get(link)  # Django moves the token out of the URL into the session
    assert r.status_code == 302
    set_password = r["Location"]
    r = client.get(set_password)
    assert r.status_code == 200 and r.context["validlink"]
    r = client.post(set_password, {"new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"

    r = client.post("/accounts/login/", {"username": "owner", "password": NEW})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(chain.owner_user.pk)
    # the link works once
    assert Client().get(link).context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_mail(chain):
    r = Client().post("/accounts/password/reset/", {"email": "niemand@example.nl"})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert mail.outbox == []


def test_a_reset_lifts_a_lockout(chain):
    chain.owner_user.email = "eigenaar@example.nl"
    chain.owner_user.save()
    client = Client(REMOTE_ADDR="192.0.2.30")
    for _ in range(6):
        client.post("/accounts/login/", {"username": "owner", "password": "wrong"})
    assert (
        client.post("/accounts/login/", {"username": "owner", "password": PASSWORD}).status_code
        == 429
    )
    client.post("/accounts/password/reset/", {"email": "eigenaar@example.nl"})
    set_password = client.get(_reset_link(mail.outbox))["Location"]
    client.post(set_password, {"new_password1": NEW, "new_password2": NEW})
    r = client.post("/accounts/login/", {"username": "owner", "password": NEW})
    assert r.status_code == 302
