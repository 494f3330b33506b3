"""An organisation's members page (its administrators invite and remove) and the page an
invitation link opens."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services
from .forms import AccountRequestForm, InvitationForm, JoinForm
from .membership import user_organisation_ids
from .models import AccountRequest, Invitation, Membership, Organisation
from .permissions import organisation_may_manage, organisation_may_view_members


@login_required
def my_organisation(request):
    orgs = sorted(user_organisation_ids(request.user))
    if not orgs:
        raise Http404
    return redirect("organisation-members", pk=orgs[0])


def _errors(e: ValidationError) -> str:
    return " ".join(m for ms in e.message_dict.values() for m in ms)


@login_required
def organisation_members(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not organisation_may_view_members(request.user, organisation):
        raise Http404
    manages = organisation_may_manage(request.user, organisation)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.invitation_create(
                    organisation=organisation,
                    actor=request.user,
                    link_for=lambda t: request.build_absolute_uri(
                        reverse("invitation-accept", args=[t])
                    ),
                    **form.cleaned_data,
                )
            except ValidationError as e:
                form.add_error("email", _errors(e))
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
                )
                return redirect("organisation-members", pk=pk)
    now = timezone.now()
    invitations = (
        list(organisation.invitations.select_related("invited_by")[:50]) if manages else []
    )
    for i in invitations:
        i.open = i.is_open(now)
    context = {
        "account_requests": list(
            organisation.account_requests.filter(status=AccountRequest.PENDING)
        )
        if manages
        else [],
        "organisation": organisation,
        "members": Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username"),
        "manages": manages,
        "form": form,
        "invitations": invitations,
    }
    return render(
        request, "organisations/members.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["POST"])
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), pk=pk)
    if not organisation_may_view_members(request.user, invitation.organisation):
        raise Http404
    try:
        services.invitation_revoke(invitation_id=pk, actor=request.user)
    except ValidationError as e:
        messages.error(request, _errors(e))
    else:
        messages.success(
            request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
        )
    return redirect("organisation-members", pk=invitation.organisation_id)


@login_required
@require_http_methods(["POST"])
def membership_remove(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    if not organisation_may_view_members(request.user, membership.organisation):
        raise Http404
    try:
        services.membership_remove(membership_id=pk, actor=request.user)
    except ValidationError as e:
        messages.error(request, _errors(e))
    else:
        messages.success(request, _("%(user)s removed.") % {"user": membership.user.get_username()})
    return redirect("organisation-members", pk=membership.organisation_id)


@never_cache
def invitation_accept(request, token):
    """The page an invitation mail links to: create an account, or join signed in."""
    try:
        invitation = services.invitation_open(token)
    except ValidationError as e:
        return render(request, "organisations/invitation.html", {"problem": _errors(e)}, status=404)
    signed_in = request.user.is_authenticated
    form = None if signed_in else JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            if signed_in:
                services.invitation_accept(token=token, user=request.user)
            elif form is not None and form.is_valid():
                d = form.cleaned_data
                membership = services.invitation_accept(
                    token=token,
                    username=d["username"],
                    password=d["password"],
                    first_name=d["first_name"],
                    last_name=d["last_name"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                raise ValidationError({})
        except ValidationError as e:
            if form is not None:
                for field, msgs in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, msgs)
            else:
                messages.error(request, _errors(e))
        else:
            messages.success(
                request, _("Welcome to %(org)s.") % {"org": invitation.organisation.name}
            )
            return redirect("start")
    context = {"invitation": invitation, "form": form, "signed_in": signed_in}
    status = 400 if request.method == "POST" else 200
    return render(request, "organisations/invitation.html", context, status=status)


@never_cache
def account_request(request):
    """A newcomer asks for an account of an organisation; its administrators approve."""
    if request.user.is_authenticated:
        return redirect("start")
    form = AccountRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.account_request_create(
                organisation=d["organisation"],
                username=d["username"],
                password=d["password"],
                email=d["email"],
                first_name=d["first_name"],
                last_name=d["last_name"],
                message=d["message"],
                link=request.build_absolute_uri(
                    reverse("organisation-members", args=[d["organisation"].pk])
                ),
            )
        except ValidationError as e:
            for field, msgs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            return render(
                request,
                "organisations/account_request.html",
                {"sent": True, "organisation": d["organisation"]},
            )
    status = 400 if form.errors else 200
    context = {"form": form, "sent": False}
    return render(request, "organisations/account_request.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def account_request_decide(request, pk, decision):
    found = get_object_or_404(AccountRequest.objects.select_related("organisation"), pk=pk)
    if decision not in ("approve", "decline") or not organisation_may_view_members(
        request.user, found.organisation
    ):
        raise Http404
    try:
        done = services.account_request_decide(
            request_id=pk, actor=request.user, approve=decision == "approve"
        )
    except ValidationError as e:
        messages.error(request, _errors(e))
    else:
        messages.success(
            request,
            _("Account request of %(user)s: %(status)s.")
            % {"user": done.username, "status": done.get_status_display()},
        )
    return redirect("organisation-members", pk=found.organisation_id)
