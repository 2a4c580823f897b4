# ReportJob becomes a core.models.Job: requested_at is renamed created_at.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clusters', '0005_auditlog_changes_index'),
        ('establishments', '0004_finess_import_is_a_job'),
        ('reports', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='reportjob',
            name='report_job_progress_is_percent',
        ),
        migrations.RemoveIndex(
            model_name='reportjob',
            name='reports_rep_status_bb7b94_idx',
        ),
        migrations.RenameField(
            model_name='reportjob',
            old_name='requested_at',
            new_name='created_at',
        ),
        migrations.AddField(
            model_name='reportjob',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='pris en charge le'),
        ),
        migrations.AlterField(
            model_name='reportjob',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandé le'),
        ),
        migrations.AddField(
            model_name='reportjob',
            name='enqueue_failed',
            field=models.BooleanField(default=False, verbose_name='file de tâches indisponible'),
        ),
        migrations.AddField(
            model_name='reportjob',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='signe de vie'),
        ),
        migrations.AddField(
            model_name='reportjob',
            name='progress_message',
            field=models.CharField(blank=True, max_length=200, verbose_name='étape en cours'),
        ),
        migrations.AlterField(
            model_name='reportjob',
            name='progress',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='avancement (%)'),
        ),
        migrations.AlterField(
            model_name='reportjob',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='demandé par'),
        ),
        migrations.AlterField(
            model_name='reportjob',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='démarré le'),
        ),
        migrations.AlterField(
            model_name='reportjob',
            name='status',
            field=models.CharField(choices=[('pending', 'En attente'), ('running', 'En cours'), ('done', 'Terminé'), ('failed', 'Échec')], default='pending', max_length=16, verbose_name='état'),
        ),
        migrations.AlterModelOptions(
            name='reportjob',
            options={'ordering': ['-created_at'], 'verbose_name': 'rapport'},
        ),
        migrations.AddIndex(
            model_name='reportjob',
            index=models.Index(fields=['status', 'heartbeat_at'], name='reportjob_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='reportjob',
            constraint=models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='reports_reportjob_progress_0_100'),
        ),
    ]
