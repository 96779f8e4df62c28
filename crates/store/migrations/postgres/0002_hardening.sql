-- Hardening (issue 9). Keep in step with ../sqlite/0002_hardening.sql.

-- R-13: when a lockout row last moved, so that idle rows can be purged (a flood of unknown
-- identifiants must not grow the table without bound).
ALTER TABLE lockouts ADD COLUMN updated_at TIMESTAMPTZ;

-- R-13: sign-in attempts refused while an account is locked, counted per identifiant and
-- window; the first of a window is traced at once, the rest as one trace when the window
-- has closed.
CREATE TABLE lockout_refusals (
    identifiant  TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    refused      BIGINT NOT NULL,
    last_at      TIMESTAMPTZ NOT NULL,
    address      TEXT,
    PRIMARY KEY (identifiant, window_start)
);

-- R-20: a trace younger than the retention cannot be deleted, whoever asks. "Younger" is
-- measured against the newest trace (the service's clock, as written in the chain), so the
-- purge, which traces itself first, still works. The retention is the one the service runs
-- with, written to `meta` at start. Checked once per statement over the deleted rows.
CREATE FUNCTION traces_retention() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    newest TIMESTAMPTZ;
    retention INTEGER;
BEGIN
    SELECT GREATEST((SELECT MAX(at) FROM traces), (SELECT MAX(at) FROM deleted)) INTO newest;
    SELECT COALESCE((SELECT value::INTEGER FROM meta WHERE key = 'trace_retention_days'), 183)
        INTO retention;
    IF EXISTS (SELECT 1 FROM deleted WHERE at > newest - make_interval(days => retention)) THEN
        RAISE EXCEPTION 'traces younger than the retention cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER traces_retention AFTER DELETE ON traces
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION traces_retention();

-- TRUNCATE skips row triggers: refused outright (the purge deletes).
CREATE FUNCTION traces_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'traces cannot be truncated'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER traces_no_truncate BEFORE TRUNCATE ON traces
    FOR EACH STATEMENT EXECUTE FUNCTION traces_no_truncate();
