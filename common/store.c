/* The global store on SQLite: opening (file mode, WAL, durability, migration),
 * the central log, nodes and their polled state, counters and meta records.
 * Every write is one IMMEDIATE transaction that is committed or rolled back
 * before the function returns, so an error never leaves a transaction open. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "store.h"
#include "store_schema.h"
#include "strutil.h"

/* Writers wait this long for each other (trapd, the manager, a migration). */
#define STORE_BUSY_MS 5000

/* Statements used on every append, poll or counter update are prepared once
 * and kept; the listing functions prepare their own, so a callback may call
 * back into the store. */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_LOG_INSERT,
	ST_LOG_INSERT_CHUNK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_NODE_PUT,
	ST_NODE_GET,
	ST_PROC_DEL,
	ST_PROC_INS,
	ST_RES_DEL,
	ST_RES_INS,
	ST_ALARM_DEL,
	ST_ALARM_INS,
	ST_PROC_STALE,
	ST_RES_STALE,
	ST_ALARM_STALE,
	ST_NODE_DEL,
	ST_COUNTER_PUT,
	ST_META_PUT,
	ST_META_GET,
	ST_DELIVERY_ADD,
	ST_DELIVERY_END,
	ST_COUNT,
};

#define LOG_INSERT \
	"INSERT INTO log (origin, node, boot, seq, type, type_name, trap_oid, sev, object, state," \
	" detail, alarm_id, occurred_ms, received_ms, source)"
#define LOG_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define LOG_COLS 15
/* Records per multi-row INSERT: each execution of a statement costs about
 * half as much again as the row it inserts (measured: a third of the append
 * time went to it), so the log is appended LOG_CHUNK rows per statement.
 * 32 x 15 parameters stay under SQLite's oldest default limit of 999. */
#define LOG_CHUNK 32

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	/* DO NOTHING applies to the unique (node, boot, seq) index only: any
	 * other constraint failing is still an error. A skipped row may use up
	 * an id (SQLite draws it before it meets the conflict): ids increase
	 * and are never reused, but need not be consecutive. */
	[ST_LOG_INSERT] = LOG_INSERT " VALUES " LOG_ROW " ON CONFLICT DO NOTHING",
	[ST_LOG_INSERT_CHUNK] = NULL, /* built by log_chunk_sql() */
	[ST_SAVEPOINT] = "SAVEPOINT log_chunk",
	[ST_RELEASE] = "RELEASE log_chunk",
	[ST_ROLLBACK_TO] = "ROLLBACK TO log_chunk",
	[ST_NODE_PUT] = "INSERT INTO nodes (name, address, state, last_seen_ms, last_change_ms, boot,"
			" notif_seq, repaired_seq, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
			" ON CONFLICT (name) DO UPDATE SET address = excluded.address,"
			" state = excluded.state, last_seen_ms = excluded.last_seen_ms,"
			" last_change_ms = excluded.last_change_ms, boot = excluded.boot,"
			" notif_seq = excluded.notif_seq, repaired_seq = excluded.repaired_seq,"
			" detail = excluded.detail",
	[ST_NODE_GET] = "SELECT name, address, state, last_seen_ms, last_change_ms, boot, notif_seq,"
			" repaired_seq, detail FROM nodes WHERE name = ?1",
	[ST_PROC_DEL] = "DELETE FROM procs WHERE node = ?1",
	[ST_PROC_INS] = "INSERT INTO procs (node, name, kind, state, instances, restarts, cpu, rss_kb,"
			" last_change, updated_ms, stale)"
			" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0)",
	[ST_RES_DEL] = "DELETE FROM res WHERE node = ?1",
	[ST_RES_INS] = "INSERT INTO res (node, name, type, value, state, detail, updated_ms, stale)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
	[ST_ALARM_DEL] = "DELETE FROM alarms WHERE node = ?1",
	[ST_ALARM_INS] = "INSERT INTO alarms (node, id, type, object, sev, raised, detail, updated_ms,"
			 " stale) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)",
	[ST_PROC_STALE] = "UPDATE procs SET stale = 1 WHERE node = ?1",
	[ST_RES_STALE] = "UPDATE res SET stale = 1 WHERE node = ?1",
	[ST_ALARM_STALE] = "UPDATE alarms SET stale = 1 WHERE node = ?1",
	[ST_NODE_DEL] = "DELETE FROM nodes WHERE name = ?1",
	[ST_COUNTER_PUT] = "INSERT INTO counters (component, name, value, updated_ms)"
			   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (component, name)"
			   " DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms",
	[ST_META_PUT] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
			" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_DELIVERY_ADD] = "INSERT INTO deliveries (log_id, route, priority, destination, state, result,"
			    " snapshot, held, started_ms, ended_ms)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_DELIVERY_END] = "UPDATE deliveries SET state = ?2, result = ?3, ended_ms = ?4 WHERE id = ?1",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	char errmsg[512];
};

/* ---- errors ---- */

static int errno_of(sqlite3 *db, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL: return ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return EBUSY;
	case SQLITE_READONLY: return EROFS;
	case SQLITE_NOMEM: return ENOMEM;
	case SQLITE_PERM:
	case SQLITE_AUTH: return EACCES;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISUSE:
	case SQLITE_RANGE: return EINVAL;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN: {
		/* A failed fsync or truncate on a full disk is an I/O error to
		 * sqlite; the system's errno tells what it was. */
		int e = sqlite3_system_errno(db);
		return e ? e : EIO;
	}
	default: return EIO;
	}
}

/* Record "what: sqlite's message", end any open transaction, set errno.
 * Returns -1 for the caller to pass on. The message is taken first: the
 * rollback would overwrite it. */
static int db_fail(struct store *s, const char *what, int rc)
{
	int e = errno_of(s->db, rc);

	snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", what, sqlite3_errmsg(s->db));
	/* sqlite rolls back by itself after some errors (a full disk, an I/O
	 * error); whatever is still open is rolled back here. */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	errno = e;
	return -1;
}

static int arg_fail(struct store *s, const char *what)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s: invalid argument", what);
	errno = EINVAL;
	return -1;
}

/* ---- statements ---- */

/* "INSERT ... VALUES (row), (row), ... ON CONFLICT DO NOTHING", LOG_CHUNK rows. */
static char *log_chunk_sql(void)
{
	static const char head[] = LOG_INSERT " VALUES ", tail[] = " ON CONFLICT DO NOTHING";
	size_t row = sizeof(LOG_ROW) - 1, len = sizeof(head) - 1 + LOG_CHUNK * (row + 1) + sizeof(tail);
	char *sql = malloc(len), *p;

	if (!sql)
		return NULL;
	p = stpcpy(sql, head);
	for (int i = 0; i < LOG_CHUNK; i++) {
		if (i)
			*p++ = ',';
		p = stpcpy(p, LOG_ROW);
	}
	stpcpy(p, tail);
	return sql;
}

static sqlite3_stmt *stmt(struct store *s, enum store_stmt id, const char *what)
{
	if (!s->st[id]) {
		char *built = id == ST_LOG_INSERT_CHUNK ? log_chunk_sql() : NULL;
		const char *sql = id == ST_LOG_INSERT_CHUNK ? built : stmt_sql[id];
		int rc = sql ? sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL)
			     : SQLITE_NOMEM;
		free(built);
		if (rc != SQLITE_OK) {
			db_fail(s, what, rc);
			s->st[id] = NULL;
			return NULL;
		}
	}
	return s->st[id];
}

/* Run a statement that returns no rows, then make it ready for reuse. */
static int run(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	/* The reset repeats a failed step's error and message for db_fail, and
	 * must come before a rollback, which a statement in progress blocks. */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, what, rc);
}

static int begin(struct store *s, const char *what)
{
	sqlite3_stmt *st = stmt(s, ST_BEGIN, what);
	return st ? run(s, st, what) : -1;
}

static int commit(struct store *s, const char *what)
{
	sqlite3_stmt *st = stmt(s, ST_COMMIT, what);
	if (!st) {
		int e = errno;
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		errno = e;
		return -1;
	}
	return run(s, st, what);
}

/* Give up a transaction after a failure that was already recorded. */
static void abandon(struct store *s)
{
	int e = errno;
	if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_stmt *st = stmt(s, ST_ROLLBACK, "rolling back");
		if (st)
			run(s, st, "rolling back");
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	errno = e;
}

/* The text fields are fixed-size arrays; the bound length never reaches past
 * one even if a caller forgot its terminator. */
#define BIND_ARRAY(st, i, arr) \
	sqlite3_bind_text((st), (i), (arr), (int)strnlen((arr), sizeof(arr)), SQLITE_STATIC)

static int bind_str(sqlite3_stmt *st, int i, const char *v)
{
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void col_copy(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	str_copy(dst, t ? (const char *)t : "", size);
}

#define COL_ARRAY(st, i, arr) col_copy((st), (i), (arr), sizeof(arr))

/* ---- open and close ---- */

/* Create the file before sqlite does, so that it is 0600 whatever the umask:
 * the log holds what every node reported. An existing file keeps its mode (an
 * operator may have opened it to a group on purpose). */
static int create_private(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	/* A umask such as 0277 would have taken the owner's write bit. */
	if (fchmod(fd, 0600) < 0) {
		int e = errno;
		close(fd);
		unlink(path);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* Run a PRAGMA; the first column of the row it answers (if any) goes to got
 * when got is not NULL. */
static int exec_pragma(struct store *s, const char *what, const char *sql, char *got, size_t gotlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			if (got)
				col_copy(st, 0, got, gotlen);
			rc = sqlite3_step(st);
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(s, what, rc);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Switching a new database to WAL needs it to itself for a moment, and
 * SQLite reports a concurrent opener (trapd and the manager starting
 * together) as busy without calling the busy handler: wait here instead,
 * as long as the busy timeout. */
static int set_wal(struct store *s, char *mode, size_t size)
{
	for (int waited = 0;; waited += 10) {
		if (exec_pragma(s, "switching to write-ahead logging", "PRAGMA journal_mode = WAL", mode, size) == 0)
			return 0;
		if (errno != EBUSY || waited >= STORE_BUSY_MS)
			return -1;
		sqlite3_sleep(10);
	}
}

struct store *store_open(const char *path, enum store_mode mode, char *err, size_t errlen)
{
	struct store *s = NULL;
	int flags, rc, version, newest = store_schema_steps[store_schema_n_steps - 1].version;
	char msg[sizeof(s->errmsg)] = "";

	if (!path || (mode != STORE_RW && mode != STORE_RO)) {
		snprintf(err, errlen, "%s: invalid arguments", path ? path : "(null)");
		errno = EINVAL;
		return NULL;
	}
	if (mode == STORE_RW) {
		if (create_private(path) < 0) {
			str_copy(msg, strerror(errno), sizeof(msg));
			goto fail;
		}
		flags = SQLITE_OPEN_READWRITE;
	} else {
		/* sqlite would say only "unable to open database file". */
		struct stat sb;
		if (stat(path, &sb) < 0) {
			str_copy(msg, strerror(errno), sizeof(msg));
			goto fail;
		}
		flags = SQLITE_OPEN_READONLY;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		str_copy(msg, strerror(errno), sizeof(msg));
		goto fail;
	}
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		/* Without a handle sqlite could not even allocate one. */
		if (!s->db) {
			errno = ENOMEM;
			str_copy(msg, strerror(errno), sizeof(msg));
		} else {
			db_fail(s, "opening", rc);
			str_copy(msg, s->errmsg, sizeof(msg));
		}
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);

	if (mode == STORE_RW) {
		char jm[16] = "";
		/* WAL: readers (shugoctl, the manager's log tail) never block the
		 * writers, nor they them. synchronous=FULL: trapd acknowledges an
		 * INFORM once the commit returned, so a commit must survive a power
		 * loss (NORMAL in WAL mode may lose the last commits). A WAL that a
		 * long reader let grow is cut back to 64 MiB once checkpointed. */
		if (set_wal(s, jm, sizeof(jm)) < 0 ||
		    exec_pragma(s, "setting durable commits", "PRAGMA synchronous = FULL", NULL, 0) < 0 ||
		    exec_pragma(s, "enabling foreign keys", "PRAGMA foreign_keys = ON", NULL, 0) < 0 ||
		    exec_pragma(s, "limiting the WAL size", "PRAGMA journal_size_limit = 67108864",
				NULL, 0) < 0) {
			str_copy(msg, s->errmsg, sizeof(msg));
			goto fail;
		}
		if (strcmp(jm, "wal") != 0) {
			snprintf(msg, sizeof(msg), "cannot use write-ahead logging (journal mode stays '%s')",
				 jm);
			errno = ENOTSUP;
			goto fail;
		}
		if (store_schema_migrate(s->db, store_schema_steps, store_schema_n_steps, &version, msg,
					 sizeof(msg)) < 0)
			goto fail;
	} else {
		/* A reader cannot migrate: it needs the schema it was written for. */
		if (store_schema_version(s->db, &version, msg, sizeof(msg)) < 0)
			goto fail;
		if (version > newest) {
			snprintf(msg, sizeof(msg), "schema version %d is newer than this program's %d", version,
				 newest);
			errno = ENOTSUP;
			goto fail;
		}
		if (version < newest) {
			snprintf(msg, sizeof(msg),
				 "schema version %d is older than this program's %d"
				 " (the manager or trapd migrates it when it opens it)",
				 version, newest);
			errno = ENOTSUP;
			goto fail;
		}
	}
	return s;

fail:
	{
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, msg);
		store_close(s);
		errno = e;
	}
	return NULL;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

int store_version(struct store *s)
{
	int v;
	char msg[256];

	if (store_schema_version(s->db, &v, msg, sizeof(msg)) < 0) {
		int e = errno;
		str_copy(s->errmsg, msg, sizeof(s->errmsg));
		errno = e;
		return -1;
	}
	return v;
}

const char *store_errmsg(struct store *s)
{
	if (!s)
		return "no store";
	return s->errmsg[0] ? s->errmsg : "no error";
}

/* ---- central log ---- */

/* Bind record r to the LOG_COLS parameters from first + 1 on. */
static void bind_rec(sqlite3_stmt *st, int first, const struct log_rec *r)
{
	sqlite3_bind_int(st, first + 1, (int)r->origin);
	BIND_ARRAY(st, first + 2, r->node);
	sqlite3_bind_int64(st, first + 3, r->boot);
	sqlite3_bind_int64(st, first + 4, r->seq);
	sqlite3_bind_int(st, first + 5, r->type);
	BIND_ARRAY(st, first + 6, r->type_name);
	BIND_ARRAY(st, first + 7, r->trap_oid);
	sqlite3_bind_int(st, first + 8, r->sev);
	BIND_ARRAY(st, first + 9, r->object);
	BIND_ARRAY(st, first + 10, r->state);
	BIND_ARRAY(st, first + 11, r->detail);
	sqlite3_bind_int64(st, first + 12, r->alarm_id);
	sqlite3_bind_int64(st, first + 13, r->occurred_ms);
	sqlite3_bind_int64(st, first + 14, r->received_ms);
	BIND_ARRAY(st, first + 15, r->source);
}

static int run_cached(struct store *s, enum store_stmt id, const char *what)
{
	sqlite3_stmt *st = stmt(s, id, what);
	return st ? run(s, st, what) : -1;
}

/* Insert LOG_CHUNK records with one statement. 1: all stored, with ids set;
 * 0: some were duplicates, nothing of the chunk is kept (the caller stores
 * them one by one); -1: error. The chunk runs inside a savepoint so that it
 * can be taken back whole: a multi-row INSERT does not say which rows it
 * skipped. The rows it stores get consecutive ids in VALUES order (no other
 * writer can come between inside the IMMEDIATE transaction). */
static int append_chunk(struct store *s, struct log_rec *recs, const char *what)
{
	sqlite3_stmt *st = stmt(s, ST_LOG_INSERT_CHUNK, what);
	int64_t last;

	if (!st || run_cached(s, ST_SAVEPOINT, what) < 0)
		return -1;
	for (int j = 0; j < LOG_CHUNK; j++)
		bind_rec(st, j * LOG_COLS, &recs[j]);
	if (run(s, st, what) < 0)
		return -1;
	if (sqlite3_changes(s->db) != LOG_CHUNK) {
		if (run_cached(s, ST_ROLLBACK_TO, what) < 0 || run_cached(s, ST_RELEASE, what) < 0)
			return -1;
		return 0;
	}
	last = sqlite3_last_insert_rowid(s->db);
	if (run_cached(s, ST_RELEASE, what) < 0)
		return -1;
	for (int j = 0; j < LOG_CHUNK; j++)
		recs[j].id = last - LOG_CHUNK + 1 + j;
	return 1;
}

int store_log_append(struct store *s, struct log_rec *recs, size_t n, size_t *added)
{
	static const char what[] = "appending to the log";
	sqlite3_stmt *st;
	size_t k = 0, i = 0;

	if (added)
		*added = 0;
	if (n == 0)
		return 0;
	if (!recs)
		return arg_fail(s, what);
	if (!(st = stmt(s, ST_LOG_INSERT, what)) || begin(s, what) < 0)
		goto fail;
	while (i < n) {
		size_t end = n;

		if (n - i >= LOG_CHUNK) {
			int rc = append_chunk(s, recs + i, what);
			if (rc < 0)
				goto fail;
			if (rc > 0) {
				k += LOG_CHUNK;
				i += LOG_CHUNK;
				continue;
			}
			end = i + LOG_CHUNK;
		}
		/* The tail, or a chunk with a duplicate in it: one by one. */
		for (; i < end; i++) {
			bind_rec(st, 0, &recs[i]);
			if (run(s, st, what) < 0)
				goto fail;
			/* A duplicate changed nothing. */
			if (sqlite3_changes(s->db) > 0) {
				recs[i].id = sqlite3_last_insert_rowid(s->db);
				k++;
			} else {
				recs[i].id = 0;
			}
		}
	}
	if (commit(s, what) < 0)
		goto fail;
	if (added)
		*added = k;
	return 0;

fail:
	abandon(s);
	{
		/* Nothing was stored: no record may keep an id. */
		int e = errno;
		for (size_t j = 0; j < n; j++)
			recs[j].id = 0;
		errno = e;
	}
	return -1;
}

static const char log_cols[] = "id, origin, node, boot, seq, type, type_name, trap_oid, sev, object,"
			       " state, detail, alarm_id, occurred_ms, received_ms, source";

static void log_row(sqlite3_stmt *st, struct log_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->origin = (enum lr_origin)sqlite3_column_int(st, 1);
	COL_ARRAY(st, 2, r->node);
	r->boot = (uint32_t)sqlite3_column_int64(st, 3);
	r->seq = (uint32_t)sqlite3_column_int64(st, 4);
	r->type = sqlite3_column_int(st, 5);
	COL_ARRAY(st, 6, r->type_name);
	COL_ARRAY(st, 7, r->trap_oid);
	r->sev = sqlite3_column_int(st, 8);
	COL_ARRAY(st, 9, r->object);
	COL_ARRAY(st, 10, r->state);
	COL_ARRAY(st, 11, r->detail);
	r->alarm_id = (uint32_t)sqlite3_column_int64(st, 12);
	r->occurred_ms = sqlite3_column_int64(st, 13);
	r->received_ms = sqlite3_column_int64(st, 14);
	COL_ARRAY(st, 15, r->source);
}

/* Step through a prepared query, calling row() for each row; the statement is
 * finalized. Returns 0, the callback's non-zero value, or -1. */
static int each_row(struct store *s, sqlite3_stmt *st, const char *what,
		    int (*row)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = row(st, ctx);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		db_fail(s, what, rc);
		ret = -1;
	}
	{
		int e = errno;
		sqlite3_finalize(st);
		errno = e;
	}
	return ret;
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st, const char *what)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return db_fail(s, what, rc);
	}
	return 0;
}

/* Step a prepared statement that returns no rows, then finalize it. 0 / -1. */
static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st), e;

	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return 0;
	}
	db_fail(s, what, rc);
	e = errno;
	sqlite3_finalize(st);
	errno = e;
	return -1;
}

struct log_query_ctx {
	int (*cb)(const struct log_rec *r, void *arg);
	void *arg;
	struct log_rec rec;
};

static int log_query_row(sqlite3_stmt *st, void *ctx)
{
	struct log_query_ctx *q = ctx;
	log_row(st, &q->rec);
	return q->cb(&q->rec, q->arg);
}

/* Bind a named parameter if the query has it. */
static void bind_named_int64(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

static void bind_named_str(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0)
		bind_str(st, i, v);
}

int store_log_query(struct store *s, const struct store_log_filter *f,
		    int (*cb)(const struct log_rec *r, void *arg), void *arg)
{
	static const char what[] = "reading the log";
	static const struct store_log_filter all = {.order = STORE_ORDER_OCCURRED};
	char where[256] = "", sql[1024];
	sqlite3_stmt *st = NULL;
	struct log_query_ctx *q;
	enum store_log_order order;
	int64_t limit;
	int ret;

	if (!cb)
		return arg_fail(s, what);
	if (!f)
		f = &all;
	/* An unset order is the log's own: order of occurrence. */
	order = f->order ? f->order : STORE_ORDER_OCCURRED;
	if (order != STORE_ORDER_OCCURRED && order != STORE_ORDER_ARRIVAL)
		return arg_fail(s, what);
	limit = f->limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)f->limit;

#define COND(c) strcat(where, where[0] ? " AND " c : " WHERE " c)
	if (f->after_id)
		COND("id > :after");
	if (f->since_ms)
		COND("occurred_ms >= :since");
	if (f->until_ms)
		COND("occurred_ms < :until");
	if (f->node)
		COND("node = :node");
	if (f->min_sev)
		COND("sev >= :sev");
	if (f->type_name)
		COND("type_name = :type");
	if (f->origin)
		COND("origin = :origin");
#undef COND

	if (order == STORE_ORDER_ARRIVAL)
		/* Tailing: with a limit, the next `limit` records after after_id. */
		snprintf(sql, sizeof(sql), "SELECT %s FROM log%s ORDER BY id%s", log_cols, where,
			 limit ? " LIMIT :limit" : "");
	else if (!limit)
		snprintf(sql, sizeof(sql), "SELECT %s FROM log%s ORDER BY occurred_ms, node, boot, seq, id",
			 log_cols, where);
	else
		/* The newest `limit`, still handed out oldest first. */
		snprintf(sql, sizeof(sql),
			 "SELECT * FROM (SELECT %s FROM log%s ORDER BY occurred_ms DESC, node DESC,"
			 " boot DESC, seq DESC, id DESC LIMIT :limit)"
			 " ORDER BY occurred_ms, node, boot, seq, id",
			 log_cols, where);
	if (prepare(s, sql, &st, what) < 0)
		return -1;
	bind_named_int64(st, ":after", f->after_id);
	bind_named_int64(st, ":since", f->since_ms);
	bind_named_int64(st, ":until", f->until_ms);
	bind_named_str(st, ":node", f->node);
	bind_named_int64(st, ":sev", f->min_sev);
	bind_named_str(st, ":type", f->type_name);
	bind_named_int64(st, ":origin", f->origin);
	bind_named_int64(st, ":limit", limit);

	/* A log_rec is over 1.5 KiB: on the heap, not on a caller's stack. */
	q = malloc(sizeof(*q));
	if (!q) {
		sqlite3_finalize(st);
		snprintf(s->errmsg, sizeof(s->errmsg), "%s: out of memory", what);
		errno = ENOMEM;
		return -1;
	}
	q->cb = cb;
	q->arg = arg;
	ret = each_row(s, st, what, log_query_row, q);
	free(q);
	return ret;
}

static int64_t single_int64(struct store *s, const char *sql, const char *what)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	int rc;

	if (prepare(s, sql, &st, what) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		db_fail(s, what, rc);
		v = -1;
	}
	sqlite3_finalize(st);
	return v;
}

int64_t store_log_last_id(struct store *s)
{
	return single_int64(s, "SELECT coalesce(max(id), 0) FROM log", "reading the last log id");
}

int64_t store_log_count(struct store *s)
{
	return single_int64(s, "SELECT count(*) FROM log", "counting the log");
}

int store_log_missing(struct store *s, const char *node, uint32_t from, uint32_t to, uint32_t *out,
		      size_t max, size_t *n)
{
	static const char what[] = "looking for missing sequences";
	sqlite3_stmt *st = NULL;
	uint64_t next, end = to;
	size_t cnt = 0;
	int rc = SQLITE_DONE;

	if (n)
		*n = 0;
	if (!node || !n || (max && !out))
		return arg_fail(s, what);
	/* Sequence 0 means "none": an agent's numbering starts at 1. */
	next = from ? from : 1;
	if (max == 0 || next > end)
		return 0;
	/* A walk of the unique (node, seq, boot) index between the bounds (the
	 * query repeats the index's seq <> 0 so that it qualifies): the holes
	 * are between consecutive sequences found. */
	if (prepare(s,
		    "SELECT DISTINCT seq FROM log WHERE node = ?1 AND seq BETWEEN ?2 AND ?3 AND seq <> 0"
		    " ORDER BY seq",
		    &st, what) < 0)
		return -1;
	bind_str(st, 1, node);
	sqlite3_bind_int64(st, 2, (int64_t)next);
	sqlite3_bind_int64(st, 3, (int64_t)end);
	while (cnt < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t have = (uint64_t)sqlite3_column_int64(st, 0);
		while (next < have && cnt < max)
			out[cnt++] = (uint32_t)next++;
		next = have + 1;
	}
	if (cnt < max && rc != SQLITE_DONE) {
		db_fail(s, what, rc);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	while (next <= end && cnt < max)
		out[cnt++] = (uint32_t)next++;
	*n = cnt;
	return 0;
}

int store_log_trim(struct store *s, int64_t keep)
{
	static const char what[] = "trimming the log";
	sqlite3_stmt *st = NULL;

	if (keep < 0)
		return arg_fail(s, what);
	/* Everything older than the keep-th newest id; fewer than keep records
	 * make the subquery NULL and delete nothing. One statement: atomic. */
	if (prepare(s,
		    keep ? "DELETE FROM log WHERE id < (SELECT id FROM log ORDER BY id DESC"
			   " LIMIT 1 OFFSET ?1)"
			 : "DELETE FROM log",
		    &st, what) < 0)
		return -1;
	if (keep)
		sqlite3_bind_int64(st, 1, keep - 1);
	return step_done(s, st, what);
}

/* ---- nodes ---- */

int store_node_put(struct store *s, const struct store_node *n)
{
	static const char what[] = "storing a node";
	sqlite3_stmt *st = stmt(s, ST_NODE_PUT, what);

	if (!st)
		return -1;
	BIND_ARRAY(st, 1, n->name);
	BIND_ARRAY(st, 2, n->address);
	sqlite3_bind_int(st, 3, n->state);
	sqlite3_bind_int64(st, 4, n->last_seen_ms);
	sqlite3_bind_int64(st, 5, n->last_change_ms);
	sqlite3_bind_int64(st, 6, n->boot);
	sqlite3_bind_int64(st, 7, n->notif_seq);
	sqlite3_bind_int64(st, 8, n->repaired_seq);
	BIND_ARRAY(st, 9, n->detail);
	return run(s, st, what);
}

static void node_row(sqlite3_stmt *st, struct store_node *n)
{
	memset(n, 0, sizeof(*n));
	COL_ARRAY(st, 0, n->name);
	COL_ARRAY(st, 1, n->address);
	n->state = sqlite3_column_int(st, 2);
	n->last_seen_ms = sqlite3_column_int64(st, 3);
	n->last_change_ms = sqlite3_column_int64(st, 4);
	n->boot = (uint32_t)sqlite3_column_int64(st, 5);
	n->notif_seq = (uint32_t)sqlite3_column_int64(st, 6);
	n->repaired_seq = (uint32_t)sqlite3_column_int64(st, 7);
	COL_ARRAY(st, 8, n->detail);
}

int store_node_get(struct store *s, const char *name, struct store_node *out)
{
	static const char what[] = "reading a node";
	sqlite3_stmt *st;
	int rc, ret;

	if (!name || !out)
		return arg_fail(s, what);
	st = stmt(s, ST_NODE_GET, what);
	if (!st)
		return -1;
	bind_str(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		node_row(st, out);
		ret = 0;
	} else if (rc == SQLITE_DONE) {
		ret = 1;
	} else {
		ret = db_fail(s, what, rc);
	}
	{
		int e = errno;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		errno = e;
	}
	return ret;
}

struct node_list_ctx {
	int (*cb)(const struct store_node *n, void *arg);
	void *arg;
};

static int node_list_row(sqlite3_stmt *st, void *ctx)
{
	struct node_list_ctx *c = ctx;
	struct store_node n;
	node_row(st, &n);
	return c->cb(&n, c->arg);
}

int store_node_list(struct store *s, int (*cb)(const struct store_node *n, void *arg), void *arg)
{
	static const char what[] = "listing nodes";
	struct node_list_ctx c = {cb, arg};
	sqlite3_stmt *st = NULL;

	if (!cb)
		return arg_fail(s, what);
	if (prepare(s,
		    "SELECT name, address, state, last_seen_ms, last_change_ms, boot, notif_seq,"
		    " repaired_seq, detail FROM nodes ORDER BY name",
		    &st, what) < 0)
		return -1;
	return each_row(s, st, what, node_list_row, &c);
}

/* Run the per-node statements ids[] with node bound, in one transaction. */
static int per_node(struct store *s, const char *node, const enum store_stmt *ids, size_t n,
		    const char *what)
{
	if (!node)
		return arg_fail(s, what);
	if (begin(s, what) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = stmt(s, ids[i], what);
		if (!st)
			goto fail;
		bind_str(st, 1, node);
		if (run(s, st, what) < 0)
			goto fail;
	}
	if (commit(s, what) < 0)
		goto fail;
	return 0;

fail:
	abandon(s);
	return -1;
}

int store_node_delete(struct store *s, const char *name)
{
	static const enum store_stmt ids[] = {ST_PROC_DEL, ST_RES_DEL, ST_ALARM_DEL, ST_NODE_DEL};
	return per_node(s, name, ids, sizeof(ids) / sizeof(ids[0]), "removing a node");
}

/* ---- a node's polled state ---- */

int store_snapshot(struct store *s, const char *node, int64_t now_ms,
		   const struct store_proc *procs, size_t n_procs,
		   const struct store_res *res, size_t n_res,
		   const struct store_alarm *alarms, size_t n_alarms)
{
	static const char what[] = "storing a node's polled state";
	static const enum store_stmt dels[] = {ST_PROC_DEL, ST_RES_DEL, ST_ALARM_DEL};
	sqlite3_stmt *st;

	if (!node || (n_procs && !procs) || (n_res && !res) || (n_alarms && !alarms))
		return arg_fail(s, what);
	if (begin(s, what) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(dels) / sizeof(dels[0]); i++) {
		if (!(st = stmt(s, dels[i], what)))
			goto fail;
		bind_str(st, 1, node);
		if (run(s, st, what) < 0)
			goto fail;
	}
	/* The rows belong to `node` whatever their own node field says, and are
	 * current as of now_ms. */
	if (n_procs && !(st = stmt(s, ST_PROC_INS, what)))
		goto fail;
	for (size_t i = 0; i < n_procs; i++) {
		const struct store_proc *p = &procs[i];
		bind_str(st, 1, node);
		BIND_ARRAY(st, 2, p->name);
		sqlite3_bind_int(st, 3, p->kind);
		sqlite3_bind_int(st, 4, p->state);
		sqlite3_bind_int64(st, 5, p->instances);
		sqlite3_bind_int64(st, 6, p->restarts);
		sqlite3_bind_int64(st, 7, p->cpu);
		sqlite3_bind_int64(st, 8, (int64_t)p->rss_kb);
		sqlite3_bind_int64(st, 9, p->last_change);
		sqlite3_bind_int64(st, 10, now_ms);
		if (run(s, st, what) < 0)
			goto fail;
	}
	if (n_res && !(st = stmt(s, ST_RES_INS, what)))
		goto fail;
	for (size_t i = 0; i < n_res; i++) {
		const struct store_res *r = &res[i];
		bind_str(st, 1, node);
		BIND_ARRAY(st, 2, r->name);
		sqlite3_bind_int(st, 3, r->type);
		sqlite3_bind_int64(st, 4, r->value);
		sqlite3_bind_int(st, 5, r->state);
		BIND_ARRAY(st, 6, r->detail);
		sqlite3_bind_int64(st, 7, now_ms);
		if (run(s, st, what) < 0)
			goto fail;
	}
	if (n_alarms && !(st = stmt(s, ST_ALARM_INS, what)))
		goto fail;
	for (size_t i = 0; i < n_alarms; i++) {
		const struct store_alarm *a = &alarms[i];
		bind_str(st, 1, node);
		sqlite3_bind_int64(st, 2, a->id);
		sqlite3_bind_int(st, 3, a->type);
		BIND_ARRAY(st, 4, a->object);
		sqlite3_bind_int(st, 5, a->sev);
		sqlite3_bind_int64(st, 6, a->raised);
		BIND_ARRAY(st, 7, a->detail);
		sqlite3_bind_int64(st, 8, now_ms);
		if (run(s, st, what) < 0)
			goto fail;
	}
	if (commit(s, what) < 0)
		goto fail;
	return 0;

fail:
	abandon(s);
	return -1;
}

int store_mark_stale(struct store *s, const char *node)
{
	static const enum store_stmt ids[] = {ST_PROC_STALE, ST_RES_STALE, ST_ALARM_STALE};
	return per_node(s, node, ids, sizeof(ids) / sizeof(ids[0]), "marking a node's state stale");
}

/* Prepare "SELECT cols FROM table [WHERE node = ?1] ORDER BY order". */
static int prepare_list(struct store *s, const char *cols, const char *table, const char *node,
			const char *order, sqlite3_stmt **st, const char *what)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s%s ORDER BY %s", cols, table,
		 node ? " WHERE node = ?1" : "", order);
	if (prepare(s, sql, st, what) < 0)
		return -1;
	if (node)
		bind_str(*st, 1, node);
	return 0;
}

struct proc_list_ctx {
	int (*cb)(const struct store_proc *p, void *arg);
	void *arg;
};

static int proc_list_row(sqlite3_stmt *st, void *ctx)
{
	struct proc_list_ctx *c = ctx;
	struct store_proc p;

	memset(&p, 0, sizeof(p));
	COL_ARRAY(st, 0, p.node);
	COL_ARRAY(st, 1, p.name);
	p.kind = sqlite3_column_int(st, 2);
	p.state = sqlite3_column_int(st, 3);
	p.instances = (uint32_t)sqlite3_column_int64(st, 4);
	p.restarts = (uint32_t)sqlite3_column_int64(st, 5);
	p.cpu = (uint32_t)sqlite3_column_int64(st, 6);
	p.rss_kb = (uint64_t)sqlite3_column_int64(st, 7);
	p.last_change = sqlite3_column_int64(st, 8);
	p.updated_ms = sqlite3_column_int64(st, 9);
	p.stale = sqlite3_column_int(st, 10) != 0;
	return c->cb(&p, c->arg);
}

int store_proc_list(struct store *s, const char *node, int (*cb)(const struct store_proc *p, void *arg), void *arg)
{
	static const char what[] = "listing processes";
	struct proc_list_ctx c = {cb, arg};
	sqlite3_stmt *st = NULL;

	if (!cb)
		return arg_fail(s, what);
	if (prepare_list(s,
			 "node, name, kind, state, instances, restarts, cpu, rss_kb, last_change,"
			 " updated_ms, stale",
			 "procs", node, "node, name", &st, what) < 0)
		return -1;
	return each_row(s, st, what, proc_list_row, &c);
}

struct res_list_ctx {
	int (*cb)(const struct store_res *r, void *arg);
	void *arg;
};

static int res_list_row(sqlite3_stmt *st, void *ctx)
{
	struct res_list_ctx *c = ctx;
	struct store_res r;

	memset(&r, 0, sizeof(r));
	COL_ARRAY(st, 0, r.node);
	COL_ARRAY(st, 1, r.name);
	r.type = sqlite3_column_int(st, 2);
	r.value = (uint32_t)sqlite3_column_int64(st, 3);
	r.state = sqlite3_column_int(st, 4);
	COL_ARRAY(st, 5, r.detail);
	r.updated_ms = sqlite3_column_int64(st, 6);
	r.stale = sqlite3_column_int(st, 7) != 0;
	return c->cb(&r, c->arg);
}

int store_res_list(struct store *s, const char *node, int (*cb)(const struct store_res *r, void *arg), void *arg)
{
	static const char what[] = "listing resources";
	struct res_list_ctx c = {cb, arg};
	sqlite3_stmt *st = NULL;

	if (!cb)
		return arg_fail(s, what);
	if (prepare_list(s, "node, name, type, value, state, detail, updated_ms, stale", "res", node,
			 "node, name", &st, what) < 0)
		return -1;
	return each_row(s, st, what, res_list_row, &c);
}

struct alarm_list_ctx {
	int (*cb)(const struct store_alarm *a, void *arg);
	void *arg;
};

static int alarm_list_row(sqlite3_stmt *st, void *ctx)
{
	struct alarm_list_ctx *c = ctx;
	struct store_alarm a;

	memset(&a, 0, sizeof(a));
	COL_ARRAY(st, 0, a.node);
	a.id = (uint32_t)sqlite3_column_int64(st, 1);
	a.type = sqlite3_column_int(st, 2);
	COL_ARRAY(st, 3, a.object);
	a.sev = sqlite3_column_int(st, 4);
	a.raised = sqlite3_column_int64(st, 5);
	COL_ARRAY(st, 6, a.detail);
	a.updated_ms = sqlite3_column_int64(st, 7);
	a.stale = sqlite3_column_int(st, 8) != 0;
	return c->cb(&a, c->arg);
}

int store_alarm_list(struct store *s, const char *node, int (*cb)(const struct store_alarm *a, void *arg),
		     void *arg)
{
	static const char what[] = "listing alarms";
	struct alarm_list_ctx c = {cb, arg};
	sqlite3_stmt *st = NULL;

	if (!cb)
		return arg_fail(s, what);
	if (prepare_list(s, "node, id, type, object, sev, raised, detail, updated_ms, stale", "alarms",
			 node, "node, id", &st, what) < 0)
		return -1;
	return each_row(s, st, what, alarm_list_row, &c);
}

/* ---- counters ---- */

int store_counters_put(struct store *s, const char *component, const char *const *names,
		       const uint64_t *values, size_t n, int64_t now_ms)
{
	static const char what[] = "storing counters";
	sqlite3_stmt *st;

	if (!component || (n && (!names || !values)))
		return arg_fail(s, what);
	for (size_t i = 0; i < n; i++)
		if (!names[i])
			return arg_fail(s, what);
	if (!(st = stmt(s, ST_COUNTER_PUT, what)) || begin(s, what) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bind_str(st, 1, component);
		bind_str(st, 2, names[i]);
		/* SQLite integers are signed 64-bit: the bits go in as they are
		 * and come back out the same. */
		sqlite3_bind_int64(st, 3, (int64_t)values[i]);
		sqlite3_bind_int64(st, 4, now_ms);
		if (run(s, st, what) < 0)
			goto fail;
	}
	if (commit(s, what) < 0)
		goto fail;
	return 0;

fail:
	abandon(s);
	return -1;
}

struct counter_list_ctx {
	int (*cb)(const char *name, uint64_t value, int64_t updated_ms, void *arg);
	void *arg;
};

static int counter_list_row(sqlite3_stmt *st, void *ctx)
{
	struct counter_list_ctx *c = ctx;
	const unsigned char *name = sqlite3_column_text(st, 0);

	return c->cb(name ? (const char *)name : "", (uint64_t)sqlite3_column_int64(st, 1),
		     sqlite3_column_int64(st, 2), c->arg);
}

int store_counters_list(struct store *s, const char *component,
			int (*cb)(const char *name, uint64_t value, int64_t updated_ms, void *arg), void *arg)
{
	static const char what[] = "listing counters";
	struct counter_list_ctx c = {cb, arg};
	sqlite3_stmt *st = NULL;

	if (!component || !cb)
		return arg_fail(s, what);
	if (prepare(s, "SELECT name, value, updated_ms FROM counters WHERE component = ?1 ORDER BY name",
		    &st, what) < 0)
		return -1;
	bind_str(st, 1, component);
	return each_row(s, st, what, counter_list_row, &c);
}

/* ---- meta ---- */

int store_meta_put(struct store *s, const char *key, const char *value)
{
	static const char what[] = "storing a meta record";
	sqlite3_stmt *st;

	if (!key || !value)
		return arg_fail(s, what);
	if (!(st = stmt(s, ST_META_PUT, what)))
		return -1;
	bind_str(st, 1, key);
	bind_str(st, 2, value);
	return run(s, st, what);
}

int store_meta_get(struct store *s, const char *key, char *value, size_t size)
{
	static const char what[] = "reading a meta record";
	sqlite3_stmt *st;
	int rc, ret;

	if (!key || (size && !value))
		return arg_fail(s, what);
	if (!(st = stmt(s, ST_META_GET, what)))
		return -1;
	bind_str(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (size)
			col_copy(st, 0, value, size);
		ret = 0;
	} else if (rc == SQLITE_DONE) {
		ret = 1;
	} else {
		ret = db_fail(s, what, rc);
	}
	{
		int e = errno;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		errno = e;
	}
	return ret;
}

/* ---- notification routing ---- */

int64_t store_delivery_add(struct store *s, const struct store_delivery *d)
{
	static const char what[] = "recording a delivery";
	sqlite3_stmt *st;

	if (!d)
		return arg_fail(s, what);
	if (!(st = stmt(s, ST_DELIVERY_ADD, what)))
		return -1;
	sqlite3_bind_int64(st, 1, d->log_id);
	bind_str(st, 2, d->route);
	sqlite3_bind_int(st, 3, d->priority);
	bind_str(st, 4, d->destination);
	bind_str(st, 5, d->state[0] ? d->state : "pending");
	bind_str(st, 6, d->result);
	sqlite3_bind_int(st, 7, d->snapshot);
	sqlite3_bind_int64(st, 8, d->held);
	sqlite3_bind_int64(st, 9, d->started_ms);
	sqlite3_bind_int64(st, 10, d->ended_ms);
	if (run(s, st, what) < 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int store_delivery_end(struct store *s, int64_t id, const char *state, const char *result, int64_t ended_ms)
{
	static const char what[] = "ending a delivery";
	sqlite3_stmt *st;

	if (!state || !result)
		return arg_fail(s, what);
	if (!(st = stmt(s, ST_DELIVERY_END, what)))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	bind_str(st, 2, state);
	bind_str(st, 3, result);
	sqlite3_bind_int64(st, 4, ended_ms);
	return run(s, st, what);
}

struct delivery_ctx {
	int (*cb)(const struct store_delivery *d, void *arg);
	void *arg;
};

static int delivery_row(sqlite3_stmt *st, void *ctx)
{
	struct delivery_ctx *q = ctx;
	struct store_delivery d = {0};

	d.id = sqlite3_column_int64(st, 0);
	d.log_id = sqlite3_column_int64(st, 1);
	COL_ARRAY(st, 2, d.route);
	d.priority = sqlite3_column_int(st, 3);
	COL_ARRAY(st, 4, d.destination);
	COL_ARRAY(st, 5, d.state);
	COL_ARRAY(st, 6, d.result);
	d.snapshot = sqlite3_column_int(st, 7) != 0;
	d.held = (uint32_t)sqlite3_column_int64(st, 8);
	d.started_ms = sqlite3_column_int64(st, 9);
	d.ended_ms = sqlite3_column_int64(st, 10);
	return q->cb(&d, q->arg);
}

int store_delivery_list(struct store *s, const struct store_delivery_filter *f,
			int (*cb)(const struct store_delivery *d, void *arg), void *arg)
{
	static const char what[] = "reading deliveries";
	static const char cols[] = "id, log_id, route, priority, destination, state, result, snapshot, held,"
				   " started_ms, ended_ms";
	static const struct store_delivery_filter all = {0};
	char where[160] = "", sql[512];
	sqlite3_stmt *st = NULL;
	struct delivery_ctx q = {cb, arg};
	int64_t limit;

	if (!cb)
		return arg_fail(s, what);
	if (!f)
		f = &all;
	limit = f->limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)f->limit;
#define COND(c) strcat(where, where[0] ? " AND " c : " WHERE " c)
	if (f->log_id)
		COND("log_id = :log");
	if (f->route)
		COND("route = :route");
	if (f->pending_only)
		COND("state = 'pending'");
#undef COND
	if (limit)
		snprintf(sql, sizeof sql, "SELECT * FROM (SELECT %s FROM deliveries%s ORDER BY id DESC LIMIT :limit)"
			 " ORDER BY id", cols, where);
	else
		snprintf(sql, sizeof sql, "SELECT %s FROM deliveries%s ORDER BY id", cols, where);
	if (prepare(s, sql, &st, what) < 0)
		return -1;
	bind_named_int64(st, ":log", f->log_id);
	bind_named_str(st, ":route", f->route);
	bind_named_int64(st, ":limit", limit);
	return each_row(s, st, what, delivery_row, &q);
}

int store_route_sync(struct store *s, const char *name, const char *definition, int64_t now_ms)
{
	static const char what[] = "recording a route";
	sqlite3_stmt *st = NULL;
	int rc, changed;

	if (!name || !definition)
		return arg_fail(s, what);
	if (prepare(s, "SELECT definition = ?2 FROM routes WHERE name = ?1", &st, what) < 0)
		return -1;
	bind_str(st, 1, name);
	bind_str(st, 2, definition);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_fail(s, what, rc);
		int e = errno;
		sqlite3_finalize(st);
		errno = e;
		return -1;
	}
	changed = rc == SQLITE_DONE || sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	if (!changed)
		return 0;
	if (prepare(s,
		    "INSERT INTO routes (name, definition, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?3)"
		    " ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_ms = excluded.updated_ms",
		    &st, what) < 0)
		return -1;
	bind_str(st, 1, name);
	bind_str(st, 2, definition);
	sqlite3_bind_int64(st, 3, now_ms);
	return step_done(s, st, what) < 0 ? -1 : 1;
}

struct name_set {
	const char *const *names;
	size_t n;
	char (*gone)[STORE_NAME_MAX + 1];
	size_t n_gone, cap;
};

static int route_name_row(sqlite3_stmt *st, void *ctx)
{
	struct name_set *ns = ctx;
	const unsigned char *t = sqlite3_column_text(st, 0);
	const char *name = t ? (const char *)t : "";

	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->names[i], name))
			return 0;
	if (ns->n_gone == ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 8;
		void *g = realloc(ns->gone, cap * sizeof *ns->gone);
		if (!g)
			return -1;
		ns->gone = g;
		ns->cap = cap;
	}
	str_copy(ns->gone[ns->n_gone++], name, sizeof *ns->gone);
	return 0;
}

int store_route_prune(struct store *s, const char *const *names, size_t n)
{
	static const char what[] = "forgetting removed routes";
	struct name_set ns = {names, n, NULL, 0, 0};
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (n && !names)
		return arg_fail(s, what);
	if (prepare(s, "SELECT name FROM routes", &st, what) < 0)
		return -1;
	if (each_row(s, st, what, route_name_row, &ns) != 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < ns.n_gone && ret == 0; i++) {
		if (prepare(s, "DELETE FROM routes WHERE name = ?1", &st, what) < 0) {
			ret = -1;
			break;
		}
		bind_str(st, 1, ns.gone[i]);
		ret = step_done(s, st, what);
	}
out:
	free(ns.gone);
	return ret;
}

/* Run a query that yields at most one log record. */
static int log_one(struct store *s, sqlite3_stmt *st, const char *what, struct log_rec *out)
{
	int rc = sqlite3_step(st), ret;

	if (rc == SQLITE_ROW) {
		log_row(st, out);
		ret = 0;
	} else if (rc == SQLITE_DONE) {
		ret = 1;
	} else {
		ret = db_fail(s, what, rc);
	}
	int e = errno;
	sqlite3_finalize(st);
	errno = e;
	return ret;
}

int store_log_alarm_raise(struct store *s, const char *node, uint32_t alarm_id, int64_t since_ms,
			  struct log_rec *out)
{
	static const char what[] = "finding the record that raised an alarm";
	char sql[512];
	sqlite3_stmt *st = NULL;

	if (!node || !out || !alarm_id)
		return arg_fail(s, what);
	/* occurred_ms first, so that the log_occurred index bounds the scan */
	snprintf(sql, sizeof sql,
		 "SELECT %s FROM log WHERE occurred_ms >= ?3 AND node = ?1 AND alarm_id = ?2 AND sev <> %d"
		 " ORDER BY id DESC LIMIT 1",
		 log_cols, SEV_CLEAR);
	if (prepare(s, sql, &st, what) < 0)
		return -1;
	bind_str(st, 1, node);
	sqlite3_bind_int64(st, 2, alarm_id);
	sqlite3_bind_int64(st, 3, since_ms);
	return log_one(s, st, what, out);
}

int store_log_newest(struct store *s, enum lr_origin origin, int type, const char *object, int64_t since_ms,
		     struct log_rec *out)
{
	static const char what[] = "finding the newest record of a kind";
	char sql[512];
	sqlite3_stmt *st = NULL;

	if (!object || !out)
		return arg_fail(s, what);
	snprintf(sql, sizeof sql,
		 "SELECT %s FROM log WHERE occurred_ms >= ?4 AND origin = ?1 AND type = ?2 AND object = ?3"
		 " ORDER BY id DESC LIMIT 1",
		 log_cols);
	if (prepare(s, sql, &st, what) < 0)
		return -1;
	sqlite3_bind_int(st, 1, origin);
	sqlite3_bind_int(st, 2, type);
	bind_str(st, 3, object);
	sqlite3_bind_int64(st, 4, since_ms);
	return log_one(s, st, what, out);
}

int store_log_get(struct store *s, int64_t id, struct log_rec *out)
{
	static const char what[] = "reading a log record";
	char sql[512];
	sqlite3_stmt *st = NULL;

	if (!out)
		return arg_fail(s, what);
	snprintf(sql, sizeof sql, "SELECT %s FROM log WHERE id = ?1", log_cols);
	if (prepare(s, sql, &st, what) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return log_one(s, st, what, out);
}

/* ---- remote execution ---- */

static const char exec_cols[] = "id, program, args, env, place, nodes, requested_by, state, detail,"
				" created_ms, updated_ms, ended_ms, signal";

int store_exec_add(struct store *s, const struct store_exec_req *r)
{
	static const char what[] = "adding an exec request";
	sqlite3_stmt *st = NULL;

	if (!r || !r->id[0] || !r->program[0])
		return arg_fail(s, what);
	if (prepare(s,
		    "INSERT INTO exec_requests (id, program, args, env, place, nodes, requested_by, state, detail,"
		    " created_ms, updated_ms, ended_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
		    " ON CONFLICT (id) DO NOTHING",
		    &st, what) < 0)
		return -1;
	BIND_ARRAY(st, 1, r->id);
	BIND_ARRAY(st, 2, r->program);
	BIND_ARRAY(st, 3, r->args);
	BIND_ARRAY(st, 4, r->env);
	sqlite3_bind_int(st, 5, r->place);
	BIND_ARRAY(st, 6, r->nodes);
	BIND_ARRAY(st, 7, r->requested_by);
	bind_str(st, 8, r->state[0] ? r->state : "queued");
	BIND_ARRAY(st, 9, r->detail);
	sqlite3_bind_int64(st, 10, r->created_ms);
	sqlite3_bind_int64(st, 11, r->updated_ms);
	sqlite3_bind_int64(st, 12, r->ended_ms);
	if (step_done(s, st, what) < 0)
		return -1;
	return sqlite3_changes(s->db) == 1 ? 0 : 1;
}

static void exec_row(sqlite3_stmt *st, struct store_exec_req *r)
{
	memset(r, 0, sizeof *r);
	COL_ARRAY(st, 0, r->id);
	COL_ARRAY(st, 1, r->program);
	COL_ARRAY(st, 2, r->args);
	COL_ARRAY(st, 3, r->env);
	r->place = sqlite3_column_int(st, 4);
	COL_ARRAY(st, 5, r->nodes);
	COL_ARRAY(st, 6, r->requested_by);
	COL_ARRAY(st, 7, r->state);
	COL_ARRAY(st, 8, r->detail);
	r->created_ms = sqlite3_column_int64(st, 9);
	r->updated_ms = sqlite3_column_int64(st, 10);
	r->ended_ms = sqlite3_column_int64(st, 11);
	r->signal = sqlite3_column_int(st, 12);
}

struct exec_ctx {
	int (*cb)(const struct store_exec_req *r, void *arg);
	void *arg;
	struct store_exec_req req; /* large: not on the callback's stack */
};

static int exec_list_row(sqlite3_stmt *st, void *ctx)
{
	struct exec_ctx *q = ctx;

	exec_row(st, &q->req);
	return q->cb(&q->req, q->arg);
}

static int exec_get_row(sqlite3_stmt *st, void *ctx)
{
	exec_row(st, ctx);
	return 1;
}

int store_exec_get(struct store *s, const char *id, struct store_exec_req *out)
{
	static const char what[] = "reading an exec request";
	char sql[256];
	sqlite3_stmt *st = NULL;
	int rc;

	if (!id || !out)
		return arg_fail(s, what);
	snprintf(sql, sizeof sql, "SELECT %s FROM exec_requests WHERE id = ?1", exec_cols);
	if (prepare(s, sql, &st, what) < 0)
		return -1;
	bind_str(st, 1, id);
	rc = each_row(s, st, what, exec_get_row, out);
	return rc == 1 ? 0 : rc == 0 ? 1 : -1;
}

int store_exec_update_if(struct store *s, const struct store_exec_req *r, const char *expect)
{
	static const char what[] = "updating an exec request";
	sqlite3_stmt *st = NULL;

	if (!r)
		return arg_fail(s, what);
	if (prepare(s,
		    expect ? "UPDATE exec_requests SET state = ?2, detail = ?3, updated_ms = ?4, ended_ms = ?5"
			     " WHERE id = ?1 AND state = ?6"
			   : "UPDATE exec_requests SET state = ?2, detail = ?3, updated_ms = ?4, ended_ms = ?5"
			     " WHERE id = ?1",
		    &st, what) < 0)
		return -1;
	BIND_ARRAY(st, 1, r->id);
	BIND_ARRAY(st, 2, r->state);
	BIND_ARRAY(st, 3, r->detail);
	sqlite3_bind_int64(st, 4, r->updated_ms);
	sqlite3_bind_int64(st, 5, r->ended_ms);
	if (expect)
		bind_str(st, 6, expect);
	if (step_done(s, st, what) < 0)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 0 : 1;
}

int store_exec_update(struct store *s, const struct store_exec_req *r)
{
	return store_exec_update_if(s, r, NULL) < 0 ? -1 : 0;
}

int store_exec_list(struct store *s, bool open_only, size_t limit,
		    int (*cb)(const struct store_exec_req *r, void *arg), void *arg)
{
	static const char what[] = "reading exec requests";
	char sql[512];
	sqlite3_stmt *st = NULL;
	struct exec_ctx *q;
	int64_t lim = limit > (size_t)INT64_MAX ? INT64_MAX : (int64_t)limit;
	int ret;

	if (!cb)
		return arg_fail(s, what);
	if (open_only)
		snprintf(sql, sizeof sql,
			 "SELECT %s FROM exec_requests WHERE state IN ('queued', 'placing', 'running')"
			 " ORDER BY created_ms, id", exec_cols);
	else if (lim)
		snprintf(sql, sizeof sql,
			 "SELECT * FROM (SELECT %s FROM exec_requests ORDER BY created_ms DESC, id DESC LIMIT ?1)"
			 " ORDER BY created_ms, id", exec_cols);
	else
		snprintf(sql, sizeof sql, "SELECT %s FROM exec_requests ORDER BY created_ms, id", exec_cols);
	if (!(q = malloc(sizeof *q))) {
		snprintf(s->errmsg, sizeof s->errmsg, "%s: out of memory", what);
		errno = ENOMEM;
		return -1;
	}
	q->cb = cb;
	q->arg = arg;
	ret = prepare(s, sql, &st, what);
	if (ret == 0) {
		if (!open_only && lim)
			sqlite3_bind_int64(st, 1, lim);
		ret = each_row(s, st, what, exec_list_row, q);
	}
	free(q);
	return ret;
}

int store_exec_run_put(struct store *s, const struct store_exec_run *r)
{
	static const char what[] = "recording an exec run";
	sqlite3_stmt *st = NULL;

	if (!r || !r->request[0] || !r->node[0])
		return arg_fail(s, what);
	if (prepare(s,
		    "INSERT INTO exec_runs (request, node, attempt, state, detail, pid, exit_code, exit_signal, normal,"
		    " started_ms, ended_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
		    " ON CONFLICT (request, node) DO UPDATE SET attempt = excluded.attempt, state = excluded.state,"
		    " detail = excluded.detail, pid = excluded.pid, exit_code = excluded.exit_code,"
		    " exit_signal = excluded.exit_signal, normal = excluded.normal, started_ms = excluded.started_ms,"
		    " ended_ms = excluded.ended_ms, updated_ms = excluded.updated_ms",
		    &st, what) < 0)
		return -1;
	BIND_ARRAY(st, 1, r->request);
	BIND_ARRAY(st, 2, r->node);
	sqlite3_bind_int(st, 3, r->attempt);
	bind_str(st, 4, r->state[0] ? r->state : "asking");
	BIND_ARRAY(st, 5, r->detail);
	sqlite3_bind_int64(st, 6, r->pid);
	sqlite3_bind_int(st, 7, r->exit_code);
	sqlite3_bind_int(st, 8, r->exit_signal);
	sqlite3_bind_int(st, 9, r->normal);
	sqlite3_bind_int64(st, 10, r->started_ms);
	sqlite3_bind_int64(st, 11, r->ended_ms);
	sqlite3_bind_int64(st, 12, r->updated_ms);
	return step_done(s, st, what);
}

struct run_ctx {
	int (*cb)(const struct store_exec_run *r, void *arg);
	void *arg;
};

static int run_list_row(sqlite3_stmt *st, void *ctx)
{
	struct run_ctx *q = ctx;
	struct store_exec_run r = {0};

	COL_ARRAY(st, 0, r.request);
	COL_ARRAY(st, 1, r.node);
	r.attempt = sqlite3_column_int(st, 2);
	COL_ARRAY(st, 3, r.state);
	COL_ARRAY(st, 4, r.detail);
	r.pid = (uint32_t)sqlite3_column_int64(st, 5);
	r.exit_code = sqlite3_column_int(st, 6);
	r.exit_signal = sqlite3_column_int(st, 7);
	r.normal = sqlite3_column_int(st, 8);
	r.started_ms = sqlite3_column_int64(st, 9);
	r.ended_ms = sqlite3_column_int64(st, 10);
	r.updated_ms = sqlite3_column_int64(st, 11);
	return q->cb(&r, q->arg);
}

int store_exec_run_list(struct store *s, const char *request,
			int (*cb)(const struct store_exec_run *r, void *arg), void *arg)
{
	static const char what[] = "reading exec runs";
	struct run_ctx q = {cb, arg};
	sqlite3_stmt *st = NULL;

	if (!request || !cb)
		return arg_fail(s, what);
	if (prepare(s,
		    "SELECT request, node, attempt, state, detail, pid, exit_code, exit_signal, normal, started_ms,"
		    " ended_ms, updated_ms FROM exec_runs WHERE request = ?1 ORDER BY attempt, node",
		    &st, what) < 0)
		return -1;
	bind_str(st, 1, request);
	return each_row(s, st, what, run_list_row, &q);
}

int store_exec_signal(struct store *s, const char *id, int sig)
{
	static const char what[] = "asking for a signal";
	sqlite3_stmt *st = NULL;

	if (!id || sig < 1 || sig > 64)
		return arg_fail(s, what);
	if (prepare(s, "UPDATE exec_requests SET signal = ?2 WHERE id = ?1 AND state IN ('placing', 'running')", &st,
		    what) < 0)
		return -1;
	bind_str(st, 1, id);
	sqlite3_bind_int(st, 2, sig);
	if (step_done(s, st, what) < 0)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 0 : 1;
}

int store_exec_signal_sent(struct store *s, const char *id, int sig)
{
	static const char what[] = "recording a signal sent";
	sqlite3_stmt *st = NULL;

	if (!id)
		return arg_fail(s, what);
	if (prepare(s, "UPDATE exec_requests SET signal = 0 WHERE id = ?1 AND signal = ?2", &st, what) < 0)
		return -1;
	bind_str(st, 1, id);
	sqlite3_bind_int(st, 2, sig);
	return step_done(s, st, what);
}

struct run_vec {
	struct store_exec_run *v;
	size_t n, cap;
};

static int run_vec_add(const struct store_exec_run *r, void *arg)
{
	struct run_vec *a = arg;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		struct store_exec_run *v = realloc(a->v, cap * sizeof *v);
		if (!v)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *r;
	return 0;
}

int store_exec_runs(struct store *s, const char *request, struct store_exec_run **out, size_t *n)
{
	struct run_vec a = {0};
	int rc = store_exec_run_list(s, request, run_vec_add, &a);

	if (rc != 0) {
		if (rc > 0) { /* the callback's: out of memory */
			snprintf(s->errmsg, sizeof s->errmsg, "reading exec runs: out of memory");
			errno = ENOMEM;
		}
		free(a.v);
		return -1;
	}
	*out = a.v;
	*n = a.n;
	return 0;
}

int store_exec_trim(struct store *s, uint32_t keep)
{
	static const char what[] = "trimming exec requests";
	sqlite3_stmt *st = NULL;

	if (prepare(s,
		    "DELETE FROM exec_requests WHERE state IN ('done', 'failed') AND id NOT IN"
		    " (SELECT id FROM exec_requests WHERE state IN ('done', 'failed')"
		    " ORDER BY created_ms DESC, id DESC LIMIT ?1)",
		    &st, what) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, keep);
	return step_done(s, st, what);
}
