"""Deactivating and pseudonymising an account (GDPR) without breaking the history, and
pruning the audit log."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.support.chain import identify_bricks
from urbanmine.accounts.models import ApiToken
from urbanmine.accounts.services import api_token_issue
from urbanmine.audit.services import audit_prune, user_deactivate, user_pseudonymise
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import LifecycleEvent
from urbanmine.lots.services import lot_record_step
from urbanmine.organisations.models import Membership

USERNAME = "jan.devries"
EMAIL = "Jan.deVries@voorbeeld-sloop.nl"

User = get_user_model()


@pytest.fixture
def steward(db):
    return User.objects.create_user(
        "beheerder-test", password="pw-test-12345", is_staff=True, is_superuser=True
    )


@pytest.fixture
def jan(chain):
    """A demolisher's employee who also plans for the owner: events, an asset edit, a
    session, keys, a second factor, a failed sign-in, admin history."""
    user = User.objects.create_user(
        USERNAME, email=EMAIL, password="pw-test-12345", first_name="Jan", last_name="de Vries"
    )
    Membership.objects.create(user=user, organisation=chain.demolisher)
    return user


def event_checksums() -> dict[int, str]:
    """Every event's stored row, hashed: what an auditor compares before and after."""
    rows = LifecycleEvent.objects.order_by("pk").values()
    return {
        row["id"]: hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()
        for row in rows
    }


def dump_all() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue().lower()


def test_pseudonymised_person_leaves_the_history_whole_and_no_trace_of_who(
    chain, jan, steward, settings
):
    # he records lifecycle events
    lot = identify_bricks(chain)
    lot_record_step(lot_id=lot.id, step=Step.DISMANTLING, actor=jan, hub=chain.hub)
    lot_record_step(lot_id=lot.id, step=Step.CONNECTION, actor=chain.owner_user)
    # the steward adds him to the owner's organisation in the admin (admin log + audit log)
    admin = Client()
    admin.force_login(steward)
    owner = chain.owner
    r = admin.post(
        f"/admin/organisations/organisation/{owner.pk}/change/",
        {
            "name": owner.name,
            "kvk_number": "",
            "municipality": "",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-organisation": owner.pk,
            "memberships-0-user": jan.pk,
        },
    )
    assert r.status_code == 302
    AdminLogEntry.objects.log_actions(
        user_id=steward.pk, queryset=[jan], action_flag=CHANGE, change_message="E-mail"
    )
    # he edits an asset, signed in on the web
    web = Client()
    web.force_login(jan)
    r = web.post(
        f"/assets/{chain.building.pk}/interventions/",
        {"kind": "demolition", "planned_start": "2027-01-01", "planned_end": "2027-03-01"},
    )
    assert r.status_code == 302
    with set_actor(jan):
        chain.building.address = "Maasboulevard 1"
        chain.building.save()
    # his own row changes (the log follows users)
    jan.first_name = "Johannes"
    jan.save()
    jan.first_name = "Jan"
    jan.save()
    # keys, an old-style token, a second factor, a failed sign-in
    api_token_issue(user=jan, name=f"laptop {USERNAME}")
    Token.objects.create(user=jan)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=jan, name="telefoon")
    Client().post("/accounts/login/", {"username": USERNAME, "password": "wrong-password-1"})

    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username=USERNAME).exists()
    assert USERNAME in dump_all() and EMAIL.lower() in dump_all()
    his_events = list(LifecycleEvent.objects.filter(actor=jan).values_list("pk", flat=True))
    assert len(his_events) >= 1
    before = event_checksums()
    assert LogEntry.objects.filter(actor=jan).exists()

    user_pseudonymise(user=jan, actor=steward)

    # the history is whole: the same events, byte for byte, still his (pseudonymous) account's
    assert event_checksums() == before
    assert list(LifecycleEvent.objects.filter(actor=jan).values_list("pk", flat=True)) == his_events
    jan.refresh_from_db()
    assert jan.username == f"removed-user-{jan.pk}"
    assert (jan.first_name, jan.last_name, jan.email) == ("", "", "")
    assert not jan.is_active and not jan.has_usable_password()
    # access ends everywhere
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(jan.pk) for s in Session.objects.all()
    )
    assert web.get("/assets/").status_code == 302  # signed out
    assert not ApiToken.objects.filter(user=jan, revoked_at__isnull=True).exists()
    assert not Token.objects.filter(user=jan).exists()
    assert not TOTPDevice.objects.filter(user=jan).exists()
    # the log still says what he did, by the pseudonymous account
    assert LogEntry.objects.get_for_object(chain.building).filter(actor=jan).exists()
    membership = Membership.objects.get(user=jan, organisation=owner)
    assert LogEntry.objects.get_for_object(membership).get().object_repr == (
        f"removed-user-{jan.pk} @ {owner.name}"
    )
    last = LogEntry.objects.get_for_object(jan).order_by("timestamp", "pk").last()
    assert last.actor == steward
    assert last.changes["username"] == ["[removed]", f"removed-user-{jan.pk}"]
    # and nowhere in the database does it say who he was
    dump = dump_all()
    for trace in (USERNAME, EMAIL.lower(), "de vries", "johannes"):
        assert trace not in dump, trace


def test_removing_an_account_is_the_steward_s_and_not_one_s_own(chain, jan, steward):
    with pytest.raises(PermissionDenied):
        user_pseudonymise(user=jan, actor=chain.matchmaker_user)  # platform-wide, not staff
    with pytest.raises(PermissionDenied):
        user_pseudonymise(user=steward, actor=steward)
    staff = User.objects.create_user("staff", password="pw-test-12345", is_staff=True)
    with pytest.raises(PermissionDenied):
        user_deactivate(user=steward, actor=staff)  # a superuser only by a superuser
    jan.refresh_from_db()
    assert jan.username == USERNAME and jan.is_active


def test_deactivating_ends_access_and_keeps_the_data(chain, jan, steward):
    _token, key = api_token_issue(user=jan, name="script")
    web = Client()
    web.force_login(jan)
    user_deactivate(user=jan, actor=steward)
    jan.refresh_from_db()
    assert not jan.is_active and jan.username == USERNAME and jan.email == EMAIL
    assert web.get("/assets/").status_code == 302
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/assets").status_code == 401
    entry = LogEntry.objects.get_for_object(jan).order_by("timestamp", "pk").last()
    assert (entry.actor, entry.changes) == (steward, {"is_active": ["True", "False"]})


def test_the_command_asks_first(chain, jan, steward, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "nee")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("user_pseudonymise", USERNAME, actor=steward.username)
    assert User.objects.filter(username=USERNAME).exists()
    with pytest.raises(CommandError, match="no account"):
        call_command("user_pseudonymise", "nobody", actor=steward.username, yes=True)
    with pytest.raises(CommandError, match="data steward"):
        call_command("user_pseudonymise", USERNAME, actor=chain.owner_user.username, yes=True)
    out = io.StringIO()
    call_command("user_pseudonymise", USERNAME, actor=steward.username, yes=True, stdout=out)
    assert f"removed-user-{jan.pk}" in out.getvalue()
    assert not User.objects.filter(username=USERNAME).exists()


def test_the_admin_deactivates_the_selected_accounts(chain, jan, steward):
    client = Client()
    client.force_login(steward)
    r = client.post(
        "/admin/auth/user/", {"action": "deactivate_users", "_selected_action": [jan.pk]}
    )
    assert r.status_code == 302
    jan.refresh_from_db()
    assert not jan.is_active and jan.username == USERNAME


def test_the_admin_action_pseudonymises_the_selected_accounts_after_asking(chain, jan, steward):
    client = Client()
    client.force_login(steward)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chosen = {"action": "pseudonymise_users", "_selected_action": [jan.pk, steward.pk]}
    r = client.post("/admin/auth/user/", chosen)
    assert r.status_code == 200 and "cannot be undone" in r.content.decode()
    jan.refresh_from_db()
    assert jan.username == USERNAME  # asked, nothing done yet
    r = client.post("/admin/auth/user/", {**chosen, "post": "yes"}, follow=True)
    assert r.status_code == 200
    jan.refresh_from_db()
    steward.refresh_from_db()
    assert jan.username == f"removed-user-{jan.pk}"
    assert steward.is_active  # not oneself: refused with a message, the rest done
    messages = [str(m) for m in r.context["messages"]]
    assert any("1" in m for m in messages) and len(messages) == 2


def test_prune_deletes_entries_older_than_the_retention(chain, settings):
    settings.URBANMINE_AUDIT_RETENTION_DAYS = 30
    old = LogEntry.objects.get_for_object(chain.building).get()
    LogEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=31))
    kept = LogEntry.objects.exclude(pk=old.pk).count()
    out = io.StringIO()
    call_command("audit_prune", stdout=out)
    assert "deleted 1 " in out.getvalue()
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.count() == kept
    assert audit_prune(days=365) == 0
    with pytest.raises(CommandError):
        call_command("audit_prune", days=0)


def test_a_username_that_is_an_ordinary_word_stays_in_others_text(chain, steward):
    """User `jan` goes; the school named after Jan Steen stays as it was in the log."""
    jan = User.objects.create_user("jan", email="jan@voorbeeld.nl", password="pw-test-12345")
    Membership.objects.create(user=jan, organisation=chain.owner)
    with set_actor(jan):
        chain.building.name = "Jan Steen school"
        chain.building.save()
    entry = LogEntry.objects.get_for_object(chain.building).order_by("timestamp", "pk").last()
    user_pseudonymise(user=jan, actor=steward)
    entry.refresh_from_db()
    assert entry.object_repr == "Jan Steen school"
    assert entry.changes["name"] == ["Flat Rotterdam", "Jan Steen school"]
    assert (entry.actor_id, entry.actor_email) == (jan.pk, None)
    membership = Membership.objects.get(user=jan)
    assert LogEntry.objects.get_for_object(membership).get().object_repr == (
        f"removed-user-{jan.pk} @ {chain.owner.name}"
    )


def test_deactivating_ends_sessions_kept_in_redis(chain, jan, steward):
    """With Redis configured, sessions are read from the cache (settings: cached_db): signing
    the person out everywhere must empty the cached copy too, not only the table."""
    import os

    import redis
    from django.test import override_settings

    url = os.environ.get("URBANMINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("URBANMINE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not reachable at {url} (URBANMINE_REQUIRE_REDIS=1)")
        pytest.skip(f"Redis is not reachable at {url}")
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "urbanmine-test-sessions",
        }
    }
    with override_settings(
        CACHES=caches, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        from django.contrib.sessions.backends.cached_db import SessionStore

        web = Client()
        web.force_login(jan)
        key = web.cookies[settings.SESSION_COOKIE_NAME].value
        Session.objects.filter(session_key=key).delete()  # the cached copy alone signs in
        assert web.get("/assets/").status_code == 200
        web = Client()
        web.force_login(jan)
        key = web.cookies[settings.SESSION_COOKIE_NAME].value
        user_deactivate(user=jan, actor=steward)
        assert SessionStore(key).load() == {}
        assert not Session.objects.filter(session_key=key).exists()
