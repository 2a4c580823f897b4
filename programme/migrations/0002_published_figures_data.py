"""The figures published about the programme's first waves (DOMAIN.md), stored as published."""

from django.db import migrations

HAS = "Actualité de la HAS sur les clusters sociaux QVT"
DGOS = "Page du ministère (DGOS) sur les clusters sociaux QVT"
HAS_DGOS = f"{HAS} ; {DGOS}"
EVALUATION = (
    "Évaluation des clusters sociaux QVT (C. Kornig, C. Massot, C. Revest, LEST/CRTD, "
    "rapport transversal publié par la HAS)"
)
UNDATED = "non précisée"

# (label, metric, wave code or "" for the total, value, text, source, date)
FIGURES = [
    ("Clusters (« projets »)", "clusters", "2016", 12, "", HAS_DGOS, UNDATED),
    ("Clusters (« projets »)", "clusters", "2017", 17, "", HAS_DGOS, UNDATED),
    ("Clusters (« projets »)", "clusters", "", 29, "", HAS_DGOS, UNDATED),
    ("Régions", "regions", "2016", 11, "", HAS, UNDATED),
    ("Régions", "regions", "2017", 13, "", HAS, UNDATED),
    ("Régions", "regions", "", None, "presque toutes les régions", HAS, UNDATED),
    ("Établissements", "participations", "2016", 80, "", HAS, UNDATED),
    ("Établissements", "participations", "2017", 110, "", HAS, UNDATED),
    ("Établissements", "participations", "", None, "près de 200", HAS, UNDATED),
    ("Établissements distincts", "establishments", "", 189, "", DGOS, UNDATED),
    ("Établissements (évaluation)", "participations", "2016", 79, "", EVALUATION, "2019"),
    ("Établissements (évaluation)", "participations", "2017", 85, "", EVALUATION, "2019"),
]


def add_figures(apps, schema_editor):
    PublishedFigure = apps.get_model("programme", "PublishedFigure")
    for position, (label, metric, wave, value, text, source, when) in enumerate(FIGURES):
        PublishedFigure.objects.get_or_create(
            label=label,
            wave_code=wave,
            source=source,
            defaults={
                "metric": metric,
                "value": value,
                "text": text,
                "published_when": when,
                "position": position,
            },
        )


def remove_figures(apps, schema_editor):
    PublishedFigure = apps.get_model("programme", "PublishedFigure")
    for label, _metric, wave, _value, _text, source, _when in FIGURES:
        PublishedFigure.objects.filter(label=label, wave_code=wave, source=source).delete()


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_published_figures")]

    operations = [migrations.RunPython(add_figures, remove_figures)]
