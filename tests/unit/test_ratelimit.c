/* Unit tests for ratelimit.c: a burst then the sustained rate, refill after
 * idle time (capped at the burst), rate 0, a clock that steps back, a reload
 * that shrinks the bucket, and when summaries fall due and what they count. */
#include <stdio.h>
#include "cu_main.h"
#include "ratelimit.h"

/* At `now`, `tries` traps arrive; `admitted` of them get through. */
struct rstep {
	int64_t now;
	unsigned tries, admitted;
};

struct rcase {
	const char *name;
	struct rl_conf conf;
	const struct rstep *steps;
	size_t n;
	uint64_t suppressed; /* turned away in all, as counted by the bucket */
};

/* 10/s, burst 3: three at once, then one per 100 ms. */
static const struct rstep burst_then_rate[] = {
	{0, 5, 3},
	{99, 1, 0},   /* 0.99 token */
	{100, 2, 1},  /* exactly one token */
	{150, 1, 0},
	{200, 1, 1},
	{250, 1, 0},
	{1000, 20, 3}, /* 750 ms idle would be 7.5 tokens: capped at the burst */
	{1100, 2, 1},
};

/* Idle for an hour: the bucket holds the burst, not an hour of tokens. */
static const struct rstep idle_refill[] = {
	{0, 3, 3},
	{3600000, 10, 3},
	{3600999, 1, 0},
	{3601000, 1, 1},
	{3601000, 1, 0},
};

/* Rate 0 is no limit at all: nothing is ever turned away. */
static const struct rstep unlimited[] = {
	{0, 100000, 100000},
	{0, 1, 1},
	{1, 5000, 5000},
};

/* 1000/s, burst 1: one per millisecond. */
static const struct rstep per_ms[] = {
	{0, 3, 1},
	{1, 3, 1},
	{1, 1, 0},
	{11, 15, 1}, /* burst 1: ten ms idle still give one */
};

/* Burst 0 is read as 1: a configured rate must let something through. */
static const struct rstep burst_zero[] = {
	{0, 2, 1},
	{499, 1, 0},
	{500, 2, 1},
};

/* A clock that steps back refills nothing, and counting restarts from there. */
static const struct rstep clock_back[] = {
	{10000, 2, 2},
	{5000, 1, 0},
	{5999, 1, 0},
	{6000, 1, 1}, /* one second after the step back: one token */
};

/* The largest rate after the longest idle: the bucket is full, no overflow. */
static const struct rstep huge[] = {
	{0, 4, 4},
	{INT64_MAX / 2, 6, 4},
	{INT64_MAX / 2, 1, 0},
};

#define STEPS(a) (a), sizeof(a) / sizeof((a)[0])

static const struct rcase cases[] = {
	{"burst_then_rate", {10, 3}, STEPS(burst_then_rate), 2 + 1 + 1 + 1 + 1 + 17 + 1},
	{"idle_refill", {1, 3}, STEPS(idle_refill), 7 + 1 + 1},
	{"unlimited", {0, 0}, STEPS(unlimited), 0},
	{"per_ms", {1000, 1}, STEPS(per_ms), 2 + 2 + 1 + 14},
	{"burst_zero", {2, 0}, STEPS(burst_zero), 1 + 1 + 1},
	{"clock_back", {1, 2}, STEPS(clock_back), 1 + 1},
	{"huge", {UINT32_MAX, 4}, STEPS(huge), 2 + 1},
};

static void test_table(void)
{
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct rcase *rc = &cases[c];
		struct rl_bucket b;
		rl_init(&b, &rc->conf, rc->steps[0].now);
		for (size_t i = 0; i < rc->n; i++) {
			const struct rstep *s = &rc->steps[i];
			unsigned got = 0;
			for (unsigned k = 0; k < s->tries; k++)
				got += rl_admit(&b, &rc->conf, s->now);
			CHECK(got == s->admitted, "%s step %zu: %u admitted, expected %u", rc->name, i, got,
			      s->admitted);
		}
		CHECK(b.suppressed == rc->suppressed, "%s: %llu suppressed, expected %llu", rc->name,
		      (unsigned long long)b.suppressed, (unsigned long long)rc->suppressed);
	}
}

/* A reload that shrinks the bucket takes effect at once. */
static void test_reload_smaller(void)
{
	struct rl_conf big = {1, 100}, small = {1, 2};
	struct rl_bucket b;
	unsigned got = 0;

	rl_init(&b, &big, 0);
	for (int i = 0; i < 10; i++)
		got += rl_admit(&b, &small, 0);
	CU_ASSERT_EQUAL(got, 2);
	/* And a larger one fills up only at the rate. */
	got = 0;
	for (int i = 0; i < 10; i++)
		got += rl_admit(&b, &big, 3000);
	CU_ASSERT_EQUAL(got, 3);
}

/* Summaries: due once an interval has passed since the first suppression
 * they report (which is never before the previous summary); then counting
 * starts over. Rate 1/s, burst 1: at each step the first trap refills to one
 * token and gets through, the others are turned away. */
struct sstep {
	int64_t now;
	unsigned tries;
	uint64_t due;  /* rl_summary_due's result at now, after the tries */
	int64_t since; /* *since_ms when due */
};

static void test_summary(void)
{
	static const struct sstep steps[] = {
		{0, 0, 0, 0},
		{5000, 0, 0, 0},      /* nothing turned away: nothing due, ever */
		{20000, 0, 0, 0},
		{20100, 4, 0, 0},     /* a storm starts: 3 turned away */
		{25000, 5, 0, 0},     /* 4 more */
		{30099, 0, 0, 0},     /* 9999 ms after the first */
		{30100, 0, 7, 20100}, /* one interval: all seven, since the first */
		{30100, 0, 0, 0},     /* asked again: nothing new */
		{31000, 3, 0, 0},     /* the storm goes on: 2 */
		{40100, 2, 0, 0},     /* an interval since the last summary, not since 31000: 1 */
		{40999, 0, 0, 0},
		{41000, 0, 3, 31000},
		{90000, 0, 0, 0},     /* quiet */
		{95000, 2, 0, 0},     /* a lone one long after: reported one interval later */
		{104999, 0, 0, 0},
		{105000, 0, 1, 95000},
	};
	struct rl_conf conf = {1, 1};
	struct rl_bucket b;
	uint64_t turned_away = 0, reported = 0;

	rl_init(&b, &conf, 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct sstep *s = &steps[i];
		int64_t since = -1;
		uint64_t due;

		for (unsigned k = 0; k < s->tries; k++) {
			bool ok = rl_admit(&b, &conf, s->now);
			CHECK(ok == (k == 0), "step %zu try %u: admitted %d", i, k, ok);
			turned_away += !ok;
		}
		due = rl_summary_due(&b, s->now, 10000, &since);
		reported += due;
		CHECK(due == s->due, "step %zu (t=%lld): %llu due, expected %llu", i, (long long)s->now,
		      (unsigned long long)due, (unsigned long long)s->due);
		if (s->due)
			CHECK(since == s->since, "step %zu: since %lld, expected %lld", i, (long long)since,
			      (long long)s->since);
		else
			CHECK(since == -1, "step %zu: since written without a summary", i);
	}
	/* Everything turned away was reported exactly once. */
	CU_ASSERT_EQUAL(reported, turned_away);
	CU_ASSERT_EQUAL(turned_away, 11);
}

/* The same, without reaching into the bucket: rate 1/s, burst 1. */
static void test_summary_plain(void)
{
	struct rl_conf conf = {1, 1};
	struct rl_bucket b;
	int64_t since = 0;

	rl_init(&b, &conf, 0);
	CU_ASSERT_TRUE(rl_admit(&b, &conf, 0));
	CU_ASSERT_FALSE(rl_admit(&b, &conf, 100));
	CU_ASSERT_FALSE(rl_admit(&b, &conf, 200));
	CU_ASSERT_FALSE(rl_admit(&b, &conf, 300));
	CU_ASSERT_EQUAL(b.suppressed, 3);
	CU_ASSERT_EQUAL(b.first_suppressed_ms, 100);
	CU_ASSERT_EQUAL(rl_summary_due(&b, 5099, 5000, &since), 0);
	CU_ASSERT_EQUAL(rl_summary_due(&b, 5100, 5000, NULL), 3); /* since_ms may be NULL */
	CU_ASSERT_EQUAL(b.suppressed, 0);
	CU_ASSERT_EQUAL(rl_summary_due(&b, 99999, 5000, &since), 0);
	/* Rate 0 never counts anything, so never has a summary. */
	{
		struct rl_conf none = {0, 0};
		rl_init(&b, &none, 0);
		for (int i = 0; i < 1000; i++)
			CU_ASSERT_TRUE(rl_admit(&b, &none, 0));
		CU_ASSERT_EQUAL(rl_summary_due(&b, 1000000, 1, &since), 0);
	}
}

static CU_TestInfo tests[] = {
	{"table", test_table},
	{"reload_smaller", test_reload_smaller},
	{"summary", test_summary},
	{"summary_plain", test_summary_plain},
	CU_TEST_INFO_NULL,
};

CU_MAIN("ratelimit", tests)
