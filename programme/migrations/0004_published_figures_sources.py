"""The published figures with their sources set right (the seeds of DOMAIN.md), a date on each,
and the 2019 evaluation's own figures (establishments and regions studied, interviews and their
split). Rows of 0002 are matched on (label, wave, metric) and corrected; the others are added.

Attributions, as the sources read: the HAS news gives the per-wave figures (clusters, regions,
establishments) but no total; the DGOS page gives 29 clusters, 189 distinct establishments and
"quasiment toutes les régions"; "près de 200" is RSE Magazine's sum (26/09/2017)."""

import datetime
import re

from django.db import migrations

HAS = "Actualité de la HAS sur le séminaire national du 11 septembre 2017"
HAS_NOTE = (
    "Non datée dans la copie conservée : elle relate le séminaire du 11 septembre 2017. "
    "Chiffres repris par RSE Magazine le 26/09/2017."
)
DGOS = "Page du ministère (DGOS) « Prendre soin de ceux qui soignent »"
DGOS_NOTE = (
    "Non datée dans la copie conservée : elle évoque la journée nationale « du 11 septembre "
    "dernier » (2017)."
)
RSE = "RSE Magazine, « Etablissements de santé : vers une amélioration de la qualité de vie au travail ? »"
RSE_NOTE = "Total que l'article tire de 80 + 110 établissements ; la HAS ne le publie pas."
EVALUATION = (
    "Évaluation des clusters sociaux qualité de vie au travail dans les établissements "
    "sanitaires et médico-sociaux (C. Kornig, C. Massot, C. Revest, LEST/CRTD, rapport "
    "transversal pour la HAS)"
)
EVALUATION_URL = "https://hal.science/hal-02284901"
EVALUATION_NOTE = "Rapport de recherche de 2019, déposé dans HAL (hal-02284901) le 21/04/2021."

YEAR_2017 = (datetime.date(2017, 1, 1), "year")
YEAR_2019 = (datetime.date(2019, 1, 1), "year")
RSE_DAY = (datetime.date(2017, 9, 26), "day")

# (label, metric, wave code or "" for the total, value, text, source, url, date, note)
FIGURES = [
    ("Clusters (« projets »)", "clusters", "2016", 12, "", HAS, "", YEAR_2017, HAS_NOTE),
    ("Clusters (« projets »)", "clusters", "2017", 17, "", HAS, "", YEAR_2017, HAS_NOTE),
    ("Clusters (« projets »)", "clusters", "", 29, "", DGOS, "", YEAR_2017, DGOS_NOTE),
    ("Régions", "regions", "2016", 11, "", HAS, "", YEAR_2017, HAS_NOTE),
    ("Régions", "regions", "2017", 13, "", HAS, "", YEAR_2017, HAS_NOTE),
    (
        "Régions",
        "regions",
        "",
        None,
        "quasiment toutes les régions",
        DGOS,
        "",
        YEAR_2017,
        DGOS_NOTE,
    ),
    ("Établissements", "participations", "2016", 80, "", HAS, "", YEAR_2017, HAS_NOTE),
    ("Établissements", "participations", "2017", 110, "", HAS, "", YEAR_2017, HAS_NOTE),
    ("Établissements", "participations", "", None, "près de 200", RSE, "", RSE_DAY, RSE_NOTE),
    ("Établissements distincts", "establishments", "", 189, "", DGOS, "", YEAR_2017, DGOS_NOTE),
    (
        "Établissements (évaluation)",
        "participations",
        "2016",
        79,
        "",
        EVALUATION,
        EVALUATION_URL,
        YEAR_2019,
        EVALUATION_NOTE,
    ),
    (
        "Établissements (évaluation)",
        "participations",
        "2017",
        85,
        "",
        EVALUATION,
        EVALUATION_URL,
        YEAR_2019,
        EVALUATION_NOTE,
    ),
    (
        "Établissements étudiés par l'évaluation",
        "evaluated_establishments",
        "",
        10,
        "",
        EVALUATION,
        EVALUATION_URL,
        YEAR_2019,
        EVALUATION_NOTE,
    ),
    (
        "Régions étudiées par l'évaluation",
        "evaluated_regions",
        "",
        5,
        "",
        EVALUATION,
        EVALUATION_URL,
        YEAR_2019,
        EVALUATION_NOTE,
    ),
    (
        "Entretiens semi-directifs de l'évaluation",
        "interviews",
        "",
        170,
        "",
        EVALUATION,
        EVALUATION_URL,
        YEAR_2019,
        EVALUATION_NOTE,
    ),
    (
        "dont auprès des professionnels des établissements",
        "interviews_establishments",
        "",
        139,
        "",
        EVALUATION,
        EVALUATION_URL,
        YEAR_2019,
        EVALUATION_NOTE,
    ),
    (
        "dont auprès des acteurs régionaux",
        "interviews_regional",
        "",
        31,
        "",
        EVALUATION,
        EVALUATION_URL,
        YEAR_2019,
        EVALUATION_NOTE,
    ),
]

# 0002 wrote « presque toutes les régions »; the DGOS page reads « Quasiment toutes les régions ».
MISQUOTED = {"presque toutes les régions": "quasiment toutes les régions"}


def correct_figures(apps, schema_editor):
    PublishedFigure = apps.get_model("programme", "PublishedFigure")
    for position, (label, metric, wave, value, text, source, url, date, note) in enumerate(
        FIGURES
    ):
        published_on, precision = date
        figure = PublishedFigure.objects.filter(
            label=label, wave_code=wave, metric=metric
        ).first()
        if figure is None:
            figure = PublishedFigure(
                label=label, wave_code=wave, metric=metric, value=value, text=text
            )
        elif figure.text in MISQUOTED:
            figure.text = MISQUOTED[figure.text]
        figure.source = source
        figure.source_url = figure.source_url or url
        figure.published_on = published_on
        figure.date_precision = precision
        figure.note = figure.note or note
        figure.position = position
        figure.save()
    # Figures added by hand since 0002: a year read from their free-text date, else to complete.
    for figure in PublishedFigure.objects.filter(published_on__isnull=True):
        year = re.search(r"\b(1[89]|20)\d\d\b", figure.published_when)
        if year:
            figure.published_on = datetime.date(int(year.group()), 1, 1)
        else:
            figure.published_on = datetime.date.today()
            figure.note = f"Date à vérifier (ancienne mention : « {figure.published_when} »)."
        figure.date_precision = "year"
        figure.save()


def restore_free_text_dates(apps, schema_editor):
    PublishedFigure = apps.get_model("programme", "PublishedFigure")
    for figure in PublishedFigure.objects.all():
        figure.published_when = str(figure.published_on.year)
        figure.save()
    added = [(label, wave) for label, _m, wave, *_rest in FIGURES[12:]]
    for label, wave in added:
        PublishedFigure.objects.filter(label=label, wave_code=wave).delete()


class Migration(migrations.Migration):
    dependencies = [("programme", "0003_published_figure_dates_and_metrics")]

    operations = [migrations.RunPython(correct_figures, restore_free_text_dates)]
