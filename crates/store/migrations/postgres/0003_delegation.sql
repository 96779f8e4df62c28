-- Delegated habilitation management (issue 11, R-25 to R-27). Keep in step with the other
-- backend's 0003_delegation.sql.

-- R-25: a partner's administrator, deputy and delegated managers. No row: a plain user.
CREATE TABLE partner_roles (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id),
    role         TEXT NOT NULL CHECK (role IN ('administrator', 'deputy', 'manager')),
    appointed_by TEXT NOT NULL,
    appointed_at TIMESTAMPTZ NOT NULL
);

-- R-25: a convention whose habilitations the partner manages itself, within `quota`
-- habilitations in force (NULL: no quota). R-26: `withdrawn_at` set when the caisse takes
-- management back.
CREATE TABLE delegations (
    convention_id BIGINT PRIMARY KEY REFERENCES conventions (id),
    quota         BIGINT CHECK (quota IS NULL OR quota >= 0),
    withdrawn_at  TIMESTAMPTZ
);

-- Who granted each habilitation (an operator's or a manager's name).
ALTER TABLE habilitations ADD COLUMN granted_by TEXT;

-- R-21: a partner's administrator reads the partner's traces.
CREATE INDEX traces_partner ON traces (partner, at);
