from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    for model_name, file_name in [("Theme", "themes.txt"), ("SessionTool", "session_tools.txt")]:
        model = apps.get_model("clusters", model_name)
        for line in (DATA_DIR / file_name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                model.objects.get_or_create(name=line.strip())


class Migration(migrations.Migration):
    dependencies = [("clusters", "0002_membership_rules")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
