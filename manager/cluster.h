/* The manager's judgement of the cluster: each node's liveness (node_fsm fed by
 * polls, notifications and time), the events that follow from it, the global
 * store kept up to date, sequence-gap repair, and the tail of the central log.
 * The poller reports here; the main loop calls cluster_tick every second. */
#ifndef SHUGO_MANAGER_CLUSTER_H
#define SHUGO_MANAGER_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "logrec.h"
#include "model.h"
#include "store.h"

struct poll_result;

/* Clocks: monotonic for judging time spans (a wall-clock step must not take
 * every node down), wall clock for what is recorded. Milliseconds. */
int64_t mgr_mono_ms(void);
int64_t mgr_wall_ms(void);

/* The order of nodes (and of every name-indexed row) in the model: that of a
 * ShugoName MIB index, its length first, then its octets. */
int model_name_cmp(const char *a, const char *b);

/* Fill m from cfg (its nodes, sorted) and the store s (the last known state of
 * each node, marked stale, and the ring of the newest log records); bump the
 * manager epoch. s and m are borrowed until cluster_free. 0 / -1. */
int cluster_init(struct mgr_model *m, struct store *s, const struct shugo_config *cfg, int64_t now_ms);
/* A reloaded configuration: nodes added or removed and every node's poll
 * settings, all or nothing. cfg is borrowed until the next reload or
 * cluster_free. 0 / -1 (nothing changed). */
int cluster_reload(const struct shugo_config *cfg, int64_t now_ms);
void cluster_free(void);

/* From the poller. cluster_answer takes over r's arrays. */
void cluster_answer(const char *node, struct poll_result *r, int64_t now_ms);
void cluster_miss(const char *node, const char *why, int64_t now_ms);
/* Records read back from the node's notification log (LR_REPLAY, filled in),
 * and the sequences it no longer holds. complete = every asked sequence was
 * answered for. */
void cluster_fetched(const char *node, struct log_rec *recs, size_t n_recs, const uint32_t *gone, size_t n_gone,
		     bool complete, int64_t now_ms);

/* trapd's wake-up datagram ("log <id>\n", "heard <node> <boot>\n" lines). */
void cluster_wake(const char *msg, size_t len, int64_t now_ms);
/* Every second: judge the windows, tail the log, read trapd's counters, and
 * now and then trim the log. */
void cluster_tick(int64_t now_ms);
/* Read the central log records that arrived since the last call. */
void cluster_tail(int64_t now_ms);

/* A new central log record (stored, with its id): the one place where events
 * leave the manager, to the log line and to routing. */
void cluster_publish(const struct log_rec *r);
/* Raise an event of the manager's own: r's type (enum mgr_notif), severity,
 * node, object, state and detail as given; origin, type name, trap OID and
 * times are filled in. It is stored and published like any record. */
void cluster_raise(struct log_rec *r);

#endif
