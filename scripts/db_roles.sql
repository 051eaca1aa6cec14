-- The portal's two database roles (README, "Two database roles"):
--
--   owner  owns the database and everything in it; runs `manage.py migrate`, seeds demo data.
--   app    what web processes and Celery workers log in as: owns nothing, reads and writes
--          rows, and may only add to the ledgers: no UPDATE, DELETE or TRUNCATE on them, and
--          as a non-owner it cannot ALTER, disable or drop their triggers; as a non-superuser
--          it cannot SET session_replication_role either.
--
-- Run it as a superuser, connected to the portal's database. It is safe to run again, and it
-- must run again after a migration that adds a ledger table (add its name below):
--
--   psql "postgres://postgres@127.0.0.1:5432/portal" -v owner=portal_owner -v app=portal_app \
--        -f scripts/db_roles.sql
--
-- It creates the roles if they are missing (LOGIN, no password: set one with \password), hands
-- the database and every object of its public schema to the owner, and sets the grants.

\set ON_ERROR_STOP on
\if :{?owner}
\else
    \warn 'Give both roles: -v owner=portal_owner -v app=portal_app'
    \quit
\endif
\if :{?app}
\else
    \warn 'Give both roles: -v owner=portal_owner -v app=portal_app'
    \quit
\endif

SET portal.owner_role = :'owner';
SET portal.app_role = :'app';

DO $roles$
DECLARE
    owner_role text := current_setting('portal.owner_role');
    app_role text := current_setting('portal.app_role');
    -- Ledgers and histories: rows are added, never changed or removed. (A store redemption
    -- changes state, so it is not one; its history of events is.)
    append_only text[] := ARRAY['rewards_pointsentry', 'store_redemptionevent', 'payments_earningsentry',
                                'gifts_coinentry', 'accounts_auditentry'];
    owner_oid oid;
    ledger text;
    item record;
BEGIN
    IF owner_role = app_role THEN
        RAISE EXCEPTION 'the owner and the application must be two roles';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = owner_role) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', owner_role);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app_role) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', app_role);
    END IF;
    -- Neither role may step around a privilege.
    EXECUTE format(
        'ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', owner_role
    );
    EXECUTE format(
        'ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', app_role
    );
    IF pg_has_role(app_role, owner_role, 'MEMBER') THEN
        RAISE EXCEPTION 'role % is a member of % and so owns the tables: revoke that first',
            app_role, owner_role;
    END IF;
    -- A worker machine that vanishes mid-transaction keeps its locks until TCP gives up
    -- (hours); this ends such a transaction, so a recalculation it held is taken over in
    -- minutes. The portal never waits between statements inside a transaction.
    EXECUTE format(
        'ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', app_role, '10min'
    );

    -- The owner owns the database and every object of its public schema.
    SELECT oid INTO owner_oid FROM pg_roles WHERE rolname = owner_role;
    EXECUTE format('ALTER DATABASE %I OWNER TO %I', current_database(), owner_role);
    -- (Since PostgreSQL 15 the database's owner owns its public schema already.)
    IF (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public')
        <> 'pg_database_owner'
    THEN
        EXECUTE format('ALTER SCHEMA public OWNER TO %I', owner_role);
    END IF;
    FOR item IN
        SELECT c.oid::regclass AS name,
               CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                    WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                    ELSE 'TABLE' END AS kind
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> owner_oid
          -- A serial or identity column's sequence follows its table; an extension's
          -- objects stay the extension's.
          AND NOT EXISTS (
              SELECT FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I', item.kind, item.name, owner_role);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name
        FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> owner_oid
          AND NOT EXISTS (
              SELECT FROM pg_depend d
              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', item.name, owner_role);
    END LOOP;

    -- The application: rows of every table, from scratch each time this runs.
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXECUTE format(
        'GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), app_role
    );
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', app_role);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', app_role);
    EXECUTE format(
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app_role
    );
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
    -- Tables and sequences that later migrations create (as the owner) get the same.
    EXECUTE format(
        'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
        || 'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', owner_role, app_role
    );
    EXECUTE format(
        'ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
        || 'GRANT USAGE, SELECT ON SEQUENCES TO %I', owner_role, app_role
    );
    -- Ledgers and histories only grow.
    FOREACH ledger IN ARRAY append_only LOOP
        IF to_regclass(format('public.%I', ledger)) IS NULL THEN
            RAISE NOTICE '% does not exist yet: run this again after migrate', ledger;
            CONTINUE;
        END IF;
        EXECUTE format(
            'REVOKE UPDATE, DELETE, TRUNCATE ON public.%I FROM %I, PUBLIC', ledger, app_role
        );
    END LOOP;
    -- Which migrations ran is the owner's record.
    IF to_regclass('public.django_migrations') IS NOT NULL THEN
        EXECUTE format(
            'REVOKE INSERT, UPDATE, DELETE ON public.django_migrations FROM %I', app_role
        );
    END IF;
END
$roles$;

RESET portal.owner_role;
RESET portal.app_role;
