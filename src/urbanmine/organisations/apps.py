from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "urbanmine.organisations"
    label = "organisations"
    verbose_name = _("organisations")

    def ready(self) -> None:
        """Organisation names are on passports (owner, custodian, who recorded a step) and
        in the API's lots, which the shared cache keeps (core/cache.py): a change bumps
        its version."""
        from urbanmine.core.cache import bump_on_change

        from .models import Organisation

        bump_on_change(Organisation)
