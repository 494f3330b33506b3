"""Pages of accounts: sign-in (with the second factor), password change and reset, API keys,
the authenticator, and the lockout page django-axes shows."""

from __future__ import annotations

import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from . import selectors, services
from .forms import ApiTokenForm, OtpCodeForm

PENDING = "accounts_pending_sign_in"
PENDING_MAX_AGE_S = 300  # the code must follow the password within five minutes


# ------------------------------------------------------------------------------- lockout
def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out username + address: a page that says what
    happened and how long to wait (429 with Retry-After), for the site and the admin."""
    minutes = settings.URBANMINE_LOGIN_COOLOFF_MINUTES
    response = render(
        request,
        "accounts/lockout.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.URBANMINE_LOGIN_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


# ------------------------------------------------------------------------------- sign-in
class SignInView(auth_views.LoginView):
    """Django's sign-in, plus a second step for users with a confirmed authenticator: after
    a correct password they are not signed in until a code from the app is given."""

    template_name = "registration/login.html"

    def post(self, request, *args, **kwargs):
        if "otp_token" in request.POST and PENDING in request.session:
            return self._second_step(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if selectors.totp_device_of(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        return self._code_page(OtpCodeForm())

    def _code_page(self, form, status: int = 200) -> HttpResponse:
        return render(self.request, "accounts/login_code.html", {"form": form}, status=status)

    def _second_step(self, request) -> HttpResponse:
        pending = request.session[PENDING]
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        device = selectors.totp_device_of(user)
        if device is None or time.time() - pending["at"] > PENDING_MAX_AGE_S:
            del request.session[PENDING]
            messages.error(request, _("Signing in took too long. Please start again."))
            return redirect("login")
        form = OtpCodeForm(request.POST)
        if not form.is_valid():
            return self._code_page(form, status=400)
        try:
            if not services.totp_verify(device=device, token=form.cleaned_data["otp_token"]):
                raise ValidationError({"otp_token": services.WRONG_CODE})
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._code_page(form, status=400)
        del request.session[PENDING]
        auth_login(request, user, backend=pending["backend"])
        otp_login(request, device)
        return redirect(pending["next"])


# ------------------------------------------------------------------------------- passwords
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        # the same answer whether or not the address is known: no list of accounts to probe
        messages.info(
            self.request,
            _(
                "If an account uses this e-mail address, we have sent it a link to choose a "
                "new password. The link works for an hour."
            ),
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        from axes.utils import reset as axes_reset

        response = super().form_valid(form)
        # a new password ends a lockout of that username: its owner proved the mailbox
        axes_reset(username=form.user.get_username())
        messages.success(self.request, _("Your password has been set. You can sign in now."))
        return response


# ------------------------------------------------------------------------------- API keys
def _api_token_revoke(request: HttpRequest) -> HttpResponse:
    try:
        token = services.api_token_revoke(
            token_id=int(request.POST.get("token", "0")), actor=request.user
        )
    except (ValueError, PermissionDenied):
        messages.error(request, _("This API key was not found."))
    else:
        messages.success(
            request, _("The API key “%(name)s” has been revoked.") % {"name": token.name}
        )
    return redirect("api-tokens")


def _api_token_create(request: HttpRequest, form: ApiTokenForm) -> str | None:
    """The plain key of a new token, or None with the form's errors set."""
    if not form.is_valid():
        return None
    try:
        _token, key = services.api_token_issue(
            user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    return key


@never_cache
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API keys: create one (its key is shown once, on this answer
    only: never stored, nor put in the session or a URL), see them all, revoke one."""
    if request.method == "POST" and request.POST.get("action") == "revoke":
        return _api_token_revoke(request)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    new_key = _api_token_create(request, form) if request.method == "POST" else None
    if new_key:
        form = ApiTokenForm()
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": selectors.api_tokens_of(viewer=request.user),
        "max_days": services.MAX_TOKEN_DAYS,
    }
    return render(request, "accounts/api_tokens.html", context, status=400 if form.errors else 200)


# ------------------------------------------------------------------------------- two-factor
def _qr_svg(data: str) -> str:
    """The QR code as inline SVG (no image library, no request to another site)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8)
    return image.to_string(encoding="unicode")


def _two_factor_post(request: HttpRequest, form: OtpCodeForm) -> HttpResponse | None:
    action = request.POST.get("action")
    if action == "start":
        services.totp_device_start(user=request.user)
        return redirect("two-factor")
    if not form.is_valid():
        return None
    try:
        if action == "confirm":
            device = services.totp_device_confirm(
                user=request.user, token=form.cleaned_data["otp_token"]
            )
            otp_login(request, device)  # this session has just proved the code
            messages.success(request, _("Two-step verification is on."))
        elif action == "remove":
            services.totp_devices_remove(user=request.user, token=form.cleaned_data["otp_token"])
            messages.success(request, _("Two-step verification is off."))
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    return redirect("two-factor")


@never_cache
@login_required
@sensitive_post_parameters("otp_token")
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (QR code and secret, confirmed by a code), or switch it
    off with a current code."""
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST":
        response = _two_factor_post(request, form)
        if response is not None:
            return response
    device = selectors.totp_device_of(request.user)
    pending = None if device else selectors.totp_device_pending(request.user)
    context = {
        "form": form,
        "device": device,
        "pending": pending,
        "qr_svg": mark_safe(_qr_svg(pending.config_url)) if pending else "",  # noqa: S308
        "secret": b32encode(pending.bin_key).decode() if pending else "",
        "admin_requires_otp": settings.URBANMINE_ADMIN_OTP,
    }
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)
