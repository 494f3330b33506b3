"""DRF authentication by an expiring, revocable API key (`accounts.models.ApiToken`).

Accepted as `Authorization: Token <key>` (as before) or `Authorization: Bearer <key>`.
An unknown, expired or revoked key, or the key of an inactive user, is a 401 that says
which; an address that failed too often is answered 429 with Retry-After before its key is
even looked up (`throttling.AuthFailureThrottle`).
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .selectors import api_token_for_key
from .services import api_token_mark_used
from .throttling import AuthFailureThrottle

KEYWORDS = (b"token", b"bearer")
MAX_KEY_LENGTH = 200


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # no key: another authenticator (the session) or anonymous
        throttle = AuthFailureThrottle(request)
        wait = throttle.wait()
        if wait is not None:
            raise exceptions.Throttled(
                wait, detail=_("Too many failed attempts to authenticate from this address.")
            )
        try:
            return self._check(parts)
        except exceptions.AuthenticationFailed:
            throttle.record_failure()
            raise

    def _check(self, parts: list[bytes]):
        if len(parts) != 2 or len(parts[1]) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(
                _("Send the API key as 'Authorization: Token <key>' or 'Bearer <key>'.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("This API key expired on %(date)s; create a new one.")
                % {"date": formats.date_format(timezone.localtime(token.expires_at), "Y-m-d")}
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The account of this API key is inactive."))
        api_token_mark_used(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme: the name `tokenAuth` and the header DRF's token used,
    so clients and the document stay as they were."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                'An API key (made at /accounts/tokens/) sent as "Token <key>" or '
                '"Bearer <key>"; it expires (90 days by default) and can be revoked.'
            ),
        }
