/* The SQLite store's schema, one step per version, and the migration runner.
 * A step is never edited once released: a change is a new step appended at
 * the end, so every database reaches the same schema by the same path. */
#include <errno.h>
#include <stdio.h>
#include "store_schema.h"

/* Version 1. Numbers that the MIBs enumerate (states, kinds, severities) are
 * kept as their MIB values; times are milliseconds since the epoch (*_ms) or,
 * where the agent reports seconds, seconds. */
static const char schema_v1[] =
	/* The central log. AUTOINCREMENT: an id is never given twice, even after
	 * the newest records were trimmed, so a reader tailing by id never
	 * mistakes a new record for one it has handled. */
	"CREATE TABLE log ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" origin INTEGER NOT NULL,"
	" node TEXT NOT NULL DEFAULT '',"
	" boot INTEGER NOT NULL DEFAULT 0,"
	" seq INTEGER NOT NULL DEFAULT 0,"
	" type INTEGER NOT NULL DEFAULT 0,"
	" type_name TEXT NOT NULL DEFAULT '',"
	" trap_oid TEXT NOT NULL DEFAULT '',"
	" sev INTEGER NOT NULL DEFAULT 0,"
	" object TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT '',"
	" detail TEXT NOT NULL DEFAULT '',"
	" alarm_id INTEGER NOT NULL DEFAULT 0,"
	" occurred_ms INTEGER NOT NULL,"
	" received_ms INTEGER NOT NULL,"
	" source TEXT NOT NULL DEFAULT '');"
	/* An agent's notification is stored once however often it arrives (an
	 * INFORM re-sent, a record replayed from the agent's log): unique by
	 * (node, boot, seq). With seq before boot, the same index is the one gap
	 * repair walks (one node's sequences across boots, with seq <> 0 in the
	 * query); a separate (node, seq) index would cost every append a fourth
	 * b-tree insert for nothing. */
	"CREATE UNIQUE INDEX log_node_seq_boot ON log (node, seq, boot) WHERE seq <> 0;"
	"CREATE INDEX log_occurred ON log (occurred_ms);"

	"CREATE TABLE nodes ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" address TEXT NOT NULL DEFAULT '',"
	" state INTEGER NOT NULL DEFAULT 1,"
	" last_seen_ms INTEGER NOT NULL DEFAULT 0,"
	" last_change_ms INTEGER NOT NULL DEFAULT 0,"
	" boot INTEGER NOT NULL DEFAULT 0,"
	" notif_seq INTEGER NOT NULL DEFAULT 0,"
	" repaired_seq INTEGER NOT NULL DEFAULT 0,"
	" detail TEXT NOT NULL DEFAULT '');"

	/* A node's last polled state. No foreign key to nodes: a poll result
	 * may be written before or without the node's row, and the node's
	 * removal deletes these explicitly. */
	"CREATE TABLE procs ("
	" node TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" kind INTEGER NOT NULL DEFAULT 0,"
	" state INTEGER NOT NULL DEFAULT 0,"
	" instances INTEGER NOT NULL DEFAULT 0,"
	" restarts INTEGER NOT NULL DEFAULT 0,"
	" cpu INTEGER NOT NULL DEFAULT 0,"
	" rss_kb INTEGER NOT NULL DEFAULT 0,"
	" last_change INTEGER NOT NULL DEFAULT 0,"
	" updated_ms INTEGER NOT NULL DEFAULT 0,"
	" stale INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (node, name));"
	"CREATE TABLE res ("
	" node TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" type INTEGER NOT NULL DEFAULT 0,"
	" value INTEGER NOT NULL DEFAULT 0,"
	" state INTEGER NOT NULL DEFAULT 0,"
	" detail TEXT NOT NULL DEFAULT '',"
	" updated_ms INTEGER NOT NULL DEFAULT 0,"
	" stale INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (node, name));"
	"CREATE TABLE alarms ("
	" node TEXT NOT NULL,"
	" id INTEGER NOT NULL,"
	" type INTEGER NOT NULL DEFAULT 0,"
	" object TEXT NOT NULL DEFAULT '',"
	" sev INTEGER NOT NULL DEFAULT 0,"
	" raised INTEGER NOT NULL DEFAULT 0,"
	" detail TEXT NOT NULL DEFAULT '',"
	" updated_ms INTEGER NOT NULL DEFAULT 0,"
	" stale INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (node, id));"

	"CREATE TABLE counters ("
	" component TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" value INTEGER NOT NULL DEFAULT 0,"
	" updated_ms INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (component, name));"
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" value TEXT NOT NULL DEFAULT '');"

	/* Packages (service groups) per node: the mode each node runs a package
	 * in (SHUGO-MIB shugoPkgMode), its state, and the lease and epoch it
	 * was last set under. */
	"CREATE TABLE packages ("
	" name TEXT NOT NULL,"
	" node TEXT NOT NULL,"
	" mode INTEGER NOT NULL DEFAULT 0,"
	" state INTEGER NOT NULL DEFAULT 0,"
	" epoch INTEGER NOT NULL DEFAULT 0,"
	" lease_until_ms INTEGER NOT NULL DEFAULT 0,"
	" updated_ms INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (name, node));"
	/* What the manager decided and did: the decision, its cause and its
	 * result (a SET and the row/notification that reported it). */
	"CREATE TABLE actions ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time_ms INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" node TEXT NOT NULL DEFAULT '',"
	" target TEXT NOT NULL DEFAULT '',"
	" cause TEXT NOT NULL DEFAULT '',"
	" result TEXT NOT NULL DEFAULT '',"
	" detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX actions_time ON actions (time_ms);"
	/* Notification routing: the routes the manager has known, each with
	 * the text of its definition, so that a route that is new (or was
	 * changed) is told the current state before new events. */
	"CREATE TABLE routes ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" definition TEXT NOT NULL DEFAULT '',"
	" created_ms INTEGER NOT NULL DEFAULT 0,"
	" updated_ms INTEGER NOT NULL DEFAULT 0);"
	/* One row per attempt to deliver a log record to a destination along a
	 * route (priority = the destination group, 1 first), and one per record
	 * a route took but did not hand on (duplicate, damped: priority 0, no
	 * destination). A delivery goes with its record when the log is
	 * trimmed. */
	"CREATE TABLE deliveries ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" log_id INTEGER NOT NULL REFERENCES log (id) ON DELETE CASCADE,"
	" route TEXT NOT NULL,"
	" priority INTEGER NOT NULL DEFAULT 0,"
	" destination TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT 'pending',"
	" result TEXT NOT NULL DEFAULT '',"
	" snapshot INTEGER NOT NULL DEFAULT 0,"
	" held INTEGER NOT NULL DEFAULT 0,"
	" started_ms INTEGER NOT NULL DEFAULT 0,"
	" ended_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX deliveries_log ON deliveries (log_id, route);"
	"CREATE INDEX deliveries_state ON deliveries (state);";

/* Version 2: remote execution requests placed by the manager (shugoctl
 * exec), and one row per node a request was tried on or run on, so that a
 * restarted manager still follows and reports them (JP9319720, table 51). */
static const char schema_v2[] =
	"CREATE TABLE exec_requests ("
	" id TEXT PRIMARY KEY NOT NULL,"
	" program TEXT NOT NULL,"
	" args TEXT NOT NULL DEFAULT '',"
	" env TEXT NOT NULL DEFAULT '',"
	" place INTEGER NOT NULL DEFAULT 1,"
	" nodes TEXT NOT NULL DEFAULT '',"
	" requested_by TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT 'queued',"
	" detail TEXT NOT NULL DEFAULT '',"
	" created_ms INTEGER NOT NULL DEFAULT 0,"
	" updated_ms INTEGER NOT NULL DEFAULT 0,"
	" ended_ms INTEGER NOT NULL DEFAULT 0,"
	/* a signal the operator asked to send to the running program, until
	 * the manager has sent it (0: none) */
	" signal INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX exec_requests_open ON exec_requests (state) WHERE state IN ('queued', 'placing', 'running');"
	"CREATE TABLE exec_runs ("
	" request TEXT NOT NULL REFERENCES exec_requests (id) ON DELETE CASCADE,"
	" node TEXT NOT NULL,"
	" attempt INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL DEFAULT 'asking',"
	" detail TEXT NOT NULL DEFAULT '',"
	" pid INTEGER NOT NULL DEFAULT 0,"
	" exit_code INTEGER NOT NULL DEFAULT 0,"
	" exit_signal INTEGER NOT NULL DEFAULT 0,"
	" normal INTEGER NOT NULL DEFAULT -1,"
	" started_ms INTEGER NOT NULL DEFAULT 0,"
	" ended_ms INTEGER NOT NULL DEFAULT 0,"
	" updated_ms INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (request, node));";

const struct store_schema_step store_schema_steps[] = {
	{1, schema_v1},
	{2, schema_v2},
};
const size_t store_schema_n_steps = sizeof(store_schema_steps) / sizeof(store_schema_steps[0]);

int store_schema_version(sqlite3 *db, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "reading the schema version: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		errno = rc == SQLITE_BUSY ? EBUSY : EIO;
		return -1;
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int refuse_newer(int have, int newest, char *err, size_t errlen)
{
	snprintf(err, errlen, "schema version %d is newer than this program's %d", have, newest);
	errno = ENOTSUP;
	return -1;
}

/* Undo what a failed step left. sqlite may have rolled back already (after a
 * full disk, for one), so only an open transaction is rolled back. */
static void rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static int sqlite_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL: return ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return EBUSY;
	case SQLITE_READONLY: return EROFS;
	case SQLITE_NOMEM: return ENOMEM;
	default: return EIO;
	}
}

int store_schema_migrate(sqlite3 *db, const struct store_schema_step *steps, size_t n, int *version,
			 char *err, size_t errlen)
{
	int have, newest = 0;

	for (size_t i = 0; i < n; i++) {
		if (steps[i].version <= newest) {
			snprintf(err, errlen, "schema step %zu: version %d does not follow %d", i,
				 steps[i].version, newest);
			errno = EINVAL;
			return -1;
		}
		newest = steps[i].version;
	}
	if (store_schema_version(db, &have, err, errlen) < 0)
		return -1;
	if (have > newest)
		return refuse_newer(have, newest, err, errlen);

	for (size_t i = 0; i < n && have < newest; i++) {
		char sql[64];
		int rc;

		if (steps[i].version <= have)
			continue;
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "migrating to schema version %d: %s", steps[i].version,
				 sqlite3_errmsg(db));
			errno = sqlite_errno(rc);
			return -1;
		}
		/* Read again under the write lock: another process may have
		 * migrated while this one waited for it. */
		if (store_schema_version(db, &have, err, errlen) < 0) {
			int e = errno;
			rollback(db);
			errno = e;
			return -1;
		}
		if (have > newest) {
			rollback(db);
			return refuse_newer(have, newest, err, errlen);
		}
		if (steps[i].version <= have) {
			rollback(db);
			continue;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", steps[i].version);
		rc = sqlite3_exec(db, steps[i].sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "migrating to schema version %d: %s", steps[i].version,
				 sqlite3_errmsg(db));
			rollback(db);
			errno = sqlite_errno(rc);
			return -1;
		}
		have = steps[i].version;
	}
	if (version)
		*version = have;
	return 0;
}
