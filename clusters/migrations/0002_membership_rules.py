"""Membership rules kept by the database, so that concurrent requests cannot break them.

Before a membership row is written, the trigger locks its cluster row (two requests adding
members to one cluster run one after the other), copies the cluster's wave onto the row, refuses
an establishment of another region and refuses a ninth active member.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION clusters_membership_rules() RETURNS trigger AS $$
DECLARE
    cluster_region bigint;
    cluster_wave bigint;
    establishment_region bigint;
    active_count integer;
BEGIN
    SELECT region_id, wave_id INTO cluster_region, cluster_wave
      FROM clusters_cluster WHERE id = NEW.cluster_id FOR NO KEY UPDATE;
    NEW.wave_id := cluster_wave;

    SELECT region_id INTO establishment_region
      FROM establishments_establishment WHERE id = NEW.establishment_id;
    IF establishment_region IS DISTINCT FROM cluster_region THEN
        RAISE EXCEPTION 'membership_region: establishment % is not in the region of cluster %',
            NEW.establishment_id, NEW.cluster_id USING ERRCODE = 'check_violation';
    END IF;

    IF NEW.withdrawn_on IS NULL THEN
        SELECT count(*) INTO active_count FROM clusters_membership
         WHERE cluster_id = NEW.cluster_id AND withdrawn_on IS NULL AND id IS DISTINCT FROM NEW.id;
        IF active_count >= 8 THEN
            RAISE EXCEPTION 'membership_max: cluster % already has 8 active members',
                NEW.cluster_id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER clusters_membership_rules
    BEFORE INSERT OR UPDATE OF cluster_id, establishment_id, withdrawn_on
    ON clusters_membership FOR EACH ROW EXECUTE FUNCTION clusters_membership_rules();
"""

REVERSE = """
DROP TRIGGER IF EXISTS clusters_membership_rules ON clusters_membership;
DROP FUNCTION IF EXISTS clusters_membership_rules();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0001_initial"),
        ("establishments", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FUNCTION, REVERSE)]
