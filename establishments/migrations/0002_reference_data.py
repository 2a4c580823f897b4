from django.db import migrations

from establishments import reference_data


class Migration(migrations.Migration):
    dependencies = [("establishments", "0001_initial")]

    operations = [migrations.RunPython(reference_data.load, migrations.RunPython.noop)]
