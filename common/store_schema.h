/* Private to the SQLite store: the schema as an ordered list of steps and the
 * runner that brings a database forward to the newest one. The runner takes
 * the steps as an argument so that its behaviour can be tested on its own. */
#ifndef SHUGO_STORE_SCHEMA_H
#define SHUGO_STORE_SCHEMA_H

#include <stddef.h>
#include <sqlite3.h>

struct store_schema_step {
	int version;     /* PRAGMA user_version once this step has run; ascending, > 0 */
	const char *sql; /* one or more statements, run in the step's transaction */
};

/* The store's schema, oldest step first. */
extern const struct store_schema_step store_schema_steps[];
extern const size_t store_schema_n_steps;

/* PRAGMA user_version of db into *version. 0 / -1 (message in err). */
int store_schema_version(sqlite3 *db, int *version, char *err, size_t errlen);

/* Run, in order, each step whose version is above the database's, each in one
 * IMMEDIATE transaction that also sets user_version, so a step is applied
 * whole or not at all, and a second process migrating at the same time waits
 * and then finds the work done. A database whose version is above the newest
 * step is refused (errno ENOTSUP): "schema version 7 is newer than this
 * program's 1". *version (may be NULL) = the version reached. 0 / -1 with a
 * message in err; nothing of a failed step remains. */
int store_schema_migrate(sqlite3 *db, const struct store_schema_step *steps, size_t n, int *version,
			 char *err, size_t errlen);

#endif
