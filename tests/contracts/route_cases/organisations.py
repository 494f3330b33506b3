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
