"""Organisations manage themselves (issue #13, item 1): an administrator invites by e-mail
and removes members; the link in the mail creates the account (or joins a signed-in user);
used once, expires, can be withdrawn; bad input names the field and saves nothing."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from urbanmine.organisations.models import Invitation, Membership
from urbanmine.organisations.services import (
    invitation_accept,
    invitation_create,
    membership_remove,
)


@pytest.fixture
def admin(chain):
    Membership.objects.filter(user=chain.owner_user).update(is_admin=True)
    return chain.owner_user


def _link(token):
    return f"http://testserver/invitations/accept/{token}/"


def _invite(chain, admin, email="nieuw@woningcorporatie.nl", **kw):
    return invitation_create(
        organisation=chain.owner, email=email, actor=admin, link_for=_link, **kw
    )


def test_an_administrator_invites_and_the_link_creates_a_member(chain, admin, client):
    client.force_login(admin)
    page = reverse("organisation-members", args=[chain.owner.pk])
    assert 'id="invite-form"' in client.get(page).content.decode()
    r = client.post(page, {"email": "Nieuw@Woningcorporatie.nl"})
    assert r.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["nieuw@woningcorporatie.nl"] and chain.owner.name in message.subject
    link = re.search(r"https?://\S+/invitations/accept/\S+/", message.body).group(0)
    client.logout()
    path = link.split("testserver")[1]
    assert chain.owner.name in client.get(path).content.decode()
    r = client.post(
        path,
        {
            "username": "nieuwlid",
            "first_name": "Nieuw",
            "last_name": "Lid",
            "password": "een-lang-wachtwoord-42",
            "password_again": "een-lang-wachtwoord-42",
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("start")
    user = get_user_model().objects.get(username="nieuwlid")
    assert user.email == "nieuw@woningcorporatie.nl"
    assert Membership.objects.filter(user=user, organisation=chain.owner, is_admin=False).exists()
    # used once
    again = client.get(path)
    assert again.status_code == 404 and 'id="invitation-problem"' in again.content.decode()


def test_a_signed_in_user_joins_with_its_account(chain, admin, client):
    invitation = _invite(chain, admin, email="buiten@example.nl", as_admin=True)
    client.force_login(chain.outsider_user)
    r = client.post(reverse("invitation-accept", args=[invitation.token]))
    assert r.status_code == 302
    assert Membership.objects.get(user=chain.outsider_user, organisation=chain.owner).is_admin


def test_bad_invitations_and_joins_are_refused_naming_the_field(chain, admin, settings):
    chain.owner_user.email = "eigenaar@example.nl"
    chain.owner_user.save()
    with pytest.raises(ValidationError) as e:
        _invite(chain, admin, email="eigenaar@example.nl")  # a member already
    assert "email" in e.value.message_dict
    with pytest.raises(ValidationError):
        _invite(chain, admin, email="geen-adres")
    with pytest.raises(PermissionDenied):  # not an administrator
        invitation_create(
            organisation=chain.owner, email="x@example.nl", actor=chain.buyer_user, link_for=_link
        )
    invitation = _invite(chain, admin)
    with pytest.raises(ValidationError):  # an open invitation exists
        _invite(chain, admin)
    for kw, field in [
        (dict(username="owner", password="een-lang-wachtwoord-42"), "username"),  # taken
        (dict(username="nieuw", password="kort"), "password"),
        (dict(username="", password="een-lang-wachtwoord-42"), "username"),
    ]:
        with pytest.raises(ValidationError) as e:
            invitation_accept(token=invitation.token, **kw)
        assert field in e.value.message_dict
    assert not get_user_model().objects.filter(username="nieuw").exists()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=invitation.created_at - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as e:
        invitation_accept(
            token=invitation.token, username="laat", password="een-lang-wachtwoord-42"
        )
    assert "expired" in str(e.value) or "verlopen" in str(e.value)


def test_members_are_removed_but_never_the_last_administrator(chain, admin, client):
    second = Membership.objects.create(
        user=get_user_model().objects.create_user("collega", password="pw-test-12345"),
        organisation=chain.owner,
    )
    with pytest.raises(PermissionDenied):
        membership_remove(membership_id=second.pk, actor=chain.buyer_user)
    own = Membership.objects.get(user=admin, organisation=chain.owner)
    with pytest.raises(ValidationError):
        membership_remove(membership_id=own.pk, actor=admin)
    client.force_login(admin)
    assert client.post(reverse("membership-remove", args=[second.pk])).status_code == 302
    assert not Membership.objects.filter(pk=second.pk).exists()
    # another organisation neither sees the members page nor removes anyone
    client.force_login(chain.outsider_user)
    assert client.get(reverse("organisation-members", args=[chain.owner.pk])).status_code == 404
    assert client.post(reverse("membership-remove", args=[own.pk])).status_code == 404


def _request_form(chain, **over):
    return {
        "organisation": chain.owner.pk,
        "username": "nieuwkomer",
        "first_name": "Nieuw",
        "last_name": "Komer",
        "email": "nieuwkomer@example.nl",
        "password": "een-lang-wachtwoord-42",
        "password_again": "een-lang-wachtwoord-42",
        "message": "Ik werk bij de afdeling vastgoed.",
        **over,
    }


def test_a_newcomer_requests_an_account_and_the_administrator_approves(chain, admin, client):
    admin.email = "beheer@woningcorporatie.nl"
    admin.save()
    assert "request-account" in client.get(reverse("login")).content.decode()
    r = client.post(reverse("account-request"), _request_form(chain))
    assert r.status_code == 200 and 'id="account-request-sent"' in r.content.decode()
    user = get_user_model().objects.get(username="nieuwkomer")
    assert not user.is_active  # cannot sign in before approval
    signed = client.post(
        reverse("login"), {"username": "nieuwkomer", "password": "een-lang-wachtwoord-42"}
    )
    assert signed.status_code == 200  # the sign-in form again: the account is not active
    assert mail.outbox[-1].to == ["beheer@woningcorporatie.nl"]
    client.force_login(admin)
    members = client.get(reverse("organisation-members", args=[chain.owner.pk])).content.decode()
    assert "nieuwkomer" in members and "vastgoed" in members
    request_id = user.account_request.pk
    # another organisation cannot decide it
    client.force_login(chain.outsider_user)
    approve = reverse("account-request-decide", args=[request_id, "approve"])
    assert client.post(approve).status_code == 404
    client.force_login(admin)
    assert client.post(approve).status_code == 302
    user.refresh_from_db()
    assert (
        user.is_active and Membership.objects.filter(user=user, organisation=chain.owner).exists()
    )
    assert mail.outbox[-1].to == ["nieuwkomer@example.nl"]
    client.logout()
    signed = client.post(
        reverse("login"), {"username": "nieuwkomer", "password": "een-lang-wachtwoord-42"}
    )
    assert signed.status_code == 302 and signed["Location"] == reverse("start")


def test_a_declined_request_removes_the_unused_account(chain, admin, client):
    client.post(reverse("account-request"), _request_form(chain))
    user = get_user_model().objects.get(username="nieuwkomer")
    client.force_login(admin)
    client.post(reverse("account-request-decide", args=[user.account_request.pk, "decline"]))
    assert not get_user_model().objects.filter(username="nieuwkomer").exists()


@pytest.mark.parametrize(
    "over, field",
    [
        ({"username": "owner"}, "username"),
        ({"password": "kort", "password_again": "kort"}, "password"),
        ({"password_again": "iets-anders-123"}, "password_again"),
        ({"email": "geen-adres"}, "email"),
    ],
)
def test_bad_account_requests_name_the_field(chain, client, over, field):
    r = client.post(reverse("account-request"), _request_form(chain, **over))
    assert r.status_code == 400 and r.context["form"].errors.get(field)
    assert not get_user_model().objects.filter(username="nieuwkomer").exists()
