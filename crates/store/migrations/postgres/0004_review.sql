-- R-27 yearly reverse review and R-26 suspension of one habilitation (issue 11). Keep in
-- step with the other backend's 0004_review.sql.

-- When and by whom a habilitation was last confirmed; due again a year after that (or after
-- its grant when never reviewed).
ALTER TABLE habilitations ADD COLUMN reviewed_at TIMESTAMPTZ;
ALTER TABLE habilitations ADD COLUMN reviewed_by TEXT;
-- R-26: the caisse suspended this habilitation (a suspended one gives no access).
ALTER TABLE habilitations ADD COLUMN suspended_at TIMESTAMPTZ;
