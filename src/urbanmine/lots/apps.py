from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class LotsConfig(AppConfig):
    name = "urbanmine.lots"
    label = "lots"
    verbose_name = _("lots")

    def ready(self) -> None:
        from .history import register_sqlite_function

        # the SQLite triggers that keep the history append-only ask this function
        connection_created.connect(register_sqlite_function, dispatch_uid="urbanmine-history")
