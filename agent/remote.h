/* Remote execution on this node: the requests other servers create as rows
 * of shugoExecTable, admitted or refused (exec.c), started without a shell,
 * watched through a pidfd, ended with a notification to the requester, and
 * deleted after the configured retention. A request id is never run twice:
 * the ids used are kept in the state directory (JP9319720, JP10320338). */
#ifndef SHUGO_REMOTE_H
#define SHUGO_REMOTE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "agent.h"

/* The ids the last runs used (state_dir/exec.ids). */
void remote_init(struct agent *a);
/* The row of request id, or NULL. */
struct exec_rt *remote_find(struct agent *a, const char *id);
/* A new row (createAndWait / createAndGo); NULL when the table is full. */
struct exec_rt *remote_add(struct agent *a, const char *id);
/* Submit an active row: admitted and started, or refused. */
void remote_submit(struct agent *a, struct exec_rt *e);
/* Remove a row (destroy). */
void remote_delete(struct agent *a, struct exec_rt *e);
/* Send signal sig to the running program of e (0: only check it exists).
 * 0 / -1 (errno). */
int remote_signal(struct exec_rt *e, int sig);
/* A pidfd of a running program is readable. true if it was one of ours. */
bool remote_pidfd_ready(struct agent *a, int fd);
/* A child the supervisor reaped that is not a supervised process: ours? */
bool remote_reaped(struct agent *a, pid_t pid, int status);
/* On the sampling timer: rows past their retention go. */
void remote_tick(struct agent *a, uint64_t now_ms);
/* Running programs: they are left running, untracked; rows freed. */
void remote_free(struct agent *a);
uint32_t remote_running(const struct agent *a);

#endif
