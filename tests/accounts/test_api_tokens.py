"""API keys that expire and that their owner revokes (accounts.ApiToken).

Before, a DRF token never expired, was stored in the clear and could not be revoked by its
owner."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from tests.support.tokens import api_client_for
from urbanmine.accounts.models import ApiToken, key_hash
from urbanmine.accounts.services import api_token_issue, api_token_revoke, api_tokens_revoke_all


def _with(key: str, scheme: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client


def test_only_a_hash_of_the_key_is_stored(chain):
    token, key = api_token_issue(user=chain.owner_user, name="ERP", days=30)
    assert len(key) >= 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in [str(v) for v in stored.values()]
    assert stored["key_hash"] == key_hash(key) and len(stored["key_hash"]) == 64
    assert stored["prefix"] == key[:8]


@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
def test_the_key_acts_for_its_user(chain, scheme):
    r = api_client_for(chain.owner_user, scheme=scheme).get("/api/v1/assets")
    assert r.status_code == 200
    assert [a["name"] for a in r.json()["results"]] == ["Flat Rotterdam"]


def test_a_key_lasts_90_days_by_default_and_at_most_365(chain):
    token, _key = api_token_issue(user=chain.owner_user, name="default")
    assert token.expires_at - token.created_at == timedelta(days=90)
    for days in (0, -1, 366):
        with pytest.raises(ValidationError) as exc:
            api_token_issue(user=chain.owner_user, name="too long", days=days)
        assert "days" in exc.value.message_dict
    with pytest.raises(ValidationError):
        api_token_issue(user=chain.owner_user, name="  ", days=30)


def _refused(client: APIClient, fragment: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the fragments are the English texts
    r = client.get("/api/v1/assets")
    assert r.status_code == 401
    assert r["Content-Type"] == "application/problem+json"
    assert r["WWW-Authenticate"] == "Token"
    assert fragment in r.json()["detail"], r.json()


def test_an_expired_key_is_refused_with_a_clear_message(chain):
    token, key = api_token_issue(user=chain.owner_user, name="old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=3), expires_at=timezone.now() - timedelta(days=2)
    )
    _refused(_with(key), "expired")


def test_a_revoked_key_is_refused(chain):
    token, key = api_token_issue(user=chain.owner_user, name="leaked", days=30)
    assert _with(key).get("/api/v1/assets").status_code == 200
    api_token_revoke(token_id=token.pk, actor=chain.owner_user)
    _refused(_with(key, "Bearer"), "revoked")


def test_an_unknown_key_is_refused(chain):
    _refused(_with("x" * 43), "not valid")


def test_the_key_of_an_inactive_user_is_refused(chain):
    _token, key = api_token_issue(user=chain.owner_user, name="ERP", days=30)
    chain.owner_user.is_active = False
    chain.owner_user.save()
    _refused(_with(key), "inactive")
    with pytest.raises(PermissionDenied):
        api_token_issue(user=chain.owner_user, name="new", days=30)


def test_only_the_owner_or_staff_revokes(chain, staff):
    token, key = api_token_issue(user=chain.owner_user, name="ERP", days=30)
    with pytest.raises(PermissionDenied):
        api_token_revoke(token_id=token.pk, actor=chain.outsider_user)
    assert _with(key).get("/api/v1/assets").status_code == 200
    api_token_revoke(token_id=token.pk, actor=staff)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_revoke_all_cuts_every_key_of_the_user_and_no_other(chain):
    keys = [api_token_issue(user=chain.owner_user, name=f"k{i}", days=30)[1] for i in range(3)]
    _other_token, other_key = api_token_issue(user=chain.buyer_user, name="buyer", days=30)
    assert api_tokens_revoke_all(user=chain.owner_user) == 3
    assert api_tokens_revoke_all(user=chain.owner_user) == 0
    for key in keys:
        assert _with(key).get("/api/v1/assets").status_code == 401
    assert _with(other_key).get("/api/v1/assets").status_code == 200


def test_use_is_recorded(chain):
    token, key = api_token_issue(user=chain.owner_user, name="ERP", days=30)
    assert token.last_used_at is None
    _with(key).get("/api/v1/assets")
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_use_is_written_at_most_once_a_minute(chain):
    """Not a write on every request: within a minute of the recorded use, requests with
    the key leave it (and make no UPDATE); a minute later the next one records it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token, key = api_token_issue(user=chain.owner_user, name="ERP", days=30)
    client = _with(key)
    client.get("/api/v1/assets")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/assets").status_code == 200
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        assert not [sql for sql in writes if "accounts_apitoken" in sql]
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    a_minute_ago = first - timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=a_minute_ago)
    client.get("/api/v1/assets")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_existing_drf_tokens_are_carried_over_for_90_days(chain):
    """The data migration: a DRF token made before the switch keeps working, hashed."""
    import importlib

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    legacy = Token.objects.create(user=chain.owner_user)
    migration = importlib.import_module("urbanmine.accounts.migrations.0002_copy_drf_tokens")
    migration.copy_tokens(apps, None)
    migration.copy_tokens(apps, None)  # twice changes nothing
    copied = ApiToken.objects.get(user=chain.owner_user)
    assert copied.key_hash == key_hash(legacy.key)
    assert copied.expires_at - copied.created_at == timedelta(days=90)
    r = _with(legacy.key).get("/api/v1/assets")
    assert r.status_code == 200


# ------------------------------------------------------------------------- the page
def test_the_page_shows_a_new_key_once_and_lists_the_keys(client, chain):
    client.force_login(chain.owner_user)
    r = client.post("/accounts/tokens/", {"action": "create", "name": "Koppeling ERP", "days": 30})
    assert r.status_code == 200
    key = r.context["new_key"]
    assert key and key in r.content.decode()
    assert r["Cache-Control"].startswith("max-age=0")  # never_cache: no copy in a cache
    assert _with(key).get("/api/v1/assets").status_code == 200
    r = client.get("/accounts/tokens/")
    page = r.content.decode()
    assert key not in page and key[:8] in page and "Koppeling ERP" in page


def test_the_page_refuses_an_invalid_lifetime(client, chain):
    client.force_login(chain.owner_user)
    r = client.post("/accounts/tokens/", {"action": "create", "name": "ERP", "days": 400})
    assert r.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_on_the_page_and_another_user_cannot(client, chain):
    token, key = api_token_issue(user=chain.owner_user, name="ERP", days=30)
    client.force_login(chain.outsider_user)
    client.post("/accounts/tokens/", {"action": "revoke", "token": token.pk})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert "ERP" not in client.get("/accounts/tokens/").content.decode()
    client.force_login(chain.owner_user)
    r = client.post("/accounts/tokens/", {"action": "revoke", "token": token.pk})
    assert r.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert _with(key).get("/api/v1/assets").status_code == 401


def test_revoking_needs_the_csrf_token(chain):
    from django.test import Client

    token, _key = api_token_issue(user=chain.owner_user, name="ERP", days=30)
    client = Client(enforce_csrf_checks=True)
    client.force_login(chain.owner_user)
    r = client.post("/accounts/tokens/", {"action": "revoke", "token": token.pk})
    assert r.status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
