/* Reading processes from /proc: one process's sample, and the scan that finds
 * the instances of a watched definition (pidfile, executable path or command
 * line regex). Observation only; the caller decides what a change means. */
#ifndef SHUGO_MON_PROC_H
#define SHUGO_MON_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "config.h"

struct proc_sample {
	pid_t pid, ppid;
	char state;            /* /proc/<pid>/stat state letter: R S D T Z ... */
	uint64_t start_ticks;  /* start time in clock ticks since boot (identity with pid) */
	int64_t start_time;    /* wall clock seconds */
	uint64_t cpu_ticks;    /* utime + stime */
	uint32_t rss_kb;
	uid_t uid;
	char exe[256];         /* readlink /proc/<pid>/exe, "" if unreadable */
	char *cmdline;         /* malloc'd, arguments joined by spaces; free with proc_sample_clear */
};

void proc_sample_clear(struct proc_sample *s);
/* Fill s for pid (stat, status, cmdline, exe). 0, or -1 if the process is gone. */
int mon_proc_read(pid_t pid, struct proc_sample *s);
/* Like mon_proc_read, but from what the last mon_proc_match_all scan read
 * (no file access) when it saw pid; reads /proc otherwise. The resident set
 * is then stat's counter, which the kernel batches (close to VmRSS). */
int mon_proc_peek(pid_t pid, struct proc_sample *s);
/* Percentage of one core in hundredths between two samples of the same process
 * taken elapsed_ms apart. */
uint32_t mon_proc_cpu(uint64_t prev_ticks, uint64_t cur_ticks, uint64_t elapsed_ms);

/* The pids matching a watched definition. Scans /proc once per call for exe and
 * cmdline matches (pidfile: reads the file and checks the pid is alive). Fills a
 * malloc'd sorted array into *pids (free it); returns the count, or -1. Never
 * matches the agent itself. */
int mon_proc_match(const struct cfg_proc *p, pid_t **pids);

/* For many definitions at once: one /proc scan serves every exe/cmdline rule.
 * out[i] receives the sorted pids of procs[i] (kind PK_WATCHED only; others 0).
 * Returns 0 or -1. Free each out[i].pids. */
struct proc_match_set { pid_t *pids; size_t n; };
int mon_proc_match_all(const struct cfg_proc *procs, size_t n, struct proc_match_set *out);

#endif
