from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "urbanmine.audit"
    label = "audit"
    verbose_name = _("audit log")

    def ready(self) -> None:
        # After every app's models are loaded and the admin has discovered its modules
        # (django.contrib.admin comes first in INSTALLED_APPS, so its ready() ran already).
        from . import admin, registry

        registry.register_models()
        admin.attach_user_actions()
