"""Permission cases per route, shared by tests/contracts/test_permission_coverage.py.

The main table lives in that test; a piece of work that adds routes may put its cases in a
module of this package (`CASES: list[Case]`), which the test collects automatically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

AUDIENCES = ("anonymous", "outsider", "own")
LOGIN = (302,)  # a page that needs a signed-in user sends the anonymous visitor to sign in
API_ANON = (401,)


@dataclass(frozen=True)
class Case:
    """One request and what each audience gets. `url` and `data` are built from the world;
    `own` names the chain user whose object it is; `shown` is text the own audience must
    find in the reply and the others must not; `writes`: refused callers change nothing."""

    key: str  # URL name, or "URL name METHOD" for the API
    method: str
    url: Callable[[Any], str]
    expect: dict[str, tuple[int, ...]]
    own: str = "owner_user"
    data: Callable[[Any], dict] = lambda w: {}
    api: bool = False
    shown: Callable[[Any], str] | None = None  # own sees it, the others do not
    hidden: Callable[[Any], str] | None = None  # nobody sees it (a public list)
    writes: bool = False
    json: bool = False


def expect(anonymous, outsider, own) -> dict[str, tuple[int, ...]]:
    return {"anonymous": anonymous, "outsider": outsider, "own": own}


PUBLIC = expect((200,), (200,), (200,))
PUBLIC_API = PUBLIC


def page(key, url, expected, **kw) -> Case:
    return Case(key, kw.pop("method", "get"), url, expected, **kw)


def api(name, method, url, expected, **kw) -> Case:
    return Case(f"{name} {method.upper()}", method, url, expected, api=True, **kw)


def _private(w):
    return w.private_lot.code
