"""A correction names the event it reverses (issue #14). Adding a unique column makes
SQLite rebuild the events table, which drops its append-only triggers: they are installed
again (lots/history.py; on PostgreSQL this recreates them unchanged)."""

import django.db.models.deletion
from django.db import migrations, models

from urbanmine.lots import history


def triggers_again(apps, schema_editor):
    history.remove(apps, schema_editor)
    history.install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("lots", "0005_exit_step"),
    ]

    operations = [
        migrations.AddField(
            model_name="lifecycleevent",
            name="corrects",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="corrected_by",
                to="lots.lifecycleevent",
                verbose_name="corrects",
            ),
        ),
        migrations.AlterField(
            model_name="lifecycleevent",
            name="step",
            field=models.CharField(
                choices=[
                    ("identification", "Identification"),
                    ("inventory", "Inventory"),
                    ("dismantling", "Dismantling (harvest)"),
                    ("connection", "Connection (reservation for a next application)"),
                    ("sorting", "Selection & sorting"),
                    ("treatment", "Treatment & cleaning"),
                    ("quality_control", "Quality control & guarantee"),
                    ("sale", "Sale"),
                    ("transport_storage", "Transport & storage"),
                    ("design", "Design"),
                    ("permit", "Permit"),
                    ("execution", "Execution (application)"),
                    ("monitoring", "Monitoring & evaluation"),
                    ("ownership_change", "Ownership change"),
                    ("custody_change", "Custody change"),
                    ("split", "Split"),
                    ("merge", "Merge"),
                    ("exit", "Exit (recycling, energy recovery or disposal)"),
                    ("correction", "Correction (reverses the last step)"),
                ],
                max_length=20,
                verbose_name="process step",
            ),
        ),
        migrations.AlterField(
            model_name="transferproposal",
            name="step",
            field=models.CharField(
                choices=[
                    ("identification", "Identification"),
                    ("inventory", "Inventory"),
                    ("dismantling", "Dismantling (harvest)"),
                    ("connection", "Connection (reservation for a next application)"),
                    ("sorting", "Selection & sorting"),
                    ("treatment", "Treatment & cleaning"),
                    ("quality_control", "Quality control & guarantee"),
                    ("sale", "Sale"),
                    ("transport_storage", "Transport & storage"),
                    ("design", "Design"),
                    ("permit", "Permit"),
                    ("execution", "Execution (application)"),
                    ("monitoring", "Monitoring & evaluation"),
                    ("ownership_change", "Ownership change"),
                    ("custody_change", "Custody change"),
                    ("split", "Split"),
                    ("merge", "Merge"),
                    ("exit", "Exit (recycling, energy recovery or disposal)"),
                    ("correction", "Correction (reverses the last step)"),
                ],
                max_length=20,
                verbose_name="step",
            ),
        ),
        migrations.RunPython(triggers_again, triggers_again, elidable=False),
    ]
