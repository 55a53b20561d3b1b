/* The manager's in-memory view of the cluster: what the poller and the central
 * log tail keep up to date, and what the SHUGO-MANAGER-MIB handlers read (they
 * never touch the store: no disk access inside a request). One instance, owned
 * by the manager's main loop; everything is single-threaded. */
#ifndef SHUGO_MANAGER_MODEL_H
#define SHUGO_MANAGER_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "logrec.h"
#include "node_fsm.h"
#include "store.h"

enum mgr_role { MGR_ROLE_ACTIVE = 1, MGR_ROLE_STANDBY = 2, MGR_ROLE_STARTING = 3 };

struct mgr_node {
	char name[CFG_NAME_MAX + 1];
	char address[257];
	struct cfg_poll poll;
	struct node_fsm fsm;
	int64_t last_seen_ms;    /* last answer or notification; 0 = never */
	int64_t last_change_ms;  /* fsm state change */
	uint32_t boot;           /* shugoNodeBoot */
	uint32_t notif_seq;      /* shugoNodeNotifSeq: the agent's last sequence */
	uint32_t repaired_seq;   /* every sequence <= this is in the central log or known lost */
	uint64_t polls, poll_failures;
	uint32_t last_rtt_ms;
	char detail[256];        /* why it is in its state */
	/* last polled tables (stale once the node stops answering) */
	struct store_proc *procs; size_t n_procs;
	struct store_res *res; size_t n_res;
	struct store_alarm *alarms; size_t n_alarms;
	bool stale;
};

struct mgr_trapd_stats { /* trapd's counters as it last wrote them to the store */
	uint64_t received, stored, duplicates, malformed, rate_limited, kernel_drops, informs_acked,
		auth_failures;
	int64_t updated_ms; /* 0 = never */
};

/* One row of shugoMgrExecTable: a node a remote execution request was tried
 * on or runs on, with what the row shows of the request. */
struct mgr_exec_row {
	char program[65];
	int place;               /* enum store_exec_place */
	char req_state[16];      /* the request's state */
	char requested_by[129];
	int64_t created_ms;      /* the request's, for trimming */
	struct store_exec_run run; /* request id, node and the run */
};

#define MGR_EXEC_ENDED_KEEP 1000 /* ended requests kept in shugoMgrExecTable */

struct mgr_model {
	char node_name[CFG_NAME_MAX + 1]; /* the manager's own node */
	enum mgr_role role;
	uint32_t epoch;
	int64_t start_time;               /* seconds since the epoch */
	struct mgr_node *nodes; size_t n_nodes; /* sorted by name */
	/* the newest central log records, oldest first: ring[(head + i) % cap], i < len */
	struct log_rec *ring; size_t ring_cap, ring_len, ring_head;
	int64_t log_last_id;              /* newest record id handled */
	int64_t log_count;                /* records in the store */
	struct mgr_trapd_stats trapd;
	/* shugoMgrExecTable, by (request id, node) in MIB index order */
	struct mgr_exec_row *execs; size_t n_execs;
};

/* The model the MIB handlers read; set by the manager's main. */
extern struct mgr_model *mgr_model;

/* Node by name, or NULL. */
struct mgr_node *model_node(struct mgr_model *m, const char *name);
/* Append a record to the ring (dropping the oldest when full). */
void model_log_push(struct mgr_model *m, const struct log_rec *r);
/* The ring's record with this id, or the first with a larger id (next = true);
 * NULL if none. */
const struct log_rec *model_log_find(const struct mgr_model *m, int64_t id, bool next);

/* Replace the rows of request r with its runs that were tried (attempt > 0)
 * on a node whose name fits the index (MGR_INDEX_NODE_MAX);
 * then, beyond MGR_EXEC_ENDED_KEEP ended requests, the oldest ended ones go.
 * 0 / -1 (out of memory: the old rows are kept). */
int model_exec_set(struct mgr_model *m, const struct store_exec_req *r, const struct store_exec_run *runs,
		   size_t n);
/* Index order of shugoMgrExecTable rows: request id, then node, each as a
 * MIB string index (length first). */
int model_exec_cmp(const struct mgr_exec_row *a, const struct mgr_exec_row *b);
void model_exec_free(struct mgr_model *m);

#endif
