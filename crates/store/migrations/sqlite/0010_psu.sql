-- R-31: the PSU barème as data (floors and ceilings of monthly resources in cents, effort
-- rates in parts per million by type of care and number of children), each value with its
-- source; and the partner's type of care. Keep in step with the other backend's 0010_psu.sql.
CREATE TABLE psu_bareme (
    kind      TEXT NOT NULL CHECK (kind IN ('floor', 'ceiling', 'rate')),
    -- '' and 0 for a floor or a ceiling (every type of care).
    care      TEXT NOT NULL,
    children  INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on   TEXT,
    value     INTEGER NOT NULL,
    source    TEXT NOT NULL,
    confirmed BOOLEAN NOT NULL,
    PRIMARY KEY (kind, care, children, starts_on)
);

ALTER TABLE partners ADD COLUMN care TEXT NOT NULL DEFAULT 'collective'
    CHECK (care IN ('collective', 'familial', 'parental'));
