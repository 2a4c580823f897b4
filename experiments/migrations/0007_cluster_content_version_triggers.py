"""The cluster's content version (clusters migration 0010) also follows its experiments,
monographs and monograph steps, which the cluster page shows."""

from django.db import migrations

FUNCTIONS = """
CREATE TRIGGER experiments_experiment_version AFTER INSERT OR UPDATE OR DELETE
    ON experiments_experiment FOR EACH ROW EXECUTE FUNCTION clusters_touch_by_membership();
CREATE TRIGGER experiments_monograph_version AFTER INSERT OR UPDATE OR DELETE
    ON experiments_monograph FOR EACH ROW EXECUTE FUNCTION clusters_touch_by_membership();

-- Rows with a monograph_id column.
CREATE FUNCTION experiments_touch_by_monograph() RETURNS trigger AS $$
BEGIN
    UPDATE clusters_cluster SET content_version = content_version + 1
     WHERE id = (SELECT m.cluster_id FROM clusters_membership m
                   JOIN experiments_monograph g ON g.membership_id = m.id
                  WHERE g.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.monograph_id
                                    ELSE NEW.monograph_id END);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER experiments_transition_version AFTER INSERT OR UPDATE OR DELETE
    ON experiments_monographtransition FOR EACH ROW
    EXECUTE FUNCTION experiments_touch_by_monograph();
"""

REVERSE = """
DROP TRIGGER IF EXISTS experiments_transition_version ON experiments_monographtransition;
DROP FUNCTION IF EXISTS experiments_touch_by_monograph();
DROP TRIGGER IF EXISTS experiments_monograph_version ON experiments_monograph;
DROP TRIGGER IF EXISTS experiments_experiment_version ON experiments_experiment;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0010_cluster_content_version"),
        ("experiments", "0006_monograph_summary_unaccent_search"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS, REVERSE)]
