"""Organisations manage themselves (issue #13): administrators invite members by e-mail and
remove them; an invitation's link creates the account or joins a signed-in user."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AccountRequest, Invitation, Membership, Organisation
from .permissions import organisation_may_manage


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, actor, link_for, as_admin: bool = False
) -> Invitation:
    """Invite `email` to the organisation and mail the link (`link_for(token)` makes it
    absolute). Refused: not an administrator, an address of a member already, an open
    invitation to the same address."""
    if not organisation_may_manage(actor, organisation):
        raise PermissionDenied(_("Only an administrator of the organisation invites members."))
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise ValidationError({"email": _("Give an e-mail address.")})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _("%(email)s is a member of %(org)s already.")
                % {"email": email, "org": organisation}
            }
        )
    now = timezone.now()
    if Invitation.objects.filter(
        organisation=organisation,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).exists():
        raise ValidationError(
            {"email": _("%(email)s has an open invitation already.") % {"email": email}}
        )
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        as_admin=as_admin,
        token=secrets.token_urlsafe(32),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.URBANMINE_INVITATION_DAYS),
    )
    inviter = actor.get_full_name() or actor.get_username()
    send_mail(
        subject=_("Invitation to join %(org)s on urbanmine") % {"org": organisation.name},
        message=_(
            "%(inviter)s invites you to join %(org)s on urbanmine, the Urban Mining platform "
            "of the province of Zuid-Holland.\n\nOpen this link to create your account or to "
            "join with the account you have (valid until %(until)s):\n%(link)s\n"
        )
        % {
            "inviter": inviter,
            "org": organisation.name,
            "until": f"{invitation.expires_at:%d-%m-%Y}",
            "link": link_for(invitation.token),
        },
        from_email=None,
        recipient_list=[email],
    )
    return invitation


def invitation_open(token: str) -> Invitation:
    """The open invitation of this token, or a ValidationError saying why not."""
    invitation = (
        Invitation.objects.select_related("organisation").filter(token=token).first()
        if token
        else None
    )
    if invitation is None:
        raise ValidationError({"token": _("This invitation link is not valid.")})
    if invitation.accepted_at is not None:
        raise ValidationError({"token": _("This invitation has been used already.")})
    if invitation.revoked_at is not None:
        raise ValidationError({"token": _("This invitation was withdrawn.")})
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            {
                "token": _("This invitation expired on %(d)s.")
                % {"d": f"{invitation.expires_at:%d-%m-%Y}"}
            }
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user=None,
    username: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Join with `user` (signed in), or create the account from the fields. The invitation
    is used once (locked: two clicks never make two members)."""
    invitation = invitation_open(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_open(invitation.token)  # again, under the lock
    if user is None:
        User = get_user_model()
        username = (username or "").strip()
        if not username:
            raise ValidationError({"username": _("Choose a user name.")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                {"username": _("The user name %(u)s is taken.") % {"u": username}}
            )
        candidate = User(
            username=username,
            email=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        try:
            validate_password(password, candidate)
        except ValidationError as e:
            raise ValidationError({"password": e.messages}) from None
        candidate.set_password(password)
        candidate.save()
        user = candidate
    elif Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise ValidationError(
            {"token": _("You are a member of %(org)s already.") % {"org": invitation.organisation}}
        )
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, is_admin=invitation.as_admin
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation_id: int, actor) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation_id)
    )
    if not organisation_may_manage(actor, invitation.organisation):
        raise PermissionDenied(_("Only an administrator of the organisation withdraws it."))
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError({"invitation": _("This invitation is closed already.")})
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def membership_remove(*, membership_id: int, actor) -> None:
    """An administrator removes a member (the account stays; it no longer acts for the
    organisation). The last administrator is not removed: someone must manage it."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=membership_id)
    )
    if not organisation_may_manage(actor, membership.organisation):
        raise PermissionDenied(_("Only an administrator of the organisation removes members."))
    if (
        membership.is_admin
        and not Membership.objects.filter(organisation=membership.organisation, is_admin=True)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "membership": _(
                    "%(user)s is the last administrator of %(org)s: make someone else "
                    "administrator first."
                )
                % {"user": membership.user.get_username(), "org": membership.organisation}
            }
        )
    membership.delete()


def _admin_emails(organisation: Organisation) -> list[str]:
    return list(
        Membership.objects.filter(organisation=organisation, is_admin=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


@transaction.atomic
def account_request_create(
    *,
    organisation: Organisation,
    username: str,
    password: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    message: str = "",
    link: str = "",
) -> AccountRequest:
    """A newcomer's account, inactive until approved; the organisation's administrators
    are told by e-mail. Refused: a taken user name, an address of an account already, a
    weak password."""
    User = get_user_model()
    username, email = (username or "").strip(), (email or "").strip().lower()
    if not username:
        raise ValidationError({"username": _("Choose a user name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The user name %(u)s is taken.") % {"u": username}})
    if not email or "@" not in email:
        raise ValidationError({"email": _("Give an e-mail address.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _("An account with %(email)s exists: sign in or reset its password.")
                % {"email": email}
            }
        )
    user = User(
        username=username,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_active=False,
    )
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise ValidationError({"password": e.messages}) from None
    user.set_password(password)
    user.save()
    request = AccountRequest.objects.create(
        organisation=organisation,
        user=user,
        username=username,
        email=email,
        message=(message or "").strip()[:1000],
        requested_at=timezone.now(),
    )
    admins = _admin_emails(organisation)
    if admins:
        send_mail(
            subject=_("%(user)s asks to join %(org)s on urbanmine")
            % {"user": username, "org": organisation.name},
            message=_(
                "%(user)s (%(email)s) asks for an account of %(org)s:\n\n%(message)s\n\nApprove or decline it on %(link)s\n"
            )
            % {
                "user": username,
                "email": email,
                "org": organisation.name,
                "message": request.message or "-",
                "link": link,
            },
            from_email=None,
            recipient_list=admins,
            fail_silently=True,
        )
    return request


@transaction.atomic
def account_request_decide(*, request_id: int, actor, approve: bool) -> AccountRequest:
    """The organisation's administrator (or the data steward) approves — the account signs
    in and acts for the organisation — or declines: the unused account is removed."""
    request = (
        AccountRequest.objects.select_for_update(of=("self",))  # user: nullable, outer join
        .select_related("organisation", "user")
        .get(pk=request_id)
    )
    if not organisation_may_manage(actor, request.organisation):
        raise PermissionDenied(_("Only an administrator of the organisation decides."))
    if request.status != AccountRequest.PENDING:
        raise ValidationError({"request": _("This request was decided already.")})
    user = request.user
    request.decided_by, request.decided_at = actor, timezone.now()
    if approve and user is not None:
        user.is_active = True
        user.save(update_fields=["is_active"])
        Membership.objects.get_or_create(user=user, organisation=request.organisation)
        request.status = AccountRequest.APPROVED
    else:
        request.status = AccountRequest.DECLINED
        request.user = None
    request.save()
    if not approve and user is not None:
        user.delete()  # never signed in, holds nothing
    send_mail(
        subject=_("Your account request for %(org)s") % {"org": request.organisation.name},
        message=(
            _("Your account %(user)s for %(org)s is approved: you can sign in now.")
            if approve
            else _("Your request for an account of %(org)s was declined.")
        )
        % {"user": request.username, "org": request.organisation.name},
        from_email=None,
        recipient_list=[request.email],
        fail_silently=True,
    )
    return request
