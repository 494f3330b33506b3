"""Which product groups need a passed inspection before sale or application (issue #14),
filled from the reference catalogue's new column."""

from django.db import migrations, models


def install(apps, schema_editor):
    from urbanmine.catalogue.loader import install_catalogue

    install_catalogue(apps.get_model("catalogue", "ProductGroup"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_install_reference_catalogue")]

    operations = [
        migrations.AddField(
            model_name="productgroup",
            name="inspection_required",
            field=models.BooleanField(
                default=False, verbose_name="inspection required before reuse"
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
