"""Writes on people's data: deactivating and pseudonymising an account, pruning the log.

Pseudonymising keeps the history whole: lifecycle events are append-only (database
triggers, lots/history.py) and keep pointing at the same user row, which no longer says who
it was (`removed-user-<id>`, no name, no e-mail, no password, inactive). What the platform
holds about that person elsewhere goes with it: sessions, API keys, second-factor devices,
sign-in attempts, and the personal values the audit log and the admin's log hold.
What stays is free text others wrote (event notes): the steward reviews it (docs/privacy.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta
from importlib import import_module
from typing import Any

from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.accounts.models import ApiToken
from urbanmine.accounts.services import api_tokens_revoke_all

from .permissions import user_may_remove

#: what a removed personal value reads as in the logs
REMOVED = "[removed]"
#: the user's fields that say who someone is
PERSONAL_FIELDS = ("username", "first_name", "last_name", "email")


def pseudonym(user) -> str:
    """The username a pseudonymised account keeps: unique, and says nothing about whom."""
    return f"removed-user-{user.pk}"


def _check(actor, user) -> None:
    if not user_may_remove(actor, user):
        raise PermissionDenied(
            _("Only a data steward (staff) removes another person's account data.")
        )


@transaction.atomic
def user_deactivate(*, user, actor) -> None:
    """The person may no longer sign in or call the API; their data stays as it is (a
    colleague leaves, an account is suspected). Reversible in the admin."""
    _check(actor, user)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    with set_actor(actor):
        user.is_active = False
        user.save(update_fields=["is_active"])
    _access_end(user)


@transaction.atomic
def user_pseudonymise(*, user, actor) -> None:
    """Deactivate the account and remove what says who the person was (GDPR art. 17), while
    every record they made stays, attributed to the pseudonymous account. Irreversible."""
    _check(actor, user)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    scrub = _Scrubber(user)
    with set_actor(actor):
        user.username = pseudonym(user)
        user.first_name = user.last_name = user.email = ""
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
    _access_end(user)
    _second_factor_remove(user)
    _sign_in_records_remove(scrub.typed_at_sign_in)
    _api_key_names_scrub(user, scrub)
    _audit_log_scrub(user, scrub)
    _admin_log_scrub(user, scrub)


def _access_end(user) -> None:
    """No session, no API key: the person is signed out everywhere."""
    _sessions_end(user)
    api_tokens_revoke_all(user=user)
    if apps.is_installed("rest_framework.authtoken"):  # the keys from before accounts.ApiToken
        apps.get_model("authtoken", "Token").objects.filter(user=user).delete()


def _sessions_end(user) -> None:
    """Delete the user's stored sessions. A cache-only session engine cannot be searched;
    there the changed password hash (or the inactive flag) ends them at the next request."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    user_id = str(user.pk)
    for session in store.get_model_class().objects.iterator():
        if str(session.get_decoded().get("_auth_user_id")) == user_id:
            store(session.session_key).delete()


def _second_factor_remove(user) -> None:
    if apps.is_installed("django_otp"):
        from django_otp import devices_for_user

        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()


def _sign_in_records_remove(typed: list[str]) -> None:
    """Failed sign-ins (django-axes) are kept by the username typed, and the address."""
    if not apps.is_installed("axes"):
        return
    for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        try:
            model = apps.get_model("axes", name)
        except LookupError:
            continue
        model.objects.filter(username__in=typed).delete()


def _json_forms(value: str) -> set[str]:
    """The value, and as JSON text keeps it (`Jos\\u00e9`: how SQLite stores a JSON field
    and the admin its change messages), so that a text search finds it."""
    return {value, json.dumps(value)[1:-1]}


class _Scrubber:
    """What identified the person, and how it goes from text.

    An e-mail address and a full name (first and last) identify someone wherever they
    stand: replaced by REMOVED everywhere, as whole words. A username may be an ordinary
    word (`jan`, `sloper`): it is replaced only where it names the person, in their own
    account's entries and their API keys' names, and in the names of their memberships
    (`jan @ Sloper BV`), by the pseudonym. A first or last name alone is too common a word
    to replace in others' text; it goes from the account's own entries, field by field."""

    def __init__(self, user) -> None:
        self.username, self.pseudonym = user.username, pseudonym(user)
        full_name = user.get_full_name().strip()
        identifying = [user.email.strip()] + ([full_name] if " " in full_name else [])
        self.identifying = sorted(
            {form for value in identifying if value for form in _json_forms(value)},
            key=len,
            reverse=True,
        )
        self.typed_at_sign_in = [v for v in (user.username, user.email) if v]
        self.memberships = sorted(f"{form} @ " for form in _json_forms(self.username))
        self._everywhere = self._pattern(self.identifying)
        self._own = self._pattern([*self.identifying, *_json_forms(self.username)])

    @staticmethod
    def _pattern(values: list[str]) -> re.Pattern[str] | None:
        if not values:
            return None
        alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
        return re.compile(rf"(?<![\w.@-])(?:{alternatives})(?![\w@-]|\.\w)", re.I)

    @property
    def search_terms(self) -> list[str]:
        """Texts whose presence makes a log entry worth a look (a superset)."""
        return [*self.identifying, *self.memberships]

    def __call__(self, value: Any, *, own: bool = False) -> Any:
        """`value` (text, or JSON of lists and dicts) without the person's identity; `own`:
        text about the person's own account or keys, where the username goes too."""
        if isinstance(value, list):
            return [self(v, own=own) for v in value]
        if isinstance(value, dict):
            return {k: self(v, own=own) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        for form in self.memberships:
            value = value.replace(form, self.pseudonym + " @ ")
        pattern = self._own if own else self._everywhere
        if pattern is None:
            return value
        return pattern.sub(lambda m: self._replacement(m.group(0)), value)

    def _replacement(self, found: str) -> str:
        is_username = found.lower() in {f.lower() for f in _json_forms(self.username)}
        return self.pseudonym if is_username else REMOVED


def _api_key_names_scrub(user, scrub: _Scrubber) -> None:
    """The person named their keys (revoked now, kept for the record): "laptop Jan"."""
    for token in ApiToken.objects.filter(user=user).only("pk", "name"):
        name = scrub(token.name, own=True)
        if name != token.name:
            ApiToken.objects.filter(pk=token.pk).update(name=name)


def _mentioning(queryset, fields: Iterable[str], values: list[str]):
    """Rows of `queryset` whose text fields contain one of `values` (a superset: the
    whole-word check is the scrubber's)."""
    condition = Q()
    for field in fields:
        for value in values:
            condition |= Q(**{f"{field}__icontains": value})
    return queryset.filter(condition) if values else queryset.none()


def _audit_log_scrub(user, scrub: _Scrubber) -> None:
    """The audit log keeps what happened and by which (pseudonymous) account, not who."""
    emails = [v for v in scrub.typed_at_sign_in if "@" in v]
    LogEntry.objects.filter(Q(actor=user) | Q(actor_email__in=emails)).update(
        actor_email=None, remote_addr=None, remote_port=None
    )
    user_type = ContentType.objects.get_for_model(type(user))
    own = Q(content_type=user_type, object_pk=str(user.pk))
    as_text = LogEntry.objects.annotate(changes_as_text=Cast("changes", TextField()))
    mentioning = _mentioning(
        as_text, ["object_repr", "changes_text", "changes_as_text"], scrub.search_terms
    )
    candidates = LogEntry.objects.filter(own | Q(pk__in=mentioning.values("pk")))
    for entry in candidates.iterator():
        is_own = entry.content_type_id == user_type.id and entry.object_pk == str(user.pk)
        changes = _user_changes_scrubbed(entry.changes, user) if is_own else entry.changes
        new = (
            user.username if is_own else scrub(entry.object_repr),
            scrub(changes, own=is_own),
            scrub(entry.changes_text, own=is_own),
            scrub(entry.serialized_data, own=is_own),
        )
        old = (entry.object_repr, entry.changes, entry.changes_text, entry.serialized_data)
        if new != old:
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=new[0], changes=new[1], changes_text=new[2], serialized_data=new[3]
            )


def _user_changes_scrubbed(changes: Any, user) -> Any:
    """In the account's own entries, every earlier value of a personal field goes, whatever
    it was (also an e-mail address or a first name the person no longer had)."""
    if not isinstance(changes, dict):
        return changes
    out = dict(changes)
    for name in PERSONAL_FIELDS:
        values = out.get(name)
        if isinstance(values, list):
            current = getattr(user, name)
            out[name] = [v if v in (current, "", "None", None) else REMOVED for v in values]
    return out


def _admin_log_scrub(user, scrub: _Scrubber) -> None:
    """Django's admin log names the objects it changed (the user, `jan @ Organisation`)."""
    user_type = ContentType.objects.get_for_model(type(user))
    about_user = Q(content_type=user_type, object_id=str(user.pk))
    mentioning = _mentioning(
        AdminLogEntry.objects.all(), ["object_repr", "change_message"], scrub.search_terms
    )
    for entry in AdminLogEntry.objects.filter(about_user | Q(pk__in=mentioning.values("pk"))):
        is_own = entry.content_type_id == user_type.id and entry.object_id == str(user.pk)
        AdminLogEntry.objects.filter(pk=entry.pk).update(
            object_repr=user.username if is_own else scrub(entry.object_repr),
            change_message=scrub(entry.change_message, own=is_own),
        )


def audit_prune(*, days: int | None = None) -> int:
    """Delete audit-log entries older than the retention (URBANMINE_AUDIT_RETENTION_DAYS);
    returns how many. The log is for accountability over a bounded time, not an archive."""
    days = settings.URBANMINE_AUDIT_RETENTION_DAYS if days is None else days
    if days < 1:
        raise ValueError("the retention is at least one day")
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _per_model = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return deleted
