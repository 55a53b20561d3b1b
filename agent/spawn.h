/* Starting a supervised process: fork and exec its argv directly (no shell
 * unless the config says shell: true), with its own session, a clean
 * environment plus the configured one, its user/group and working directory,
 * and stdout/stderr appended to a per-process log file. */
#ifndef SHUGO_SPAWN_H
#define SHUGO_SPAWN_H

#include <stddef.h>
#include <sys/types.h>
#include "config.h"

/* 0 when the program runs, *child_pid set. -1 with the reason in err when it
 * could not start; *child_pid is then the pid of a child that failed before
 * exec and will exit 127 (the caller reaps it), or 0 if none was forked. The
 * exec failure travels back through a close-on-exec pipe, so "no such file" is
 * known here, not as a mysterious exit 127. */
int spawn_process(const struct cfg_proc *p, const char *log_path, pid_t *child_pid, char *err,
		  size_t errlen);

#endif
