from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programme", "0004_published_figures_sources")]

    operations = [
        # A default first, so that going back re-creates the column on existing rows (0004's
        # reverse then fills it).
        migrations.AlterField(
            model_name="publishedfigure",
            name="published_when",
            field=models.CharField(blank=True, default="", max_length=50),
        ),
        migrations.RemoveField(model_name="publishedfigure", name="published_when"),
        migrations.AlterField(
            model_name="publishedfigure",
            name="published_on",
            field=models.DateField(
                help_text="Pour une source datée seulement du mois ou de l'année, le premier jour.",
                verbose_name="date de publication",
            ),
        ),
    ]
