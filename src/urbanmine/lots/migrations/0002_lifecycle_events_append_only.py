"""Database triggers refuse UPDATE and DELETE on lifecycle events (see lots/history.py)."""

from django.db import migrations

from urbanmine.lots import history


class Migration(migrations.Migration):
    dependencies = [("lots", "0001_initial")]

    operations = [migrations.RunPython(history.install, history.remove, elidable=False)]
