# FinessImport becomes a core.models.Job: created_by is renamed requested_by.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('establishments', '0003_finess_import'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='finessimport',
            name='finess_import_progress_0_100',
        ),
        migrations.RenameField(
            model_name='finessimport',
            old_name='created_by',
            new_name='requested_by',
        ),
        migrations.AddField(
            model_name='finessimport',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='tentatives'),
        ),
        migrations.AddField(
            model_name='finessimport',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='pris en charge le'),
        ),
        migrations.AddField(
            model_name='finessimport',
            name='enqueue_failed',
            field=models.BooleanField(default=False, verbose_name='file de tâches indisponible'),
        ),
        migrations.AddField(
            model_name='finessimport',
            name='error',
            field=models.TextField(blank=True, verbose_name='erreur'),
        ),
        migrations.AddField(
            model_name='finessimport',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='signe de vie'),
        ),
        migrations.AddField(
            model_name='finessimport',
            name='progress_message',
            field=models.CharField(blank=True, max_length=200, verbose_name='étape en cours'),
        ),
        migrations.AlterField(
            model_name='finessimport',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='demandé par'),
        ),
        migrations.AddField(
            model_name='finessimport',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='envoyé le'),
        ),
        migrations.AlterField(
            model_name='finessimport',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandé le'),
        ),
        # A failure's reason now lives in `error`, as for every job.
        migrations.RunSQL(
            "UPDATE establishments_finessimport SET error = message, message = '' "
            "WHERE status = 'failed'",
            reverse_sql="UPDATE establishments_finessimport SET message = error "
            "WHERE status = 'failed'",
        ),
        migrations.AddIndex(
            model_name='finessimport',
            index=models.Index(fields=['status', 'heartbeat_at'], name='finessimport_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='finessimport',
            constraint=models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='establishments_finessimport_progress_0_100'),
        ),
    ]
