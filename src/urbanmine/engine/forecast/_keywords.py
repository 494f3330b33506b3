"""Runtime check of keyword arguments typed as `**kwargs: Unpack[SomeTypedDict]`.

Wide inputs travel as one typed record (a TypedDict) so the function stays small while its
keyword call stays as it was; mypy checks the keys at the call site, this check does it at
run time with the TypeError a real signature would raise.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping


def check_keywords(
    func: str,
    given: Mapping[str, object],
    *,
    required: Collection[str],
    optional: Collection[str],
) -> None:
    """TypeError for an unexpected or a missing keyword, worded like Python's own."""
    unknown = [k for k in given if k not in required and k not in optional]
    if unknown:
        raise TypeError(f"{func}() got an unexpected keyword argument {unknown[0]!r}")
    missing = sorted(k for k in required if k not in given)
    if missing:
        names = ", ".join(repr(k) for k in missing)
        raise TypeError(f"{func}() missing required keyword-only argument(s): {names}")
