/* Unit tests for proc_fsm.c: scripted scenarios (input, time -> expected state,
 * actions, flags, deadline, backoff, restarts) for every path of the machine,
 * plus table tests of the restart policies, ignored inputs and state names. */
#include <stdio.h>
#include <string.h>
#include "cu_main.h"
#include "proc_fsm.h"

#define T0 1000000ULL /* scenario times are ms after T0, so no deadline is ever 0 */
#define NONE (-1)     /* expected deadline: none */
#define X (-2)        /* not checked */

/* Short names keep the scripts one row per step. */
#define TK PIN_TICK
#define RUN PIN_WANT_RUN
#define STOP PIN_WANT_STOP
#define RST PIN_WANT_RESTART
#define SPD PIN_SPAWNED
#define SPF PIN_SPAWN_FAILED
#define EX PIN_EXITED
#define SP PACT_SPAWN
#define TE PACT_TERM
#define KI PACT_KILL
#define G 1u /* gave_up */
#define R 2u /* restarting */
#define E 4u /* expected_end */

struct fsm_step {
	int64_t t; /* ms after T0 */
	enum proc_input_kind in;
	bool abn;
	enum proc_state to;
	unsigned act;
	unsigned flags;
	int64_t dl; /* expected proc_deadline, ms after T0, or NONE */
	int64_t bo; /* expected backoff_ms, or X */
	int64_t rs; /* expected restarts, or X */
};

struct fsm_case {
	const char *name;
	const struct proc_policy *pol;
	bool want_run;
	const struct fsm_step *steps;
	size_t n;
};

#define STEPS(a) (a), sizeof(a) / sizeof((a)[0])

/* grace 5 s, stop 3 s, backoff 1 s doubling to 8 s, at most 3 restarts a minute. */
static const struct proc_policy pol_always = {
	.restart = RESTART_ALWAYS, .backoff_initial_ms = 1000, .backoff_max_ms = 8000,
	.damp_restarts = 3, .damp_window_ms = 60000, .stop_timeout_ms = 3000, .start_grace_ms = 5000,
};
static const struct proc_policy pol_onfail = {
	.restart = RESTART_ON_FAILURE, .backoff_initial_ms = 1000, .backoff_max_ms = 8000,
	.damp_restarts = 3, .damp_window_ms = 60000, .stop_timeout_ms = 3000, .start_grace_ms = 5000,
};
static const struct proc_policy pol_never = {
	.restart = RESTART_NEVER, .backoff_initial_ms = 1000, .backoff_max_ms = 8000,
	.damp_restarts = 3, .damp_window_ms = 60000, .stop_timeout_ms = 3000, .start_grace_ms = 5000,
};
/* No damping, backoff 1 s capped at 4 s. */
static const struct proc_policy pol_cap = {
	.restart = RESTART_ALWAYS, .backoff_initial_ms = 1000, .backoff_max_ms = 4000,
	.damp_restarts = 0, .damp_window_ms = 0, .stop_timeout_ms = 3000, .start_grace_ms = 5000,
};
/* 2 restarts in 10 s, fixed 1 s backoff, 2 s grace. */
static const struct proc_policy pol_slide = {
	.restart = RESTART_ALWAYS, .backoff_initial_ms = 1000, .backoff_max_ms = 1000,
	.damp_restarts = 2, .damp_window_ms = 10000, .stop_timeout_ms = 3000, .start_grace_ms = 2000,
};
/* 1 restart per ~17 minutes: any second crash gives up. */
static const struct proc_policy pol_one = {
	.restart = RESTART_ALWAYS, .backoff_initial_ms = 1000, .backoff_max_ms = 8000,
	.damp_restarts = 1, .damp_window_ms = 1000000, .stop_timeout_ms = 3000, .start_grace_ms = 5000,
};

static const struct fsm_step normal_run[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, 1000, 0},
	{1, SPD, 0, PROC_STARTING, 0, 0, 5000, X, X},
	{4999, TK, 0, PROC_STARTING, 0, 0, 5000, X, X},
	{5000, TK, 0, PROC_RUNNING, 0, 0, NONE, 1000, 0},
	{60000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, X},
	{70000, STOP, 0, PROC_STOPPING, TE, 0, 73000, X, X},
	{70500, TK, 0, PROC_STOPPING, 0, 0, 73000, X, X},
	/* Died of our SIGTERM: the adapter may call it abnormal, it is still expected. */
	{71000, EX, 1, PROC_STOPPED, 0, E, NONE, X, 0},
	{80000, TK, 0, PROC_STOPPED, 0, 0, NONE, X, 0},
};

static const struct fsm_step init_stopped[] = {
	{0, TK, 0, PROC_STOPPED, 0, 0, NONE, X, 0},
	{100, RUN, 0, PROC_STARTING, SP, 0, 5100, 1000, 0},
	{5100, TK, 0, PROC_RUNNING, 0, 0, NONE, 1000, 0},
	{5200, RUN, 0, PROC_RUNNING, 0, 0, NONE, X, 0},
};

/* Quick crashes: 3 restarts are allowed within the minute, the 4th failure gives
 * up. The delays double 1 s, 2 s, 4 s while the process never gets up. */
#define CRASH_LOOP_TO_FAILED \
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, 1000, 0}, \
	{100, EX, 1, PROC_BACKOFF, 0, 0, 1100, 2000, 0}, \
	{1099, TK, 0, PROC_BACKOFF, 0, 0, 1100, X, 0}, \
	{1100, TK, 0, PROC_STARTING, SP, R, 6100, 2000, 1}, \
	{1200, EX, 1, PROC_BACKOFF, 0, 0, 3200, 4000, 1}, \
	{3200, TK, 0, PROC_STARTING, SP, R, 8200, 4000, 2}, \
	{3300, EX, 1, PROC_BACKOFF, 0, 0, 7300, 8000, 2}, \
	{7300, TK, 0, PROC_STARTING, SP, R, 12300, 8000, 3}, \
	{7400, EX, 1, PROC_FAILED, 0, G, NONE, X, 3}, \
	{7500, TK, 0, PROC_FAILED, 0, 0, NONE, X, 3}, \
	{7600, EX, 1, PROC_FAILED, 0, 0, NONE, X, 3}

static const struct fsm_step crash_loop[] = {
	CRASH_LOOP_TO_FAILED,
	{500000, TK, 0, PROC_FAILED, 0, 0, NONE, X, 3},
};

/* A manual start from FAILED forgets the damping history and the backoff: the
 * next crash, still inside the minute, is restarted after 1 s. */
static const struct fsm_step run_from_failed[] = {
	CRASH_LOOP_TO_FAILED,
	{8000, RUN, 0, PROC_STARTING, SP, 0, 13000, 1000, 3},
	{8100, EX, 1, PROC_BACKOFF, 0, 0, 9100, 2000, 3},
	{9100, TK, 0, PROC_STARTING, SP, R, 14100, 2000, 4},
	{14100, TK, 0, PROC_RUNNING, 0, 0, NONE, 1000, 4},
};

/* So does stopping a failed process; the later start is a clean one. */
static const struct fsm_step stop_from_failed[] = {
	CRASH_LOOP_TO_FAILED,
	{8000, STOP, 0, PROC_STOPPED, 0, 0, NONE, X, 3},
	{8050, TK, 0, PROC_STOPPED, 0, 0, NONE, X, 3},
	{8100, RUN, 0, PROC_STARTING, SP, 0, 13100, 1000, 3},
	{8200, EX, 1, PROC_BACKOFF, 0, 0, 9200, 2000, 3},
};

/* restart=never: an abnormal end is FAILED at once; want-run brings it back. */
static const struct fsm_step never_then_run[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, 1000, 0},
	{5000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, X},
	{6000, EX, 1, PROC_FAILED, 0, G, NONE, X, 0},
	{7000, TK, 0, PROC_FAILED, 0, 0, NONE, X, 0},
	{8000, RUN, 0, PROC_STARTING, SP, 0, 13000, 1000, 0},
	{13000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, 0},
	/* A normal end is a finished job: stopped, and no tick restarts it. */
	{20000, EX, 0, PROC_STOPPED, 0, 0, NONE, X, 0},
	{30000, TK, 0, PROC_STOPPED, 0, 0, NONE, X, 0},
};

/* Failures 6 s apart with "2 in 10 s": the window slides and never fills.
 * Then a quick crash 1.5 s after the last one makes 3 within 10 s: give up. */
static const struct fsm_step window_slides[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 2000, 1000, 0},
	{2000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, 0},
	{5000, EX, 1, PROC_BACKOFF, 0, 0, 6000, 1000, 0},
	{6000, TK, 0, PROC_STARTING, SP, R, 8000, X, 1},
	{8000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, 1},
	{11000, EX, 1, PROC_BACKOFF, 0, 0, 12000, X, 1},
	{12000, TK, 0, PROC_STARTING, SP, R, 14000, X, 2},
	{14000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, 2},
	{17000, EX, 1, PROC_BACKOFF, 0, 0, 18000, X, 2},
	{18000, TK, 0, PROC_STARTING, SP, R, 20000, X, 3},
	{20000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, 3},
	{23000, EX, 1, PROC_BACKOFF, 0, 0, 24000, X, 3},
	{24000, TK, 0, PROC_STARTING, SP, R, 26000, X, 4},
	{24500, EX, 1, PROC_FAILED, 0, G, NONE, X, 4},
};

/* Backoff doubles on quick failures up to the cap, resets once the process
 * stays up for start_grace, and a crash after a good run waits the initial
 * delay without doubling. */
static const struct fsm_step backoff_cap_reset[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, 1000, 0},
	{10, EX, 1, PROC_BACKOFF, 0, 0, 1010, 2000, 0},
	{1010, TK, 0, PROC_STARTING, SP, R, 6010, 2000, 1},
	{1020, EX, 1, PROC_BACKOFF, 0, 0, 3020, 4000, 1},
	{3020, TK, 0, PROC_STARTING, SP, R, 8020, 4000, 2},
	{3030, EX, 1, PROC_BACKOFF, 0, 0, 7030, 4000, 2},
	{7030, TK, 0, PROC_STARTING, SP, R, 12030, 4000, 3},
	{7040, EX, 0, PROC_BACKOFF, 0, 0, 11040, 4000, 3}, /* normal end, restart=always */
	{11040, TK, 0, PROC_STARTING, SP, R, 16040, 4000, 4},
	{16040, TK, 0, PROC_RUNNING, 0, 0, NONE, 1000, 4},
	{20000, EX, 1, PROC_BACKOFF, 0, 0, 21000, 1000, 4},
	{21000, TK, 0, PROC_STARTING, SP, R, 26000, 1000, 5},
	{21100, EX, 1, PROC_BACKOFF, 0, 0, 22100, 2000, 5},
};

/* The process ran past start_grace but its exit arrives before the tick that
 * would have marked it running: still a long run, not a quick failure. */
static const struct fsm_step late_tick[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, 1000, 0},
	{10, EX, 1, PROC_BACKOFF, 0, 0, 1010, 2000, 0},
	{1010, TK, 0, PROC_STARTING, SP, R, 6010, 2000, 1},
	{7000, EX, 1, PROC_BACKOFF, 0, 0, 8000, 1000, 1},
};

/* SIGTERM ignored: SIGKILL at the deadline, once. */
static const struct fsm_step stop_kill[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{5000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, X},
	{10000, STOP, 0, PROC_STOPPING, TE, 0, 13000, X, X},
	{10001, STOP, 0, PROC_STOPPING, 0, 0, 13000, X, X},
	{12999, TK, 0, PROC_STOPPING, 0, 0, 13000, X, X},
	{13000, TK, 0, PROC_STOPPING, KI, 0, NONE, X, X},
	{14000, TK, 0, PROC_STOPPING, 0, 0, NONE, X, X},
	{14500, EX, 1, PROC_STOPPED, 0, E, NONE, X, 0},
};

/* Stop while still starting. */
static const struct fsm_step stop_starting[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{100, STOP, 0, PROC_STOPPING, TE, 0, 3100, X, X},
	{200, EX, 0, PROC_STOPPED, 0, E, NONE, X, 0},
};

/* Stop during backoff: the pending restart is dropped. */
static const struct fsm_step stop_backoff[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{10, EX, 1, PROC_BACKOFF, 0, 0, 1010, X, 0},
	{500, STOP, 0, PROC_STOPPED, 0, 0, NONE, X, 0},
	{1010, TK, 0, PROC_STOPPED, 0, 0, NONE, X, 0},
	{2000, EX, 1, PROC_STOPPED, 0, 0, NONE, X, 0},
};

/* Operator restarts are expected ends, never damped or counted: with one
 * restart allowed, three requested restarts leave room for one crash; the
 * second crash gives up. A restart request from FAILED starts afresh. */
static const struct fsm_step restart_request[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{5000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, X},
	{6000, RST, 0, PROC_STOPPING, TE, 0, 9000, X, 0},
	{6500, EX, 1, PROC_STARTING, SP, E, 11500, 1000, 0},
	{11500, TK, 0, PROC_RUNNING, 0, 0, NONE, X, 0},
	{12000, RST, 0, PROC_STOPPING, TE, 0, 15000, X, 0},
	{12100, EX, 0, PROC_STARTING, SP, E, 17100, X, 0},
	{12200, RST, 0, PROC_STOPPING, TE, 0, 15200, X, 0}, /* while starting */
	{12300, EX, 0, PROC_STARTING, SP, E, 17300, X, 0},
	{17300, TK, 0, PROC_RUNNING, 0, 0, NONE, X, 0},
	{20000, EX, 1, PROC_BACKOFF, 0, 0, 21000, X, 0},
	{21000, TK, 0, PROC_STARTING, SP, R, 26000, X, 1},
	{21100, EX, 1, PROC_FAILED, 0, G, NONE, X, 1},
	{30000, RST, 0, PROC_STARTING, SP, 0, 35000, 1000, 1},
	{30100, EX, 1, PROC_BACKOFF, 0, 0, 31100, 2000, 1},
};

/* Restart requests when nothing runs start at once: from BACKOFF (not
 * counted, backoff back to initial) and from STOPPED. */
static const struct fsm_step restart_idle[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, 1000, 0},
	{10, EX, 1, PROC_BACKOFF, 0, 0, 1010, 2000, 0},
	{500, RST, 0, PROC_STARTING, SP, 0, 5500, 1000, 0},
	{5500, TK, 0, PROC_RUNNING, 0, 0, NONE, X, 0},
	{6000, STOP, 0, PROC_STOPPING, TE, 0, 9000, X, 0},
	{6100, EX, 0, PROC_STOPPED, 0, E, NONE, X, 0},
	{7000, RST, 0, PROC_STARTING, SP, 0, 12000, X, 0},
};

/* Want-run while stopping: start again after the exit. */
static const struct fsm_step run_while_stopping[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{5000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, X},
	{6000, STOP, 0, PROC_STOPPING, TE, 0, 9000, X, X},
	{6100, RUN, 0, PROC_STOPPING, 0, 0, 9000, X, X},
	{6200, EX, 0, PROC_STARTING, SP, E, 11200, X, 0},
};

/* Want-stop during a requested restart cancels the start. */
static const struct fsm_step stop_cancels_restart[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{5000, TK, 0, PROC_RUNNING, 0, 0, NONE, X, X},
	{6000, RST, 0, PROC_STOPPING, TE, 0, 9000, X, X},
	{6100, STOP, 0, PROC_STOPPING, 0, 0, 9000, X, X},
	{6200, EX, 0, PROC_STOPPED, 0, E, NONE, X, 0},
	{7000, TK, 0, PROC_STOPPED, 0, 0, NONE, X, 0},
};

/* fork/exec failing is an abnormal end while starting. */
static const struct fsm_step spawn_fail_always[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, 1000, 0},
	{0, SPF, 0, PROC_BACKOFF, 0, 0, 1000, 2000, 0},
	{1000, TK, 0, PROC_STARTING, SP, R, 6000, 2000, 1},
	{1000, SPF, 0, PROC_BACKOFF, 0, 0, 3000, 4000, 1},
	{3000, TK, 0, PROC_STARTING, SP, R, 8000, 4000, 2},
	{3000, SPF, 0, PROC_BACKOFF, 0, 0, 7000, 8000, 2},
	{7000, TK, 0, PROC_STARTING, SP, R, 12000, 8000, 3},
	{7000, SPF, 0, PROC_FAILED, 0, G, NONE, X, 3},
};
static const struct fsm_step spawn_fail_onfail[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{0, SPF, 0, PROC_BACKOFF, 0, 0, 1000, X, 0},
};
static const struct fsm_step spawn_fail_never[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{0, SPF, 0, PROC_FAILED, 0, G, NONE, X, 0},
	{100, TK, 0, PROC_FAILED, 0, 0, NONE, X, 0},
};
/* A stop that raced with a failed spawn: nothing left to wait for. */
static const struct fsm_step spawn_fail_stopping[] = {
	{0, TK, 0, PROC_STARTING, SP, 0, 5000, X, X},
	{0, STOP, 0, PROC_STOPPING, TE, 0, 3000, X, X},
	{1, SPF, 0, PROC_STOPPED, 0, E, NONE, X, 0},
};

static const struct fsm_case fsm_cases[] = {
	{"normal_run", &pol_always, true, STEPS(normal_run)},
	{"init_stopped", &pol_always, false, STEPS(init_stopped)},
	{"crash_loop", &pol_always, true, STEPS(crash_loop)},
	{"run_from_failed", &pol_always, true, STEPS(run_from_failed)},
	{"stop_from_failed", &pol_always, true, STEPS(stop_from_failed)},
	{"never_then_run", &pol_never, true, STEPS(never_then_run)},
	{"window_slides", &pol_slide, true, STEPS(window_slides)},
	{"backoff_cap_reset", &pol_cap, true, STEPS(backoff_cap_reset)},
	{"late_tick", &pol_always, true, STEPS(late_tick)},
	{"stop_kill", &pol_always, true, STEPS(stop_kill)},
	{"stop_starting", &pol_always, true, STEPS(stop_starting)},
	{"stop_backoff", &pol_always, true, STEPS(stop_backoff)},
	{"restart_request", &pol_one, true, STEPS(restart_request)},
	{"restart_idle", &pol_always, true, STEPS(restart_idle)},
	{"run_while_stopping", &pol_always, true, STEPS(run_while_stopping)},
	{"stop_cancels_restart", &pol_always, true, STEPS(stop_cancels_restart)},
	{"spawn_fail_always", &pol_always, true, STEPS(spawn_fail_always)},
	{"spawn_fail_onfail", &pol_onfail, true, STEPS(spawn_fail_onfail)},
	{"spawn_fail_never", &pol_never, true, STEPS(spawn_fail_never)},
	{"spawn_fail_stopping", &pol_always, true, STEPS(spawn_fail_stopping)},
};

static void expect(bool ok, int line, const char *name, size_t step, const char *what, long long got,
		   long long want)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s step %zu: %s %lld, expected %lld", name, step, what, got, want);
	CU_assertImplementation(ok, (unsigned)line, msg, __FILE__, "", CU_FALSE);
}

#define EXPECT_EQ(got, want, what) \
	expect((long long)(got) == (long long)(want), __LINE__, c->name, i, (what), (long long)(got), \
	       (long long)(want))

static void run_case(const struct fsm_case *c)
{
	struct proc_fsm f;

	proc_fsm_init(&f, c->want_run);
	for (size_t i = 0; i < c->n; i++) {
		const struct fsm_step *s = &c->steps[i];
		struct proc_input in = {.kind = s->in, .abnormal = s->abn};
		struct proc_output out;
		enum proc_state before = f.state;

		memset(&out, 0xa5, sizeof(out)); /* proc_step must write every field */
		proc_step(&f, c->pol, &in, T0 + (uint64_t)s->t, &out);
		EXPECT_EQ(out.from, before, "from");
		EXPECT_EQ(out.to, f.state, "out.to vs state");
		EXPECT_EQ(f.state, s->to, "state");
		EXPECT_EQ(out.actions, s->act, "actions");
		EXPECT_EQ(out.gave_up, (s->flags & G) != 0, "gave_up");
		EXPECT_EQ(out.restarting, (s->flags & R) != 0, "restarting");
		EXPECT_EQ(out.expected_end, (s->flags & E) != 0, "expected_end");
		EXPECT_EQ(proc_deadline(&f), s->dl == NONE ? 0 : T0 + (uint64_t)s->dl, "deadline");
		if (s->bo != X)
			EXPECT_EQ(f.backoff_ms, s->bo, "backoff_ms");
		if (s->rs != X)
			EXPECT_EQ(f.restarts, s->rs, "restarts");
		/* Invariant: a deadline exactly when a timer runs (STOPPING after
		 * the SIGKILL is the one timed state without). */
		bool timed = f.state == PROC_STARTING || f.state == PROC_BACKOFF;
		if (timed || f.state == PROC_RUNNING || f.state == PROC_STOPPED || f.state == PROC_FAILED)
			EXPECT_EQ(proc_deadline(&f) != 0, timed, "has deadline");
	}
}

static void test_fsm_scenarios(void)
{
	for (size_t i = 0; i < sizeof(fsm_cases) / sizeof(fsm_cases[0]); i++)
		run_case(&fsm_cases[i]);
}

/* Each policy with a normal and an abnormal end, from RUNNING (long run) and
 * from STARTING (quick failure); then a much later tick shows whether the
 * machine still means to run it. */
struct policy_row {
	enum proc_restart restart;
	bool abnormal;
	enum proc_state after;     /* state after the exit */
	bool gave_up;
	bool want_run;             /* desired state after the exit */
	enum proc_state after_tick;
};

static const struct policy_row policy_rows[] = {
	{RESTART_ALWAYS, false, PROC_BACKOFF, false, true, PROC_STARTING},
	{RESTART_ALWAYS, true, PROC_BACKOFF, false, true, PROC_STARTING},
	{RESTART_ON_FAILURE, false, PROC_STOPPED, false, false, PROC_STOPPED},
	{RESTART_ON_FAILURE, true, PROC_BACKOFF, false, true, PROC_STARTING},
	{RESTART_NEVER, false, PROC_STOPPED, false, false, PROC_STOPPED},
	{RESTART_NEVER, true, PROC_FAILED, true, true, PROC_FAILED},
};

static void test_fsm_policies(void)
{
	for (size_t r = 0; r < sizeof(policy_rows) / sizeof(policy_rows[0]); r++) {
		for (int quick = 0; quick <= 1; quick++) {
			const struct policy_row *row = &policy_rows[r];
			struct proc_policy p = pol_always;
			struct proc_fsm f;
			struct proc_output out;
			struct proc_input in = {.kind = PIN_TICK};
			p.restart = row->restart;
			proc_fsm_init(&f, true);
			proc_step(&f, &p, &in, T0, &out);
			CU_ASSERT_EQUAL_FATAL(f.state, PROC_STARTING);
			if (!quick) {
				proc_step(&f, &p, &in, T0 + 5000, &out);
				CU_ASSERT_EQUAL_FATAL(f.state, PROC_RUNNING);
			}
			in.kind = PIN_EXITED;
			in.abnormal = row->abnormal;
			proc_step(&f, &p, &in, T0 + (quick ? 1000 : 6000), &out);
			CU_ASSERT_EQUAL(out.from, quick ? PROC_STARTING : PROC_RUNNING);
			CU_ASSERT_EQUAL(f.state, row->after);
			CU_ASSERT_EQUAL(out.to, row->after);
			CU_ASSERT_EQUAL(out.gave_up, row->gave_up);
			CU_ASSERT_FALSE(out.expected_end);
			CU_ASSERT_EQUAL(out.actions, 0);
			CU_ASSERT_EQUAL(f.want_run, row->want_run);
			in.kind = PIN_TICK;
			proc_step(&f, &p, &in, T0 + 100000, &out);
			CU_ASSERT_EQUAL(f.state, row->after_tick);
			CU_ASSERT_EQUAL(out.actions, row->after_tick == PROC_STARTING ? (unsigned)PACT_SPAWN : 0u);
			CU_ASSERT_EQUAL(out.restarting, row->after_tick == PROC_STARTING);
		}
	}
}

/* Inputs that make no sense in a state change nothing and ask for nothing. */
struct ignored_row {
	enum proc_state state;
	bool want_run;
	uint64_t deadline;
	enum proc_input_kind in;
	bool abnormal;
};

static const struct ignored_row ignored_rows[] = {
	{PROC_STOPPED, false, 0, PIN_EXITED, false},
	{PROC_STOPPED, false, 0, PIN_EXITED, true},
	{PROC_STOPPED, false, 0, PIN_SPAWNED, false},
	{PROC_STOPPED, false, 0, PIN_SPAWN_FAILED, false},
	{PROC_STOPPED, false, 0, PIN_TICK, false},
	{PROC_STOPPED, false, 0, PIN_WANT_STOP, false},
	{PROC_STARTING, true, T0 + 5000, PIN_SPAWNED, false},
	{PROC_STARTING, true, T0 + 5000, PIN_WANT_RUN, false},
	{PROC_STARTING, true, T0 + 5000, PIN_TICK, false},
	{PROC_RUNNING, true, 0, PIN_SPAWNED, false},
	{PROC_RUNNING, true, 0, PIN_SPAWN_FAILED, false},
	{PROC_RUNNING, true, 0, PIN_WANT_RUN, false},
	{PROC_RUNNING, true, 0, PIN_TICK, false},
	{PROC_BACKOFF, true, T0 + 1000, PIN_EXITED, true},
	{PROC_BACKOFF, true, T0 + 1000, PIN_SPAWNED, false},
	{PROC_BACKOFF, true, T0 + 1000, PIN_SPAWN_FAILED, false},
	{PROC_BACKOFF, true, T0 + 1000, PIN_WANT_RUN, false},
	{PROC_BACKOFF, true, T0 + 1000, PIN_TICK, false},
	{PROC_FAILED, true, 0, PIN_EXITED, true},
	{PROC_FAILED, true, 0, PIN_SPAWNED, false},
	{PROC_FAILED, true, 0, PIN_SPAWN_FAILED, false},
	{PROC_FAILED, true, 0, PIN_TICK, false},
	{PROC_STOPPING, false, T0 + 3000, PIN_SPAWNED, false},
	{PROC_STOPPING, false, T0 + 3000, PIN_TICK, false},
	{PROC_STOPPING, false, 0, PIN_TICK, false}, /* SIGKILL already sent */
	{PROC_STOPPING, false, T0 + 3000, PIN_WANT_STOP, false},
};

static void test_fsm_ignored(void)
{
	for (size_t i = 0; i < sizeof(ignored_rows) / sizeof(ignored_rows[0]); i++) {
		const struct ignored_row *row = &ignored_rows[i];
		struct proc_fsm f, before;
		struct proc_output out;
		struct proc_input in = {.kind = row->in, .abnormal = row->abnormal};
		char msg[120];

		proc_fsm_init(&f, row->want_run);
		f.state = row->state;
		f.deadline = row->deadline;
		f.backoff_ms = 2000;
		f.restarts = 7;
		damp_allow(&f.damp, 3, 60000, T0 - 10);
		before = f;
		proc_step(&f, &pol_always, &in, T0 + 10, &out);
		snprintf(msg, sizeof(msg), "ignored row %zu (%s, input %d)", i, proc_state_name(row->state),
			 (int)row->in);
		bool same = f.state == before.state && f.want_run == before.want_run &&
			    f.restart_pending == before.restart_pending && f.backoff_ms == before.backoff_ms &&
			    f.deadline == before.deadline && f.restarts == before.restarts &&
			    f.damp.n == before.damp.n && out.actions == 0 && out.from == row->state &&
			    out.to == row->state && !out.gave_up && !out.restarting && !out.expected_end;
		CU_assertImplementation(same, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
}

/* A long crash-and-recover life with failures spaced beyond the damping limit
 * never gives up; the same spacing against a wider window gives up exactly on
 * the failure that exceeds the limit. */
static void crash_every(const struct proc_policy *p, unsigned cycles, unsigned *failed_at)
{
	struct proc_fsm f;
	struct proc_output out;
	struct proc_input tick = {.kind = PIN_TICK}, crash = {.kind = PIN_EXITED, .abnormal = true};
	uint64_t t = T0;

	*failed_at = 0;
	proc_fsm_init(&f, true);
	proc_step(&f, p, &tick, t, &out);
	for (unsigned i = 1; i <= cycles; i++) {
		proc_step(&f, p, &tick, t + p->start_grace_ms, &out);
		CU_ASSERT_EQUAL_FATAL(f.state, PROC_RUNNING);
		t += 6000;
		proc_step(&f, p, &crash, t, &out);
		if (f.state == PROC_FAILED) {
			CU_ASSERT_TRUE(out.gave_up);
			*failed_at = i;
			return;
		}
		CU_ASSERT_EQUAL_FATAL(f.state, PROC_BACKOFF);
		CU_ASSERT_EQUAL(proc_deadline(&f), t + p->backoff_initial_ms);
		t += p->backoff_initial_ms;
		proc_step(&f, p, &tick, t, &out);
		CU_ASSERT_EQUAL_FATAL(f.state, PROC_STARTING);
		CU_ASSERT_EQUAL(f.restarts, i);
	}
}

static void test_fsm_sliding_long(void)
{
	struct proc_policy p = pol_slide; /* 2 in 10 s; a crash every 7 s */
	unsigned failed_at;

	crash_every(&p, 200, &failed_at);
	CU_ASSERT_EQUAL(failed_at, 0);

	p.damp_restarts = 3;
	p.damp_window_ms = 30000; /* 4 crashes 7 s apart fit in 30 s: the 4th gives up */
	crash_every(&p, 200, &failed_at);
	CU_ASSERT_EQUAL(failed_at, 4);

	p.damp_restarts = 0; /* no damping at all */
	crash_every(&p, 200, &failed_at);
	CU_ASSERT_EQUAL(failed_at, 0);
}

/* A zero delay at time 0 still yields a deadline, since 0 means none. */
static void test_fsm_zero_time(void)
{
	struct proc_policy p = pol_always;
	struct proc_fsm f;
	struct proc_output out;
	struct proc_input in = {.kind = PIN_TICK};

	p.start_grace_ms = 0;
	proc_fsm_init(&f, true);
	CU_ASSERT_EQUAL(proc_deadline(&f), 0);
	proc_step(&f, &p, &in, 0, &out);
	CU_ASSERT_EQUAL(f.state, PROC_STARTING);
	CU_ASSERT_NOT_EQUAL(proc_deadline(&f), 0);
	proc_step(&f, &p, &in, 1, &out);
	CU_ASSERT_EQUAL(f.state, PROC_RUNNING);
	CU_ASSERT_EQUAL(proc_deadline(&f), 0);
}

static void test_fsm_names(void)
{
	static const struct {
		enum proc_state s;
		const char *name;
	} rows[] = {
		{PROC_RUNNING, "running"}, {PROC_STOPPED, "stopped"}, {PROC_STARTING, "starting"},
		{PROC_BACKOFF, "backoff"}, {PROC_FAILED, "failed"}, {PROC_STOPPING, "stopping"},
		{(enum proc_state)0, "unknown"}, {(enum proc_state)7, "unknown"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CU_ASSERT_STRING_EQUAL(proc_state_name(rows[i].s), rows[i].name);
}

static CU_TestInfo tests[] = {
	{"scenarios", test_fsm_scenarios},
	{"policies", test_fsm_policies},
	{"ignored_inputs", test_fsm_ignored},
	{"sliding_long", test_fsm_sliding_long},
	{"zero_time", test_fsm_zero_time},
	{"names", test_fsm_names},
	CU_TEST_INFO_NULL,
};

CU_MAIN("proc_fsm", tests)
