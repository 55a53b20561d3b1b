/* The asynchronous poller: one net-snmp session per node, every node polled on
 * its own interval with its own response wait and retries (JP10320338), all
 * requests in flight at once up to a limit, serviced by the manager's one event
 * loop. A poll is a GET of the node scalars and GETBULK walks of the tables the
 * global store keeps; after a gap the owner asks for notification log records
 * by sequence number. Results go to cluster.c. */
#ifndef SHUGO_MANAGER_POLLER_H
#define SHUGO_MANAGER_POLLER_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "model.h"
#include "store.h"

#define POLL_BULK_REPS 25     /* GETBULK max-repetitions of the table walks */
#define POLL_FETCH_MAX 512    /* notification log records asked for per poll at most */

/* One complete, successful poll. */
struct poll_result {
	char name[CFG_NAME_MAX + 1]; /* shugoNodeName */
	uint32_t boot;               /* shugoNodeBootCount */
	uint32_t notif_seq;          /* shugoNodeNotifSeq: the agent's last sequence */
	uint32_t first_seq;          /* shugoNotifLogFirstSeq: oldest still held, 0 = none */
	uint32_t sys_uptime;         /* snmpd's sysUpTime.0, hundredths of a second */
	uint32_t rtt_ms;             /* round trip of the first request */
	struct store_proc *procs;    /* by name (MIB index order); cpu/rss summed over instances */
	size_t n_procs, cap_procs;
	struct store_res *res;       /* shugoResTable rows, then "nic:<name>" rows */
	size_t n_res, cap_res;
	struct store_alarm *alarms;  /* by id */
	size_t n_alarms, cap_alarms;
};

void poll_result_free(struct poll_result *r);

/* (Re)configure the sessions for m's nodes with cfg's reader and users. A node
 * whose address, poll settings and credentials did not change keeps its
 * session and its poll in progress; a removed node's session is closed. A
 * session that cannot be opened is tried again at each poll (a miss each
 * time). 0 / -1 (out of memory; nothing changed). */
int poller_configure(const struct mgr_model *m, const struct shugo_config *cfg, int64_t now_ms);
/* Start the polls that are due and send what waits for a slot. Returns when
 * it next has something to do (monotonic ms). */
int64_t poller_run(int64_t now_ms);
/* Read these sequences (ascending, at most POLL_FETCH_MAX) from node's
 * shugoNotifLogTable; the answer goes to cluster_fetched. Only between polls
 * (from cluster_answer): 0, or -1 if the node is busy or unknown. */
int poller_fetch(const char *node, const uint32_t *seqs, size_t n);
/* Requests outstanding now. */
size_t poller_in_flight(void);
void poller_shutdown(void);

#endif
