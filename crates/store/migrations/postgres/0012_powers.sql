-- Issue 22: who put a user or a habilitation in its state, so that each power lifts only
-- its own. Keep in step with the other backend's 0012_powers.sql.

-- R-24, R-26: 'caisse' (an operator or the console) or 'partner' (a delegated manager);
-- NULL for an active account. A caisse's suspension or deactivation is the caisse's to lift.
ALTER TABLE users ADD COLUMN status_by TEXT
    CHECK (status_by IS NULL OR status_by IN ('caisse', 'partner'));
UPDATE users SET status_by = 'caisse' WHERE status <> 'active';

-- R-26, R-27: why a habilitation is suspended: 'caisse' (lifted by that caisse only) or
-- 'late_review' (lifted when the partner's administrator confirms it). Suspensions recorded
-- before this column are taken as the caisse's: nobody but the caisse may lift them.
ALTER TABLE habilitations ADD COLUMN suspension TEXT
    CHECK (suspension IS NULL OR suspension IN ('caisse', 'late_review'));
UPDATE habilitations SET suspension = 'caisse' WHERE suspended_at IS NOT NULL;
