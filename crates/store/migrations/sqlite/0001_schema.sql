-- Guichet schema, SQLite. Times are TEXT as sqlx writes chrono's DateTime<Utc>, dates are
-- TEXT (YYYY-MM-DD), JSON parts of a file are TEXT. Keep in step with
-- ../postgres/0001_schema.sql (same tables and columns).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE caisses (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    hours TEXT NOT NULL
);

CREATE TABLE caisse_departements (
    caisse_code TEXT NOT NULL REFERENCES caisses (code) ON DELETE CASCADE,
    departement TEXT NOT NULL,
    PRIMARY KEY (caisse_code, departement)
);

CREATE TABLE services (
    code              TEXT PRIMARY KEY,
    label             TEXT NOT NULL,
    sections          TEXT NOT NULL,
    eligibility       TEXT NOT NULL,
    idle_timeout_secs INTEGER NOT NULL CHECK (idle_timeout_secs BETWEEN 60 AND 1800),
    hours             TEXT
);

CREATE TABLE partners (
    id         INTEGER PRIMARY KEY,
    tiers      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('eaje', 'commune', 'departement', 'ccas', 'other')),
    siret      TEXT,
    status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at TEXT NOT NULL
);

CREATE TABLE conventions (
    id            INTEGER PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    partner_id    INTEGER NOT NULL REFERENCES partners (id),
    caisse_code   TEXT NOT NULL REFERENCES caisses (code),
    service_code  TEXT NOT NULL REFERENCES services (code),
    starts_on     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'terminated')),
    status_at     TEXT NOT NULL
);
CREATE INDEX conventions_partner ON conventions (partner_id);

CREATE TABLE convention_departements (
    convention_id INTEGER NOT NULL REFERENCES conventions (id) ON DELETE CASCADE,
    departement   TEXT NOT NULL,
    PRIMARY KEY (convention_id, departement)
);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    partner_id           INTEGER NOT NULL REFERENCES partners (id),
    identifiant          TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    email                TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL,
    password_changed_at  TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'deactivated')),
    test_account         INTEGER NOT NULL,
    created_at           TEXT NOT NULL,
    status_at            TEXT NOT NULL
);
CREATE INDEX users_partner ON users (partner_id);

CREATE TABLE password_history (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    changed_at    TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, changed_at);

CREATE TABLE habilitations (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    convention_id INTEGER NOT NULL REFERENCES conventions (id),
    granted_at    TEXT NOT NULL,
    ends_at       TEXT,
    UNIQUE (user_id, convention_id)
);

-- A rowid table: rows are large (JSON parts), so the NIR lives in its own index rather
-- than ordering the table itself.
CREATE TABLE dossiers (
    nir         TEXT PRIMARY KEY,
    caisse_code TEXT NOT NULL,
    departement TEXT NOT NULL,
    birth_key   TEXT NOT NULL,
    usage_key   TEXT,
    opposition  INTEGER NOT NULL,
    rsa_since   TEXT,
    contact     TEXT NOT NULL,
    address     TEXT NOT NULL,
    family      TEXT NOT NULL,
    resources   TEXT NOT NULL,
    quotients   TEXT NOT NULL,
    rsa         TEXT,
    benefits    TEXT NOT NULL
);
CREATE INDEX dossiers_scope ON dossiers (caisse_code, departement);

CREATE TABLE sessions (
    token_hash        TEXT PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    created_at        TEXT NOT NULL,
    last_activity_at  TEXT NOT NULL,
    idle_timeout_secs INTEGER NOT NULL,
    address           TEXT,
    revoked_at        TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE lockouts (
    identifiant          TEXT PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL,
    lock_count           INTEGER NOT NULL,
    locked_until         TEXT
);

CREATE TABLE rate_counters (
    bucket       TEXT NOT NULL,
    window_start TEXT NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE traces (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    identifiant TEXT,
    partner     TEXT,
    service     TEXT,
    address     TEXT,
    nir_digest  TEXT,
    detail      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX traces_at ON traces (at);
CREATE INDEX traces_identifiant ON traces (identifiant, at);

CREATE TABLE trace_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE trace_anchor (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO trace_head (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
INSERT INTO trace_anchor (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER traces_append_only BEFORE UPDATE ON traces
BEGIN
    SELECT RAISE(ABORT, 'traces are append-only');
END;
