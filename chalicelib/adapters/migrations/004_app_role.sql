-- The API's role: it reads and writes rows, and changes nothing else. Tables belong to the role
-- that runs the migrations (the schema owner); pagepress_app gets DML on them, now and on every
-- table a later migration creates (default privileges), and no CREATE anywhere, so it can neither
-- create, alter nor drop. Login roles join it (chalicelib/migrate.py); it cannot log in itself.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pagepress_app') THEN
        CREATE ROLE pagepress_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO pagepress_app', current_database());
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO pagepress_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pagepress_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO pagepress_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pagepress_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO pagepress_app;
-- Which migrations ran is the migrator's record: the API may read it, not write it.
REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM pagepress_app;
