-- Issue 14: each server keeps the definitions of services and caisses in memory and
-- reloads them when this revision moves. Triggers move it on every write to either
-- table, whoever writes (the service, the CLI, another instance, someone with SQL access),
-- in the writing transaction. Keep in step with the other backend's 0011.
INSERT INTO meta (key, value) VALUES ('definitions_revision', '1')
    ON CONFLICT (key) DO NOTHING;

CREATE FUNCTION guichet_bump_definitions_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'definitions_revision';
    RETURN NULL;
END
$$;

CREATE TRIGGER services_definitions_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services
    FOR EACH STATEMENT EXECUTE FUNCTION guichet_bump_definitions_revision();
CREATE TRIGGER caisses_definitions_revision
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON caisses
    FOR EACH STATEMENT EXECUTE FUNCTION guichet_bump_definitions_revision();
