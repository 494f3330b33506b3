"""Permission cases of the account pages (urbanmine/accounts): the password and key pages
need a signed-in user and show only their own; the reset pages are public."""

from __future__ import annotations

from tests.contracts.route_cases import LOGIN, PUBLIC, Case, expect, page

SIGNED_IN = expect(LOGIN, (200,), (200,))


KEY_NAME = "Sleutel-van-eigenaar"


def _owner_has_a_key(w) -> dict:
    """Before the request (a case's data is built first): the owner gets a key, whose name
    the reply shows only to the owner. Sent as no query at all."""
    from urbanmine.accounts.services import api_token_issue

    api_token_issue(user=w.chain.owner_user, name=KEY_NAME, days=30)
    return {}


CASES: list[Case] = [
    page("password-change", lambda w: "/accounts/password/", SIGNED_IN),
    page("password-reset", lambda w: "/accounts/password/reset/", PUBLIC),
    page(
        "password-reset",
        lambda w: "/accounts/password/reset/",
        expect((302,), (302,), (302,)),  # the same answer for every address
        method="post",
        data=lambda w: {"email": "nobody@example.nl"},
    ),
    # an invalid link renders the page that says so (a valid one needs the e-mail)
    page("password-reset-confirm", lambda w: "/accounts/password/reset/MQ/0-0/", PUBLIC),
    page(
        "api-tokens",
        lambda w: "/accounts/tokens/",
        SIGNED_IN,
        data=_owner_has_a_key,
        shown=lambda w: KEY_NAME,  # the owner's key is listed for the owner only
    ),
    page(
        "api-tokens",
        lambda w: "/accounts/tokens/",
        expect(LOGIN, (200,), (200,)),
        method="post",
        data=lambda w: {"action": "create", "name": "Koppeling", "days": "30"},
    ),
    page("two-factor", lambda w: "/accounts/two-factor/", SIGNED_IN),
]
