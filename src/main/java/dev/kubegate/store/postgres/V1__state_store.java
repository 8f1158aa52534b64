package dev.kubegate.store.postgres;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;

/**
 * The first schema of the postgres state store, created in kubegate's own schema (Flyway sets the
 * search path to it). A Java migration rather than a scanned {@code .sql} file: it needs no classpath
 * scanning, which behaves differently in the packaged application and in a native image.
 *
 * <p>Every change of a document notifies channel {@code <schema>_changes} with
 * {@code {"kind","id","version"}} (version 0: deleted); notifications are sent at commit, so a
 * listener that re-reads the document sees the change.
 */
public class V1__state_store extends BaseJavaMigration {

    static final String SQL = """
            CREATE TABLE documents (
                kind       text        NOT NULL,
                id         text        NOT NULL,
                version    bigint      NOT NULL CHECK (version > 0),
                json       text        NOT NULL,
                updated_at timestamptz NOT NULL,
                expires_at timestamptz,
                PRIMARY KEY (kind, id)
            );
            CREATE INDEX documents_expires_at ON documents (expires_at) WHERE expires_at IS NOT NULL;

            CREATE TABLE counters (
                counter_key text        PRIMARY KEY,
                counts      jsonb       NOT NULL,
                expires_at  timestamptz
            );
            CREATE INDEX counters_expires_at ON counters (expires_at) WHERE expires_at IS NOT NULL;

            CREATE FUNCTION notify_document_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify(TG_TABLE_SCHEMA || '_changes',
                        json_build_object('kind', OLD.kind, 'id', OLD.id, 'version', 0)::text);
                ELSE
                    PERFORM pg_notify(TG_TABLE_SCHEMA || '_changes',
                        json_build_object('kind', NEW.kind, 'id', NEW.id, 'version', NEW.version)::text);
                END IF;
                RETURN NULL;
            END
            $$;

            CREATE TRIGGER documents_changed AFTER INSERT OR UPDATE OR DELETE ON documents
                FOR EACH ROW EXECUTE FUNCTION notify_document_change();
            """;

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement st = context.getConnection().createStatement()) {
            st.execute(SQL);
        }
    }
}
