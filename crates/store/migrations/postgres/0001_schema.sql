-- Guichet schema, PostgreSQL. Times are timestamptz (UTC), dates are date, JSON parts of
-- a file are json. Keep in step with ../sqlite/0001_schema.sql (same tables and columns).

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
    sections          JSONB NOT NULL,
    eligibility       JSONB NOT NULL,
    idle_timeout_secs BIGINT NOT NULL CHECK (idle_timeout_secs BETWEEN 60 AND 1800),
    hours             TEXT
);

CREATE TABLE partners (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tiers      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('eaje', 'commune', 'departement', 'ccas', 'other')),
    siret      TEXT,
    status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE conventions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number        TEXT NOT NULL UNIQUE,
    partner_id    BIGINT NOT NULL REFERENCES partners (id),
    caisse_code   TEXT NOT NULL REFERENCES caisses (code),
    service_code  TEXT NOT NULL REFERENCES services (code),
    starts_on     DATE NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'terminated')),
    status_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX conventions_partner ON conventions (partner_id);

CREATE TABLE convention_departements (
    convention_id BIGINT NOT NULL REFERENCES conventions (id) ON DELETE CASCADE,
    departement   TEXT NOT NULL,
    PRIMARY KEY (convention_id, departement)
);

CREATE TABLE users (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id           BIGINT NOT NULL REFERENCES partners (id),
    identifiant          TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    email                TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    password_changed_at  TIMESTAMPTZ NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'deactivated')),
    test_account         BOOLEAN NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    status_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_partner ON users (partner_id);

CREATE TABLE password_history (
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    changed_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, changed_at);

CREATE TABLE habilitations (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    convention_id BIGINT NOT NULL REFERENCES conventions (id),
    granted_at    TIMESTAMPTZ NOT NULL,
    ends_at       TIMESTAMPTZ,
    UNIQUE (user_id, convention_id)
);

-- One row per allocataire file. Lookup columns in clear for the caisse's own database;
-- the parts shown by services are JSON documents, one column each, stored as `json` (kept
-- as text: they are written and read whole, never queried inside, and text loads and reads
-- faster than jsonb).
CREATE TABLE dossiers (
    nir         TEXT PRIMARY KEY,
    caisse_code TEXT NOT NULL,
    departement TEXT NOT NULL,
    birth_key   TEXT NOT NULL,
    usage_key   TEXT,
    opposition  BOOLEAN NOT NULL,
    rsa_since   DATE,
    contact     JSON NOT NULL,
    address     JSON NOT NULL,
    family      JSON NOT NULL,
    resources   JSON NOT NULL,
    quotients   JSON NOT NULL,
    rsa         JSON,
    benefits    JSON NOT NULL
);
CREATE INDEX dossiers_scope ON dossiers (caisse_code, departement);

CREATE TABLE sessions (
    token_hash        TEXT PRIMARY KEY,
    user_id           BIGINT NOT NULL REFERENCES users (id),
    created_at        TIMESTAMPTZ NOT NULL,
    last_activity_at  TIMESTAMPTZ NOT NULL,
    idle_timeout_secs BIGINT NOT NULL,
    address           TEXT,
    revoked_at        TIMESTAMPTZ
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Keyed by the identifiant as typed (normalised), known or not (R-13).
CREATE TABLE lockouts (
    identifiant          TEXT PRIMARY KEY,
    consecutive_failures BIGINT NOT NULL,
    lock_count           BIGINT NOT NULL,
    locked_until         TIMESTAMPTZ
);

-- Fixed-window counters shared by every server instance.
CREATE TABLE rate_counters (
    bucket       TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- Append-only, hash-chained (R-19). `trace_head` holds the last link; appends lock it.
-- `trace_anchor` is the hash that precedes the oldest kept record (moved by a purge, R-20).
CREATE TABLE traces (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
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
    id   SMALLINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE trace_anchor (
    id   SMALLINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO trace_head (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
INSERT INTO trace_anchor (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION traces_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'traces are append-only';
END;
$$;
CREATE TRIGGER traces_append_only BEFORE UPDATE ON traces
    FOR EACH ROW EXECUTE FUNCTION traces_no_update();
