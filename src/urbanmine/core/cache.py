"""The shared cache of public, rarely changing content (supply list pages, the public API
list of supply, supply aggregates, the dashboard's aggregates).

Everything cached here is the same for every caller who may see it: pages only for
anonymous requests, aggregates that are public anyway, and content keyed by what the
permission functions decide for the viewer (a passport's body per asset and "sees the
whole passport, or the lots these organisations may see; may change; may add lots"):
viewers whose rights differ never share an entry. Entries are not deleted one by one:
every entry carries the *public version* it was computed under, a counter in the shared
cache (Redis, or the database cache) that the apps bump on every write that changes
cached content (lots and their lifecycle events, assets, hubs, demand, the catalogue,
organisations; receivers registered in the apps' `ready()` through `bump_on_change`). A
bump makes every older entry stale at once; the next reader recomputes it, and the
cache's own expiry (`PUBLIC_CACHE_SECONDS`) bounds how long time-dependent content (dwell
times, "available now") can lag.

The version is bumped at once and again when the writing transaction commits: a reader
between the two could have cached what it read before the commit under the first bump;
the second bump makes that entry stale as well.

Only a memory cache holds public content (Redis, `URBANMINE_REDIS_URL`; Django's local
memory cache in tests). On the database cache (the default without Redis) nothing is
cached and nothing bumped: storing an entry there costs five queries and reading it one,
about what the pages and aggregates cached here cost to compute.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

VERSION_KEY = "public:version"
#: How long an entry lives at most (seconds); writes invalidate it earlier.
PUBLIC_CACHE_SECONDS = int(getattr(settings, "URBANMINE_PUBLIC_CACHE_SECONDS", 300))
#: How long content that never changes under its key is kept (seconds).
STABLE_CACHE_SECONDS = 24 * 3600


def _cache():
    return caches["default"]


def public_cache_enabled() -> bool:
    """Whether public content is cached: on a memory cache (Redis; local memory in tests),
    not on the database cache."""
    return not isinstance(_cache(), (DatabaseCache, DummyCache))


def public_version() -> int:
    """The current public version. A cache without one (new, flushed or evicted) starts
    from the clock, so it never reuses a number an older entry may still carry."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return int(version)


def _bump() -> None:
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the first reader starts one from the clock
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)


def public_version_bump() -> None:
    """Public content changed: every cached public entry is stale (now and once the
    current transaction commits)."""
    if not public_cache_enabled():
        return
    _bump()
    transaction.on_commit(_bump, robust=True)


def _digest(parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def public_cached(name: str, parts: Any, compute: Callable[[], T]) -> T:
    """`compute()`'s value for (`name`, `parts`) from the shared cache, computed and stored
    on a miss. The value must be the same for everyone who may ask for it.

    The entry is stored with the public version it was computed under and read together
    with the current version in one round trip (one query on the database cache): it is
    used only when the two match."""
    if not public_cache_enabled():
        return compute()
    cache = _cache()
    key = f"public:{name}:{_digest(parts)}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = public_version()
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    cache.set(key, (version, value), PUBLIC_CACHE_SECONDS)
    return value


def stable_cached(name: str, parts: Any, compute: Callable[[], T]) -> T:
    """Like `public_cached` for content that never changes under its key (e.g. a finished
    forecast's arrays under the result's id): no public version in the key."""
    if not public_cache_enabled():
        return compute()
    cache = _cache()
    key = f"stable:{name}:{_digest(parts)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, STABLE_CACHE_SECONDS)
    return value


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: the loader bumps once when done
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed: only after the change
    public_version_bump()


def bump_on_change(*models, m2m: tuple = ()) -> None:
    """Bump the public version after every save or delete of `models` and every change of
    the many-to-many `m2m` (through models). Called from the apps' `ready()`."""
    for model in models:
        label = model._meta.label
        post_save.connect(_on_change, sender=model, dispatch_uid=f"public-cache-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"public-cache-del-{label}")
    for through in m2m:
        label = through._meta.label
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"public-cache-m2m-{label}")
