"""The admin site, with a second factor when URBANMINE_ADMIN_OTP is true.

django-otp's OTPAdminSite asks a code at the admin's sign-in and lets only sessions verified
with a code in. The setting is read on each request, so it can be switched per deployment
(and per test) without another URL configuration.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class SecondFactorAdminSite(OTPAdminSite):
    site_header = _("urbanmine Zuid-Holland — management")
    site_title = _("urbanmine management")
    index_title = _("Data management")

    @property  # type: ignore[override]
    def login_form(self):
        if settings.URBANMINE_ADMIN_OTP:
            return OTPAdminAuthenticationForm
        return AdminAuthenticationForm

    @property  # type: ignore[override]
    def login_template(self):
        if settings.URBANMINE_ADMIN_OTP:
            return OTPAdminSite.login_template
        return None

    def has_permission(self, request) -> bool:
        if settings.URBANMINE_ADMIN_OTP:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)


def with_second_factor(site: AdminSite) -> AdminSite:
    """The project's admin site (django.contrib.admin.site, with every registration kept)
    turned into a SecondFactorAdminSite."""
    site.__class__ = SecondFactorAdminSite
    return site
