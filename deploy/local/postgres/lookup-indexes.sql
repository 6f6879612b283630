-- Lookup indexes FerretDB 1.24 can use, installed by stack.sh into its PostgreSQL database.
--
-- FerretDB's PostgreSQL handler pushes an equality filter down as `_jsonb -> 'field' @> value`,
-- and the btree indexes it creates for `create_index` cannot serve `@>`: every find_one, even by
-- `_id`, scans the table (docs/decisions.md has the measurements). A GIN index on the same
-- expression serves `@>`. This event trigger adds one beside every btree index FerretDB creates on
-- `(_jsonb -> 'field')`, and the block at the end adds the missing ones to existing tables.
-- Local stack only: production runs MongoDB, whose own indexes work.

SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION hoiam_gin_beside(btree regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    tbl regclass;
    method text;
    columns int;
    expr text;
BEGIN
    SELECT i.indrelid::regclass, a.amname, i.indnatts INTO tbl, method, columns
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_am a ON a.oid = c.relam
    WHERE i.indexrelid = btree;
    -- Our own GIN indexes fire this trigger too: only btree indexes get a companion.
    IF method IS DISTINCT FROM 'btree' THEN
        RETURN;
    END IF;
    FOR k IN 1..columns LOOP
        expr := pg_get_indexdef(btree, k, true);
        IF expr ~ '^\(?_jsonb -> ''[^'']+''::text\)?$' THEN
            EXECUTE format(
                'CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s))',
                'hoiam_gin_' || left(md5(tbl::text || ' ' || expr), 20), tbl, expr
            );
        END IF;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION hoiam_gin_on_create_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    created record;
BEGIN
    FOR created IN
        SELECT objid FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index'
    LOOP
        PERFORM hoiam_gin_beside(created.objid::regclass);
    END LOOP;
END
$$;

DROP EVENT TRIGGER IF EXISTS hoiam_gin_on_create_index;
CREATE EVENT TRIGGER hoiam_gin_on_create_index ON ddl_command_end
    WHEN TAG IN ('CREATE INDEX')
    EXECUTE FUNCTION hoiam_gin_on_create_index();

DO $$
DECLARE
    existing record;
BEGIN
    FOR existing IN
        SELECT i.indexrelid
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    LOOP
        PERFORM hoiam_gin_beside(existing.indexrelid::regclass);
    END LOOP;
END
$$;
