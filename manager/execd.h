/* Remote execution through the manager (JP9319720, JP10320338): requests that
 * shugoctl exec queued in the store are taken, placed by SET on the first
 * node in priority order that starts the program (with an availability
 * inquiry first, and fallback on refusal, timeout, missing program or a
 * failed start), on the least loaded node first, or on every node at once,
 * and followed to their end through the agents' shugoExecEnded records and
 * reads of their rows. Every step is in the store, so a restarted manager
 * picks its requests up where it left them. */
#ifndef SHUGO_MANAGER_EXECD_H
#define SHUGO_MANAGER_EXECD_H

#include <stdint.h>
#include "config.h"
#include "logrec.h"
#include "model.h"
#include "store.h"

/* s, m and cfg are borrowed (cfg until execd_reload). Resumes the requests
 * the last run left open. 0 / -1. */
int execd_init(struct store *s, struct mgr_model *m, const struct shugo_config *cfg, int64_t now_ms);
void execd_reload(const struct shugo_config *cfg);
/* shugoctl's wake-up: request id was queued. */
void execd_wake(const char *id, int64_t now_ms);
/* A new central log record (from cluster_publish): an end reported. */
void execd_record(const struct log_rec *r, int64_t now_ms);
/* Node went down: the programs of requests running there cannot be followed
 * until it is back (shugoMgrExecUnreachable, one per request). */
void execd_node_down(const char *node);
/* Every second: queued requests taken, running programs read, old requests
 * trimmed. */
void execd_tick(int64_t now_ms);
void execd_free(void);

#endif
