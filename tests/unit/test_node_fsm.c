/* Unit tests for node_fsm.c: every row of the transition table, the window's
 * boundary, boot changes, whole scenarios, and "one notice per outage" over a
 * long pseudo-random run of inputs. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cu_main.h"
#include "node_fsm.h"

#define W 10000 /* the window in every case */

/* A row: a machine in `from` (heard at 1000 with boot `known`, in the state
 * since 2000) gets `in` with `boot` at `now`. */
struct row {
	const char *name;
	enum node_state from;
	uint32_t known;
	enum node_input in;
	uint32_t boot;
	int64_t now;
	enum node_state to;
	enum node_action act;
	int64_t heard; /* last_heard_ms afterwards */
	int64_t since; /* since_ms afterwards */
	uint32_t boot_after;
};

#define H 1000   /* last heard before the step */
#define S 2000   /* since before the step */
#define EDGE (H + W) /* the first moment the window is over */

static const struct row rows[] = {
	/* unknown: the first contact of any kind is FIRST */
	{"unknown answer", NODE_UNKNOWN, 0, NODE_IN_ANSWER, 5, 3000, NODE_UP, NODE_ACT_FIRST, 3000, 3000, 5},
	{"unknown heard", NODE_UNKNOWN, 0, NODE_IN_HEARD, 5, 3000, NODE_UP, NODE_ACT_FIRST, 3000, 3000, 5},
	{"unknown agent start", NODE_UNKNOWN, 0, NODE_IN_AGENT_START, 5, 3000, NODE_UP, NODE_ACT_FIRST, 3000,
	 3000, 5},
	{"unknown answer without boot", NODE_UNKNOWN, 0, NODE_IN_ANSWER, 0, 3000, NODE_UP, NODE_ACT_FIRST, 3000,
	 3000, 0},
	{"unknown miss inside window", NODE_UNKNOWN, 0, NODE_IN_MISS, 0, EDGE - 1, NODE_UNKNOWN, NODE_ACT_NONE, H,
	 S, 0},
	{"unknown miss at window", NODE_UNKNOWN, 0, NODE_IN_MISS, 0, EDGE, NODE_DOWN, NODE_ACT_DOWN, H, EDGE, 0},
	{"unknown tick inside window", NODE_UNKNOWN, 0, NODE_IN_TICK, 0, EDGE - 1, NODE_UNKNOWN, NODE_ACT_NONE, H,
	 S, 0},
	{"unknown tick at window", NODE_UNKNOWN, 0, NODE_IN_TICK, 0, EDGE, NODE_DOWN, NODE_ACT_DOWN, H, EDGE, 0},
	{"unknown agent stop", NODE_UNKNOWN, 0, NODE_IN_AGENT_STOP, 4, 3000, NODE_STOPPED, NODE_ACT_STOPPED,
	 3000, 3000, 4},

	/* up */
	{"up answer same boot", NODE_UP, 5, NODE_IN_ANSWER, 5, 3000, NODE_UP, NODE_ACT_NONE, 3000, S, 5},
	{"up answer no boot", NODE_UP, 5, NODE_IN_ANSWER, 0, 3000, NODE_UP, NODE_ACT_NONE, 3000, S, 5},
	{"up answer new boot", NODE_UP, 5, NODE_IN_ANSWER, 6, 3000, NODE_UP, NODE_ACT_REBOOTED, 3000, S, 6},
	{"up answer lower boot", NODE_UP, 5, NODE_IN_ANSWER, 2, 3000, NODE_UP, NODE_ACT_REBOOTED, 3000, S, 2},
	{"up heard new boot", NODE_UP, 5, NODE_IN_HEARD, 6, 3000, NODE_UP, NODE_ACT_REBOOTED, 3000, S, 6},
	{"up agent start new boot", NODE_UP, 5, NODE_IN_AGENT_START, 6, 3000, NODE_UP, NODE_ACT_REBOOTED, 3000, S,
	 6},
	{"up agent start same boot", NODE_UP, 5, NODE_IN_AGENT_START, 5, 3000, NODE_UP, NODE_ACT_NONE, 3000, S, 5},
	{"up boot learned", NODE_UP, 0, NODE_IN_ANSWER, 7, 3000, NODE_UP, NODE_ACT_NONE, 3000, S, 7},
	{"up miss inside window", NODE_UP, 5, NODE_IN_MISS, 0, 3000, NODE_SUSPECT, NODE_ACT_NONE, H, 3000, 5},
	{"up miss at window", NODE_UP, 5, NODE_IN_MISS, 0, EDGE, NODE_DOWN, NODE_ACT_DOWN, H, EDGE, 5},
	{"up tick inside window", NODE_UP, 5, NODE_IN_TICK, 0, EDGE - 1, NODE_UP, NODE_ACT_NONE, H, S, 5},
	{"up tick at window", NODE_UP, 5, NODE_IN_TICK, 0, EDGE, NODE_DOWN, NODE_ACT_DOWN, H, EDGE, 5},
	{"up tick past window", NODE_UP, 5, NODE_IN_TICK, 0, EDGE + 99999, NODE_DOWN, NODE_ACT_DOWN, H,
	 EDGE + 99999, 5},
	{"up agent stop", NODE_UP, 5, NODE_IN_AGENT_STOP, 5, 3000, NODE_STOPPED, NODE_ACT_STOPPED, 3000, 3000, 5},

	/* suspect */
	{"suspect answer", NODE_SUSPECT, 5, NODE_IN_ANSWER, 5, 3000, NODE_UP, NODE_ACT_NONE, 3000, 3000, 5},
	{"suspect heard", NODE_SUSPECT, 5, NODE_IN_HEARD, 0, 3000, NODE_UP, NODE_ACT_NONE, 3000, 3000, 5},
	{"suspect answer new boot", NODE_SUSPECT, 5, NODE_IN_ANSWER, 6, 3000, NODE_UP, NODE_ACT_REBOOTED, 3000,
	 3000, 6},
	{"suspect miss inside window", NODE_SUSPECT, 5, NODE_IN_MISS, 0, EDGE - 1, NODE_SUSPECT, NODE_ACT_NONE, H,
	 S, 5},
	{"suspect miss at window", NODE_SUSPECT, 5, NODE_IN_MISS, 0, EDGE, NODE_DOWN, NODE_ACT_DOWN, H, EDGE, 5},
	{"suspect tick inside window", NODE_SUSPECT, 5, NODE_IN_TICK, 0, EDGE - 1, NODE_SUSPECT, NODE_ACT_NONE, H,
	 S, 5},
	{"suspect tick at window", NODE_SUSPECT, 5, NODE_IN_TICK, 0, EDGE, NODE_DOWN, NODE_ACT_DOWN, H, EDGE, 5},
	{"suspect agent stop", NODE_SUSPECT, 5, NODE_IN_AGENT_STOP, 5, 3000, NODE_STOPPED, NODE_ACT_STOPPED, 3000,
	 3000, 5},

	/* down: one notice per outage, and any contact is a restore */
	{"down miss", NODE_DOWN, 5, NODE_IN_MISS, 0, EDGE + 50000, NODE_DOWN, NODE_ACT_NONE, H, S, 5},
	{"down tick", NODE_DOWN, 5, NODE_IN_TICK, 0, EDGE + 50000, NODE_DOWN, NODE_ACT_NONE, H, S, 5},
	{"down answer", NODE_DOWN, 5, NODE_IN_ANSWER, 5, 30000, NODE_UP, NODE_ACT_RESTORED, 30000, 30000, 5},
	{"down heard (healed partition)", NODE_DOWN, 5, NODE_IN_HEARD, 5, 30000, NODE_UP, NODE_ACT_RESTORED,
	 30000, 30000, 5},
	{"down agent start new boot", NODE_DOWN, 5, NODE_IN_AGENT_START, 6, 30000, NODE_UP, NODE_ACT_RESTORED,
	 30000, 30000, 6},
	{"down answer new boot", NODE_DOWN, 5, NODE_IN_ANSWER, 6, 30000, NODE_UP, NODE_ACT_RESTORED, 30000, 30000,
	 6},
	{"down agent stop", NODE_DOWN, 5, NODE_IN_AGENT_STOP, 5, 30000, NODE_STOPPED, NODE_ACT_STOPPED, 30000,
	 30000, 5},

	/* stopped: never an alarm; contact is a start */
	{"stopped miss", NODE_STOPPED, 5, NODE_IN_MISS, 0, EDGE + 50000, NODE_STOPPED, NODE_ACT_NONE, H, S, 5},
	{"stopped tick", NODE_STOPPED, 5, NODE_IN_TICK, 0, EDGE + 50000, NODE_STOPPED, NODE_ACT_NONE, H, S, 5},
	{"stopped agent stop again", NODE_STOPPED, 5, NODE_IN_AGENT_STOP, 5, 3000, NODE_STOPPED, NODE_ACT_NONE,
	 3000, S, 5},
	{"stopped agent start", NODE_STOPPED, 5, NODE_IN_AGENT_START, 6, 30000, NODE_UP, NODE_ACT_STARTED, 30000,
	 30000, 6},
	{"stopped answer", NODE_STOPPED, 5, NODE_IN_ANSWER, 5, 30000, NODE_UP, NODE_ACT_STARTED, 30000, 30000, 5},
	{"stopped heard", NODE_STOPPED, 5, NODE_IN_HEARD, 6, 30000, NODE_UP, NODE_ACT_STARTED, 30000, 30000, 6},

	/* an input the machine does not know changes nothing */
	{"unknown input", NODE_UP, 5, (enum node_input)99, 6, 30000, NODE_UP, NODE_ACT_NONE, H, S, 5},
};

static void test_table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct node_fsm f = {.state = r->from, .window_ms = W, .last_heard_ms = H, .since_ms = S,
				     .boot = r->known};
		enum node_action a = node_fsm_step(&f, r->in, r->boot, r->now);

		CHECK(a == r->act, "%s: action %s, expected %s", r->name, node_action_name(a),
		      node_action_name(r->act));
		CHECK(f.state == r->to, "%s: state %s, expected %s", r->name, node_state_name(f.state),
		      node_state_name(r->to));
		CHECK(f.last_heard_ms == r->heard, "%s: last heard %lld, expected %lld", r->name,
		      (long long)f.last_heard_ms, (long long)r->heard);
		CHECK(f.since_ms == r->since, "%s: since %lld, expected %lld", r->name, (long long)f.since_ms,
		      (long long)r->since);
		CHECK(f.boot == r->boot_after, "%s: boot %u, expected %u", r->name, f.boot, r->boot_after);
		CHECK(f.window_ms == W, "%s: window changed", r->name);
	}
}

static void test_init(void)
{
	struct node_fsm f;
	memset(&f, 0xa5, sizeof(f));
	node_fsm_init(&f, 15000, 123456);
	CU_ASSERT_EQUAL(f.state, NODE_UNKNOWN);
	CU_ASSERT_EQUAL(f.window_ms, 15000);
	CU_ASSERT_EQUAL(f.last_heard_ms, 123456);
	CU_ASSERT_EQUAL(f.since_ms, 123456);
	CU_ASSERT_EQUAL(f.boot, 0);
	/* Never heard from: down one window after the manager started. */
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_TICK, 0, 123456 + 14999), NODE_ACT_NONE);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_TICK, 0, 123456 + 15000), NODE_ACT_DOWN);
	/* ...and its first answer then is a restore, not a first contact. */
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_ANSWER, 3, 200000), NODE_ACT_RESTORED);
}

/* The window is measured from the last contact, not from the miss. */
static void test_window_boundary(void)
{
	struct node_fsm f;
	node_fsm_init(&f, W, 0);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_ANSWER, 1, 1000), NODE_ACT_FIRST);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_MISS, 0, 4000), NODE_ACT_NONE);
	CU_ASSERT_EQUAL(f.state, NODE_SUSPECT);
	CU_ASSERT_EQUAL(f.since_ms, 4000);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_MISS, 0, 7000), NODE_ACT_NONE);
	CU_ASSERT_EQUAL(f.since_ms, 4000); /* still suspect since the first miss */
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_TICK, 0, 1000 + W - 1), NODE_ACT_NONE);
	CU_ASSERT_EQUAL(f.state, NODE_SUSPECT);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_TICK, 0, 1000 + W), NODE_ACT_DOWN);
	CU_ASSERT_EQUAL(f.state, NODE_DOWN);
	CU_ASSERT_EQUAL(f.since_ms, 1000 + W);

	/* A notification heard while suspect restarts the window. */
	node_fsm_init(&f, W, 0);
	node_fsm_step(&f, NODE_IN_ANSWER, 1, 1000);
	node_fsm_step(&f, NODE_IN_MISS, 0, 5000);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_HEARD, 1, 9000), NODE_ACT_NONE);
	CU_ASSERT_EQUAL(f.state, NODE_UP);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_MISS, 0, 1000 + W), NODE_ACT_NONE);
	CU_ASSERT_EQUAL(f.state, NODE_SUSPECT);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_TICK, 0, 9000 + W - 1), NODE_ACT_NONE);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_TICK, 0, 9000 + W), NODE_ACT_DOWN);

	/* A clock that stepped back never makes a node down. */
	node_fsm_init(&f, W, 50000);
	node_fsm_step(&f, NODE_IN_ANSWER, 1, 50000);
	CU_ASSERT_EQUAL(node_fsm_step(&f, NODE_IN_TICK, 0, 100), NODE_ACT_NONE);
	CU_ASSERT_EQUAL(f.state, NODE_UP);
}

/* Whole stories, input by input. */
struct story_step {
	enum node_input in;
	uint32_t boot;
	int64_t now;
	enum node_action act;
	enum node_state state;
};

static const struct story_step outage[] = {
	{NODE_IN_ANSWER, 1, 1000, NODE_ACT_FIRST, NODE_UP},
	{NODE_IN_ANSWER, 1, 6000, NODE_ACT_NONE, NODE_UP},
	{NODE_IN_MISS, 0, 11000, NODE_ACT_NONE, NODE_SUSPECT},
	{NODE_IN_MISS, 0, 16000, NODE_ACT_DOWN, NODE_DOWN},
	{NODE_IN_MISS, 0, 21000, NODE_ACT_NONE, NODE_DOWN},
	{NODE_IN_TICK, 0, 99000, NODE_ACT_NONE, NODE_DOWN},
	/* the node rebooted meanwhile: its start notification is the restore */
	{NODE_IN_AGENT_START, 2, 100000, NODE_ACT_RESTORED, NODE_UP},
	{NODE_IN_ANSWER, 2, 105000, NODE_ACT_NONE, NODE_UP},
	/* a second outage gets its own down and restore */
	{NODE_IN_MISS, 0, 110000, NODE_ACT_NONE, NODE_SUSPECT},
	{NODE_IN_TICK, 0, 115000, NODE_ACT_DOWN, NODE_DOWN},
	{NODE_IN_HEARD, 2, 116000, NODE_ACT_RESTORED, NODE_UP},
};

static const struct story_step orderly[] = {
	{NODE_IN_HEARD, 3, 1000, NODE_ACT_FIRST, NODE_UP},
	{NODE_IN_AGENT_STOP, 3, 2000, NODE_ACT_STOPPED, NODE_STOPPED},
	{NODE_IN_MISS, 0, 7000, NODE_ACT_NONE, NODE_STOPPED},
	{NODE_IN_MISS, 0, 50000, NODE_ACT_NONE, NODE_STOPPED},
	{NODE_IN_TICK, 0, 900000, NODE_ACT_NONE, NODE_STOPPED},
	{NODE_IN_AGENT_START, 4, 901000, NODE_ACT_STARTED, NODE_UP},
	{NODE_IN_MISS, 0, 906000, NODE_ACT_NONE, NODE_SUSPECT},
	{NODE_IN_TICK, 0, 911000, NODE_ACT_DOWN, NODE_DOWN},
};

/* Restarted between two polls: no down, but a reboot. */
static const struct story_step quick_restart[] = {
	{NODE_IN_ANSWER, 7, 1000, NODE_ACT_FIRST, NODE_UP},
	{NODE_IN_AGENT_START, 8, 3000, NODE_ACT_REBOOTED, NODE_UP},
	{NODE_IN_ANSWER, 8, 6000, NODE_ACT_NONE, NODE_UP},
	{NODE_IN_MISS, 0, 9000, NODE_ACT_NONE, NODE_SUSPECT},
	{NODE_IN_ANSWER, 9, 12000, NODE_ACT_REBOOTED, NODE_UP},
	{NODE_IN_ANSWER, 0, 13000, NODE_ACT_NONE, NODE_UP}, /* an answer without a boot */
	{NODE_IN_ANSWER, 9, 14000, NODE_ACT_NONE, NODE_UP},
};

struct story {
	const char *name;
	const struct story_step *steps;
	size_t n;
};

#define STORY(a) {#a, (a), sizeof(a) / sizeof((a)[0])}

static void test_stories(void)
{
	static const struct story stories[] = {STORY(outage), STORY(orderly), STORY(quick_restart)};

	for (size_t s = 0; s < sizeof(stories) / sizeof(stories[0]); s++) {
		struct node_fsm f;
		node_fsm_init(&f, W, 0);
		for (size_t i = 0; i < stories[s].n; i++) {
			const struct story_step *st = &stories[s].steps[i];
			enum node_action a = node_fsm_step(&f, st->in, st->boot, st->now);
			CHECK(a == st->act && f.state == st->state, "%s step %zu: %s/%s, expected %s/%s",
			      stories[s].name, i, node_action_name(a), node_state_name(f.state),
			      node_action_name(st->act), node_state_name(st->state));
		}
	}
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* A long random run: inputs weighted towards misses and ticks so that
 * outages happen, boots that change now and then, time that moves by
 * uneven steps. The invariants of the recovery-wait latch hold throughout. */
static void test_one_notice_per_outage(void)
{
	static const uint64_t seeds[] = {1, 42, 0x5eed, 20240601, 0xdeadbeefcafe};
	unsigned counts[NODE_ACT_REBOOTED + 1];

	memset(counts, 0, sizeof(counts));
	for (size_t si = 0; si < sizeof(seeds) / sizeof(seeds[0]); si++) {
		uint64_t seed = seeds[si];
		struct node_fsm f;
		int64_t now = 0;
		uint32_t boot = 1;
		bool down_open = false; /* a DOWN not yet followed by a restore */
		unsigned firsts = 0, bad = 0;

		node_fsm_init(&f, W, now);
		for (int i = 0; i < 200000 && bad < 5; i++) {
			uint64_t x = rnd(&seed);
			enum node_input in;
			enum node_state before = f.state;
			int64_t heard_before = f.last_heard_ms;
			enum node_action a;
			uint32_t b;

			now += (int64_t)(x % 4000);
			switch ((x >> 16) % 20) {
			case 0 ... 3: in = NODE_IN_ANSWER; break;
			case 4 ... 5: in = NODE_IN_HEARD; break;
			case 6 ... 11: in = NODE_IN_MISS; break;
			case 12 ... 17: in = NODE_IN_TICK; break;
			case 18: in = NODE_IN_AGENT_STOP; break;
			default: in = NODE_IN_AGENT_START; break;
			}
			if ((x >> 32) % 50 == 0)
				boot++;
			b = ((x >> 40) % 5 == 0) ? 0 : boot;
			a = node_fsm_step(&f, in, b, now);
			counts[a]++;

			switch (a) {
			case NODE_ACT_DOWN:
				if (down_open || before == NODE_STOPPED || before == NODE_DOWN ||
				    now - heard_before < W) {
					CHECK(0, "seed %zu step %d: DOWN from %s (open %d, %lld ms since heard)", si,
					      i, node_state_name(before), down_open,
					      (long long)(now - heard_before));
					bad++;
				}
				down_open = true;
				break;
			case NODE_ACT_RESTORED:
				if (!down_open || before != NODE_DOWN) {
					CHECK(0, "seed %zu step %d: RESTORED without a down", si, i);
					bad++;
				}
				down_open = false;
				break;
			case NODE_ACT_FIRST:
				firsts++;
				down_open = false;
				break;
			case NODE_ACT_STARTED:
			case NODE_ACT_STOPPED:
				/* An orderly shutdown ends the outage without an alarm. */
				down_open = false;
				break;
			default:
				break;
			}
			/* No outage goes unreported: judged while expecting contact and a
			 * window over, the machine must be down. */
			if ((in == NODE_IN_TICK || in == NODE_IN_MISS) &&
			    (before == NODE_UP || before == NODE_SUSPECT || before == NODE_UNKNOWN) &&
			    now - heard_before >= W && a != NODE_ACT_DOWN) {
				CHECK(0, "seed %zu step %d: window over in %s but no DOWN", si, i,
				      node_state_name(before));
				bad++;
			}
			if ((f.state == NODE_DOWN) != down_open) {
				CHECK(0, "seed %zu step %d: state %s but outage open %d", si, i,
				      node_state_name(f.state), down_open);
				bad++;
			}
			if (f.since_ms > now || f.last_heard_ms > now) {
				CHECK(0, "seed %zu step %d: times in the future", si, i);
				bad++;
			}
		}
		CHECK(firsts <= 1, "seed %zu: %u first contacts", si, firsts);
		CU_ASSERT_EQUAL(bad, 0);
	}
	/* The run exercised every notice, so the checks above meant something. */
	for (int a = NODE_ACT_FIRST; a <= NODE_ACT_REBOOTED; a++)
		CHECK(counts[a] > 0, "action %s never happened", node_action_name((enum node_action)a));
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(node_state_name(NODE_UNKNOWN), "unknown");
	CU_ASSERT_STRING_EQUAL(node_state_name(NODE_UP), "up");
	CU_ASSERT_STRING_EQUAL(node_state_name(NODE_SUSPECT), "suspect");
	CU_ASSERT_STRING_EQUAL(node_state_name(NODE_DOWN), "down");
	CU_ASSERT_STRING_EQUAL(node_state_name(NODE_STOPPED), "stopped");
	CU_ASSERT_STRING_EQUAL(node_state_name((enum node_state)0), "invalid");
	CU_ASSERT_STRING_EQUAL(node_state_name((enum node_state)6), "invalid");
	CU_ASSERT_STRING_EQUAL(node_action_name(NODE_ACT_NONE), "none");
	CU_ASSERT_STRING_EQUAL(node_action_name(NODE_ACT_FIRST), "first");
	CU_ASSERT_STRING_EQUAL(node_action_name(NODE_ACT_DOWN), "down");
	CU_ASSERT_STRING_EQUAL(node_action_name(NODE_ACT_RESTORED), "restored");
	CU_ASSERT_STRING_EQUAL(node_action_name(NODE_ACT_STOPPED), "stopped");
	CU_ASSERT_STRING_EQUAL(node_action_name(NODE_ACT_STARTED), "started");
	CU_ASSERT_STRING_EQUAL(node_action_name(NODE_ACT_REBOOTED), "rebooted");
	CU_ASSERT_STRING_EQUAL(node_action_name((enum node_action)42), "none");
}

static CU_TestInfo tests[] = {
	{"table", test_table},
	{"init", test_init},
	{"window_boundary", test_window_boundary},
	{"stories", test_stories},
	{"one_notice_per_outage", test_one_notice_per_outage},
	{"names", test_names},
	CU_TEST_INFO_NULL,
};

CU_MAIN("node_fsm", tests)
