/* The global store: the central log, the cluster's nodes and their last polled
 * processes, resources and alarms, trapd's counters, and the manager's own
 * records. One module so another backend can be added; this one is SQLite in
 * WAL mode, shared by trapd (writes the log), the manager (writes the rest and
 * replayed log records) and shugoctl (reads). Every write is one short
 * transaction; a busy database is waited for (busy timeout), never spun on.
 *
 * The schema is versioned (PRAGMA user_version) and migrated forward at open,
 * in one transaction per step; a database from a newer version is refused. */
#ifndef SHUGO_STORE_H
#define SHUGO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "logrec.h"

#define STORE_NAME_MAX 64

struct store;

enum store_mode { STORE_RW = 1, STORE_RO = 2 };

/* Open (and with STORE_RW create, mode 0600, and migrate) the store at path.
 * NULL on failure with the reason in err ("path: what is wrong"). */
struct store *store_open(const char *path, enum store_mode mode, char *err, size_t errlen);
void store_close(struct store *s);
/* The schema version the database is at. */
int store_version(struct store *s);
/* The last error's message (sqlite's text plus what was being done). */
const char *store_errmsg(struct store *s);

/* ---- central log ---- */

/* Append records in one transaction. A record with seq != 0 is unique by
 * (node, boot, seq): a duplicate is skipped, not an error, and its id is left 0;
 * stored records get their id. *added (may be NULL) = records stored.
 * 0 / -1 (nothing stored; store_errmsg says why, errno ENOSPC for a full disk). */
int store_log_append(struct store *s, struct log_rec *recs, size_t n, size_t *added);

enum store_log_order {
	STORE_ORDER_OCCURRED = 1, /* occurred_ms, then node, boot, seq, id: order of occurrence */
	STORE_ORDER_ARRIVAL = 2,  /* id: for tailing */
};

struct store_log_filter {
	int64_t after_id;      /* only id > after_id (0 = all) */
	int64_t since_ms;      /* occurred_ms >= since_ms (0 = unbounded) */
	int64_t until_ms;      /* occurred_ms <  until_ms (0 = unbounded) */
	const char *node;      /* exact node name, NULL = any */
	int min_sev;           /* sev >= min_sev (0 = any); SEV_CLEAR counts as lowest */
	const char *type_name; /* exact type_name, NULL = any */
	enum lr_origin origin; /* 0 = any */
	size_t limit;          /* 0 = no limit; with STORE_ORDER_OCCURRED the newest `limit`
				* records are returned, still oldest first */
	enum store_log_order order;
};

/* Calls cb for each matching record in order; cb returns 0 to go on, non-zero
 * to stop (then that value is returned). -1 on a store error. */
int store_log_query(struct store *s, const struct store_log_filter *f,
		    int (*cb)(const struct log_rec *r, void *arg), void *arg);
int64_t store_log_last_id(struct store *s); /* 0 when empty, -1 on error */
int64_t store_log_count(struct store *s);   /* -1 on error */
/* Sequences in [from, to] that the log has no record of for node (any boot: an
 * agent never reuses a sequence number). Writes up to max of them, ascending,
 * to out and their number to *n. 0 / -1. */
int store_log_missing(struct store *s, const char *node, uint32_t from, uint32_t to, uint32_t *out,
		      size_t max, size_t *n);
/* Delete the oldest records (by id) so that at most keep remain. 0 / -1. */
int store_log_trim(struct store *s, int64_t keep);

/* ---- nodes (one row per configured node) ---- */

struct store_node {
	char name[STORE_NAME_MAX + 1];
	char address[257];
	int state;              /* enum node_state (node_fsm.h) */
	int64_t last_seen_ms;   /* last answer or notification; 0 = never */
	int64_t last_change_ms; /* when state last changed */
	uint32_t boot;          /* agent boot count last seen */
	uint32_t notif_seq;     /* agent's last sequence number (shugoNodeNotifSeq) */
	uint32_t repaired_seq;  /* every sequence <= this is in the log or known lost */
	char detail[256];       /* why it is in this state: "no answer for 15 s" */
};

/* Insert or replace the row of n->name. 0 / -1. */
int store_node_put(struct store *s, const struct store_node *n);
/* 0 when found; 1 when there is no such node; -1 on error. */
int store_node_get(struct store *s, const char *name, struct store_node *out);
int store_node_list(struct store *s, int (*cb)(const struct store_node *n, void *arg), void *arg);
/* Remove a node that left the configuration, with its processes, resources
 * and alarms (its log records stay). 0 / -1. */
int store_node_delete(struct store *s, const char *name);

/* ---- a node's last polled state: processes, resources, alarms ---- */

struct store_proc {
	char node[STORE_NAME_MAX + 1];
	char name[STORE_NAME_MAX + 1];
	int kind;            /* shugoProcKind: supervised(1), watched(2) */
	int state;           /* shugoProcState */
	uint32_t instances;
	uint32_t restarts;
	uint32_t cpu;        /* hundredths of a percent, summed over instances */
	uint64_t rss_kb;     /* summed over instances */
	int64_t last_change; /* seconds since the epoch; 0 = unknown */
	int64_t updated_ms;  /* when this was polled */
	bool stale;          /* the node stopped answering since: not current */
};

struct store_res {
	char node[STORE_NAME_MAX + 1];
	char name[STORE_NAME_MAX + 1]; /* "cpu", "fs:/", "nic:eth0" */
	int type;            /* shugoResType; NICs: 0 */
	uint32_t value;      /* hundredths (NICs: 0) */
	int state;           /* shugoResState; NICs: shugoNicState */
	char detail[256];
	int64_t updated_ms;
	bool stale;
	/* NICs: shugoNicRxBytes and shugoNicTxBytes as polled, for the metrics;
	 * not kept in the store (0 when read from it) */
	uint64_t rx_bytes, tx_bytes;
};

struct store_alarm {
	char node[STORE_NAME_MAX + 1];
	uint32_t id;         /* shugoAlarmId on the agent */
	int type;            /* enum shugo_notif of the raising notification */
	char object[EV_OBJECT_MAX + 1];
	int sev;
	int64_t raised;      /* seconds since the epoch */
	char detail[256];
	int64_t updated_ms;
	bool stale;
};

/* Replace node's processes, resources and alarms with these, in one
 * transaction; they are current (not stale) as of now_ms. 0 / -1. */
int store_snapshot(struct store *s, const char *node, int64_t now_ms,
		   const struct store_proc *procs, size_t n_procs,
		   const struct store_res *res, size_t n_res,
		   const struct store_alarm *alarms, size_t n_alarms);
/* Mark node's polled rows stale (the node is suspect, down or stopped). 0 / -1. */
int store_mark_stale(struct store *s, const char *node);
/* node NULL = every node. Ordered by node, then name (alarms: id). */
int store_proc_list(struct store *s, const char *node, int (*cb)(const struct store_proc *p, void *arg), void *arg);
int store_res_list(struct store *s, const char *node, int (*cb)(const struct store_res *r, void *arg), void *arg);
int store_alarm_list(struct store *s, const char *node, int (*cb)(const struct store_alarm *a, void *arg),
		     void *arg);

/* ---- counters (trapd's received/stored/... ) ---- */

/* Set component's counters in one transaction. 0 / -1. */
int store_counters_put(struct store *s, const char *component, const char *const *names,
		       const uint64_t *values, size_t n, int64_t now_ms);
/* Calls cb(name, value, updated_ms) for each counter of component, by name. */
int store_counters_list(struct store *s, const char *component,
			int (*cb)(const char *name, uint64_t value, int64_t updated_ms, void *arg), void *arg);

/* ---- small key/value records (manager epoch, last log id handled, ...) ---- */

int store_meta_put(struct store *s, const char *key, const char *value);
/* 0 when found (value copied, truncated to size), 1 when absent, -1 on error. */
int store_meta_get(struct store *s, const char *key, char *value, size_t size);

/* ---- notification routing ---- */

/* One attempt to hand a log record to a destination along a route, or a
 * record the route took and did not hand on. */
struct store_delivery {
	int64_t id;
	int64_t log_id;
	char route[STORE_NAME_MAX + 1];
	int priority;          /* destination group, 1 = first; 0: no attempt */
	char destination[STORE_NAME_MAX + 1]; /* "" when no attempt */
	char state[16];        /* pending, ok, failed, skipped, duplicate, damped, cancelled */
	char result[256];      /* "exit 0", "timeout after 5 s", "ok queued", ... */
	bool snapshot;         /* current state told to a new route, not a new event */
	uint32_t held;         /* records of the same source held back before it */
	int64_t started_ms, ended_ms; /* ended 0 while pending */
};
/* Insert d (its id is ignored); returns the new row's id, -1 on error. */
int64_t store_delivery_add(struct store *s, const struct store_delivery *d);
/* End a pending delivery: state, result and when. 0 / -1. */
int store_delivery_end(struct store *s, int64_t id, const char *state, const char *result, int64_t ended_ms);
struct store_delivery_filter {
	int64_t log_id;        /* 0 = any */
	const char *route;     /* NULL = any */
	bool pending_only;
	size_t limit;          /* 0 = all; else the newest `limit`, still oldest first */
};
/* Calls cb for each matching delivery, by id. */
int store_delivery_list(struct store *s, const struct store_delivery_filter *f,
			int (*cb)(const struct store_delivery *d, void *arg), void *arg);
/* Remember route name with its definition text. Returns 1 when the route is
 * new or its definition changed (it is then stored as given), 0 when it is
 * the same, -1 on error. */
int store_route_sync(struct store *s, const char *name, const char *definition, int64_t now_ms);
/* Forget the routes not among names[n] (removed from the configuration). */
int store_route_prune(struct store *s, const char *const *names, size_t n);
/* The newest record that raised a node's alarm: node, alarm_id != 0, not a
 * clear, occurred at or after since_ms. 0 found (into *out), 1 none, -1. */
int store_log_alarm_raise(struct store *s, const char *node, uint32_t alarm_id, int64_t since_ms,
			  struct log_rec *out);
/* The newest record with this origin, type and object, occurred at or after
 * since_ms (a node's shugoMgrNodeDown). 0 found, 1 none, -1. */
int store_log_newest(struct store *s, enum lr_origin origin, int type, const char *object, int64_t since_ms,
		     struct log_rec *out);
/* The record with this id: 0 found, 1 none (trimmed), -1. */
int store_log_get(struct store *s, int64_t id, struct log_rec *out);

/* ---- remote execution (shugoctl exec, placed and followed by the manager) ---- */

#define STORE_EXEC_ID_MAX 64     /* shugoExecRequestId */
#define STORE_EXEC_TEXT_MAX 1024 /* shugoExecArgs, shugoExecEnv (ShugoLongString) */

/* How a request chooses its node(s). */
enum store_exec_place {
	EXEC_PLACE_PRIORITY = 1, /* the first of the nodes, in order, that starts it */
	EXEC_PLACE_LEAST_LOADED, /* the same, the least loaded first */
	EXEC_PLACE_ALL,          /* every node at once */
};

/* A request: queued (by shugoctl) -> placing -> running -> done, or failed
 * (started nowhere, or not placed before the manager gave up on it). */
struct store_exec_req {
	char id[STORE_EXEC_ID_MAX + 1];
	char program[65];
	char args[STORE_EXEC_TEXT_MAX + 1];
	char env[STORE_EXEC_TEXT_MAX + 1];
	int place;                      /* enum store_exec_place */
	char nodes[STORE_EXEC_TEXT_MAX + 1]; /* candidates, comma-separated, in priority order; "" = all */
	char requested_by[129];         /* "user@host" of whoever asked */
	char state[16];
	char detail[256];
	int64_t created_ms, updated_ms, ended_ms;
	int signal;                     /* asked for by the operator, not yet sent; 0 none */
};

/* A node a request was tried on or runs on. States: skipped (node down),
 * asking, refused, timeout, failed (the SET or the start failed), running,
 * exited, killed, lost (its row went before its end was seen), unused (least
 * loaded: it would have accepted, another node was chosen). */
struct store_exec_run {
	char request[STORE_EXEC_ID_MAX + 1];
	char node[STORE_NAME_MAX + 1];
	int attempt;                    /* order tried, 1 = first */
	char state[16];
	char detail[256];               /* why refused, what failed, how it ended */
	uint32_t pid;
	int exit_code;                  /* exited */
	int exit_signal;                /* killed */
	int normal;                     /* 1 normal end, 0 abnormal, -1 not ended */
	int64_t started_ms, ended_ms, updated_ms;
};

/* Add a new request. 0, 1 when a request with this id exists (nothing
 * changed), -1 on error. */
int store_exec_add(struct store *s, const struct store_exec_req *r);
/* 0 found, 1 none, -1. */
int store_exec_get(struct store *s, const char *id, struct store_exec_req *out);
/* A request's state, detail, updated_ms and ended_ms. 0 / -1. */
int store_exec_update(struct store *s, const struct store_exec_req *r);
/* The same, only while the request is still in state expect (one atomic
 * step, so that the manager taking a queued request and shugoctl giving up
 * on it cannot both happen). 0 changed, 1 not in that state (or no such
 * request), -1. */
int store_exec_update_if(struct store *s, const struct store_exec_req *r, const char *expect);
/* Requests by creation, oldest first: the open ones (queued, placing,
 * running) only, or the newest limit (0 = all). */
int store_exec_list(struct store *s, bool open_only, size_t limit,
		    int (*cb)(const struct store_exec_req *r, void *arg), void *arg);
/* Insert or replace the run of (r->request, r->node). 0 / -1. */
int store_exec_run_put(struct store *s, const struct store_exec_run *r);
/* The runs of request, by attempt. */
int store_exec_run_list(struct store *s, const char *request,
			int (*cb)(const struct store_exec_run *r, void *arg), void *arg);
/* The same into a new array *out (the caller frees it; NULL when there are
 * none) and their number into *n. 0 / -1. */
int store_exec_runs(struct store *s, const char *request, struct store_exec_run **out, size_t *n);
/* Ask for signal sig (1..64) to be sent to the program of a request that is
 * placing or running. 0, 1 when the request is not open (or unknown), -1. */
int store_exec_signal(struct store *s, const char *id, int sig);
/* The manager sent sig: the request's signal goes back to 0 unless another
 * one was asked for meanwhile. 0 / -1. */
int store_exec_signal_sent(struct store *s, const char *id, int sig);
/* Delete the oldest ended requests (and their runs) beyond keep. 0 / -1. */
int store_exec_trim(struct store *s, uint32_t keep);

#endif
