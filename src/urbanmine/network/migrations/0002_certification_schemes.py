from django.db import migrations


def seed(apps, schema_editor):
    from urbanmine.network.schemes import certification_schemes_ensure

    certification_schemes_ensure(apps.get_model("network", "CertificationScheme"))


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
