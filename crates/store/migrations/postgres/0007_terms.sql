-- R-28: a convention's notice (the day it was received) and the last day it has effect,
-- per the notice rule of its branch. Keep in step with the other backend's 0007_terms.sql.
ALTER TABLE conventions ADD COLUMN notice_on DATE;
ALTER TABLE conventions ADD COLUMN ends_on DATE;
