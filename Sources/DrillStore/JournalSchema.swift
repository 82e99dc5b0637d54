internal import GRDB

/// The journal's schema, as GRDB migrations.
///
/// Rules (GRDB `Migrations.md`): a migration that has shipped is never modified; migrations name tables and
/// columns with string literals, never with today's Swift types, because they describe the database's past.
/// Each migration runs in one transaction. Add a new migration for any change.
enum JournalSchema {
    /// The identifiers of every migration this version knows, in order.
    static let migrationIdentifiers = ["v1", "v2-heartbeat"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // One row: the run this journal belongs to, with a cached status kept in step with the events
            // in the same transaction, so that `drillctl runs` reads one row instead of folding the journal.
            try db.execute(
                sql: """
                    CREATE TABLE run (
                        id TEXT PRIMARY KEY NOT NULL,
                        scenario TEXT NOT NULL,
                        created_ms INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        updated_ms INTEGER NOT NULL
                    );
                    CREATE TABLE events (
                        sequence INTEGER PRIMARY KEY,
                        version INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        wall_ms INTEGER NOT NULL,
                        exercise_ms INTEGER NOT NULL,
                        inject TEXT,
                        team TEXT,
                        host TEXT,
                        actor TEXT,
                        idempotency_key TEXT,
                        payload TEXT NOT NULL DEFAULT '{}'
                    );
                    CREATE UNIQUE INDEX events_idempotency_key ON events(idempotency_key)
                        WHERE idempotency_key IS NOT NULL;
                    CREATE INDEX events_team ON events(team, sequence) WHERE team IS NOT NULL;
                    CREATE INDEX events_inject ON events(inject, sequence) WHERE inject IS NOT NULL;
                    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                        BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
                    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                        BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END;
                    CREATE TABLE credentials (
                        role TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        salt TEXT NOT NULL,
                        created_ms INTEGER NOT NULL,
                        PRIMARY KEY (role, subject)
                    );
                    """
            )
        }
        migrator.registerMigration("v2-heartbeat") { db in
            // The running engine's latest sign of life: one row, replaced every second. It sits beside the
            // journal, not in it (it is not a fact of the drill), so the append-only events stay untouched.
            try db.execute(
                sql: """
                    CREATE TABLE heartbeat (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        wall_ms INTEGER NOT NULL,
                        exercise_ms INTEGER NOT NULL,
                        pid INTEGER,
                        host TEXT
                    );
                    """
            )
        }
        return migrator
    }
}
