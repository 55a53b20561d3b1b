/* Metrics: every complete poll's resource values and per-process CPU and RSS
 * written to RRD files (manager.rrd), one per node and resource or process,
 * through rrdcached when one is configured and reachable, with librrd
 * directly otherwise. Never holds the event loop for long: each exchange with
 * rrdcached has a deadline. File names and layouts are common/rrd_plan.c's. */
#ifndef SHUGO_MANAGER_METRICS_H
#define SHUGO_MANAGER_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "store.h"

/* Take manager.rrd from cfg (at start and at every reload): a changed
 * directory or daemon starts afresh. 0 / -1 (out of memory: metrics off). */
int metrics_configure(const struct cfg_rrd *rrd);
/* One complete poll of node (polled every interval_ms), as of wall_ms: each
 * resource's value, each interface's (type 0) byte counters, each process's
 * CPU and RSS. */
void metrics_poll(const char *node, uint32_t interval_ms, int64_t wall_ms, const struct store_proc *procs,
		  size_t n_procs, const struct store_res *res, size_t n_res);
void metrics_free(void);

#endif
