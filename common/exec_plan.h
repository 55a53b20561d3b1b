/* Remote execution through the manager, pure: in which order the candidate
 * nodes of a request are tried (JP9319720 claims 3, 8 and 9: the configured
 * priority order with an availability inquiry, or the least loaded node
 * first), what one node's row of shugoExecTable means for the request (it
 * runs there, it ended, or the next node is tried), and what a request with
 * all its nodes settled comes to. The manager's execd.c asks and records. */
#ifndef SHUGO_EXEC_PLAN_H
#define SHUGO_EXEC_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* shugoExecState and shugoExecEnd */
enum { XS_PENDING = 1, XS_RUNNING, XS_EXITED, XS_KILLED, XS_REFUSED, XS_START_FAILED };
enum { XE_NONE = 1, XE_NORMAL, XE_ABNORMAL };

/* A candidate node as the manager sees it while placing a request. */
struct exec_cand {
	const char *node;
	unsigned priority;     /* its place in the request's list, 0 first */
	bool asked;            /* the availability inquiry was answered */
	bool accepting;        /* shugoNodeAcceptingExec */
	uint32_t managed, max; /* shugoNodeManagedProcs, shugoNodeMaxProcs */
	uint32_t cpu;          /* CPU busy at the last poll, hundredths of a
				* percent; EXEC_CPU_UNKNOWN if never polled */
};
#define EXEC_CPU_UNKNOWN UINT32_MAX

/* Least loaded first: nodes that accept before those that do not (or did not
 * answer), then fewer managed processes (the process-management load of
 * JP9319720), then lower CPU, then the priority order. Stable. */
void exec_order_least_loaded(struct exec_cand *c, size_t n);

/* One node's row of shugoExecTable, as read after the SET that created it. */
struct exec_row {
	bool present;        /* false: no such row (noSuchInstance) */
	int state;           /* shugoExecState */
	int refusal;         /* shugoExecRefusal */
	const char *reason;  /* shugoExecReason */
	int exit_code;       /* shugoExecExitCode */
	int exit_signal;     /* shugoExecExitSignal */
	int end;             /* shugoExecEnd */
	const char *program, *requester; /* shugoExecProgram, shugoExecRequester */
};

enum exec_verdict {
	XV_RUNNING = 1, /* started there: watch it */
	XV_ENDED,       /* started there and already ended */
	XV_NEXT,        /* not started there: try the next node */
};

/* What the row means for a request of program by requester. The run's state
 * (for the store: running, exited, killed, refused, failed) goes to state
 * (>= 16 bytes) and the reason or how it ended to detail. *normal: 1 normal
 * end, 0 abnormal, -1 not ended. A row of another program or requester under
 * the same id is somebody else's request: not ours, the next node. */
enum exec_verdict exec_judge_row(const struct exec_row *row, const char *program, const char *requester,
				 char *state, char *detail, size_t detail_size, int *normal);

/* Name of a shugoExecRefusal value ("busy"). */
const char *exec_refusal_name(int refusal);

/* A node's settled outcome, for the summary. */
struct exec_outcome {
	const char *state;   /* a run state as the store keeps it */
	int normal;          /* 1, 0, -1 */
};

/* The request's state from its runs' (n of them), once no run is being
 * asked, set or read: "running" while any runs; else "done" if any started
 * (ended, killed or lost), "failed" if none did. The summary ("2 normal, 1
 * abnormal", "started nowhere: 3 refused") goes to detail. */
const char *exec_summary(const struct exec_outcome *o, size_t n, char *detail, size_t size);

#endif
