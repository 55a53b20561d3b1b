/* Unit tests for the SQLite store against real databases in a temporary
 * directory: creation and file mode, the migration runner and the refusal of
 * newer schemas, the central log (duplicates, ids, filters, orders, gaps,
 * trimming), nodes and their polled state, counters, meta records, a reader
 * beside a writer, a full disk, and the append throughput (printed).
 *
 * A full disk is simulated two honest ways without a test hook in the store:
 * a SQLite auto-extension hands the test each new connection, on which it
 * sets PRAGMA max_page_count (the insert itself fails), and a VFS wrapped
 * around the default one refuses every write that would grow a file, as a
 * full file system does (the commit's write to the WAL fails). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "cu_main.h"
#include "store.h"
#include "store_schema.h"

/* ---- fixtures ---- */

struct tdir {
	char dir[256];
	char db[300];
};

static void tdir_make(struct tdir *t)
{
	const char *base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	CU_ASSERT_FATAL((size_t)snprintf(t->dir, sizeof(t->dir), "%s/test_store.XXXXXX", base) <
			sizeof(t->dir) - 32);
	CU_ASSERT_FATAL(mkdtemp(t->dir) != NULL);
	snprintf(t->db, sizeof(t->db), "%s/store.db", t->dir);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tdir_remove(struct tdir *t)
{
	nftw(t->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static struct store *open_rw(const char *path)
{
	char err[512];
	struct store *s = store_open(path, STORE_RW, err, sizeof(err));
	if (!s)
		fprintf(stderr, "store_open: %s\n", err);
	return s;
}

static struct store *open_ro(const char *path)
{
	char err[512];
	struct store *s = store_open(path, STORE_RO, err, sizeof(err));
	if (!s)
		fprintf(stderr, "store_open (read-only): %s\n", err);
	return s;
}

/* A raw connection beside the store's, for what the API does not show. */
static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;
	CU_ASSERT_FATAL(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int raw_exec(sqlite3 *db, const char *sql)
{
	char *e = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql, e ? e : "?");
	sqlite3_free(e);
	return rc;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return v;
}

/* Every connection opened in this process passes through here: the test
 * keeps the newest, so it can look at (and squeeze) the store's own. */
static sqlite3 *last_conn;

static int grab_conn(sqlite3 *db, char **err, const void *api)
{
	(void)err;
	(void)api;
	last_conn = db;
	return SQLITE_OK;
}

static void mk_rec(struct log_rec *r, enum lr_origin origin, const char *node, uint32_t boot, uint32_t seq,
		int64_t occurred_ms, int sev, const char *type_name)
{
	memset(r, 0, sizeof(*r));
	r->origin = origin;
	snprintf(r->node, sizeof(r->node), "%s", node);
	r->boot = boot;
	r->seq = seq;
	r->type = origin == LR_FOREIGN ? 0 : 1;
	snprintf(r->type_name, sizeof(r->type_name), "%s", type_name);
	snprintf(r->trap_oid, sizeof(r->trap_oid), ".1.3.6.1.4.1.32473.7.0.%u", seq % 24 + 1);
	r->sev = sev;
	snprintf(r->object, sizeof(r->object), "proc:web%u", seq);
	snprintf(r->state, sizeof(r->state), "failed");
	snprintf(r->detail, sizeof(r->detail), "detail of %s/%u/%u", node, boot, seq);
	r->alarm_id = seq * 10;
	r->occurred_ms = occurred_ms;
	r->received_ms = occurred_ms + 5;
	snprintf(r->source, sizeof(r->source), "udp:127.0.0.1:%u", 40000 + seq % 1000);
}

static int count_cb(const struct log_rec *r, void *arg)
{
	(void)r;
	(*(size_t *)arg)++;
	return 0;
}

static size_t query_count(struct store *s, const struct store_log_filter *f)
{
	size_t n = 0;
	CU_ASSERT_EQUAL(store_log_query(s, f, count_cb, &n), 0);
	return n;
}

static int copy_cb(const struct log_rec *x, void *arg)
{
	memcpy(arg, x, sizeof(*x));
	return 0;
}

struct id_list {
	int64_t *ids;
	size_t *n;
};

static int ids_cb(const struct log_rec *x, void *arg)
{
	struct id_list *c = arg;
	c->ids[(*c->n)++] = x->id;
	return 0;
}

/* ---- open, create, version ---- */

static void test_open_create(void)
{
	struct tdir t;
	struct stat sb;
	struct store *s;
	char err[512], path[400];
	mode_t old = umask(0);

	tdir_make(&t);
	/* With umask 0 a file sqlite created itself would be 0644. */
	s = open_rw(t.db);
	umask(old);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(stat(t.db, &sb), 0);
	CHECK((sb.st_mode & 07777) == 0600, "store.db mode %o", (unsigned)(sb.st_mode & 07777));
	snprintf(path, sizeof(path), "%s-wal", t.db);
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	CHECK((sb.st_mode & 07777) == 0600, "store.db-wal mode %o", (unsigned)(sb.st_mode & 07777));
	CU_ASSERT_EQUAL(store_version(s), 2);
	CU_ASSERT_EQUAL(store_log_count(s), 0);
	CU_ASSERT_EQUAL(store_log_last_id(s), 0);
	/* The store's own connection: WAL, durable commits, foreign keys. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(last_conn);
	CU_ASSERT_EQUAL(raw_int(last_conn, "PRAGMA synchronous"), 2);
	CU_ASSERT_EQUAL(raw_int(last_conn, "PRAGMA foreign_keys"), 1);
	CU_ASSERT_EQUAL(raw_int(last_conn, "PRAGMA busy_timeout"), 5000);
	CU_ASSERT_EQUAL(store_meta_put(s, "k", "v"), 0);
	store_close(s);

	/* Reopened: the same data, the same version, no migration again. */
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_version(s), 2);
	CU_ASSERT_EQUAL(store_meta_get(s, "k", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "v");
	store_close(s);
	{
		sqlite3 *db = raw_open(t.db);
		char *jm = NULL;
		sqlite3_stmt *st;
		CU_ASSERT_EQUAL(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
		CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
		jm = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		CU_ASSERT_STRING_EQUAL(jm, "wal");
		free(jm);
		sqlite3_close(db);
	}

	/* Read-only, after every writer has gone (no -wal or -shm left). */
	s = open_ro(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_version(s), 2);
	CU_ASSERT_EQUAL(store_meta_get(s, "k", err, sizeof(err)), 0);
	store_close(s);

	/* Failures name the path and say what is wrong. */
	snprintf(path, sizeof(path), "%s/nosuchdir/store.db", t.dir);
	errno = 0;
	CU_ASSERT_PTR_NULL(store_open(path, STORE_RW, err, sizeof(err)));
	CU_ASSERT_EQUAL(errno, ENOENT);
	CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, "No such file"), "err: %s", err);
	snprintf(path, sizeof(path), "%s/absent.db", t.dir);
	CU_ASSERT_PTR_NULL(store_open(path, STORE_RO, err, sizeof(err)));
	CHECK(strstr(err, "absent.db: No such file") != NULL, "err: %s", err);
	CU_ASSERT_EQUAL(access(path, F_OK), -1); /* a reader creates nothing */

	/* Something that is not a database. */
	snprintf(path, sizeof(path), "%s/junk.db", t.dir);
	{
		FILE *f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		for (int i = 0; i < 200; i++)
			fputs("this is not an SQLite database\n", f);
		fclose(f);
	}
	CU_ASSERT_PTR_NULL(store_open(path, STORE_RW, err, sizeof(err)));
	CHECK(strstr(err, "junk.db: ") == err + strlen(t.dir) + 1, "err: %s", err);
	tdir_remove(&t);
}

static void test_newer_refused(void)
{
	struct tdir t;
	struct store *s;
	sqlite3 *db;
	char err[512], want[400];

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	store_close(s);
	db = raw_open(t.db);
	CU_ASSERT_EQUAL(raw_exec(db, "PRAGMA user_version = 7"), SQLITE_OK);
	sqlite3_close(db);

	snprintf(want, sizeof(want), "%s: schema version 7 is newer than this program's 2", t.db);
	errno = 0;
	CU_ASSERT_PTR_NULL(store_open(t.db, STORE_RW, err, sizeof(err)));
	CU_ASSERT_EQUAL(errno, ENOTSUP);
	CHECK(strcmp(err, want) == 0, "err: %s", err);
	CU_ASSERT_PTR_NULL(store_open(t.db, STORE_RO, err, sizeof(err)));
	CHECK(strcmp(err, want) == 0, "err: %s", err);
	/* Refused means untouched. */
	db = raw_open(t.db);
	CU_ASSERT_EQUAL(raw_int(db, "PRAGMA user_version"), 7);
	sqlite3_close(db);

	/* A reader cannot migrate an older database. */
	db = raw_open(t.db);
	CU_ASSERT_EQUAL(raw_exec(db, "PRAGMA user_version = 0"), SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_PTR_NULL(store_open(t.db, STORE_RO, err, sizeof(err)));
	CHECK(strstr(err, "schema version 0 is older than this program's 2") != NULL, "err: %s", err);
	tdir_remove(&t);
}

/* ---- the migration runner, on steps of its own ---- */

static const struct store_schema_step steps_v1[] = {
	{1, "CREATE TABLE t (a INTEGER NOT NULL); CREATE TABLE kept (x);"},
};
static const struct store_schema_step steps_v2[] = {
	{1, "CREATE TABLE t (a INTEGER NOT NULL); CREATE TABLE kept (x);"},
	{2, "ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'new';"},
};
/* Step 3 fails halfway: its first statement must not survive. */
static const struct store_schema_step steps_v3_bad[] = {
	{1, "CREATE TABLE t (a INTEGER NOT NULL); CREATE TABLE kept (x);"},
	{2, "ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'new';"},
	{3, "CREATE TABLE half (y); INSERT INTO nosuchtable VALUES (1);"},
};
static const struct store_schema_step steps_unordered[] = {
	{2, "CREATE TABLE z (a);"},
	{1, "CREATE TABLE y (a);"},
};

static void test_migration_runner(void)
{
	struct tdir t;
	sqlite3 *db;
	char err[256] = "";
	int v = -1;

	tdir_make(&t);
	db = raw_open(t.db);
	CU_ASSERT_EQUAL(store_schema_migrate(db, steps_v1, 1, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(raw_int(db, "PRAGMA user_version"), 1);
	CU_ASSERT_EQUAL(raw_exec(db, "INSERT INTO t (a) VALUES (10), (20), (30)"), SQLITE_OK);

	/* v1 -> v2 adds a column and keeps the rows. */
	CU_ASSERT_EQUAL(store_schema_migrate(db, steps_v2, 2, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 2);
	CU_ASSERT_EQUAL(raw_int(db, "PRAGMA user_version"), 2);
	CU_ASSERT_EQUAL(raw_int(db, "SELECT count(*) FROM t"), 3);
	CU_ASSERT_EQUAL(raw_int(db, "SELECT sum(a) FROM t"), 60);
	CU_ASSERT_EQUAL(raw_int(db, "SELECT count(*) FROM t WHERE b = 'new'"), 3);

	/* Again: nothing to do (step 1 would fail if it ran twice). */
	CU_ASSERT_EQUAL(store_schema_migrate(db, steps_v2, 2, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 2);

	/* A failing step leaves the database at the previous version, whole. */
	errno = 0;
	CU_ASSERT_EQUAL(store_schema_migrate(db, steps_v3_bad, 3, &v, err, sizeof(err)), -1);
	CHECK(strstr(err, "migrating to schema version 3: no such table: nosuchtable") != NULL, "err: %s",
	      err);
	CU_ASSERT_EQUAL(raw_int(db, "PRAGMA user_version"), 2);
	CU_ASSERT_EQUAL(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"), 0);
	CU_ASSERT_EQUAL(raw_int(db, "SELECT count(*) FROM t"), 3);
	CU_ASSERT(sqlite3_get_autocommit(db) != 0); /* no transaction left open */

	/* Newer than the steps know: refused, with the versions named. */
	CU_ASSERT_EQUAL(store_schema_migrate(db, steps_v1, 1, &v, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(errno, ENOTSUP);
	CU_ASSERT_STRING_EQUAL(err, "schema version 2 is newer than this program's 1");

	/* Steps out of order are a programming error, caught before any runs. */
	CU_ASSERT_EQUAL(store_schema_migrate(db, steps_unordered, 2, &v, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('y', 'z')"), 0);
	sqlite3_close(db);

	/* From nothing straight to v2: both steps, in order. */
	snprintf(t.db, sizeof(t.db), "%s/fresh.db", t.dir);
	db = raw_open(t.db);
	CU_ASSERT_EQUAL(store_schema_migrate(db, steps_v2, 2, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 2);
	CU_ASSERT_EQUAL(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('t', 'kept')"), 2);
	sqlite3_close(db);

	/* The store's own schema has the tables the next steps need. */
	snprintf(t.db, sizeof(t.db), "%s/real.db", t.dir);
	{
		struct store *s = open_rw(t.db);
		static const char *const tables[] = {"log", "nodes", "procs", "res", "alarms", "counters",
						     "meta", "packages", "actions", "routes", "deliveries",
						     "exec_requests", "exec_runs"};
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		store_close(s);
		db = raw_open(t.db);
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
			char sql[128];
			snprintf(sql, sizeof(sql),
				 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
				 tables[i]);
			CHECK(raw_int(db, sql) == 1, "table %s", tables[i]);
		}
		sqlite3_close(db);
	}
	tdir_remove(&t);
}

/* ---- the central log ---- */

static void test_append_duplicates(void)
{
	struct tdir t;
	struct store *s;
	struct log_rec r[6];
	size_t added = 99;

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	mk_rec(&r[0], LR_AGENT, "alpha", 1, 1, 1000, SEV_MAJOR, "shugoProcAlarm");
	mk_rec(&r[1], LR_AGENT, "alpha", 1, 2, 1001, SEV_MAJOR, "shugoProcAlarm");
	mk_rec(&r[2], LR_AGENT, "alpha", 1, 3, 1002, SEV_CLEAR, "shugoProcClear");
	mk_rec(&r[3], LR_FOREIGN, "", 0, 0, 1003, SEV_INFO, "");
	mk_rec(&r[4], LR_FOREIGN, "", 0, 0, 1003, SEV_INFO, ""); /* no sequence: never a duplicate */
	CU_ASSERT_EQUAL(store_log_append(s, r, 5, &added), 0);
	CU_ASSERT_EQUAL(added, 5);
	for (int i = 0; i < 5; i++)
		CHECK(r[i].id == i + 1, "record %d id %" PRId64, i, r[i].id);

	/* Again with a twin of seq 2, a new seq 4, seq 2 of another boot and of
	 * another node, and a twin inside the batch itself. */
	mk_rec(&r[0], LR_REPLAY, "alpha", 1, 2, 1001, SEV_MAJOR, "shugoProcAlarm");
	mk_rec(&r[1], LR_AGENT, "alpha", 1, 4, 1004, SEV_MAJOR, "shugoProcAlarm");
	mk_rec(&r[2], LR_AGENT, "alpha", 2, 2, 1005, SEV_MAJOR, "shugoProcAlarm");
	mk_rec(&r[3], LR_AGENT, "beta", 1, 2, 1006, SEV_MAJOR, "shugoProcAlarm");
	mk_rec(&r[4], LR_AGENT, "beta", 1, 2, 1006, SEV_MAJOR, "shugoProcAlarm");
	r[0].id = 12345; /* a skipped record's id is cleared, whatever it held */
	CU_ASSERT_EQUAL(store_log_append(s, r, 5, &added), 0);
	CU_ASSERT_EQUAL(added, 3);
	/* Stored records get new ids in order; a skipped one may use up an id
	 * (SQLite draws the row id before it finds the conflict), so only the
	 * order is certain, not that the ids are consecutive. */
	CU_ASSERT_EQUAL(r[0].id, 0);
	CU_ASSERT(r[1].id > 5);
	CU_ASSERT(r[2].id > r[1].id);
	CU_ASSERT(r[3].id > r[2].id);
	CU_ASSERT_EQUAL(r[4].id, 0);
	CU_ASSERT_EQUAL(store_log_count(s), 8);
	CU_ASSERT_EQUAL(store_log_last_id(s), r[3].id);

	/* All duplicates: fine, nothing added; an empty call is fine too. */
	CU_ASSERT_EQUAL(store_log_append(s, r, 1, &added), 0);
	CU_ASSERT_EQUAL(added, 0);
	CU_ASSERT_EQUAL(store_log_append(s, r, 0, &added), 0);
	CU_ASSERT_EQUAL(added, 0);
	CU_ASSERT_EQUAL(store_log_append(s, r, 1, NULL), 0);

	/* What was stored reads back field for field. */
	{
		struct log_rec want, got;
		struct store_log_filter f = {.after_id = 5, .limit = 1, .order = STORE_ORDER_ARRIVAL};
		int64_t id = r[1].id;
		mk_rec(&want, LR_AGENT, "alpha", 1, 4, 1004, SEV_MAJOR, "shugoProcAlarm");
		memset(&got, 0, sizeof(got));
		CU_ASSERT_EQUAL(store_log_query(s, &f, copy_cb, &got), 0);
		CU_ASSERT_EQUAL(got.id, id);
		want.id = id;
		CU_ASSERT(memcmp(&want, &got, sizeof(want)) == 0);
	}
	store_close(s);
	tdir_remove(&t);
}

/* Batches above the store's chunk size, with duplicates placed in some
 * chunks: every stored record must carry its own id (read back by id). */
static void test_append_chunks(void)
{
	enum { N = 200 };
	struct tdir t;
	struct store *s;
	struct log_rec *r = calloc(N, sizeof(*r)), got;
	size_t added, stored = 0;
	int64_t prev = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* Already in the log: seq 40 and 41 of alpha. */
	mk_rec(&r[0], LR_AGENT, "alpha", 1, 40, 0, SEV_INFO, "shugoProcStarted");
	mk_rec(&r[1], LR_AGENT, "alpha", 1, 41, 0, SEV_INFO, "shugoProcStarted");
	CU_ASSERT_EQUAL(store_log_append(s, r, 2, &added), 0);
	CU_ASSERT_EQUAL(added, 2);

	for (uint32_t i = 0; i < N; i++)
		mk_rec(&r[i], i % 7 == 3 ? LR_FOREIGN : LR_AGENT, i % 7 == 3 ? "" : "alpha", 1,
		       i % 7 == 3 ? 0 : i + 1, 5000 + i, SEV_INFO, "shugoProcStarted");
	/* seq 40 and 41 (indexes 39, 40) are duplicates of stored records; the
	 * record at 100 repeats the one at 99 inside the batch. */
	mk_rec(&r[100], LR_AGENT, "alpha", 1, 100, 5099, SEV_INFO, "shugoProcStarted");
	mk_rec(&r[99], LR_AGENT, "alpha", 1, 100, 5099, SEV_INFO, "shugoProcStarted");
	CU_ASSERT_EQUAL(store_log_append(s, r, N, &added), 0);
	CU_ASSERT_EQUAL(added, N - 3);
	CU_ASSERT_EQUAL(r[39].id, 0);
	CU_ASSERT_EQUAL(r[40].id, 0);
	CU_ASSERT(r[99].id > 0);
	CU_ASSERT_EQUAL(r[100].id, 0);
	for (uint32_t i = 0; i < N; i++) {
		struct store_log_filter f = {.after_id = r[i].id - 1, .limit = 1,
					     .order = STORE_ORDER_ARRIVAL};
		if (r[i].id == 0)
			continue;
		stored++;
		CHECK(r[i].id > prev, "record %u: id %" PRId64 " after %" PRId64, i, r[i].id, prev);
		prev = r[i].id;
		memset(&got, 0, sizeof(got));
		CU_ASSERT_EQUAL(store_log_query(s, &f, copy_cb, &got), 0);
		CHECK(got.id == r[i].id && got.seq == r[i].seq && got.occurred_ms == r[i].occurred_ms &&
			      got.origin == r[i].origin,
		      "record %u: id %" PRId64 " holds seq %u occurred %" PRId64 ", not seq %u occurred %" PRId64,
		      i, r[i].id, got.seq, got.occurred_ms, r[i].seq, r[i].occurred_ms);
	}
	CU_ASSERT_EQUAL(stored, N - 3);
	CU_ASSERT_EQUAL(store_log_count(s), N - 1);
	/* The first chunk had no duplicate: its ids follow each other. */
	for (uint32_t i = 1; i < 32; i++)
		CHECK(r[i].id == r[0].id + i, "record %u: id %" PRId64, i, r[i].id);

	/* The same batch again: every record with a sequence is a duplicate now;
	 * those without one (foreign traps) are stored again. */
	{
		size_t foreign = 0;
		for (uint32_t i = 0; i < N; i++)
			foreign += r[i].seq == 0;
		CU_ASSERT_EQUAL(store_log_append(s, r, N, &added), 0);
		CU_ASSERT_EQUAL(added, foreign);
		CU_ASSERT_EQUAL(foreign, 29);
	}
	store_close(s);
	free(r);
	tdir_remove(&t);
}

static void test_ids_after_trim(void)
{
	struct tdir t;
	struct store *s;
	struct log_rec r[10];
	size_t added;
	int64_t ids[10];
	size_t n = 0;

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (int i = 0; i < 10; i++)
		mk_rec(&r[i], LR_AGENT, "alpha", 1, (uint32_t)i + 1, 1000 + i, SEV_INFO, "shugoAgentStart");
	CU_ASSERT_EQUAL(store_log_append(s, r, 10, &added), 0);

	CU_ASSERT_EQUAL(store_log_trim(s, 20), 0); /* fewer than keep: nothing goes */
	CU_ASSERT_EQUAL(store_log_count(s), 10);
	CU_ASSERT_EQUAL(store_log_trim(s, 3), 0);
	CU_ASSERT_EQUAL(store_log_count(s), 3);
	{
		struct store_log_filter f = {.order = STORE_ORDER_ARRIVAL};
		struct id_list c = {ids, &n};
		CU_ASSERT_EQUAL(store_log_query(s, &f, ids_cb, &c), 0);
		CU_ASSERT_EQUAL(n, 3);
		CU_ASSERT(ids[0] == 8 && ids[1] == 9 && ids[2] == 10);
	}

	/* Trim everything, then append: ids go on from where they were. */
	CU_ASSERT_EQUAL(store_log_trim(s, 0), 0);
	CU_ASSERT_EQUAL(store_log_count(s), 0);
	CU_ASSERT_EQUAL(store_log_last_id(s), 0);
	store_close(s);
	s = open_rw(t.db); /* and across a reopen */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	mk_rec(&r[0], LR_AGENT, "alpha", 1, 11, 2000, SEV_INFO, "shugoAgentStart");
	CU_ASSERT_EQUAL(store_log_append(s, r, 1, &added), 0);
	CU_ASSERT_EQUAL(r[0].id, 11);
	/* A trimmed duplicate is no longer known: the log only dedupes what it holds. */
	mk_rec(&r[0], LR_AGENT, "alpha", 1, 10, 2000, SEV_INFO, "shugoAgentStart");
	CU_ASSERT_EQUAL(store_log_append(s, r, 1, &added), 0);
	CU_ASSERT_EQUAL(r[0].id, 12);

	errno = 0;
	CU_ASSERT_EQUAL(store_log_trim(s, -1), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	store_close(s);
	tdir_remove(&t);
}

/* The query data set: ids 1..8 in arrival order, occurred in another order. */
static const struct {
	enum lr_origin origin;
	const char *node;
	uint32_t boot, seq;
	int64_t occurred;
	int sev;
	const char *type;
} qdata[] = {
	{LR_AGENT, "alpha", 1, 1, 5000, SEV_MAJOR, "shugoProcAlarm"},    /* id 1 */
	{LR_AGENT, "beta", 1, 1, 1000, SEV_WARNING, "shugoResAlarm"},    /* id 2 */
	{LR_FOREIGN, "", 0, 0, 3000, SEV_INFO, ""},                      /* id 3 */
	{LR_MANAGER, "alpha", 0, 0, 3000, SEV_CRITICAL, "shugoMgrNodeDown"}, /* id 4 */
	{LR_AGENT, "alpha", 1, 2, 2000, SEV_CLEAR, "shugoProcClear"},    /* id 5 */
	{LR_REPLAY, "beta", 1, 2, 1000, SEV_MINOR, "shugoResAlarm"},     /* id 6 */
	{LR_AGENT, "alpha", 2, 1, 3000, SEV_INFO, "shugoAgentStart"},    /* id 7 */
	{LR_TRAPD, "", 0, 0, 9000, SEV_WARNING, "shugoMgrTrapStorm"},    /* id 8 */
};

/* Occurrence order: occurred_ms, then node, boot, seq, id:
 * 1000 beta/1/1 (2), 1000 beta/1/2 (6), 2000 (5), 3000 "" (3), 3000 alpha/0/0 (4),
 * 3000 alpha/2/1 (7), 5000 (1), 9000 (8). */
struct qcase {
	const char *name;
	struct store_log_filter f;
	int64_t want[9]; /* ids in order, 0-terminated */
};

static const struct qcase qcases[] = {
	{"all, occurred", {.order = STORE_ORDER_OCCURRED}, {2, 6, 5, 3, 4, 7, 1, 8}},
	{"all, order unset", {.order = 0}, {2, 6, 5, 3, 4, 7, 1, 8}},
	{"all, arrival", {.order = STORE_ORDER_ARRIVAL}, {1, 2, 3, 4, 5, 6, 7, 8}},
	{"after_id", {.after_id = 5, .order = STORE_ORDER_ARRIVAL}, {6, 7, 8}},
	{"after_id occurred", {.after_id = 4}, {6, 5, 7, 8}},
	{"since", {.since_ms = 3000}, {3, 4, 7, 1, 8}},
	{"until (exclusive)", {.until_ms = 3000}, {2, 6, 5}},
	{"since..until", {.since_ms = 2000, .until_ms = 5001}, {5, 3, 4, 7, 1}},
	{"node", {.node = "alpha"}, {5, 4, 7, 1}},
	{"node empty (foreign)", {.node = ""}, {3, 8}},
	{"node unknown", {.node = "gamma"}, {0}},
	{"min_sev warning", {.min_sev = SEV_WARNING}, {2, 6, 4, 1, 8}},
	{"min_sev clear is all", {.min_sev = SEV_CLEAR}, {2, 6, 5, 3, 4, 7, 1, 8}},
	{"min_sev critical", {.min_sev = SEV_CRITICAL}, {4}},
	{"type_name", {.type_name = "shugoResAlarm"}, {2, 6}},
	{"origin agent", {.origin = LR_AGENT}, {2, 5, 7, 1}},
	{"origin replay", {.origin = LR_REPLAY}, {6}},
	{"origin manager", {.origin = LR_MANAGER}, {4}},
	{"combined", {.node = "alpha", .min_sev = SEV_INFO, .since_ms = 2500, .origin = LR_AGENT}, {7, 1}},
	{"limit occurred: newest 3, oldest first", {.limit = 3}, {7, 1, 8}},
	{"limit occurred with node", {.limit = 2, .node = "beta"}, {2, 6}},
	{"limit above count", {.limit = 100}, {2, 6, 5, 3, 4, 7, 1, 8}},
	{"limit arrival: first 3 after", {.limit = 3, .after_id = 2, .order = STORE_ORDER_ARRIVAL}, {3, 4, 5}},
	{"limit arrival at the end", {.limit = 3, .after_id = 7, .order = STORE_ORDER_ARRIVAL}, {8}},
	{"nothing after the last", {.after_id = 8, .order = STORE_ORDER_ARRIVAL}, {0}},
};

static int stop_cb(const struct log_rec *x, void *arg)
{
	int *seen = arg;
	(void)x;
	return ++*seen == 3 ? 42 : 0;
}

static void test_query(void)
{
	struct tdir t;
	struct store *s;
	struct log_rec r[8];
	size_t added;

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (size_t i = 0; i < 8; i++)
		mk_rec(&r[i], qdata[i].origin, qdata[i].node, qdata[i].boot, qdata[i].seq, qdata[i].occurred,
		    qdata[i].sev, qdata[i].type);
	CU_ASSERT_EQUAL_FATAL(store_log_append(s, r, 8, &added), 0);
	CU_ASSERT_EQUAL_FATAL(added, 8);

	for (size_t c = 0; c < sizeof(qcases) / sizeof(qcases[0]); c++) {
		const struct qcase *q = &qcases[c];
		int64_t got[16];
		size_t n = 0, nw = 0;
		struct id_list l = {got, &n};
		char have[128] = "";

		while (q->want[nw])
			nw++;
		CHECK(store_log_query(s, &q->f, ids_cb, &l) == 0, "%s: %s", q->name, store_errmsg(s));
		for (size_t i = 0; i < n; i++)
			snprintf(have + strlen(have), sizeof(have) - strlen(have), " %" PRId64, got[i]);
		CHECK(n == nw && memcmp(got, q->want, n * sizeof(got[0])) == 0, "%s: got%s", q->name, have);
	}

	/* NULL filter: everything in occurrence order. */
	CU_ASSERT_EQUAL(query_count(s, NULL), 8);

	/* The callback stops the walk and its value comes back. */
	{
		int seen = 0;
		CU_ASSERT_EQUAL(store_log_query(s, NULL, stop_cb, &seen), 42);
		CU_ASSERT_EQUAL(seen, 3);
	}
	/* A bad order is refused. */
	{
		struct store_log_filter f = {.order = 7};
		size_t n = 0;
		errno = 0;
		CU_ASSERT_EQUAL(store_log_query(s, &f, count_cb, &n), -1);
		CU_ASSERT_EQUAL(errno, EINVAL);
	}
	store_close(s);
	tdir_remove(&t);
}

static void append_seqs(struct store *s, const char *node, uint32_t boot, const uint32_t *seqs, size_t n)
{
	struct log_rec *r = calloc(n, sizeof(*r));
	size_t added;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (size_t i = 0; i < n; i++)
		mk_rec(&r[i], LR_AGENT, node, boot, seqs[i], 1000 + seqs[i], SEV_INFO, "shugoProcStarted");
	CU_ASSERT_EQUAL(store_log_append(s, r, n, &added), 0);
	CU_ASSERT_EQUAL(added, n);
	free(r);
}

struct mcase {
	const char *name;
	const char *node;
	uint32_t from, to;
	size_t max;
	uint32_t want[12];
	size_t nwant;
};

/* alpha: boot 1 has 3 4 6 9 10, boot 2 has 11 12 15 (an agent never reuses
 * a sequence, so boots do not matter); beta has 1 2 5 7 8. */
static const struct mcase mcases[] = {
	{"holes at start, middle, end", "alpha", 1, 17, 12, {1, 2, 5, 7, 8, 13, 14, 16, 17}, 9},
	{"max stops early", "alpha", 1, 17, 3, {1, 2, 5}, 3},
	{"from 0 is from 1", "alpha", 0, 4, 12, {1, 2}, 2},
	{"no holes", "alpha", 9, 12, 12, {0}, 0},
	{"single present", "alpha", 3, 3, 12, {0}, 0},
	{"single absent", "alpha", 5, 5, 12, {5}, 1},
	{"inside one boot's run", "alpha", 4, 11, 12, {5, 7, 8}, 3},
	{"across the boot change", "alpha", 10, 15, 12, {13, 14}, 2},
	{"other node's seqs do not count", "beta", 1, 9, 12, {3, 4, 6, 9}, 4},
	{"unknown node: all missing", "gamma", 5, 8, 12, {5, 6, 7, 8}, 4},
	{"empty range", "alpha", 8, 7, 12, {0}, 0},
	{"max 0", "alpha", 1, 17, 0, {0}, 0},
	{"top of the space", "alpha", UINT32_MAX - 2, UINT32_MAX, 12,
	 {UINT32_MAX - 2, UINT32_MAX - 1, UINT32_MAX}, 3},
};

static void test_missing(void)
{
	static const uint32_t a1[] = {3, 4, 6, 9, 10}, a2[] = {11, 12, 15}, b1[] = {1, 2, 5, 7, 8};
	struct tdir t;
	struct store *s;

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	append_seqs(s, "alpha", 1, a1, 5);
	append_seqs(s, "alpha", 2, a2, 3);
	append_seqs(s, "beta", 1, b1, 5);
	/* Records without a sequence (a manager event about alpha) are not
	 * sequence 0 of anything. */
	{
		struct log_rec r;
		mk_rec(&r, LR_MANAGER, "alpha", 0, 0, 1000, SEV_CRITICAL, "shugoMgrNodeDown");
		CU_ASSERT_EQUAL(store_log_append(s, &r, 1, NULL), 0);
	}

	for (size_t c = 0; c < sizeof(mcases) / sizeof(mcases[0]); c++) {
		const struct mcase *m = &mcases[c];
		uint32_t out[12];
		size_t n = 99;
		CHECK(store_log_missing(s, m->node, m->from, m->to, out, m->max, &n) == 0, "%s", m->name);
		CHECK(n == m->nwant && memcmp(out, m->want, n * sizeof(out[0])) == 0, "%s: %zu holes (%u %u %u)",
		      m->name, n, n > 0 ? out[0] : 0, n > 1 ? out[1] : 0, n > 2 ? out[2] : 0);
	}

	/* A large range: 300,000 sequences with every 1000th lost. */
	{
		enum { N = 300000 };
		uint32_t *seqs = malloc(N * sizeof(*seqs)), *out = malloc(1000 * sizeof(*out));
		size_t k = 0, n = 0;
		struct timespec t0, t1;
		CU_ASSERT_PTR_NOT_NULL_FATAL(seqs);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		for (uint32_t q = 1; q <= N; q++)
			if (q % 1000 != 0)
				seqs[k++] = q;
		for (size_t i = 0; i < k; i += 4096)
			append_seqs(s, "gamma", 3, seqs + i, k - i < 4096 ? k - i : 4096);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CU_ASSERT_EQUAL(store_log_missing(s, "gamma", 1, N, out, 1000, &n), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		CU_ASSERT_EQUAL(n, N / 1000);
		for (size_t i = 0; i < n; i++)
			CHECK(out[i] == (i + 1) * 1000, "hole %zu is %u", i, out[i]);
		printf("\n    missing over %d sequences: %.1f ms ", N,
		       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
		free(seqs);
		free(out);
	}
	store_close(s);
	tdir_remove(&t);
}

/* ---- nodes and their polled state ---- */

static void mk_node(struct store_node *n, const char *name, int state, uint32_t boot)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->address, sizeof(n->address), "udp:127.0.0.1:%u", 1161 + boot);
	n->state = state;
	n->last_seen_ms = 1000 * boot;
	n->last_change_ms = 900 * boot;
	n->boot = boot;
	n->notif_seq = 4000000000u;
	n->repaired_seq = 3999999999u;
	snprintf(n->detail, sizeof(n->detail), "no answer for %u s", boot);
}

static int node_names_cb(const struct store_node *n, void *arg)
{
	strcat(arg, n->name);
	strcat(arg, " ");
	return 0;
}

static void test_nodes(void)
{
	struct tdir t;
	struct store *s;
	struct store_node a, b, got;
	char names[128] = "";

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	mk_node(&b, "beta", 2, 7);
	mk_node(&a, "alpha", 4, 3);
	CU_ASSERT_EQUAL(store_node_put(s, &b), 0);
	CU_ASSERT_EQUAL(store_node_put(s, &a), 0);
	CU_ASSERT_EQUAL(store_node_get(s, "alpha", &got), 0);
	CU_ASSERT(memcmp(&a, &got, sizeof(a)) == 0);
	CU_ASSERT_EQUAL(store_node_get(s, "gamma", &got), 1);
	/* Put again: replaced in place. */
	a.state = 2;
	memset(a.detail, 0, sizeof(a.detail));
	snprintf(a.detail, sizeof(a.detail), "answering");
	CU_ASSERT_EQUAL(store_node_put(s, &a), 0);
	CU_ASSERT_EQUAL(store_node_get(s, "alpha", &got), 0);
	CU_ASSERT(memcmp(&a, &got, sizeof(a)) == 0);
	CU_ASSERT_EQUAL(store_node_list(s, node_names_cb, names), 0);
	CU_ASSERT_STRING_EQUAL(names, "alpha beta ");
	store_close(s);
	tdir_remove(&t);
}

static void mk_proc(struct store_proc *p, const char *name, int state, uint32_t restarts)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->node, sizeof(p->node), "ignored");
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->kind = 1;
	p->state = state;
	p->instances = 2;
	p->restarts = restarts;
	p->cpu = 1234;
	p->rss_kb = 5000000000ull;
	p->last_change = 1700000000;
	p->updated_ms = 1; /* the snapshot's time wins */
}

static void mk_res(struct store_res *r, const char *name, uint32_t value)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->type = name[0] == 'n' ? 0 : 1;
	r->value = value;
	r->state = 1;
	snprintf(r->detail, sizeof(r->detail), "%s at %u", name, value);
}

static void mk_alarm(struct store_alarm *a, uint32_t id, const char *object)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->type = NOTIF_PROC_ALARM;
	snprintf(a->object, sizeof(a->object), "%s", object);
	a->sev = SEV_MAJOR;
	a->raised = 1700000100;
	snprintf(a->detail, sizeof(a->detail), "%s failed", object);
}

/* Each row as "node/name:stale:updated" into a string, to compare whole lists. */
static int proc_cb(const struct store_proc *p, void *arg)
{
	char *out = arg;
	sprintf(out + strlen(out), "%s/%s:%d:%" PRId64 ":%u:%" PRIu64 " ", p->node, p->name, p->stale,
		p->updated_ms, p->restarts, p->rss_kb);
	return 0;
}

static int res_cb(const struct store_res *r, void *arg)
{
	char *out = arg;
	sprintf(out + strlen(out), "%s/%s:%d:%u:%s ", r->node, r->name, r->stale, r->value, r->detail);
	return 0;
}

static int alarm_cb(const struct store_alarm *a, void *arg)
{
	char *out = arg;
	sprintf(out + strlen(out), "%s/%u:%d:%s:%" PRId64 " ", a->node, a->id, a->stale, a->object,
		a->raised);
	return 0;
}

static void test_snapshot(void)
{
	struct tdir t;
	struct store *s;
	struct store_proc p[3];
	struct store_res r[2];
	struct store_alarm al[2];
	struct store_node n;
	char out[1024];

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	mk_node(&n, "alpha", 2, 1);
	CU_ASSERT_EQUAL(store_node_put(s, &n), 0);
	mk_node(&n, "beta", 2, 1);
	CU_ASSERT_EQUAL(store_node_put(s, &n), 0);

	mk_proc(&p[0], "web", 2, 0);
	mk_proc(&p[1], "db", 2, 1);
	mk_res(&r[0], "fs:/", 4200);
	mk_res(&r[1], "cpu", 1500);
	mk_alarm(&al[0], 7, "proc:db");
	CU_ASSERT_EQUAL(store_snapshot(s, "beta", 100, p, 1, r, 1, NULL, 0), 0);
	CU_ASSERT_EQUAL(store_snapshot(s, "alpha", 200, p, 2, r, 2, al, 1), 0);

	out[0] = 0;
	CU_ASSERT_EQUAL(store_proc_list(s, NULL, proc_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/db:0:200:1:5000000000 alpha/web:0:200:0:5000000000 "
				    "beta/web:0:100:0:5000000000 ");
	out[0] = 0;
	CU_ASSERT_EQUAL(store_res_list(s, "alpha", res_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/cpu:0:1500:cpu at 1500 alpha/fs:/:0:4200:fs:/ at 4200 ");
	out[0] = 0;
	CU_ASSERT_EQUAL(store_alarm_list(s, NULL, alarm_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/7:0:proc:db:1700000100 ");

	/* The node stops answering: its rows are kept, marked stale; beta's not. */
	CU_ASSERT_EQUAL(store_mark_stale(s, "alpha"), 0);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_proc_list(s, NULL, proc_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/db:1:200:1:5000000000 alpha/web:1:200:0:5000000000 "
				    "beta/web:0:100:0:5000000000 ");
	out[0] = 0;
	CU_ASSERT_EQUAL(store_res_list(s, NULL, res_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/cpu:1:1500:cpu at 1500 alpha/fs:/:1:4200:fs:/ at 4200 "
				    "beta/fs:/:0:4200:fs:/ at 4200 ");
	out[0] = 0;
	CU_ASSERT_EQUAL(store_alarm_list(s, "alpha", alarm_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/7:1:proc:db:1700000100 ");

	/* The next poll replaces everything: web is gone, db restarted, a new
	 * alarm, nothing stale. */
	mk_proc(&p[0], "db", 2, 2);
	mk_proc(&p[1], "cache", 2, 0);
	mk_alarm(&al[0], 9, "res:fs:/");
	mk_alarm(&al[1], 8, "proc:cache");
	mk_res(&r[0], "nic:eth0", 0);
	CU_ASSERT_EQUAL(store_snapshot(s, "alpha", 300, p, 2, r, 1, al, 2), 0);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_proc_list(s, "alpha", proc_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/cache:0:300:0:5000000000 alpha/db:0:300:2:5000000000 ");
	out[0] = 0;
	CU_ASSERT_EQUAL(store_res_list(s, "alpha", res_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/nic:eth0:0:0:nic:eth0 at 0 ");
	out[0] = 0;
	CU_ASSERT_EQUAL(store_alarm_list(s, "alpha", alarm_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/8:0:proc:cache:1700000100 alpha/9:0:res:fs:/:1700000100 ");

	/* A failing snapshot (two rows with one name) changes nothing. */
	mk_proc(&p[0], "dup", 2, 0);
	mk_proc(&p[1], "dup", 2, 0);
	CU_ASSERT_EQUAL(store_snapshot(s, "alpha", 400, p, 2, NULL, 0, NULL, 0), -1);
	CHECK(strstr(store_errmsg(s), "storing a node's polled state: UNIQUE constraint failed") != NULL,
	      "errmsg: %s", store_errmsg(s));
	out[0] = 0;
	CU_ASSERT_EQUAL(store_proc_list(s, "alpha", proc_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "alpha/cache:0:300:0:5000000000 alpha/db:0:300:2:5000000000 ");

	/* An empty poll empties the node's tables. */
	CU_ASSERT_EQUAL(store_snapshot(s, "beta", 500, NULL, 0, NULL, 0, NULL, 0), 0);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_proc_list(s, "beta", proc_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "");

	/* Removing a node takes its rows, not the other node's, not the log. */
	{
		struct log_rec lr;
		mk_rec(&lr, LR_AGENT, "alpha", 1, 1, 1000, SEV_INFO, "shugoAgentStart");
		CU_ASSERT_EQUAL(store_log_append(s, &lr, 1, NULL), 0);
		CU_ASSERT_EQUAL(store_snapshot(s, "beta", 600, p, 1, NULL, 0, NULL, 0), 0);
		CU_ASSERT_EQUAL(store_node_delete(s, "alpha"), 0);
		CU_ASSERT_EQUAL(store_node_get(s, "alpha", &n), 1);
		CU_ASSERT_EQUAL(store_node_get(s, "beta", &n), 0);
		out[0] = 0;
		CU_ASSERT_EQUAL(store_proc_list(s, NULL, proc_cb, out), 0);
		CU_ASSERT_STRING_EQUAL(out, "beta/dup:0:600:0:5000000000 ");
		out[0] = 0;
		CU_ASSERT_EQUAL(store_alarm_list(s, NULL, alarm_cb, out), 0);
		CU_ASSERT_STRING_EQUAL(out, "");
		CU_ASSERT_EQUAL(store_log_count(s), 1);
	}
	store_close(s);
	tdir_remove(&t);
}

/* ---- counters and meta ---- */

static int counter_cb(const char *name, uint64_t value, int64_t updated_ms, void *arg)
{
	char *out = arg;
	sprintf(out + strlen(out), "%s=%" PRIu64 "@%" PRId64 " ", name, value, updated_ms);
	return 0;
}

static void test_counters_meta(void)
{
	static const char *const names[] = {"stored", "received", "duplicates"};
	static const uint64_t v1[] = {10, 12, UINT64_MAX}, v2[] = {11, 13};
	struct tdir t;
	struct store *s;
	char out[512] = "", val[8];

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_counters_put(s, "trapd", names, v1, 3, 1000), 0);
	CU_ASSERT_EQUAL(store_counters_put(s, "manager", names, v2, 1, 1500), 0);
	CU_ASSERT_EQUAL(store_counters_put(s, "trapd", names, v2, 2, 2000), 0);
	CU_ASSERT_EQUAL(store_counters_list(s, "trapd", counter_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "duplicates=18446744073709551615@1000 received=13@2000 stored=11@2000 ");
	out[0] = 0;
	CU_ASSERT_EQUAL(store_counters_list(s, "manager", counter_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "stored=11@1500 ");
	out[0] = 0;
	CU_ASSERT_EQUAL(store_counters_list(s, "nobody", counter_cb, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "");

	CU_ASSERT_EQUAL(store_meta_get(s, "epoch", val, sizeof(val)), 1);
	CU_ASSERT_EQUAL(store_meta_put(s, "epoch", "41"), 0);
	CU_ASSERT_EQUAL(store_meta_put(s, "epoch", "42"), 0);
	CU_ASSERT_EQUAL(store_meta_get(s, "epoch", val, sizeof(val)), 0);
	CU_ASSERT_STRING_EQUAL(val, "42");
	CU_ASSERT_EQUAL(store_meta_put(s, "long", "0123456789abcdef"), 0);
	CU_ASSERT_EQUAL(store_meta_get(s, "long", val, sizeof(val)), 0);
	CU_ASSERT_STRING_EQUAL(val, "0123456"); /* truncated to size, terminated */
	CU_ASSERT_EQUAL(store_meta_put(s, "empty", ""), 0);
	CU_ASSERT_EQUAL(store_meta_get(s, "empty", val, sizeof(val)), 0);
	CU_ASSERT_STRING_EQUAL(val, "");
	store_close(s);
	tdir_remove(&t);
}

/* ---- a reader beside the writers ---- */

static void test_reader_beside_writer(void)
{
	struct tdir t;
	struct store *w, *r;
	struct log_rec lr[3];
	size_t added;
	sqlite3 *other;
	struct timespec t0, t1;
	double waited;

	tdir_make(&t);
	w = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	mk_rec(&lr[0], LR_AGENT, "alpha", 1, 1, 1000, SEV_INFO, "shugoAgentStart");
	CU_ASSERT_EQUAL(store_log_append(w, lr, 1, &added), 0);
	r = open_ro(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(store_log_count(r), 1);

	/* Another writer (trapd beside the manager) holds the write lock with a
	 * record not yet committed: the reader goes on reading what is committed. */
	other = raw_open(t.db);
	CU_ASSERT_EQUAL(raw_exec(other, "BEGIN IMMEDIATE"), SQLITE_OK);
	CU_ASSERT_EQUAL(raw_exec(other, "INSERT INTO log (origin, node, boot, seq, occurred_ms, received_ms)"
					" VALUES (1, 'alpha', 1, 2, 2000, 2000)"),
			SQLITE_OK);
	CU_ASSERT_EQUAL(store_log_count(r), 1);
	CU_ASSERT_EQUAL(store_log_last_id(r), 1);

	/* This writer waits the busy timeout, then gives up: EBUSY, nothing kept. */
	mk_rec(&lr[1], LR_AGENT, "alpha", 1, 3, 3000, SEV_INFO, "shugoAgentStart");
	lr[1].id = 77;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	CU_ASSERT_EQUAL(store_log_append(w, &lr[1], 1, &added), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_EQUAL(errno, EBUSY);
	CU_ASSERT_EQUAL(lr[1].id, 0);
	CU_ASSERT_EQUAL(added, 0);
	CHECK(strstr(store_errmsg(w), "appending to the log: database is locked") != NULL, "errmsg: %s",
	      store_errmsg(w));
	waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(waited >= 4.5, "gave up after %.2f s instead of the busy timeout", waited);

	CU_ASSERT_EQUAL(raw_exec(other, "COMMIT"), SQLITE_OK);
	sqlite3_close(other);
	CU_ASSERT_EQUAL(store_log_count(r), 2);

	/* The writer works again and the reader sees each commit. */
	CU_ASSERT_EQUAL(store_log_append(w, &lr[1], 1, &added), 0);
	CU_ASSERT_EQUAL(added, 1);
	CU_ASSERT_EQUAL(lr[1].id, 3);
	CU_ASSERT_EQUAL(store_log_count(r), 3);
	CU_ASSERT_EQUAL(store_log_last_id(r), 3);
	{
		struct store_log_filter f = {.after_id = 2, .order = STORE_ORDER_ARRIVAL};
		CU_ASSERT_EQUAL(query_count(r, &f), 1);
	}
	/* A reader does not write. */
	errno = 0;
	CU_ASSERT_EQUAL(store_log_append(r, &lr[2], 1, &added), -1);
	CU_ASSERT_EQUAL(errno, EROFS);
	CU_ASSERT_EQUAL(store_meta_put(r, "k", "v"), -1);
	CU_ASSERT_EQUAL(errno, EROFS);
	CU_ASSERT_EQUAL(store_log_count(r), 3);
	store_close(r);
	store_close(w);
	tdir_remove(&t);
}

/* trapd and the manager start together on a fresh file: both create,
 * switch to WAL and migrate at once; one waits for the other, neither fails. */
static void test_concurrent_open(void)
{
	enum { PROCS = 6, EACH = 100 };
	struct tdir t;
	pid_t pids[PROCS];
	struct store *s;
	int gate[2];

	tdir_make(&t);
	CU_ASSERT_FATAL(pipe(gate) == 0);
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		CU_ASSERT_FATAL(pids[p] >= 0);
		if (pids[p] == 0) {
			struct log_rec r[EACH];
			struct store *c;
			char byte;
			int ok;

			/* All start at once: when the parent closes the pipe. */
			close(gate[1]);
			ok = read(gate[0], &byte, 1) == 0;
			c = open_rw(t.db);
			ok = ok && c != NULL;
			for (int i = 0; ok && i < EACH; i++)
				mk_rec(&r[i], LR_AGENT, "alpha", 1, (uint32_t)(p * EACH + i + 1), i, SEV_INFO,
				       "shugoProcStarted");
			if (ok && store_log_append(c, r, EACH, NULL) < 0) {
				fprintf(stderr, "child %d: %s\n", p, store_errmsg(c));
				ok = 0;
			}
			store_close(c);
			_exit(ok ? 0 : 1);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (int p = 0; p < PROCS; p++) {
		int status = -1;
		CU_ASSERT_EQUAL(waitpid(pids[p], &status, 0), pids[p]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: status %#x", p, status);
	}
	s = open_ro(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_version(s), 2);
	CU_ASSERT_EQUAL(store_log_count(s), PROCS * EACH);
	store_close(s);
	tdir_remove(&t);
}

/* ---- a full disk ---- */

static void big_batch(struct log_rec *r, size_t n, uint32_t first_seq)
{
	for (size_t i = 0; i < n; i++) {
		mk_rec(&r[i], LR_AGENT, "alpha", 1, first_seq + (uint32_t)i, 1000 + (int64_t)i, SEV_INFO,
		    "shugoLogMatch");
		memset(r[i].detail, 'x', LR_DETAIL_MAX);
		r[i].detail[LR_DETAIL_MAX] = 0;
	}
}

/* Fill the database up to its page limit: the insert itself fails. */
static void test_full_page_limit(void)
{
	enum { N = 512 };
	struct tdir t;
	struct store *s;
	struct log_rec *r = calloc(N, sizeof(*r));
	sqlite3 *conn;
	size_t added = 99;
	char sql[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	conn = last_conn;
	big_batch(r, 10, 1);
	CU_ASSERT_EQUAL(store_log_append(s, r, 10, &added), 0);

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %" PRId64, raw_int(conn, "PRAGMA page_count"));
	CU_ASSERT_EQUAL(raw_exec(conn, sql), SQLITE_OK);
	big_batch(r, N, 100);
	errno = 0;
	CU_ASSERT_EQUAL(store_log_append(s, r, N, &added), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	CU_ASSERT_EQUAL(added, 0);
	CHECK(strstr(store_errmsg(s), "appending to the log: database or disk is full") != NULL,
	      "errmsg: %s", store_errmsg(s));
	for (size_t i = 0; i < N; i++)
		CHECK(r[i].id == 0, "record %zu kept id %" PRId64, i, r[i].id);
	CU_ASSERT(sqlite3_get_autocommit(conn) != 0);
	CU_ASSERT_EQUAL(store_log_count(s), 10);

	/* Room again: the same batch goes in whole. */
	CU_ASSERT_EQUAL(raw_exec(conn, "PRAGMA max_page_count = 1000000"), SQLITE_OK);
	CU_ASSERT_EQUAL(store_log_append(s, r, N, &added), 0);
	CU_ASSERT_EQUAL(added, N);
	CU_ASSERT_EQUAL(r[0].id, 11);
	CU_ASSERT_EQUAL(store_log_count(s), 10 + N);
	store_close(s);
	free(r);
	tdir_remove(&t);
}

/* A VFS around the default one that, while `full` is set, refuses any write
 * that would make a file longer, as a full file system does. Everything else
 * is passed through. */
struct fullfs_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
};

static sqlite3_vfs *fullfs_real;
static int fullfs_full;
static unsigned fullfs_refused;

#define REAL(f) (((struct fullfs_file *)(f))->real)

static int ff_close(sqlite3_file *f)
{
	return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}
static int ff_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}
static int ff_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	sqlite3_int64 size = 0;
	if (fullfs_full && REAL(f)->pMethods->xFileSize(REAL(f), &size) == SQLITE_OK && o + n > size) {
		fullfs_refused++;
		return SQLITE_FULL;
	}
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int ff_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int ff_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int ff_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int ff_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int ff_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int ff_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int ff_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, p);
}
static int ff_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void ff_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int ff_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), o, n, p);
}
static int ff_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), o, p);
}

static const sqlite3_io_methods fullfs_io = {
	3, ff_close, ff_read, ff_write, ff_truncate, ff_sync, ff_size, ff_lock, ff_unlock, ff_reserved,
	ff_fcntl, ff_sector, ff_devchar, ff_shm_map, ff_shm_lock, ff_shm_barrier, ff_shm_unmap, ff_fetch,
	ff_unfetch,
};

static int ff_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct fullfs_file *ff = (struct fullfs_file *)f;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = fullfs_real->xOpen(fullfs_real, name, ff->real, flags, out_flags);
	/* sqlite calls xClose only when pMethods is set. */
	f->pMethods = ff->real->pMethods ? &fullfs_io : NULL;
	return rc;
}
static int ff_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return fullfs_real->xDelete(fullfs_real, name, sync);
}
static int ff_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return fullfs_real->xAccess(fullfs_real, name, flags, out);
}
static int ff_fullname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return fullfs_real->xFullPathname(fullfs_real, name, n, out);
}
static int ff_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return fullfs_real->xRandomness(fullfs_real, n, out);
}
static int ff_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return fullfs_real->xSleep(fullfs_real, us);
}
static int ff_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return fullfs_real->xCurrentTime(fullfs_real, out);
}
static int ff_lasterr(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return fullfs_real->xGetLastError(fullfs_real, n, out);
}
static int ff_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return fullfs_real->xCurrentTimeInt64(fullfs_real, out);
}

static void test_full_disk(void)
{
	enum { N = 512 };
	static sqlite3_vfs vfs;
	struct tdir t;
	struct store *s, *r;
	struct log_rec *recs = calloc(N, sizeof(*recs));
	size_t added = 99;

	CU_ASSERT_PTR_NOT_NULL_FATAL(recs);
	fullfs_real = sqlite3_vfs_find(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fullfs_real);
	vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct fullfs_file) + fullfs_real->szOsFile,
		.mxPathname = fullfs_real->mxPathname,
		.zName = "fullfs",
		.xOpen = ff_open,
		.xDelete = ff_delete,
		.xAccess = ff_access,
		.xFullPathname = ff_fullname,
		.xRandomness = ff_random,
		.xSleep = ff_sleep,
		.xCurrentTime = ff_time,
		.xGetLastError = ff_lasterr,
		.xCurrentTimeInt64 = ff_time64,
	};
	CU_ASSERT_EQUAL_FATAL(sqlite3_vfs_register(&vfs, 1), SQLITE_OK);

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	big_batch(recs, 10, 1);
	CU_ASSERT_EQUAL(store_log_append(s, recs, 10, &added), 0);

	/* The disk fills: 512 records of 1 KiB each cannot be committed. */
	fullfs_full = 1;
	big_batch(recs, N, 100);
	errno = 0;
	CU_ASSERT_EQUAL(store_log_append(s, recs, N, &added), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	CU_ASSERT(fullfs_refused > 0);
	CU_ASSERT_EQUAL(added, 0);
	CHECK(strstr(store_errmsg(s), "appending to the log: database or disk is full") != NULL,
	      "errmsg: %s", store_errmsg(s));
	for (size_t i = 0; i < N; i++)
		CHECK(recs[i].id == 0, "record %zu kept id %" PRId64, i, recs[i].id);
	CU_ASSERT_EQUAL(store_log_count(s), 10);
	/* Another process sees nothing of the failed batch either. */
	r = open_ro(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(store_log_count(r), 10);
	CU_ASSERT_EQUAL(store_log_last_id(r), 10);
	/* Small writes that fit where the files already are may still go through
	 * (a full disk refuses growth only); either way nothing half-done shows. */
	{
		int rc = store_meta_put(s, "k", "v");
		CU_ASSERT(rc == 0 || (rc == -1 && errno == ENOSPC));
	}

	/* Space again: the store carries on, ids continue without a gap. */
	fullfs_full = 0;
	CU_ASSERT_EQUAL(store_log_append(s, recs, N, &added), 0);
	CU_ASSERT_EQUAL(added, N);
	CU_ASSERT_EQUAL(recs[0].id, 11);
	CU_ASSERT_EQUAL(recs[N - 1].id, 10 + N);
	CU_ASSERT_EQUAL(store_log_count(r), 10 + N);
	store_close(r);
	store_close(s);
	sqlite3_vfs_unregister(&vfs);
	free(recs);
	tdir_remove(&t);
}

/* ---- throughput ---- */

static void test_append_throughput(void)
{
	enum { BATCH = 512, CALLS = 200 };
	static const char *const nodes[] = {"alpha", "beta", "gamma", "delta",
					    "epsilon", "zeta", "eta", "theta"};
	struct tdir t;
	struct store *s;
	struct log_rec *r = calloc(BATCH, sizeof(*r));
	struct timespec t0, t1, c0, c1;
	size_t added, total = 0;
	double secs = 0, cpu = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* Typical records from eight agents; only what must change from call to
	 * call is set inside the loop, and only the appends are timed. */
	for (uint32_t i = 0; i < BATCH; i++)
		mk_rec(&r[i], LR_AGENT, nodes[i % 8], 1, i + 1, 0, SEV_MAJOR, "shugoProcAlarm");
	for (uint32_t c = 0; c < CALLS; c++) {
		for (uint32_t i = 0; i < BATCH; i++) {
			r[i].seq = c * BATCH + i + 1;
			r[i].occurred_ms = 1700000000000 + r[i].seq;
			r[i].received_ms = r[i].occurred_ms + 3;
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CU_ASSERT_EQUAL_FATAL(store_log_append(s, r, BATCH, &added), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		cpu += (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
		total += added;
	}
	CU_ASSERT_EQUAL(total, (size_t)BATCH * CALLS);
	CU_ASSERT_EQUAL(store_log_count(s), BATCH * CALLS);
	CU_ASSERT_EQUAL(store_log_last_id(s), BATCH * CALLS);
	/* The wall time includes one fsync per call (synchronous=FULL); the
	 * CPU time is the store's own work. */
	printf("\n    append: %zu records in %.3f s = %.0f records/s (%d per call, synchronous=FULL;"
	       " CPU %.3f s) ",
	       total, secs, (double)total / secs, BATCH, cpu);
	store_close(s);
	free(r);
	tdir_remove(&t);
}

/* ---- notification routing ---- */

static int delivery_cb(const struct store_delivery *d, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);
	snprintf(out + n, 1024 - n, "%lld:%s/%d/%s=%s(%s)%s%s ", (long long)d->log_id, d->route, d->priority,
		 d->destination, d->state, d->result, d->snapshot ? "S" : "", d->ended_ms ? "E" : "");
	return 0;
}

static void test_routing(void)
{
	struct tdir t;
	struct store *s;
	struct log_rec r[4] = {0}, got;
	char out[1024] = "";
	int64_t id1, id2;
	const char *keep[] = {"ops"};

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* an alarm raised, another record, its clear, and a manager event */
	for (int i = 0; i < 4; i++) {
		r[i].origin = LR_AGENT;
		snprintf(r[i].node, sizeof r[i].node, "alpha");
		r[i].boot = 1;
		r[i].seq = (uint32_t)i + 1;
		r[i].sev = SEV_MAJOR;
		r[i].alarm_id = 7;
		r[i].occurred_ms = r[i].received_ms = 1000 * (i + 1);
		snprintf(r[i].object, sizeof r[i].object, "proc:web");
	}
	r[1].alarm_id = 0;
	r[2].sev = SEV_CLEAR;
	r[3].origin = LR_MANAGER;
	r[3].seq = 0;
	r[3].type = MGR_NODE_DOWN;
	r[3].alarm_id = 0;
	snprintf(r[3].object, sizeof r[3].object, "node:beta");
	CU_ASSERT_EQUAL_FATAL(store_log_append(s, r, 4, NULL), 0);

	CHECK(store_log_alarm_raise(s, "alpha", 7, 0, &got) == 0 && got.id == r[0].id, "the raise, not its clear");
	CHECK(store_log_alarm_raise(s, "alpha", 7, 1001, &got) == 1, "raised before since");
	CHECK(store_log_alarm_raise(s, "beta", 7, 0, &got) == 1, "another node");
	CHECK(store_log_newest(s, LR_MANAGER, MGR_NODE_DOWN, "node:beta", 0, &got) == 0 && got.id == r[3].id,
	      "newest node down");
	CHECK(store_log_newest(s, LR_MANAGER, MGR_NODE_DOWN, "node:alpha", 0, &got) == 1, "none for alpha");
	CHECK(store_log_get(s, r[1].id, &got) == 0 && got.seq == 2, "by id");
	CHECK(store_log_get(s, 999, &got) == 1, "no such id");

	id1 = store_delivery_add(s, &(struct store_delivery){.log_id = r[0].id, .route = "ops", .priority = 1,
							     .destination = "pager", .started_ms = 5000});
	id2 = store_delivery_add(s, &(struct store_delivery){.log_id = r[0].id, .route = "ops", .priority = 2,
							     .destination = "sink", .snapshot = true, .started_ms = 5001});
	CHECK(id1 > 0 && id2 > id1, "ids %lld %lld", (long long)id1, (long long)id2);
	CU_ASSERT_EQUAL(store_delivery_add(s, &(struct store_delivery){.log_id = r[1].id, .route = "all",
								       .state = "duplicate", .ended_ms = 5002}) > 0, 1);
	CU_ASSERT_EQUAL(store_delivery_end(s, id1, "failed", "exit 3", 6000), 0);
	CU_ASSERT_EQUAL(store_delivery_list(s, NULL, delivery_cb, out), 0);
	CHECK(!strcmp(out, "1:ops/1/pager=failed(exit 3)E 1:ops/2/sink=pending()S 2:all/0/=duplicate()E "), "%s", out);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_delivery_list(s, &(struct store_delivery_filter){.pending_only = true}, delivery_cb, out), 0);
	CHECK(!strcmp(out, "1:ops/2/sink=pending()S "), "pending: %s", out);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_delivery_list(s, &(struct store_delivery_filter){.route = "all"}, delivery_cb, out), 0);
	CHECK(!strcmp(out, "2:all/0/=duplicate()E "), "by route: %s", out);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_delivery_list(s, &(struct store_delivery_filter){.limit = 1}, delivery_cb, out), 0);
	CHECK(!strcmp(out, "2:all/0/=duplicate()E "), "newest 1: %s", out);
	/* a delivery goes with its record */
	CU_ASSERT_EQUAL(store_log_trim(s, 3), 0);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_delivery_list(s, NULL, delivery_cb, out), 0);
	CHECK(!strcmp(out, "2:all/0/=duplicate()E "), "after trim: %s", out);

	CU_ASSERT_EQUAL(store_route_sync(s, "ops", "match severity>=major; groups pager", 1), 1);
	CU_ASSERT_EQUAL(store_route_sync(s, "ops", "match severity>=major; groups pager", 2), 0);
	CU_ASSERT_EQUAL(store_route_sync(s, "ops", "match severity>=minor; groups pager", 3), 1);
	CU_ASSERT_EQUAL(store_route_sync(s, "old", "x", 4), 1);
	CU_ASSERT_EQUAL(store_route_prune(s, keep, 1), 0);
	CU_ASSERT_EQUAL(store_route_sync(s, "ops", "match severity>=minor; groups pager", 5), 0);
	CU_ASSERT_EQUAL(store_route_sync(s, "old", "x", 6), 1); /* forgotten: new again */
	store_close(s);
	tdir_remove(&t);
}

static int exec_req_cb(const struct store_exec_req *r, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%s:%s ", r->id, r->state);
	return 0;
}

static int exec_run_cb(const struct store_exec_run *r, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%d:%s=%s(%s)pid%u/%d/%d/%d ", r->attempt, r->node, r->state, r->detail, r->pid,
		 r->exit_code, r->exit_signal, r->normal);
	return 0;
}

/* Requests and their runs: added once per id, read back whole, updated,
 * listed open or newest first, trimmed with their runs. */
static void test_exec(void)
{
	struct tdir t;
	struct store *s;
	struct store_exec_req r = {0}, got;
	struct store_exec_run run = {0};
	char out[1024] = "";

	tdir_make(&t);
	s = open_rw(t.db);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(store_version(s), 2);
	snprintf(r.id, sizeof r.id, "r1");
	snprintf(r.program, sizeof r.program, "backup");
	snprintf(r.args, sizeof r.args, "'a b' c");
	snprintf(r.env, sizeof r.env, "X=1\nY=2");
	r.place = EXEC_PLACE_LEAST_LOADED;
	snprintf(r.nodes, sizeof r.nodes, "beta,alpha");
	snprintf(r.requested_by, sizeof r.requested_by, "ops@m1");
	r.created_ms = r.updated_ms = 1000;
	CU_ASSERT_EQUAL(store_exec_add(s, &r), 0);
	CU_ASSERT_EQUAL(store_exec_add(s, &r), 1); /* the id is taken */
	CU_ASSERT_EQUAL(store_exec_get(s, "r1", &got), 0);
	CU_ASSERT_STRING_EQUAL(got.state, "queued");
	CU_ASSERT_STRING_EQUAL(got.args, "'a b' c");
	CU_ASSERT_STRING_EQUAL(got.env, "X=1\nY=2");
	CU_ASSERT_STRING_EQUAL(got.nodes, "beta,alpha");
	CU_ASSERT_STRING_EQUAL(got.requested_by, "ops@m1");
	CU_ASSERT_EQUAL(got.place, EXEC_PLACE_LEAST_LOADED);
	CU_ASSERT_EQUAL(store_exec_get(s, "nope", &got), 1);
	r.id[1] = '2';
	r.created_ms = 2000;
	CU_ASSERT_EQUAL(store_exec_add(s, &r), 0);
	r.id[1] = '3';
	r.created_ms = 3000;
	CU_ASSERT_EQUAL(store_exec_add(s, &r), 0);

	snprintf(run.request, sizeof run.request, "r1");
	snprintf(run.node, sizeof run.node, "beta");
	run.attempt = 1;
	snprintf(run.state, sizeof run.state, "refused");
	snprintf(run.detail, sizeof run.detail, "busy");
	run.normal = -1;
	CU_ASSERT_EQUAL(store_exec_run_put(s, &run), 0);
	snprintf(run.node, sizeof run.node, "alpha");
	run.attempt = 2;
	snprintf(run.state, sizeof run.state, "running");
	run.detail[0] = 0;
	run.pid = 4242;
	CU_ASSERT_EQUAL(store_exec_run_put(s, &run), 0);
	snprintf(run.state, sizeof run.state, "exited");
	run.exit_code = 3;
	run.normal = 0;
	CU_ASSERT_EQUAL(store_exec_run_put(s, &run), 0); /* the same run, replaced */
	CU_ASSERT_EQUAL(store_exec_run_list(s, "r1", exec_run_cb, out), 0);
	CHECK(!strcmp(out, "1:beta=refused(busy)pid0/0/0/-1 2:alpha=exited()pid4242/3/0/0 "), "runs: %s", out);
	{
		struct store_exec_run *v = NULL;
		size_t n = 0;
		CU_ASSERT_EQUAL_FATAL(store_exec_runs(s, "r1", &v, &n), 0);
		CU_ASSERT_EQUAL_FATAL(n, 2);
		CU_ASSERT_STRING_EQUAL(v[0].node, "beta");
		CU_ASSERT_STRING_EQUAL(v[1].node, "alpha");
		CU_ASSERT_EQUAL(v[1].pid, 4242);
		free(v);
		CU_ASSERT_EQUAL(store_exec_runs(s, "nope", &v, &n), 0);
		CU_ASSERT_EQUAL(n, 0);
		free(v);
	}

	snprintf(got.id, sizeof got.id, "r1");
	snprintf(got.state, sizeof got.state, "done");
	snprintf(got.detail, sizeof got.detail, "1 abnormal");
	got.updated_ms = got.ended_ms = 5000;
	CU_ASSERT_EQUAL(store_exec_update_if(s, &got, "queued"), 0);
	CU_ASSERT_EQUAL(store_exec_update_if(s, &got, "queued"), 1); /* no longer queued */
	CU_ASSERT_EQUAL(store_exec_get(s, "r1", &got), 0);
	CU_ASSERT_STRING_EQUAL(got.state, "done");
	CU_ASSERT_EQUAL(got.ended_ms, 5000);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_exec_list(s, true, 0, exec_req_cb, out), 0);
	CHECK(!strcmp(out, "r2:queued r3:queued "), "open: %s", out);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_exec_list(s, false, 2, exec_req_cb, out), 0);
	CHECK(!strcmp(out, "r2:queued r3:queued "), "newest 2: %s", out);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_exec_list(s, false, 0, exec_req_cb, out), 0);
	CHECK(!strcmp(out, "r1:done r2:queued r3:queued "), "all: %s", out);

	/* a signal: only for an open request, cleared only if it is still the one sent */
	CU_ASSERT_EQUAL(store_exec_signal(s, "r1", 15), 1); /* done */
	CU_ASSERT_EQUAL(store_exec_signal(s, "r2", 15), 1); /* queued: nothing runs yet */
	got.id[1] = '3';
	snprintf(got.state, sizeof got.state, "running");
	CU_ASSERT_EQUAL(store_exec_update(s, &got), 0);
	CU_ASSERT_EQUAL(store_exec_signal(s, "r3", 15), 0);
	CU_ASSERT_EQUAL(store_exec_signal(s, "r3", 65), -1);
	CU_ASSERT_EQUAL(store_exec_signal(s, "r3", 9), 0); /* a second one replaces it */
	CU_ASSERT_EQUAL(store_exec_signal_sent(s, "r3", 15), 0);
	CU_ASSERT_EQUAL(store_exec_get(s, "r3", &got), 0);
	CU_ASSERT_EQUAL(got.signal, 9);
	CU_ASSERT_EQUAL(store_exec_signal_sent(s, "r3", 9), 0);
	CU_ASSERT_EQUAL(store_exec_get(s, "r3", &got), 0);
	CU_ASSERT_EQUAL(got.signal, 0);
	snprintf(got.state, sizeof got.state, "queued");
	CU_ASSERT_EQUAL(store_exec_update(s, &got), 0);

	/* only ended requests are trimmed, with their runs */
	snprintf(got.id, sizeof got.id, "r2");
	snprintf(got.state, sizeof got.state, "failed");
	CU_ASSERT_EQUAL(store_exec_update(s, &got), 0);
	CU_ASSERT_EQUAL(store_exec_trim(s, 1), 0);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_exec_list(s, false, 0, exec_req_cb, out), 0);
	CHECK(!strcmp(out, "r2:failed r3:queued "), "after trim: %s", out);
	out[0] = 0;
	CU_ASSERT_EQUAL(store_exec_run_list(s, "r1", exec_run_cb, out), 0);
	CHECK(!strcmp(out, ""), "runs of a trimmed request: %s", out);
	store_close(s);
	tdir_remove(&t);
}

static CU_TestInfo tests[] = {
	{"open_create", test_open_create},
	{"newer_refused", test_newer_refused},
	{"migration_runner", test_migration_runner},
	{"append_duplicates", test_append_duplicates},
	{"append_chunks", test_append_chunks},
	{"ids_after_trim", test_ids_after_trim},
	{"query", test_query},
	{"missing", test_missing},
	{"nodes", test_nodes},
	{"snapshot", test_snapshot},
	{"counters_meta", test_counters_meta},
	{"reader_beside_writer", test_reader_beside_writer},
	{"concurrent_open", test_concurrent_open},
	{"full_page_limit", test_full_page_limit},
	{"full_disk", test_full_disk},
	{"append_throughput", test_append_throughput},
	{"routing", test_routing},
	{"exec", test_exec},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	/* Every connection, the store's included, is shown to grab_conn. */
	sqlite3_auto_extension((void (*)(void))grab_conn);
	return cu_run("store", tests);
}
