"""What a step cost and brought in (issue #18: the example-project report sums them):
optional, never negative. Adding check constraints makes SQLite rebuild the events table,
which drops its append-only triggers: they are installed again (lots/history.py; on
PostgreSQL this recreates them unchanged)."""

from django.db import migrations, models

from urbanmine.lots import history


def triggers_again(apps, schema_editor):
    history.remove(apps, schema_editor)
    history.install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("lots", "0012_asking_price")]

    operations = [
        migrations.AddField(
            model_name="lifecycleevent",
            name="cost_eur",
            field=models.DecimalField(
                blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="cost (EUR)"
            ),
        ),
        migrations.AddField(
            model_name="lifecycleevent",
            name="revenue_eur",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=14,
                null=True,
                verbose_name="revenue (EUR)",
            ),
        ),
        migrations.AddConstraint(
            model_name="lifecycleevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("cost_eur__isnull", True), ("cost_eur__gte", 0), _connector="OR"),
                name="event_cost_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="lifecycleevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("revenue_eur__isnull", True), ("revenue_eur__gte", 0), _connector="OR"
                ),
                name="event_revenue_not_negative",
            ),
        ),
        migrations.RunPython(triggers_again, triggers_again, elidable=False),
    ]
