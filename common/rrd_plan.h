/* Metrics files, decided without librrd: where a node's resource or process
 * series lives (names escaped into safe file names), the step, heartbeat, data
 * sources and archives a new file gets from the node's poll interval, and the
 * text of an update. The manager's metrics.c and shugoctl graph share it. */
#ifndef SHUGO_RRD_PLAN_H
#define SHUGO_RRD_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* A resource with a value, a process, or a network interface (a resource
 * named "nic:<name>" whose series are its byte counters). */
enum rrdp_kind { RRDP_RES = 1, RRDP_PROC = 2, RRDP_NIC = 3 };

/* Escape a name into one path component: [A-Za-z0-9_-] stay, '.' stays unless
 * it is first (so no name becomes "." or ".." or a hidden file), every other
 * byte becomes %XX (upper-case hex): "fs:/var" -> "fs%3A%2Fvar". Deterministic
 * and reversible. 0, or -1 with errno EINVAL (empty name) or ENAMETOOLONG. */
int rrdp_escape(const char *name, char *out, size_t size);

/* "<dir>/<node>/res-<name>.rrd" (resources and interfaces: "nic:eth0" is
 * res-nic%3Aeth0.rrd) or "<dir>/<node>/proc-<name>.rrd", node and name
 * escaped. 0 / -1 (errno as rrdp_escape, ENAMETOOLONG for the whole). */
int rrdp_path(char *out, size_t size, const char *dir, const char *node, enum rrdp_kind kind, const char *name);
/* "<dir>/<node>" escaped as in rrdp_path. 0 / -1. */
int rrdp_node_dir(char *out, size_t size, const char *dir, const char *node);

/* What shugoctl graph is asked for: "proc:<name>" is a process (*name is
 * <name>), "nic:<name>" an interface (*name is all of it, as the poller names
 * the row), anything else a resource ("cpu", "fs:/var"). *name points into
 * metric. 0, or -1 (EINVAL) for "", "proc:" or "nic:". */
int rrdp_metric_parse(const char *metric, enum rrdp_kind *kind, const char **name);

#define RRDP_ARGS_MAX 8
#define RRDP_ARG_LEN 64

/* How a new file is laid out. step: the poll interval rounded to whole
 * seconds, at least 1. Heartbeat: 3 steps, at least 10 s, so a poll that
 * comes a little late is not a hole, while a node judged down (after 3
 * intervals by default) shows unknown. Archives, AVERAGE and MAX each: every
 * step for a day, 1-minute rows for a week, 1-hour rows for a year (a step
 * above a minute or an hour gives rows of one step). */
struct rrdp_plan {
	unsigned long step;      /* seconds */
	unsigned long heartbeat; /* seconds */
	size_t n_args;
	char args[RRDP_ARGS_MAX][RRDP_ARG_LEN]; /* "DS:...", then "RRA:..." */
};
/* Data sources: a resource has one GAUGE "value" (min 0), a process GAUGEs
 * "cpu" and "rss", an interface DERIVEs "rx" and "tx" (min 0: bytes per
 * second from the octet counters; a counter that goes back, as after a
 * reboot, gives unknown instead of a spike). */

/* The layout for a file of kind whose node is polled every interval_ms. */
void rrdp_plan(uint32_t interval_ms, enum rrdp_kind kind, struct rrdp_plan *p);

/* Update values, "<t>:<value>" with t in seconds since the epoch: a resource
 * in hundredths as the agent serves it (8550 -> "85.50", percent or load);
 * a process's CPU in hundredths of a percent of one core, and its RSS in KiB
 * written as bytes ("<t>:<cpu>:<bytes>"). 0 / -1 (ENOBUFS). */
int rrdp_update_res(char *out, size_t size, int64_t t, uint32_t hundredths);
int rrdp_update_proc(char *out, size_t size, int64_t t, uint32_t cpu_hundredths, uint64_t rss_kb);
/* An interface's octet counters: "<t>:<rx>:<tx>". */
int rrdp_update_nic(char *out, size_t size, int64_t t, uint64_t rx_bytes, uint64_t tx_bytes);

#endif
