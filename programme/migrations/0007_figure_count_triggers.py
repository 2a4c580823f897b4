"""The programme's figures, counted by the database as rows are written (models FigureCount and
FigurePresence say what the rows hold).

Whoever writes (services, imports, the admin, COPY), triggers move the counts:
- a cluster inserted, deleted, or changing status, region or wave: its own counts, its themes,
  its non-draft sessions, and all of its memberships with their experiments;
- a membership, a cluster's theme, a session, an experiment: its own counts;
- a registry row changing sector, legal status or category: its memberships under the old keys,
  then under the new ones.
Each change is taken off with the old values (sign -1) and put back with the new ones (+1), by
the same functions, so there is one definition of what a row counts for.
`programme_recount_figures()` rebuilds every count from the rows (this migration runs it; a
test checks that the triggers always agree with it).
"""

from django.db import migrations

FUNCTIONS = """
-- Adds to one counter row (region, wave or NULL for every wave, dimension, key, label).
CREATE FUNCTION programme_bump(
    p_region bigint, p_wave bigint, p_dimension text, p_key text, p_label text,
    p_clusters integer, p_participations integer, p_establishments integer,
    p_experiments integer, p_sessions integer
) RETURNS void AS $$
    INSERT INTO programme_figurecount AS c (region_id, wave_id, dimension, key, label, clusters,
        participations, establishments, experiments, sessions)
    VALUES (p_region, p_wave, p_dimension, p_key, p_label, p_clusters, p_participations,
        p_establishments, p_experiments, p_sessions)
    ON CONFLICT (dimension, wave_id, region_id, key, label) DO UPDATE SET
        clusters = c.clusters + EXCLUDED.clusters,
        participations = c.participations + EXCLUDED.participations,
        establishments = c.establishments + EXCLUDED.establishments,
        experiments = c.experiments + EXCLUDED.experiments,
        sessions = c.sessions + EXCLUDED.sessions;
$$ LANGUAGE sql;

-- Adds p_sign memberships to an item's presence under a key: returns 1 when the item appears
-- (0 -> 1), -1 when it goes (1 -> 0), else 0, the change of the distinct count.
CREATE FUNCTION programme_presence(
    p_region bigint, p_wave bigint, p_dimension text, p_key text, p_label text, p_item bigint,
    p_sign integer
) RETURNS integer AS $$
DECLARE
    row_id bigint;
    remaining integer;
BEGIN
    INSERT INTO programme_figurepresence AS p (region_id, wave_id, dimension, key, label, item,
        memberships)
    VALUES (p_region, p_wave, p_dimension, p_key, p_label, p_item, p_sign)
    ON CONFLICT (region_id, wave_id, dimension, key, label, item)
        DO UPDATE SET memberships = p.memberships + EXCLUDED.memberships
    RETURNING id, memberships INTO row_id, remaining;
    IF remaining = 0 THEN
        DELETE FROM programme_figurepresence WHERE id = row_id;
        RETURN -1;
    END IF;
    RETURN CASE WHEN remaining = 1 AND p_sign = 1 THEN 1 ELSE 0 END;
END;
$$ LANGUAGE plpgsql;

-- What one membership counts for (Membership.objects.counted(): not in a draft cluster), under
-- the cluster's and the registry's values given.
CREATE FUNCTION programme_count_membership(
    p_membership bigint, p_cluster bigint, p_region bigint, p_status text, p_wave bigint,
    p_establishment bigint, p_phase text, p_sector text, p_legal_status text,
    p_category_code text, p_category_label text, p_sign integer
) RETURNS void AS $$
DECLARE
    scope bigint;
    appeared integer;
    theme record;
    experiment record;
BEGIN
    IF p_status = 'brouillon' THEN
        RETURN;
    END IF;
    FOREACH scope IN ARRAY ARRAY[p_wave, NULL] LOOP
        appeared := programme_presence(p_region, scope, 'establishment', '', '', p_establishment,
            p_sign);
        PERFORM programme_bump(p_region, scope, 'total', '', '', 0, p_sign, appeared, 0, 0);
        PERFORM programme_bump(p_region, scope, 'status', p_status, '', 0, p_sign, 0, 0, 0);
        PERFORM programme_bump(p_region, scope, 'phase', p_phase, '', 0, p_sign, 0, 0, 0);
        PERFORM programme_bump(p_region, scope, 'sector', p_sector, '',
            programme_presence(p_region, scope, 'sector', p_sector, '', p_cluster, p_sign),
            p_sign, appeared, 0, 0);
        PERFORM programme_bump(p_region, scope, 'legal_status', p_legal_status, '',
            programme_presence(p_region, scope, 'legal_status', p_legal_status, '', p_cluster,
                p_sign),
            p_sign, appeared, 0, 0);
        PERFORM programme_bump(p_region, scope, 'category', p_category_code, p_category_label,
            programme_presence(p_region, scope, 'category', p_category_code, p_category_label,
                p_cluster, p_sign),
            p_sign, appeared, 0, 0);
        FOR theme IN
            SELECT theme_id FROM clusters_cluster_themes WHERE cluster_id = p_cluster
             ORDER BY theme_id
        LOOP
            PERFORM programme_bump(p_region, scope, 'theme', theme.theme_id::text, '', 0, p_sign,
                0, 0, 0);
        END LOOP;
        FOR experiment IN
            SELECT status, count(*)::integer AS n FROM experiments_experiment
             WHERE membership_id = p_membership GROUP BY status ORDER BY status
        LOOP
            PERFORM programme_bump(p_region, scope, 'total', '', '', 0, 0, 0,
                p_sign * experiment.n, 0);
            PERFORM programme_bump(p_region, scope, 'experiment_status', experiment.status, '',
                0, 0, 0, p_sign * experiment.n, 0);
        END LOOP;
    END LOOP;
END;
$$ LANGUAGE plpgsql;

-- A membership row, under its cluster's and establishment's current values.
CREATE FUNCTION programme_count_membership_row(m clusters_membership, p_sign integer)
RETURNS void AS $$
DECLARE
    c record;
    e record;
BEGIN
    SELECT region_id, status INTO c FROM clusters_cluster WHERE id = m.cluster_id;
    IF NOT FOUND THEN  -- the cluster went first and took its memberships' counts with it
        RETURN;
    END IF;
    SELECT sector, legal_status, category_code, category_label INTO e
      FROM establishments_establishment WHERE id = m.establishment_id;
    PERFORM programme_count_membership(m.id, m.cluster_id, c.region_id, c.status, m.wave_id,
        m.establishment_id, m.phase, e.sector, e.legal_status, e.category_code,
        e.category_label, p_sign);
END;
$$ LANGUAGE plpgsql;

-- Everything a cluster counts for under the values given: itself (Cluster.objects.counted()),
-- its themes, its non-draft sessions (counted whatever its status), its memberships.
CREATE FUNCTION programme_count_cluster(
    p_cluster bigint, p_region bigint, p_wave bigint, p_status text, p_sign integer
) RETURNS void AS $$
DECLARE
    scope bigint;
    sessions integer;
    theme record;
    m record;
BEGIN
    SELECT count(*) INTO sessions FROM clusters_session
     WHERE cluster_id = p_cluster AND NOT is_draft;
    FOREACH scope IN ARRAY ARRAY[p_wave, NULL] LOOP
        IF sessions > 0 THEN
            PERFORM programme_bump(p_region, scope, 'total', '', '', 0, 0, 0, 0,
                p_sign * sessions);
        END IF;
        CONTINUE WHEN p_status = 'brouillon';
        PERFORM programme_bump(p_region, scope, 'total', '', '', p_sign, 0, 0, 0, 0);
        PERFORM programme_bump(p_region, scope, 'status', p_status, '', p_sign, 0, 0, 0, 0);
        FOR theme IN
            SELECT theme_id FROM clusters_cluster_themes WHERE cluster_id = p_cluster
             ORDER BY theme_id
        LOOP
            PERFORM programme_bump(p_region, scope, 'theme', theme.theme_id::text, '', p_sign,
                0, 0, 0, 0);
        END LOOP;
    END LOOP;
    FOR m IN
        SELECT mm.id, mm.wave_id, mm.establishment_id, mm.phase, e.sector, e.legal_status,
               e.category_code, e.category_label
          FROM clusters_membership mm
          JOIN establishments_establishment e ON e.id = mm.establishment_id
         WHERE mm.cluster_id = p_cluster ORDER BY mm.id
    LOOP
        PERFORM programme_count_membership(m.id, p_cluster, p_region, p_status, m.wave_id,
            m.establishment_id, m.phase, m.sector, m.legal_status, m.category_code,
            m.category_label, p_sign);
    END LOOP;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION programme_recount_figures() RETURNS void AS $$
DECLARE
    c record;
BEGIN
    DELETE FROM programme_figurepresence;
    DELETE FROM programme_figurecount;
    FOR c IN SELECT id, region_id, wave_id, status FROM clusters_cluster ORDER BY id LOOP
        PERFORM programme_count_cluster(c.id, c.region_id, c.wave_id, c.status, 1);
    END LOOP;
END;
$$ LANGUAGE plpgsql;

-- Triggers: the old row taken off, the new one put back.

CREATE FUNCTION programme_count_cluster_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM programme_count_cluster(OLD.id, OLD.region_id, OLD.wave_id, OLD.status, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM programme_count_cluster(NEW.id, NEW.region_id, NEW.wave_id, NEW.status, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER programme_count_cluster AFTER INSERT OR DELETE ON clusters_cluster
    FOR EACH ROW EXECUTE FUNCTION programme_count_cluster_change();
CREATE TRIGGER programme_recount_cluster AFTER UPDATE OF status, region_id, wave_id
    ON clusters_cluster FOR EACH ROW
    WHEN ((OLD.status, OLD.region_id, OLD.wave_id) IS DISTINCT FROM
          (NEW.status, NEW.region_id, NEW.wave_id))
    EXECUTE FUNCTION programme_count_cluster_change();

CREATE FUNCTION programme_count_membership_change() RETURNS trigger AS $$
DECLARE
    c record;
    scope bigint;
BEGIN
    -- A phase reached, the most frequent change: only the phase counts move.
    IF TG_OP = 'UPDATE' AND (OLD.cluster_id, OLD.establishment_id, OLD.wave_id)
                          = (NEW.cluster_id, NEW.establishment_id, NEW.wave_id) THEN
        SELECT region_id, status INTO c FROM clusters_cluster WHERE id = NEW.cluster_id;
        IF FOUND AND c.status <> 'brouillon' THEN
            FOREACH scope IN ARRAY ARRAY[NEW.wave_id, NULL] LOOP
                PERFORM programme_bump(c.region_id, scope, 'phase', OLD.phase, '', 0, -1, 0, 0, 0);
                PERFORM programme_bump(c.region_id, scope, 'phase', NEW.phase, '', 0, 1, 0, 0, 0);
            END LOOP;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM programme_count_membership_row(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM programme_count_membership_row(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER programme_count_membership AFTER INSERT OR DELETE ON clusters_membership
    FOR EACH ROW EXECUTE FUNCTION programme_count_membership_change();
CREATE TRIGGER programme_recount_membership
    AFTER UPDATE OF cluster_id, establishment_id, wave_id, phase ON clusters_membership
    FOR EACH ROW
    WHEN ((OLD.cluster_id, OLD.establishment_id, OLD.wave_id, OLD.phase) IS DISTINCT FROM
          (NEW.cluster_id, NEW.establishment_id, NEW.wave_id, NEW.phase))
    EXECUTE FUNCTION programme_count_membership_change();

-- A theme given to a counted cluster or taken from it (Django never updates these rows).
CREATE FUNCTION programme_count_cluster_theme() RETURNS trigger AS $$
DECLARE
    link record;
    sign integer;
    c record;
    scope bigint;
    members record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        link := NEW;
        sign := 1;
    ELSE
        link := OLD;
        sign := -1;
    END IF;
    SELECT region_id, wave_id, status INTO c FROM clusters_cluster WHERE id = link.cluster_id;
    IF NOT FOUND OR c.status = 'brouillon' THEN
        RETURN NULL;
    END IF;
    FOREACH scope IN ARRAY ARRAY[c.wave_id, NULL] LOOP
        PERFORM programme_bump(c.region_id, scope, 'theme', link.theme_id::text, '', sign, 0,
            0, 0, 0);
    END LOOP;
    FOR members IN
        SELECT wave_id, count(*)::integer AS n FROM clusters_membership
         WHERE cluster_id = link.cluster_id GROUP BY wave_id
    LOOP
        FOREACH scope IN ARRAY ARRAY[members.wave_id, NULL] LOOP
            PERFORM programme_bump(c.region_id, scope, 'theme', link.theme_id::text, '', 0,
                sign * members.n, 0, 0, 0);
        END LOOP;
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER programme_count_cluster_theme AFTER INSERT OR DELETE ON clusters_cluster_themes
    FOR EACH ROW EXECUTE FUNCTION programme_count_cluster_theme();

-- A non-draft session, whatever its cluster's status (the figures count sessions so).
CREATE FUNCTION programme_count_session(p_cluster bigint, p_sign integer) RETURNS void AS $$
DECLARE
    c record;
    scope bigint;
BEGIN
    SELECT region_id, wave_id INTO c FROM clusters_cluster WHERE id = p_cluster;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    FOREACH scope IN ARRAY ARRAY[c.wave_id, NULL] LOOP
        PERFORM programme_bump(c.region_id, scope, 'total', '', '', 0, 0, 0, 0, p_sign);
    END LOOP;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION programme_count_session_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND NOT OLD.is_draft THEN
        PERFORM programme_count_session(OLD.cluster_id, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NOT NEW.is_draft THEN
        PERFORM programme_count_session(NEW.cluster_id, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER programme_count_session AFTER INSERT OR DELETE ON clusters_session
    FOR EACH ROW EXECUTE FUNCTION programme_count_session_change();
CREATE TRIGGER programme_recount_session AFTER UPDATE OF cluster_id, is_draft
    ON clusters_session FOR EACH ROW
    WHEN ((OLD.cluster_id, OLD.is_draft) IS DISTINCT FROM (NEW.cluster_id, NEW.is_draft))
    EXECUTE FUNCTION programme_count_session_change();

-- An experiment of a counted membership.
CREATE FUNCTION programme_count_experiment(p_membership bigint, p_status text, p_sign integer)
RETURNS void AS $$
DECLARE
    m record;
    scope bigint;
BEGIN
    SELECT c.region_id, c.status, mm.wave_id INTO m
      FROM clusters_membership mm JOIN clusters_cluster c ON c.id = mm.cluster_id
     WHERE mm.id = p_membership;
    IF NOT FOUND OR m.status = 'brouillon' THEN
        RETURN;
    END IF;
    FOREACH scope IN ARRAY ARRAY[m.wave_id, NULL] LOOP
        PERFORM programme_bump(m.region_id, scope, 'total', '', '', 0, 0, 0, p_sign, 0);
        PERFORM programme_bump(m.region_id, scope, 'experiment_status', p_status, '', 0, 0, 0,
            p_sign, 0);
    END LOOP;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION programme_count_experiment_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM programme_count_experiment(OLD.membership_id, OLD.status, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM programme_count_experiment(NEW.membership_id, NEW.status, 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER programme_count_experiment AFTER INSERT OR DELETE ON experiments_experiment
    FOR EACH ROW EXECUTE FUNCTION programme_count_experiment_change();
CREATE TRIGGER programme_recount_experiment AFTER UPDATE OF membership_id, status
    ON experiments_experiment FOR EACH ROW
    WHEN ((OLD.membership_id, OLD.status) IS DISTINCT FROM (NEW.membership_id, NEW.status))
    EXECUTE FUNCTION programme_count_experiment_change();

-- A registry row changing keys: every membership taken off under the old keys before any is
-- put back (the distinct counts move only when the last membership goes).
CREATE FUNCTION programme_recount_establishment() RETURNS trigger AS $$
DECLARE
    m record;
    sign integer;
    e record;
BEGIN
    FOREACH sign IN ARRAY ARRAY[-1, 1] LOOP
        IF sign = -1 THEN
            e := OLD;
        ELSE
            e := NEW;
        END IF;
        FOR m IN
            SELECT mm.id, mm.cluster_id, mm.wave_id, mm.phase, c.region_id, c.status
              FROM clusters_membership mm JOIN clusters_cluster c ON c.id = mm.cluster_id
             WHERE mm.establishment_id = NEW.id ORDER BY mm.id
        LOOP
            PERFORM programme_count_membership(m.id, m.cluster_id, m.region_id, m.status,
                m.wave_id, NEW.id, m.phase, e.sector, e.legal_status, e.category_code,
                e.category_label, sign);
        END LOOP;
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER programme_recount_establishment
    AFTER UPDATE OF sector, legal_status, category_code, category_label
    ON establishments_establishment FOR EACH ROW
    WHEN ((OLD.sector, OLD.legal_status, OLD.category_code, OLD.category_label) IS DISTINCT FROM
          (NEW.sector, NEW.legal_status, NEW.category_code, NEW.category_label))
    EXECUTE FUNCTION programme_recount_establishment();

SELECT programme_recount_figures();
"""

REVERSE = """
DROP TRIGGER IF EXISTS programme_recount_establishment ON establishments_establishment;
DROP TRIGGER IF EXISTS programme_recount_experiment ON experiments_experiment;
DROP TRIGGER IF EXISTS programme_count_experiment ON experiments_experiment;
DROP TRIGGER IF EXISTS programme_recount_session ON clusters_session;
DROP TRIGGER IF EXISTS programme_count_session ON clusters_session;
DROP TRIGGER IF EXISTS programme_count_cluster_theme ON clusters_cluster_themes;
DROP TRIGGER IF EXISTS programme_recount_membership ON clusters_membership;
DROP TRIGGER IF EXISTS programme_count_membership ON clusters_membership;
DROP TRIGGER IF EXISTS programme_recount_cluster ON clusters_cluster;
DROP TRIGGER IF EXISTS programme_count_cluster ON clusters_cluster;
DROP FUNCTION IF EXISTS programme_recount_establishment();
DROP FUNCTION IF EXISTS programme_count_experiment_change();
DROP FUNCTION IF EXISTS programme_count_experiment(bigint, text, integer);
DROP FUNCTION IF EXISTS programme_count_session_change();
DROP FUNCTION IF EXISTS programme_count_session(bigint, integer);
DROP FUNCTION IF EXISTS programme_count_cluster_theme();
DROP FUNCTION IF EXISTS programme_count_membership_change();
DROP FUNCTION IF EXISTS programme_count_cluster_change();
DROP FUNCTION IF EXISTS programme_recount_figures();
DROP FUNCTION IF EXISTS programme_count_cluster(bigint, bigint, bigint, text, integer);
DROP FUNCTION IF EXISTS programme_count_membership_row(clusters_membership, integer);
DROP FUNCTION IF EXISTS programme_count_membership(bigint, bigint, bigint, text, bigint, bigint,
    text, text, text, text, text, integer);
DROP FUNCTION IF EXISTS programme_presence(bigint, bigint, text, text, text, bigint, integer);
DROP FUNCTION IF EXISTS programme_bump(bigint, bigint, text, text, text, integer, integer,
    integer, integer, integer);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0006_figure_counts"),
        ("experiments", "0007_cluster_content_version_triggers"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS, REVERSE)]
