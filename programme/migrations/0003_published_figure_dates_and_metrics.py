"""Published figures: a real date with its precision, a remark, the evaluation's own metrics.
`published_on` is filled by 0004, then required (0005), which drops the free-text date."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programme", "0002_published_figures_data")]

    operations = [
        migrations.AddField(
            model_name="publishedfigure",
            name="published_on",
            field=models.DateField(
                null=True,
                help_text="Pour une source datée seulement du mois ou de l'année, le premier jour.",
                verbose_name="date de publication",
            ),
        ),
        migrations.AddField(
            model_name="publishedfigure",
            name="date_precision",
            field=models.CharField(
                choices=[("day", "Jour"), ("month", "Mois"), ("year", "Année")],
                default="day",
                max_length=5,
                verbose_name="précision de la date",
            ),
        ),
        migrations.AddField(
            model_name="publishedfigure",
            name="note",
            field=models.TextField(
                blank=True,
                help_text="Par exemple : d'où vient la date, qui reprend le chiffre.",
                verbose_name="remarque",
            ),
        ),
        migrations.AlterField(
            model_name="publishedfigure",
            name="metric",
            field=models.CharField(
                choices=[
                    ("clusters", "Clusters"),
                    ("regions", "Régions"),
                    ("participations", "Participations d'établissements"),
                    ("establishments", "Établissements distincts"),
                    ("evaluated_establishments", "Établissements évalués"),
                    ("evaluated_regions", "Régions évaluées"),
                    ("interviews", "Entretiens"),
                    (
                        "interviews_establishments",
                        "Entretiens auprès des professionnels des établissements",
                    ),
                    ("interviews_regional", "Entretiens auprès des acteurs régionaux"),
                ],
                max_length=30,
                verbose_name="ce que compte le chiffre",
            ),
        ),
        migrations.AlterField(
            model_name="publishedfigure",
            name="source_url",
            field=models.URLField(blank=True, max_length=500, verbose_name="adresse de la source"),
        ),
    ]
