-- Issue 22: who put a user or a habilitation in its state, so that each power lifts only
-- its own. Keep in step with the other backend's 0012_powers.sql.

-- R-24, R-26: 'caisse' (an operator or the console) or 'partner' (a delegated manager);
-- NULL for an active account. A caisse's suspension or deactivation is the caisse's to lift.
-- `status_caisse`: which caisse, when one of its operators did (NULL: the console, every
-- caisse); another caisse's operator cannot lift it.
ALTER TABLE users ADD COLUMN status_by TEXT
    CHECK (status_by IS NULL OR status_by IN ('caisse', 'partner'));
ALTER TABLE users ADD COLUMN status_caisse TEXT;
UPDATE users SET status_by = 'caisse' WHERE status <> 'active';

-- R-26, R-27: why a habilitation is suspended: 'caisse' (lifted by that caisse only) or
-- 'late_review' (lifted when the partner's administrator confirms it). Suspensions recorded
-- before this column are taken as the caisse's: nobody but the caisse may lift them.
ALTER TABLE habilitations ADD COLUMN suspension TEXT
    CHECK (suspension IS NULL OR suspension IN ('caisse', 'late_review'));
UPDATE habilitations SET suspension = 'caisse' WHERE suspended_at IS NOT NULL;

-- Seed 003: the caisse always sets a delegation's quota. A delegation recorded without one
-- keeps the habilitations it holds and allows no more until the caisse sets it.
UPDATE delegations SET quota = (SELECT COUNT(*) FROM habilitations h
    WHERE h.convention_id = delegations.convention_id AND h.ends_at IS NULL)
    WHERE quota IS NULL;
