from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "urbanmine.accounts"
    label = "accounts"
    verbose_name = _("accounts")

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
