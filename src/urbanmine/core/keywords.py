"""Keyword inputs typed as `**fields: Unpack[SomeTypedDict]` checked at run time too.

A service with many inputs keeps its keyword call (`asset_create(owner=…, name=…)`) while
its signature stays small; mypy checks the keys at the call site, this check raises the
TypeError a spelled-out signature would (a misspelt key must not be silently ignored).
"""

from __future__ import annotations

from collections.abc import Mapping


def check_keywords(func: str, given: Mapping[str, object], spec: type) -> None:
    """`spec`: the TypedDict describing the keywords (its required and optional keys)."""
    required: frozenset[str] = getattr(spec, "__required_keys__", frozenset())
    optional: frozenset[str] = getattr(spec, "__optional_keys__", frozenset())
    unknown = [k for k in given if k not in required and k not in optional]
    if unknown:
        raise TypeError(f"{func}() got an unexpected keyword argument {unknown[0]!r}")
    missing = sorted(required - set(given))
    if missing:
        names = ", ".join(repr(k) for k in missing)
        raise TypeError(f"{func}() missing required keyword argument(s): {names}")
