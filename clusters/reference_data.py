"""Loads the initial themes and session tools of clusters/data/ (migration 0003; idempotent)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def load(apps, schema_editor=None) -> None:
    for model_name, file_name in [("Theme", "themes.txt"), ("SessionTool", "session_tools.txt")]:
        model = apps.get_model("clusters", model_name)
        for line in (DATA_DIR / file_name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                model.objects.get_or_create(name=line.strip())
