/* The supervised-process state machine: JP9319720's own-system process manager
 * (start, stop, signal, watch the exit) as a pure step function, plus restart
 * policy, exponential backoff and damping. The adapter executes the actions. */
#include <string.h>
#include "proc_fsm.h"

/*
 * Decisions this file makes where the contract leaves room:
 *
 * - A "quick failure" is an end before start_grace_ms has passed since the
 *   spawn. The STARTING -> RUNNING move normally happens on the TICK at the
 *   deadline; if another input arrives first but after the deadline, the
 *   process has been up long enough and is promoted before the input is
 *   handled, so a late tick cannot turn a long run into a quick failure.
 * - Entering FAILED always sets gave_up: by a refused restart (damping) and by
 *   an abnormal end under restart=never alike. Both need the alarm raised.
 * - A normal end that the policy does not restart leaves the process STOPPED
 *   with want_run cleared: it finished its work, and a later TICK must not
 *   start it again behind the policy's back.
 * - SIGKILL is sent once, at the stop deadline, and no further deadline is
 *   set: SIGKILL cannot be caught, and a process that outlives it is in an
 *   uninterruptible sleep where another SIGKILL changes nothing (the pending
 *   one is delivered when the sleep ends).
 * - Every start the operator causes (want-run, restart) begins with the
 *   initial backoff. Leaving FAILED by operator command (run, restart or
 *   stop) also forgets the damping history: the operator took responsibility.
 *   Operator restarts are neither damped nor counted in restarts, which counts
 *   the restarts the policy made.
 * - A SPAWN_FAILED while STOPPING (a stop raced with the spawn) ends the stop:
 *   there is no process left to wait for.
 * - Deadlines are never 0, which means "none": a zero delay at time 0 still
 *   yields a deadline of 1.
 */

void proc_fsm_init(struct proc_fsm *f, bool want_run)
{
	memset(f, 0, sizeof(*f));
	f->state = PROC_STOPPED;
	f->want_run = want_run;
	damp_init(&f->damp);
}

static uint64_t proc_at(uint64_t now_ms, uint32_t delay_ms)
{
	uint64_t t = now_ms + delay_ms;

	return t != 0 ? t : 1;
}

/* A maximum below the initial delay would make no sense; it means "no growth". */
static uint32_t proc_backoff_cap(const struct proc_policy *p)
{
	return p->backoff_max_ms > p->backoff_initial_ms ? p->backoff_max_ms : p->backoff_initial_ms;
}

static void proc_spawn(struct proc_fsm *f, const struct proc_policy *p, uint64_t now_ms,
		       struct proc_output *out)
{
	out->actions |= PACT_SPAWN;
	f->state = PROC_STARTING;
	f->restart_pending = false;
	f->deadline = proc_at(now_ms, p->start_grace_ms);
}

/* A start the operator (or the initial desired state) asked for. */
static void proc_start_fresh(struct proc_fsm *f, const struct proc_policy *p, uint64_t now_ms,
			     struct proc_output *out)
{
	if (f->state == PROC_FAILED)
		damp_init(&f->damp);
	f->backoff_ms = p->backoff_initial_ms;
	proc_spawn(f, p, now_ms, out);
}

static void proc_fail(struct proc_fsm *f, struct proc_output *out)
{
	f->state = PROC_FAILED;
	f->deadline = 0;
	out->gave_up = true;
}

static void proc_term(struct proc_fsm *f, const struct proc_policy *p, uint64_t now_ms,
		      struct proc_output *out)
{
	out->actions |= PACT_TERM;
	f->state = PROC_STOPPING;
	f->deadline = proc_at(now_ms, p->stop_timeout_ms);
}

/* The process ended on its own while STARTING or RUNNING. */
static void proc_ended(struct proc_fsm *f, const struct proc_policy *p, bool abnormal,
		       uint64_t now_ms, struct proc_output *out)
{
	bool quick = f->state == PROC_STARTING;
	bool restart;

	switch (p->restart) {
	case RESTART_ALWAYS:
		restart = true;
		break;
	case RESTART_ON_FAILURE:
		restart = abnormal;
		break;
	default: /* RESTART_NEVER; an unknown policy must not cause restarts */
		restart = false;
		break;
	}
	if (!restart) {
		if (abnormal) {
			proc_fail(f, out);
		} else {
			f->state = PROC_STOPPED;
			f->deadline = 0;
			f->want_run = false;
		}
		return;
	}
	if (!damp_allow(&f->damp, p->damp_restarts, p->damp_window_ms, now_ms)) {
		proc_fail(f, out);
		return;
	}
	uint32_t cap = proc_backoff_cap(p);
	uint32_t delay = f->backoff_ms < cap ? f->backoff_ms : cap;
	f->state = PROC_BACKOFF;
	f->deadline = proc_at(now_ms, delay);
	/* Only a process that could not stay up earns a longer wait; one that ran
	 * past start_grace had its backoff reset when it became RUNNING. */
	if (quick) {
		uint64_t next = (uint64_t)delay * 2;
		f->backoff_ms = next < cap ? (uint32_t)next : cap;
	}
}

/* STOPPING and the process is gone. */
static void proc_stopped(struct proc_fsm *f, const struct proc_policy *p, uint64_t now_ms,
			 struct proc_output *out)
{
	out->expected_end = true;
	if (f->restart_pending) {
		proc_start_fresh(f, p, now_ms, out);
		return;
	}
	f->state = PROC_STOPPED;
	f->deadline = 0;
}

void proc_step(struct proc_fsm *f, const struct proc_policy *p, const struct proc_input *in,
	       uint64_t now_ms, struct proc_output *out)
{
	memset(out, 0, sizeof(*out));
	out->from = f->state;

	if (f->state == PROC_STARTING && now_ms >= f->deadline && in->kind != PIN_SPAWN_FAILED) {
		f->state = PROC_RUNNING;
		f->deadline = 0;
		f->backoff_ms = p->backoff_initial_ms;
	}

	switch (in->kind) {
	case PIN_TICK:
		if (f->state == PROC_STOPPED && f->want_run) {
			proc_start_fresh(f, p, now_ms, out);
		} else if (f->state == PROC_BACKOFF && now_ms >= f->deadline) {
			proc_spawn(f, p, now_ms, out);
			out->restarting = true;
			f->restarts++;
		} else if (f->state == PROC_STOPPING && f->deadline != 0 && now_ms >= f->deadline) {
			out->actions |= PACT_KILL;
			f->deadline = 0;
		}
		break;

	case PIN_WANT_RUN:
		f->want_run = true;
		if (f->state == PROC_STOPPED || f->state == PROC_FAILED)
			proc_start_fresh(f, p, now_ms, out);
		else if (f->state == PROC_STOPPING)
			f->restart_pending = true;
		break;

	case PIN_WANT_STOP:
		f->want_run = false;
		f->restart_pending = false;
		if (f->state == PROC_RUNNING || f->state == PROC_STARTING) {
			proc_term(f, p, now_ms, out);
		} else if (f->state == PROC_BACKOFF || f->state == PROC_FAILED) {
			if (f->state == PROC_FAILED)
				damp_init(&f->damp);
			f->state = PROC_STOPPED;
			f->deadline = 0;
		}
		break;

	case PIN_WANT_RESTART:
		f->want_run = true;
		if (f->state == PROC_RUNNING || f->state == PROC_STARTING) {
			proc_term(f, p, now_ms, out);
			f->restart_pending = true;
		} else if (f->state == PROC_STOPPING) {
			f->restart_pending = true;
		} else {
			proc_start_fresh(f, p, now_ms, out);
		}
		break;

	case PIN_SPAWNED:
		/* The adapter confirms the fork; the grace period already runs. */
		break;

	case PIN_SPAWN_FAILED:
		if (f->state == PROC_STARTING)
			proc_ended(f, p, true, now_ms, out);
		else if (f->state == PROC_STOPPING)
			proc_stopped(f, p, now_ms, out);
		break;

	case PIN_EXITED:
		if (f->state == PROC_STARTING || f->state == PROC_RUNNING)
			proc_ended(f, p, in->abnormal, now_ms, out);
		else if (f->state == PROC_STOPPING)
			proc_stopped(f, p, now_ms, out);
		break;
	}

	out->to = f->state;
}

uint64_t proc_deadline(const struct proc_fsm *f)
{
	return f->deadline;
}

const char *proc_state_name(enum proc_state s)
{
	switch (s) {
	case PROC_RUNNING: return "running";
	case PROC_STOPPED: return "stopped";
	case PROC_STARTING: return "starting";
	case PROC_BACKOFF: return "backoff";
	case PROC_FAILED: return "failed";
	case PROC_STOPPING: return "stopping";
	}
	return "unknown";
}
