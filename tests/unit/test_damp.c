/* Unit tests for damp.c: "at most N events within W ms", the window's edges,
 * sliding, limits above DAMP_MAX, a limit lowered by a reload, clock steps. */
#include <stdio.h>
#include "cu_main.h"
#include "damp.h"

struct damp_step {
	uint64_t now;
	unsigned limit;
	uint64_t window;
	bool allow;     /* expected damp_allow result */
	unsigned count; /* expected damp_count(window, now) afterwards */
};

struct damp_case {
	const char *name;
	const struct damp_step *steps;
	size_t n;
};

#define STEPS(a) (a), sizeof(a) / sizeof((a)[0])

/* N=3 in W=1000: the 4th within the window is refused; an event exactly W old
 * no longer counts. */
static const struct damp_step three_in_1000[] = {
	{0, 3, 1000, true, 1},
	{100, 3, 1000, true, 2},
	{200, 3, 1000, true, 3},
	{300, 3, 1000, false, 3},
	{999, 3, 1000, false, 3},
	{1000, 3, 1000, true, 3},  /* t=0 is now exactly 1000 old: out */
	{1050, 3, 1000, false, 3}, /* 100, 200, 1000 still in */
	{1100, 3, 1000, true, 3},  /* 100 out, 1100 in */
	{1199, 3, 1000, false, 3},
	{5000, 3, 1000, true, 1},  /* all old ones gone */
};

/* Limit 0 is "no damping": always allowed, nothing kept. */
static const struct damp_step no_limit[] = {
	{10, 0, 1000, true, 0},
	{10, 0, 1000, true, 0},
	{11, 0, 1000, true, 0},
};

/* A zero window holds nothing: every event is allowed. */
static const struct damp_step zero_window[] = {
	{10, 1, 0, true, 0},
	{10, 1, 0, true, 0},
	{11, 1, 0, true, 0},
};

/* N=1: one event per window. */
static const struct damp_step one_per_window[] = {
	{1000, 1, 500, true, 1},
	{1499, 1, 500, false, 1},
	{1500, 1, 500, true, 1},
	{1500, 1, 500, false, 1},
};

/* A reload lowers the limit below what is held: refused until enough expire. */
static const struct damp_step lowered_limit[] = {
	{0, 5, 1000, true, 1},
	{10, 5, 1000, true, 2},
	{20, 5, 1000, true, 3},
	{30, 2, 1000, false, 3},
	{1005, 2, 1000, false, 2}, /* 0 gone, 10 and 20 in: still at the new limit */
	{1010, 2, 1000, true, 2},  /* 10 gone: 20 and 1010 held */
};

/* The clock stepped back: a recorded time in the future still counts. */
static const struct damp_step clock_back[] = {
	{1000, 2, 100, true, 1},
	{500, 2, 100, true, 2},
	{500, 2, 100, false, 2},
	{1099, 2, 100, true, 2},  /* 500 out, 1000 in */
	{1099, 2, 100, false, 2},
	{1100, 2, 100, true, 2},  /* 1000 out, 1099 in */
};

static const struct damp_case damp_cases[] = {
	{"three_in_1000", STEPS(three_in_1000)},
	{"no_limit", STEPS(no_limit)},
	{"zero_window", STEPS(zero_window)},
	{"one_per_window", STEPS(one_per_window)},
	{"lowered_limit", STEPS(lowered_limit)},
	{"clock_back", STEPS(clock_back)},
};

static void test_damp_table(void)
{
	for (size_t c = 0; c < sizeof(damp_cases) / sizeof(damp_cases[0]); c++) {
		const struct damp_case *dc = &damp_cases[c];
		struct damp d;
		damp_init(&d);
		for (size_t i = 0; i < dc->n; i++) {
			const struct damp_step *s = &dc->steps[i];
			char msg[160];
			bool got = damp_allow(&d, s->limit, s->window, s->now);
			snprintf(msg, sizeof(msg), "%s step %zu: allow %d, expected %d", dc->name, i, got,
				 s->allow);
			CU_assertImplementation(got == s->allow, __LINE__, msg, __FILE__, "", CU_FALSE);
			unsigned cnt = damp_count(&d, s->window, s->now);
			snprintf(msg, sizeof(msg), "%s step %zu: count %u, expected %u", dc->name, i, cnt,
				 s->count);
			CU_assertImplementation(cnt == s->count, __LINE__, msg, __FILE__, "", CU_FALSE);
		}
	}
}

/* Limits above DAMP_MAX act as DAMP_MAX: the ring cannot hold more. */
static void test_damp_limit_clamped(void)
{
	struct damp d;
	damp_init(&d);
	for (unsigned i = 0; i < DAMP_MAX; i++)
		CU_ASSERT_TRUE(damp_allow(&d, DAMP_MAX + 10, 1000000, 100 + i));
	CU_ASSERT_EQUAL(damp_count(&d, 1000000, 200), DAMP_MAX);
	CU_ASSERT_FALSE(damp_allow(&d, DAMP_MAX + 10, 1000000, 200));
	CU_ASSERT_EQUAL(damp_count(&d, 1000000, 200), DAMP_MAX);
}

/* Sliding: events spaced so that never more than N fall in one window are
 * always allowed, for far longer than the ring is big; spaced closer, the
 * (N+1)-th inside a window is refused. */
static void test_damp_sliding(void)
{
	struct damp d;
	damp_init(&d);
	for (unsigned i = 0; i < 3 * DAMP_MAX; i++)
		CU_ASSERT_TRUE(damp_allow(&d, 2, 10000, 1000 + (uint64_t)i * 5000));
	CU_ASSERT_EQUAL(damp_count(&d, 10000, 1000 + (uint64_t)(3 * DAMP_MAX - 1) * 5000), 2);

	damp_init(&d);
	CU_ASSERT_TRUE(damp_allow(&d, 2, 10000, 1000));
	CU_ASSERT_TRUE(damp_allow(&d, 2, 10000, 5999));
	CU_ASSERT_FALSE(damp_allow(&d, 2, 10000, 10999));
	CU_ASSERT_TRUE(damp_allow(&d, 2, 10000, 11000));
}

static void test_damp_init_empty(void)
{
	struct damp d;
	damp_init(&d);
	CU_ASSERT_EQUAL(damp_count(&d, 1000, 0), 0);
	CU_ASSERT_EQUAL(damp_count(&d, 1000, 123456), 0);
	CU_ASSERT_EQUAL(d.n, 0);
}

static CU_TestInfo tests[] = {
	{"table", test_damp_table},
	{"limit_clamped", test_damp_limit_clamped},
	{"sliding", test_damp_sliding},
	{"init_empty", test_damp_init_empty},
	CU_TEST_INFO_NULL,
};

CU_MAIN("damp", tests)
