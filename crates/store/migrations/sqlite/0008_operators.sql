-- Caisse operators (issue 11): agents of a caisse with real accounts (same sign-in,
-- password and lockout rules as partners' users). An operator's account is a user of the
-- caisse's own partner record (numéro de tiers = the caisse's code), bound here to the
-- caisse whose partners they supervise. Keep in step with the other backend's file.
CREATE TABLE operators (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id),
    caisse_code  TEXT NOT NULL REFERENCES caisses (code),
    appointed_by TEXT NOT NULL,
    appointed_at TEXT NOT NULL
);
