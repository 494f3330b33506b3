"""Install the reference catalogue of product groups (no demo data needed)."""

from django.db import migrations


def install(apps, schema_editor):
    from urbanmine.catalogue.loader import install_catalogue

    install_catalogue(apps.get_model("catalogue", "ProductGroup"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
