/* The supervised-process state machine (JP9319720's own-system process manager,
 * made a pure step function). The adapter (agent/procs.c) feeds it inputs,
 * executes the returned actions (spawn, SIGTERM, SIGKILL) and wakes it at
 * proc_deadline(). No system calls, no clock: the caller passes now_ms. */
#ifndef SHUGO_PROC_FSM_H
#define SHUGO_PROC_FSM_H

#include <stdbool.h>
#include <stdint.h>
#include "damp.h"

/* Values are shugoProcState's. */
enum proc_state {
	PROC_RUNNING = 1,
	PROC_STOPPED = 2,
	PROC_STARTING = 3, /* spawned, not yet up for start_grace_ms */
	PROC_BACKOFF = 4,  /* waiting to restart */
	PROC_FAILED = 5,   /* gave up: damping limit hit, or restart=never after a failure */
	PROC_STOPPING = 6, /* SIGTERM sent, waiting for the exit (SIGKILL at the deadline) */
};

/* Values are shugoProcRestartPolicy's. */
enum proc_restart {
	RESTART_ALWAYS = 1,
	RESTART_ON_FAILURE = 2,
	RESTART_NEVER = 3,
};

struct proc_policy {
	enum proc_restart restart;
	uint32_t backoff_initial_ms; /* first restart delay; doubles on each quick failure */
	uint32_t backoff_max_ms;
	unsigned damp_restarts;      /* N restarts ...                 (0 = no damping) */
	uint32_t damp_window_ms;     /* ... within W ms -> PROC_FAILED */
	uint32_t stop_timeout_ms;    /* SIGTERM -> SIGKILL */
	uint32_t start_grace_ms;     /* up this long = started; resets the backoff */
};

struct proc_fsm {
	enum proc_state state;
	bool want_run;        /* desired state: running (true) or stopped */
	bool restart_pending; /* an operator restart: stop, then start again */
	uint32_t backoff_ms;  /* delay before the next restart */
	uint64_t deadline;    /* ms: when the current state times out; 0 = none */
	uint32_t restarts;    /* restarts done (not counting the first start) */
	struct damp damp;
};

enum proc_input_kind {
	PIN_TICK,        /* time passed (deadline reached or periodic) */
	PIN_WANT_RUN,    /* desired state := running */
	PIN_WANT_STOP,   /* desired state := stopped */
	PIN_WANT_RESTART,/* stop if running, then run */
	PIN_SPAWNED,     /* the adapter started the process */
	PIN_SPAWN_FAILED,/* fork/exec failed: counts as an abnormal end */
	PIN_EXITED,      /* the process ended; see abnormal */
};

struct proc_input {
	enum proc_input_kind kind;
	bool abnormal; /* PIN_EXITED: non-zero exit or killed by a signal it was not sent by us */
};

enum proc_action {
	PACT_SPAWN = 1 << 0,
	PACT_TERM = 1 << 1, /* send SIGTERM */
	PACT_KILL = 1 << 2, /* send SIGKILL */
};

struct proc_output {
	unsigned actions;      /* PACT_* bits, to execute in this order: KILL/TERM, then SPAWN */
	enum proc_state from, to;
	bool gave_up;          /* this step entered PROC_FAILED */
	bool restarting;       /* this SPAWN is a restart (counted in restarts) */
	bool expected_end;     /* PIN_EXITED was asked for (stop/restart): a normal end */
};

void proc_fsm_init(struct proc_fsm *f, bool want_run);
/* Feed one input. out is fully written. */
void proc_step(struct proc_fsm *f, const struct proc_policy *p, const struct proc_input *in,
	       uint64_t now_ms, struct proc_output *out);
/* When the machine next needs a PIN_TICK (0 = not needed). */
uint64_t proc_deadline(const struct proc_fsm *f);
/* "running", "stopped", ... (shugoProcState words). */
const char *proc_state_name(enum proc_state s);

#endif
