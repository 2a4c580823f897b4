"""The cluster's content version, kept by the database.

The cluster page caches what it draws from the cluster's members, contacts, sessions, phases,
experiments and monographs under (cluster, content_version). Triggers raise the version on every
write to those rows, whoever makes it (services, imports, the admin, a bulk update), so that a
cached rendering is never served once its content has changed. A BEFORE UPDATE trigger on the
cluster itself raises it on any update of the cluster row and ignores the value the application
writes, so that a stale instance saved later cannot lower it.

The triggers of the experiments' tables are in experiments migration 0007.
"""

from django.db import migrations, models

FUNCTIONS = """
CREATE FUNCTION clusters_cluster_next_version() RETURNS trigger AS $$
BEGIN
    NEW.content_version := OLD.content_version + 1;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER clusters_cluster_version BEFORE UPDATE ON clusters_cluster
    FOR EACH ROW EXECUTE FUNCTION clusters_cluster_next_version();

-- Rows with a cluster_id column.
CREATE FUNCTION clusters_touch_by_cluster() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE clusters_cluster SET content_version = content_version + 1 WHERE id = OLD.cluster_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE clusters_cluster SET content_version = content_version + 1 WHERE id = NEW.cluster_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Rows with a membership_id column.
CREATE FUNCTION clusters_touch_by_membership() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE clusters_cluster SET content_version = content_version + 1
         WHERE id = (SELECT cluster_id FROM clusters_membership WHERE id = OLD.membership_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE clusters_cluster SET content_version = content_version + 1
         WHERE id = (SELECT cluster_id FROM clusters_membership WHERE id = NEW.membership_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A registry row the cluster page shows (name, FINESS, category, sector, status, closure).
CREATE FUNCTION clusters_touch_by_establishment() RETURNS trigger AS $$
BEGIN
    UPDATE clusters_cluster SET content_version = content_version + 1
     WHERE id IN (SELECT cluster_id FROM clusters_membership WHERE establishment_id = NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER clusters_membership_version AFTER INSERT OR UPDATE OR DELETE
    ON clusters_membership FOR EACH ROW EXECUTE FUNCTION clusters_touch_by_cluster();
CREATE TRIGGER clusters_session_version AFTER INSERT OR UPDATE OR DELETE
    ON clusters_session FOR EACH ROW EXECUTE FUNCTION clusters_touch_by_cluster();
CREATE TRIGGER clusters_contact_version AFTER INSERT OR UPDATE OR DELETE
    ON clusters_delegationcontact FOR EACH ROW EXECUTE FUNCTION clusters_touch_by_membership();
CREATE TRIGGER clusters_phasechange_version AFTER INSERT OR UPDATE OR DELETE
    ON clusters_phasechange FOR EACH ROW EXECUTE FUNCTION clusters_touch_by_membership();
-- Only when a shown column changes: a FINESS import rewriting unchanged rows costs nothing.
CREATE TRIGGER clusters_establishment_version AFTER UPDATE ON establishments_establishment
    FOR EACH ROW WHEN (
        (OLD.short_name, OLD.finess, OLD.category_id, OLD.category_label, OLD.sector,
         OLD.legal_status, OLD.is_active, OLD.finess_closed_on)
        IS DISTINCT FROM
        (NEW.short_name, NEW.finess, NEW.category_id, NEW.category_label, NEW.sector,
         NEW.legal_status, NEW.is_active, NEW.finess_closed_on)
    ) EXECUTE FUNCTION clusters_touch_by_establishment();
"""

REVERSE = """
DROP TRIGGER IF EXISTS clusters_establishment_version ON establishments_establishment;
DROP TRIGGER IF EXISTS clusters_phasechange_version ON clusters_phasechange;
DROP TRIGGER IF EXISTS clusters_contact_version ON clusters_delegationcontact;
DROP TRIGGER IF EXISTS clusters_session_version ON clusters_session;
DROP TRIGGER IF EXISTS clusters_membership_version ON clusters_membership;
DROP TRIGGER IF EXISTS clusters_cluster_version ON clusters_cluster;
DROP FUNCTION IF EXISTS clusters_touch_by_establishment();
DROP FUNCTION IF EXISTS clusters_touch_by_membership();
DROP FUNCTION IF EXISTS clusters_touch_by_cluster();
DROP FUNCTION IF EXISTS clusters_cluster_next_version();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0009_session_calendar_and_convocations"),
        ("establishments", "0005_finess_closure_and_deactivation_threshold"),
    ]

    operations = [
        migrations.AddField(
            model_name="cluster",
            name="content_version",
            field=models.BigIntegerField(
                default=0, editable=False, verbose_name="version du contenu"
            ),
        ),
        migrations.RunSQL(FUNCTIONS, REVERSE),
    ]
