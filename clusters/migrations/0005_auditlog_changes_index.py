"""A GIN index on the audit log's changes, for the cluster page's history.

The history finds the entries of the cluster's delegation contacts by the membership recorded in
their changes (`changes @> {"membership": ["<id>"]}`): without this index PostgreSQL read
every audit log entry (480 ms at national scale, and the audit log only grows); with it, a few
index lookups (0.2 ms). The audit log's table belongs to django-auditlog, hence RunSQL here.
"""

from django.db import migrations

INDEX = "auditlog_changes_path_gin"


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0004_session_attachment"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry "
            "USING gin (changes jsonb_path_ops)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
