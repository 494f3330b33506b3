"""The catalogue's typical processing time and minimum batch for a business case (issue
#18), filled from the reference catalogue's new columns (labelled estimates)."""

import django.core.validators
from django.db import migrations, models


def install(apps, schema_editor):
    from urbanmine.catalogue.loader import install_catalogue

    install_catalogue(apps.get_model("catalogue", "ProductGroup"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_productgroup_inspection_required")]

    operations = [
        migrations.AddField(
            model_name="productgroup",
            name="typical_processing_days",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="typical processing time (days)"
            ),
        ),
        migrations.AddField(
            model_name="productgroup",
            name="min_batch",
            field=models.DecimalField(
                blank=True,
                decimal_places=3,
                max_digits=12,
                null=True,
                validators=[django.core.validators.MinValueValidator(0.001)],
                verbose_name="minimum batch for a business case (in the unit)",
            ),
        ),
        migrations.AddField(
            model_name="productgroup",
            name="processing_source",
            field=models.CharField(
                blank=True,
                max_length=300,
                verbose_name="source of processing time and minimum batch",
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
