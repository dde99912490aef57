-- Platform prelude for replaying a Neon / Supabase style row-level-security history on a scratch
-- Postgres (vanilla PostgreSQL 16, superuser connection).
--
-- Why it exists: on Neon and Supabase the platform, not the migrations, provides some objects that
-- a history then takes for granted. Neon's RLS setup creates the NOLOGIN roles `authenticated`
-- and `anonymous` and the project owner `neondb_owner`; Supabase creates `anon`, `authenticated`
-- and `service_role`; both offer pgcrypto. A history that says `GRANT ... TO "authenticated"` or
-- `CREATE POLICY ... TO anon` fails on a vanilla server with "role ... does not exist" although it
-- is fine in production. The Atlaris CI bootstrap did the same before loading its schema.
--
-- What it does, and nothing else:
--   * creates the roles above when they are missing, NOLOGIN and NOINHERIT (no one can log in as
--     them; a test login reaches them with SET ROLE after a GRANT of its own). `service_role`
--     gets BYPASSRLS, as on Supabase. Existing roles are left exactly as they are;
--   * installs pgcrypto in the current database when it is missing and the server offers it
--     (Neon and Supabase do; gen_random_uuid() is core since PG 13, pgcrypto adds crypt(),
--     digest(), gen_random_bytes() that histories may call). The embedded Postgres of the
--     `pgserver` wheel ships no contrib modules, so there it only raises a NOTICE: a history that
--     needs pgcrypto then fails on its own statement, naming the missing function or extension.
-- It creates no schema, table, function or grant: a history that needs those must create them
-- itself, so that the replay proves it does. Supabase's `auth` schema functions (auth.uid(),
-- auth.jwt()) are deliberately not faked here.
--
-- Why it sets no `request.jwt.claims`: the policies read that setting, but neither platform gives
-- it a database-level value. It is set per request by whoever speaks for the user: the app's
-- withAuth (`set_config('request.jwt.claims', '{"sub": ...}', ...)` after `SET ROLE
-- authenticated`), or PostgREST (Supabase, Neon's Data API) with a transaction-local set_config.
-- A migration session on Neon or Supabase therefore has no such setting: there,
-- current_setting('request.jwt.claims', true) is NULL and current_setting('request.jwt.claims')
-- fails with "unrecognized configuration parameter". The scratch database behaves exactly the
-- same, so a migration that evaluates the setting without missing_ok (in a backfill, a default, a
-- check) fails in replay as it would fail in production; a default here would hide that. Policies
-- written the usual way, current_setting('request.jwt.claims', true) as in the example history,
-- are not evaluated when they are created and replay unchanged.
--
-- Safe to run any number of times, and by concurrent replays on one server: each role is created
-- only if pg_roles lacks it, and losing a race to another session is ignored. Roles are
-- cluster-wide; the extension is per database, so run this in each scratch database.

DO $$ BEGIN
 IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
  CREATE ROLE "authenticated" NOLOGIN NOINHERIT;
 END IF;
EXCEPTION
 WHEN duplicate_object OR unique_violation THEN null;
END $$;

DO $$ BEGIN
 IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anonymous') THEN
  CREATE ROLE "anonymous" NOLOGIN NOINHERIT;
 END IF;
EXCEPTION
 WHEN duplicate_object OR unique_violation THEN null;
END $$;

DO $$ BEGIN
 IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
  CREATE ROLE "anon" NOLOGIN NOINHERIT;
 END IF;
EXCEPTION
 WHEN duplicate_object OR unique_violation THEN null;
END $$;

DO $$ BEGIN
 IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
  CREATE ROLE "service_role" NOLOGIN NOINHERIT BYPASSRLS;
 END IF;
EXCEPTION
 WHEN duplicate_object OR unique_violation THEN null;
END $$;

DO $$ BEGIN
 IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'neondb_owner') THEN
  CREATE ROLE "neondb_owner" NOLOGIN NOINHERIT;
 END IF;
EXCEPTION
 WHEN duplicate_object OR unique_violation THEN null;
END $$;

DO $$ BEGIN
 IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pgcrypto') THEN
  CREATE EXTENSION IF NOT EXISTS "pgcrypto";
 ELSE
  RAISE NOTICE 'pgcrypto is not available on this server; histories that need it will fail where they use it';
 END IF;
EXCEPTION
 WHEN duplicate_object OR unique_violation THEN null;
END $$;
