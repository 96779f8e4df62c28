-- Issue 22 (points 6 and 7). Keep in step with ../postgres/0013_rate_refusals.sql.

-- R-13, R-19: sign-ins refused by a rate limit, counted per refusing budget (a client
-- address, or all addresses together) and window, like `lockout_refusals`: the first of a
-- window is traced at once, the rest as one trace when the window has closed. Keyed on the
-- budget, not on the identifiant typed, so that naming new identifiants adds no row.
-- `identifiant`: the one every refusal of the window named; NULL once they differ.
CREATE TABLE rate_refusals (
    bucket       TEXT NOT NULL,
    window_start TEXT NOT NULL,
    refused      INTEGER NOT NULL,
    last_at      TEXT NOT NULL,
    identifiant  TEXT,
    address      TEXT,
    PRIMARY KEY (bucket, window_start)
);

-- R-21: trace listings are read a page at a time, newest first (`seq < cursor ORDER BY seq
-- DESC LIMIT n`), per user or per partner: these indexes give a page without reading the
-- rest of the history. They replace the (…, at) ones, which no listing walks.
DROP INDEX traces_identifiant;
CREATE INDEX traces_identifiant ON traces (identifiant, seq);
DROP INDEX traces_partner;
CREATE INDEX traces_partner ON traces (partner, seq);
