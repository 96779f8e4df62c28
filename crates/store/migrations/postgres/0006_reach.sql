-- Scope beyond the caisse (R-06, seed 003's T13 example) and per-habilitation départements
-- (R-25). Keep in step with the other backend's 0006_reach.sql.

-- The caisse's branch: a CAF convention may reach the files of other CAFs, an MSA one never
-- leaves its caisse.
ALTER TABLE caisses ADD COLUMN branch TEXT NOT NULL DEFAULT 'msa' CHECK (branch IN ('caf', 'msa'));
UPDATE caisses SET branch = 'caf' WHERE substr(code, 1, 4) = 'CAF-';

-- Set by the caisse on a CAF convention: its départements may lie outside the caisse's own,
-- and a file of any CAF in them is in scope.
ALTER TABLE conventions ADD COLUMN beyond_caisse BOOLEAN NOT NULL DEFAULT FALSE;

-- R-25: a habilitation limited to some of its convention's départements (a JSON array);
-- NULL: all of them.
ALTER TABLE habilitations ADD COLUMN departements TEXT;
