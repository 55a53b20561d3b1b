/* Notification routing: every new central log record is offered to the
 * routes of the configuration; a route that takes it hands it to its first
 * destination group and falls back group by group (JP10247911 Fig. 7). Each
 * attempt is a row of the store's deliveries table; when every group fails
 * a shugoMgrNotifyFailed record is raised, itself routed, never in a loop. A
 * route that is new is first told the current state (raised alarms, nodes
 * down). Deliveries under way when the manager stops are resumed when it
 * starts. */
#ifndef SHUGO_MANAGER_ROUTER_H
#define SHUGO_MANAGER_ROUTER_H

#include <stdint.h>
#include "config.h"
#include "logrec.h"
#include "store.h"

/* s and cfg are borrowed (cfg until router_release). Resumes the deliveries
 * the last run left pending and tells new routes the current state. 0 / -1. */
int router_init(struct store *s, const struct shugo_config *cfg, int64_t now_ms);
/* A reloaded configuration: routes added, changed or removed; a route kept
 * as it was keeps its dedup and damping windows. */
void router_reload(const struct shugo_config *cfg, int64_t now_ms);
/* Free cfg (a configuration replaced by a reload) now, or once the last
 * delivery that uses it has ended. */
void router_release(struct shugo_config *cfg);
/* A new central log record (from cluster_publish). */
void router_publish(const struct log_rec *r, int64_t now_ms);
/* Every second: deadlines, and the records damping held back. */
void router_tick(int64_t now_ms);
/* Stop: deliveries under way are dropped here and stay pending in the store,
 * to be resumed by the next start. */
void router_free(void);

#endif
