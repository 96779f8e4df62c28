-- CDAP profiles per seed 003 (issue 11): what a profile asks beyond its sections, as a
-- JSON object of ServiceRules (history_months, numero_instructeur, temporary). Keep in
-- step with the other backend's 0005_profiles.sql.
ALTER TABLE services ADD COLUMN rules TEXT NOT NULL DEFAULT '{}';
