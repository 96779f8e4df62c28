-- Issue 14: each server keeps the definitions of services and caisses in memory and
-- reloads them when this revision moves. Triggers move it on every write to either
-- table, whoever writes, in the writing transaction. Keep in step with the other
-- backend's 0011.
INSERT INTO meta (key, value) VALUES ('definitions_revision', '1')
    ON CONFLICT (key) DO NOTHING;

CREATE TRIGGER services_revision_insert AFTER INSERT ON services BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'definitions_revision';
END;
CREATE TRIGGER services_revision_update AFTER UPDATE ON services BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'definitions_revision';
END;
CREATE TRIGGER services_revision_delete AFTER DELETE ON services BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'definitions_revision';
END;
CREATE TRIGGER caisses_revision_insert AFTER INSERT ON caisses BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'definitions_revision';
END;
CREATE TRIGGER caisses_revision_update AFTER UPDATE ON caisses BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'definitions_revision';
END;
CREATE TRIGGER caisses_revision_delete AFTER DELETE ON caisses BEGIN
    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'definitions_revision';
END;
