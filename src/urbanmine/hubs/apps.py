from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "urbanmine.hubs"
    label = "hubs"
    verbose_name = _("hubs")
