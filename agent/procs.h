/* The process supervisor: drives each supervised definition's state machine
 * (executes spawn/TERM/KILL), reaps children, tracks the instances of watched
 * definitions (one /proc scan per interval, a pidfd per instance so a death is
 * seen at once), samples CPU/RSS, and turns every change into a notification. */
#ifndef SHUGO_PROCS_H
#define SHUGO_PROCS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "agent.h"

/* Bind the definitions of cfg, keeping the runtime state of names that stay.
 * Supervised definitions that disappear are stopped. */
int procs_configure(struct agent *a, const struct shugo_config *cfg);
/* Reap every exited child (call on SIGCHLD). */
void procs_reap(struct agent *a);
/* Run state machines whose deadline passed. */
void procs_tick(struct agent *a, uint64_t now_ms);
/* Refresh instances and their CPU/RSS (the sampling timer). */
void procs_sample(struct agent *a, uint64_t now_ms);
/* A watched instance's pidfd became readable: it ended. */
void procs_pidfd_ready(struct agent *a, int fd);
/* Report the watched instances that appeared or ended since the last call:
 * one notification per definition and change, then judge the counts. */
void procs_flush(struct agent *a);
/* Earliest state-machine deadline, 0 if none. */
uint64_t procs_next_deadline(const struct agent *a);
/* Stop every supervised process (shutdown): TERM, wait up to their stop
 * timeouts, then KILL. Bounded by the longest stop timeout. */
void procs_stop_all(struct agent *a);

/* SET helpers for the MIB: check first (enum set_check), then apply. */
enum set_check procs_check_desired(const struct proc_rt *p, long value);
void procs_apply_desired(struct agent *a, struct proc_rt *p, long value);
enum set_check procs_check_signal(const struct proc_rt *p, long sig);
void procs_apply_signal(struct proc_rt *p, long sig);
struct proc_rt *procs_find(struct agent *a, const char *name, size_t len);
/* supervised desired state as shugoProcDesiredState */
long procs_desired(const struct proc_rt *p);
/* Number of supervised processes currently running (for shugoNodeManagedProcs). */
uint32_t procs_managed(const struct agent *a);

/* Registers pidfds with the loop. */
typedef void (*procs_fd_cb)(int fd, bool add);
void procs_set_fd_hook(procs_fd_cb cb);

#endif
