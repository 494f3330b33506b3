"""Permission cases of organisations managing themselves (issue #13): the members page,
invitations and removal are the organisation's administrators'; an invitation link opens
for whoever holds it."""

from __future__ import annotations

from tests.contracts.route_cases import LOGIN, Case, expect, page


def _admin(w):
    """The owner's user administers its organisation (first use)."""
    from urbanmine.organisations.models import Membership

    Membership.objects.filter(user=w.chain.owner_user).update(is_admin=True)
    return w.chain.owner


def _invitation(w, key: str):
    if key not in w.extra:
        from urbanmine.organisations.services import invitation_create

        w.extra[key] = invitation_create(
            organisation=_admin(w),
            email=f"{key}@example.nl",
            actor=w.chain.owner_user,
            link_for=lambda t: f"http://testserver/invitations/accept/{t}/",
        )
    return w.extra[key]


def _member(w):
    if "member" not in w.extra:
        from django.contrib.auth import get_user_model

        from urbanmine.organisations.models import Membership

        user = get_user_model().objects.create_user("lid-weg", password="pw-test-12345")
        w.extra["member"] = Membership.objects.create(user=user, organisation=_admin(w))
    return w.extra["member"]


CASES: list[Case] = [
    page("my-organisation", lambda w: "/organisation/", expect(LOGIN, (302,), (302,))),
    page(
        "organisation-members",
        lambda w: f"/organisations/{_admin(w).pk}/members/",
        expect(LOGIN, (404,), (200,)),
    ),
    page(
        "organisation-members",
        lambda w: f"/organisations/{_admin(w).pk}/members/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {"email": "uitgenodigd@example.nl"},
        writes=True,
    ),
    page(
        "invitation-revoke",
        lambda w: f"/invitations/{_invitation(w, 'intrekken').pk}/revoke/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
    page(
        "membership-remove",
        lambda w: f"/memberships/{_member(w).pk}/remove/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
    page(
        "invitation-accept",
        lambda w: f"/invitations/accept/{_invitation(w, 'openen').token}/",
        expect((200,), (200,), (200,)),
    ),
]


def _account_request(w):
    if "account-request" not in w.extra:
        from urbanmine.organisations.services import account_request_create

        w.extra["account-request"] = account_request_create(
            organisation=_admin(w),
            username="aanvrager",
            password="een-lang-wachtwoord-42",
            email="aanvrager@example.nl",
        )
    return w.extra["account-request"]


CASES += [
    # public: a newcomer asks (signed-in users are sent to their start page)
    page("account-request", lambda w: "/join/", expect((200,), (302,), (302,))),
    page(
        "account-request-decide",
        lambda w: f"/account-requests/{_account_request(w).pk}/decline/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
]
