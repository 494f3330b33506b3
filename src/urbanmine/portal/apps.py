from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public front door: home page and sign-in."""

    name = "urbanmine.portal"
    label = "portal"
    verbose_name = _("portal")
