"""Sign-in throttling (django-axes): a username + address pair is locked out after
URBANMINE_LOGIN_FAILURE_LIMIT failures, on the site's sign-in and on the admin's; the
lockout is a page that says why and for how long (429), not a bare 403.

Before, 200 wrong passwords changed nothing: the right one still worked at once."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

PASSWORD = "pw-test-12345"


def _hammer(client: Client, url: str, username: str, times: int = 200) -> list[int]:
    return [
        client.post(url, {"username": username, "password": f"wrong-{i}"}).status_code
        for i in range(times)
    ]


def _cool_off_passes():
    from axes.models import AccessAttempt

    past = timezone.now() - timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=past)


def test_200_wrong_passwords_lock_the_site_sign_in(chain, settings):
    assert settings.URBANMINE_LOGIN_FAILURE_LIMIT == 5
    client = Client(REMOTE_ADDR="192.0.2.10")
    codes = _hammer(client, "/accounts/login/", "owner")
    assert codes[:4] == [200] * 4  # the form again, with its error
    assert set(codes[4:]) == {429}
    r = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert r.status_code == 429, "the right password must wait for the cool-off"
    assert "_auth_user_id" not in client.session
    assert "accounts/lockout.html" in [t.name for t in r.templates]
    assert r["Retry-After"] == str(15 * 60)
    assert b"/accounts/password/reset/" in r.content

    _cool_off_passes()
    r = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(chain.owner_user.pk)


def test_the_lockout_is_per_username_and_address(chain):
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    _hammer(attacker, "/accounts/login/", "owner", times=10)
    # the owner, from her own address, is not locked out by someone else's guessing
    owner = Client(REMOTE_ADDR="198.51.100.7")
    r = owner.post("/accounts/login/", {"username": "owner", "password": PASSWORD})
    assert r.status_code == 302
    # nor is another user at the attacker's address
    r = attacker.post("/accounts/login/", {"username": "buyer", "password": PASSWORD})
    assert r.status_code == 302


def test_x_forwarded_for_does_not_give_a_fresh_address(chain):
    client = Client(REMOTE_ADDR="192.0.2.10")
    codes = [
        client.post(
            "/accounts/login/",
            {"username": "owner", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(10)
    ]
    assert codes[-1] == 429


def test_behind_a_proxy_the_forwarded_address_counts(chain, settings):
    settings.URBANMINE_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(6):
        proxy.post(
            "/accounts/login/",
            {"username": "owner", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    r = proxy.post(
        "/accounts/login/",
        {"username": "owner", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.10",  # another visitor behind the same proxy
    )
    assert r.status_code == 302


def test_200_wrong_passwords_lock_the_admin_sign_in(staff):
    client = Client(REMOTE_ADDR="192.0.2.11")
    codes = _hammer(client, "/admin/login/", "steward")
    assert codes[:4] == [200] * 4
    assert set(codes[4:]) == {429}
    r = client.post("/admin/login/", {"username": "steward", "password": PASSWORD})
    assert r.status_code == 429
    assert client.get("/admin/").status_code == 302  # not signed in

    _cool_off_passes()
    r = client.post("/admin/login/?next=/admin/", {"username": "steward", "password": PASSWORD})
    assert r.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_limit_follows_the_setting(chain, settings):
    limit = settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="192.0.2.13")
    codes = _hammer(client, "/accounts/login/", "owner", times=limit + 1)
    assert codes == [200] * (limit - 1) + [429, 429]
