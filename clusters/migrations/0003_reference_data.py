from django.db import migrations

from clusters import reference_data


class Migration(migrations.Migration):
    dependencies = [("clusters", "0002_membership_rules")]

    operations = [migrations.RunPython(reference_data.load, migrations.RunPython.noop)]
