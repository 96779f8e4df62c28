-- Hardening (issue 9). Keep in step with ../postgres/0002_hardening.sql.

-- R-13: when a lockout row last moved, so that idle rows can be purged (a flood of unknown
-- identifiants must not grow the table without bound).
ALTER TABLE lockouts ADD COLUMN updated_at TEXT;

-- R-13: sign-in attempts refused while an account is locked, counted per identifiant and
-- window; the first of a window is traced at once, the rest as one trace when the window
-- has closed.
CREATE TABLE lockout_refusals (
    identifiant  TEXT NOT NULL,
    window_start TEXT NOT NULL,
    refused      INTEGER NOT NULL,
    last_at      TEXT NOT NULL,
    address      TEXT,
    PRIMARY KEY (identifiant, window_start)
);

-- R-20: a trace younger than the retention cannot be deleted, whoever asks. "Younger" is
-- measured against the newest trace (the service's clock, as written in the chain), so the
-- purge, which traces itself first, still works. The retention is the one the service runs
-- with, written to `meta` at start.
CREATE TRIGGER traces_retention BEFORE DELETE ON traces
WHEN julianday(OLD.at) > julianday((SELECT MAX(at) FROM traces))
    - COALESCE((SELECT CAST(value AS REAL) FROM meta WHERE key = 'trace_retention_days'), 183)
BEGIN
    SELECT RAISE(ABORT, 'traces younger than the retention cannot be deleted');
END;
