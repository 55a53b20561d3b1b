/* Unit tests for threshold.c: every transition from every state at and around
 * the band edges, a value oscillating inside the hysteresis band (no flapping),
 * the config checks and the state names. */
#include <stdio.h>
#include <string.h>
#include "cu_main.h"
#include "threshold.h"

static const struct thr A = {8000, 9000, 500}; /* warn 80 %, crit 90 %, band 5 % */
static const struct thr NEVER = {0, 0, 0};
static const struct thr CRIT_ONLY = {9000, 9000, 1000};
static const struct thr NO_BAND = {8000, 9000, 0};
static const struct thr WIDE = {8000, 8200, 500}; /* band wider than the warn-crit gap */

#define OK THR_OK
#define WARN THR_WARNING
#define CRIT THR_CRITICAL
#define UNK THR_UNKNOWN

struct eval_row {
	const struct thr *t;
	enum thr_state cur;
	uint32_t value;
	bool valid;
	enum thr_state want;
};

static const struct eval_row eval_rows[] = {
	/* escalation is immediate, from any lower state */
	{&A, OK, 0, true, OK},
	{&A, OK, 7999, true, OK},
	{&A, OK, 8000, true, WARN},
	{&A, OK, 8999, true, WARN},
	{&A, OK, 9000, true, CRIT},
	{&A, OK, UINT32_MAX, true, CRIT},
	{&A, WARN, 9000, true, CRIT},
	/* WARNING holds down to warning - hysteresis inclusive */
	{&A, WARN, 8999, true, WARN},
	{&A, WARN, 8000, true, WARN},
	{&A, WARN, 7500, true, WARN},
	{&A, WARN, 7499, true, OK},
	{&A, WARN, 0, true, OK},
	/* CRITICAL holds down to critical - hysteresis, then lands with the
	 * thresholds lowered by the hysteresis */
	{&A, CRIT, UINT32_MAX, true, CRIT},
	{&A, CRIT, 8500, true, CRIT},
	{&A, CRIT, 8499, true, WARN},
	{&A, CRIT, 7500, true, WARN},
	{&A, CRIT, 7499, true, OK},
	{&A, CRIT, 0, true, OK},
	/* from UNKNOWN: the raw level, no band */
	{&A, UNK, 7999, true, OK},
	{&A, UNK, 8000, true, WARN},
	{&A, UNK, 8600, true, WARN},
	{&A, UNK, 9000, true, CRIT},
	{&A, (enum thr_state)0, 8000, true, WARN},
	/* invalid value: UNKNOWN from anywhere */
	{&A, OK, 0, false, UNK},
	{&A, WARN, 8000, false, UNK},
	{&A, CRIT, 9500, false, UNK},
	{&A, UNK, 9500, false, UNK},
	/* no thresholds: never alarmed, even coming from an alarm state */
	{&NEVER, OK, UINT32_MAX, true, OK},
	{&NEVER, CRIT, 9500, true, OK},
	{&NEVER, UNK, 0, true, OK},
	{&NEVER, OK, 0, false, UNK},
	/* warning == critical: critical only */
	{&CRIT_ONLY, OK, 8999, true, OK},
	{&CRIT_ONLY, OK, 9000, true, CRIT},
	{&CRIT_ONLY, CRIT, 8000, true, CRIT},
	{&CRIT_ONLY, CRIT, 7999, true, OK},
	/* zero hysteresis: leave as soon as below */
	{&NO_BAND, WARN, 8000, true, WARN},
	{&NO_BAND, WARN, 7999, true, OK},
	{&NO_BAND, CRIT, 8999, true, WARN},
	{&NO_BAND, CRIT, 7999, true, OK},
	/* band wider than the gap: CRITICAL can still fall to WARNING */
	{&WIDE, CRIT, 7700, true, CRIT},
	{&WIDE, CRIT, 7699, true, WARN},
	{&WIDE, CRIT, 7499, true, OK},
	{&WIDE, WARN, 8200, true, CRIT},
};

static void test_thr_eval_table(void)
{
	for (size_t i = 0; i < sizeof(eval_rows) / sizeof(eval_rows[0]); i++) {
		const struct eval_row *r = &eval_rows[i];
		enum thr_state got = thr_eval(r->t, r->cur, r->value, r->valid);
		char msg[160];
		snprintf(msg, sizeof(msg), "row %zu: %s + %u%s -> %s, expected %s", i, thr_state_name(r->cur),
			 r->value, r->valid ? "" : " (invalid)", thr_state_name(got), thr_state_name(r->want));
		CU_assertImplementation(got == r->want, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
}

/* A sequence of samples fed through thr_eval from OK. */
static const struct {
	uint32_t value;
	enum thr_state want;
} seq_rows[] = {
	{7900, OK}, {8000, WARN}, {7900, WARN}, {7600, WARN}, {8100, WARN}, {7500, WARN},
	{8050, WARN}, {7499, OK}, {7990, OK}, {7999, OK}, {8000, WARN}, {9000, CRIT},
	{8600, CRIT}, {9100, CRIT}, {8500, CRIT}, {8900, CRIT}, {8400, WARN}, {8999, WARN},
	{7600, WARN}, {9000, CRIT}, {7000, OK},
};

static void test_thr_sequence(void)
{
	enum thr_state s = OK;

	for (size_t i = 0; i < sizeof(seq_rows) / sizeof(seq_rows[0]); i++) {
		s = thr_eval(&A, s, seq_rows[i].value, true);
		char msg[80];
		snprintf(msg, sizeof(msg), "sample %zu (%u): %s", i, seq_rows[i].value, thr_state_name(s));
		CU_assertImplementation(s == seq_rows[i].want, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
}

/* Deterministic noise for the flapping tests. */
static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

/* A value bouncing around a threshold, within the band, changes state once
 * (on the first crossing) however long it bounces; without a band it would
 * flap on nearly every other sample. */
static void test_thr_no_flapping(void)
{
	uint32_t seed = 42;
	enum thr_state s = OK;
	unsigned changes = 0, crossings = 0;
	uint32_t prev = 7900;

	s = thr_eval(&A, s, prev, true);
	for (int i = 0; i < 5000; i++) {
		uint32_t v = 7500 + lcg(&seed) % 1000; /* 75.00 .. 84.99 % around warning 80 % */
		enum thr_state n = thr_eval(&A, s, v, true);
		if (n != s)
			changes++;
		if ((v >= 8000) != (prev >= 8000))
			crossings++;
		s = n;
		prev = v;
	}
	CU_ASSERT_EQUAL(changes, 1);
	CU_ASSERT_EQUAL(s, WARN);
	CU_ASSERT_TRUE(crossings > 1000); /* the noise really did cross the threshold */

	/* Same around critical: CRITICAL once, then steady. */
	changes = 0;
	for (int i = 0; i < 5000; i++) {
		uint32_t v = 8500 + lcg(&seed) % 1000;
		enum thr_state n = thr_eval(&A, s, v, true);
		if (n != s)
			changes++;
		s = n;
	}
	CU_ASSERT_EQUAL(changes, 1);
	CU_ASSERT_EQUAL(s, CRIT);

	/* Without a band the same noise does flap: the band is what stops it. */
	s = OK;
	changes = 0;
	for (int i = 0; i < 5000; i++) {
		uint32_t v = 7500 + lcg(&seed) % 1000;
		enum thr_state n = thr_eval(&NO_BAND, s, v, true);
		if (n != s)
			changes++;
		s = n;
	}
	CU_ASSERT_TRUE(changes > 1000);
}

static const struct {
	struct thr t;
	const char *want; /* NULL = consistent */
} check_rows[] = {
	{{0, 0, 0}, NULL},
	{{0, 0, 300}, NULL},
	{{8000, 9000, 500}, NULL},
	{{8000, 9000, 7999}, NULL},
	{{8000, 8000, 0}, NULL},
	{{1, 1, 0}, NULL},
	{{9000, 8000, 0}, "warning is above critical"},
	{{8000, 0, 0}, "warning is above critical"},
	{{8000, 9000, 8000}, "hysteresis must be below warning"},
	{{8000, 9000, UINT32_MAX}, "hysteresis must be below warning"},
	{{0, 9000, 0}, "warning must be set when critical is"},
};

static void test_thr_check(void)
{
	for (size_t i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		const char *got = thr_check(&check_rows[i].t);
		const char *want = check_rows[i].want;
		char msg[160];
		snprintf(msg, sizeof(msg), "row %zu: \"%s\", expected \"%s\"", i, got ? got : "(null)",
			 want ? want : "(null)");
		bool ok = (got == NULL && want == NULL) ||
			  (got != NULL && want != NULL && strcmp(got, want) == 0);
		CU_assertImplementation(ok, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
}

static void test_thr_names(void)
{
	CU_ASSERT_STRING_EQUAL(thr_state_name(THR_OK), "ok");
	CU_ASSERT_STRING_EQUAL(thr_state_name(THR_WARNING), "warning");
	CU_ASSERT_STRING_EQUAL(thr_state_name(THR_CRITICAL), "critical");
	CU_ASSERT_STRING_EQUAL(thr_state_name(THR_UNKNOWN), "unknown");
	CU_ASSERT_STRING_EQUAL(thr_state_name((enum thr_state)0), "unknown");
	CU_ASSERT_STRING_EQUAL(thr_state_name((enum thr_state)9), "unknown");
}

static CU_TestInfo tests[] = {
	{"eval_table", test_thr_eval_table},
	{"sequence", test_thr_sequence},
	{"no_flapping", test_thr_no_flapping},
	{"check", test_thr_check},
	{"names", test_thr_names},
	CU_TEST_INFO_NULL,
};

CU_MAIN("threshold", tests)
