from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _cache_table_ensure(sender, using="default", **kwargs) -> None:
    """`migrate` also makes the database cache's table (settings.CACHES), so an install
    without Redis needs no extra command; a no-op when the table exists or Redis is used."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "urbanmine.core"
    label = "core"
    verbose_name = _("core")

    def ready(self) -> None:
        post_migrate.connect(_cache_table_ensure, sender=self, dispatch_uid="core-cache-table")
