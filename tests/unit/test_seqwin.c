/* Unit tests for seqwin.c: in order, reordered, duplicates, jumps past the
 * window, the wrap of a 32-bit sequence, boot changes, and a long random run
 * checked against an exact record of what was seen (DUP only for what was
 * really seen; whatever the window covers is judged exactly). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cu_main.h"
#include "seqwin.h"

#define N SEQWIN_NEW
#define D SEQWIN_DUP
#define U SEQWIN_UNSURE
#define TOP UINT32_MAX

struct step {
	uint32_t boot, seq;
	enum seqwin_verdict want;
};

struct wcase {
	const char *name;
	const struct step *steps;
	size_t n;
};

static const struct step in_order[] = {
	{1, 1, N}, {1, 2, N}, {1, 3, N}, {1, 4, N}, {1, 5, N},
	{1, 3, D}, {1, 5, D}, {1, 1, D}, {1, 6, N}, {1, 6, D},
};

/* The first sequence seen need not be 1 (trapd restarted): what is below it
 * was never seen here, so it is not a duplicate. */
static const struct step first_not_one[] = {
	{1, 100, N}, {1, 99, U}, {1, 1, U}, {1, 100, D}, {1, 101, N}, {1, 101, D},
};

static const struct step reordered[] = {
	{1, 10, N}, {1, 12, N}, {1, 11, N}, {1, 15, N}, {1, 13, N},
	{1, 12, D}, {1, 11, D}, {1, 14, N}, {1, 15, D}, {1, 14, D},
	/* across a 64-bit word of the window */
	{1, 75, N}, {1, 73, N}, {1, 74, N}, {1, 73, D}, {1, 74, D}, {1, 75, D},
};

/* Seq 0 is "no sequence": never judged, never starts a window. */
static const struct step zero[] = {
	{1, 0, U}, {1, 0, U}, {1, 5, N}, {1, 0, U}, {1, 5, D},
};

/* A jump past the window slides it: the new seq is its last position, what
 * slid out is no longer vouched for, whether it was seen or not. */
static const struct step big_jump[] = {
	{1, 1, N}, {1, 2, N}, {1, 4, N},
	{1, 2000, N}, /* window now (976, 2000] */
	{1, 2, U},    /* seen, but slid out */
	{1, 3, U},    /* never seen, slid out: not DUP */
	{1, 976, U}, {1, 977, N}, {1, 977, D}, {1, 1500, N}, {1, 1500, D}, {1, 2000, D},
	{1, 1999, N},
	{1, 100000, N}, /* far beyond: everything before is gone */
	{1, 2000, U}, {1, 100000, D}, {1, 100000 - SEQWIN_BITS, U}, {1, 100000 - SEQWIN_BITS + 1, N},
};

/* Exactly at the window's end, then one past it. */
static const struct step window_edge[] = {
	{1, 1, N},               /* base 0: window (0, 1024] */
	{1, SEQWIN_BITS, N},     /* the last position: no slide */
	{1, 1, D},
	{1, SEQWIN_BITS + 1, N}, /* slides by one: 1 is out */
	{1, 1, U}, {1, 2, N}, {1, SEQWIN_BITS, D}, {1, SEQWIN_BITS + 1, D},
};

/* More than half the sequence space ahead counts as behind. */
static const struct step half_space[] = {
	{1, 5, N}, {1, 4 + 0x80000000u, U}, {1, 4 + 0x7fffffffu, N}, {1, 5, U},
};

/* The 32-bit wrap: the window carries on across it (0 is skipped). */
static const struct step wrap[] = {
	{1, TOP - 5, N}, {1, TOP - 4, N}, {1, TOP, N}, {1, 1, N}, {1, 2, N},
	{1, TOP - 2, N}, {1, TOP, D}, {1, 1, D}, {1, TOP - 4, D}, {1, 3, N},
	{1, TOP - 6, U}, /* below the first seen */
	{1, 0, U},
	{1, 1500, N}, /* slides across the wrap: base 476 */
	{1, TOP, U}, {1, 2, U}, {1, 476, U}, {1, 477, N}, {1, 1500, D},
};

/* A new boot starts over; an older boot's late arrivals are not judged. */
static const struct step boots[] = {
	{1, 1, N}, {1, 2, N}, {1, 3, N},
	{2, 1, N}, {2, 2, N}, /* rebooted: numbering may restart */
	{1, 4, U}, {1, 2, U}, /* the old boot: the store decides */
	{2, 1, D}, {2, 3, N},
	{7, 500, N}, {7, 499, U}, {7, 500, D},
	{2, 3, U},
	{7, 501, N},
};

#define CASE(a) {#a, (a), sizeof(a) / sizeof((a)[0])}

static const struct wcase cases[] = {
	CASE(in_order), CASE(first_not_one), CASE(reordered), CASE(zero),
	CASE(big_jump), CASE(window_edge), CASE(half_space), CASE(wrap), CASE(boots),
};

static const char *vname(enum seqwin_verdict v)
{
	return v == N ? "NEW" : v == D ? "DUP" : v == U ? "UNSURE" : "?";
}

static void test_table(void)
{
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct seqwin w;
		seqwin_init(&w);
		for (size_t i = 0; i < cases[c].n; i++) {
			const struct step *s = &cases[c].steps[i];
			enum seqwin_verdict v = seqwin_check(&w, s->boot, s->seq);
			CHECK(v == s->want, "%s step %zu (boot %u seq %u): %s, expected %s", cases[c].name, i,
			      s->boot, s->seq, vname(v), vname(s->want));
		}
	}
}

static void test_init(void)
{
	struct seqwin w;
	memset(&w, 0xff, sizeof(w));
	seqwin_init(&w);
	CU_ASSERT_FALSE(w.used);
	CU_ASSERT_EQUAL(w.base, 0);
	for (size_t i = 0; i < SEQWIN_BITS / 64; i++)
		CU_ASSERT_EQUAL(w.bits[i], 0);
	/* Boot 0 (an agent that reports none) works like any other. */
	CU_ASSERT_EQUAL(seqwin_check(&w, 0, 9), SEQWIN_NEW);
	CU_ASSERT_EQUAL(seqwin_check(&w, 0, 9), SEQWIN_DUP);
	CU_ASSERT_TRUE(w.used);
	CU_ASSERT_EQUAL(w.boot, 0);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* Notifications arriving out of order and repeated (INFORM retries), with now
 * and then a jump. Checked against an exact record of what was seen:
 * - DUP only for a sequence seen before (a wrong DUP would lose it);
 * - NEW only for one not seen before (a wrong NEW stores it twice, which the
 *   store would catch, but the window must not be the cause);
 * - within SEQWIN_BITS below the highest seen (and not below the first),
 *   the verdict is exact: never UNSURE. */
static void test_random_against_reference(void)
{
	enum { SPACE = 400000 };
	static const uint64_t seeds[] = {7, 99, 0xabcdef, 31337};
	unsigned char *seen = malloc(SPACE);
	unsigned counts[4] = {0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
	for (size_t si = 0; si < sizeof(seeds) / sizeof(seeds[0]); si++) {
		uint64_t seed = seeds[si];
		struct seqwin w;
		uint32_t first = 1000, top = 0, frontier = 1000;
		unsigned bad = 0;

		memset(seen, 0, SPACE);
		seqwin_init(&w);
		for (int i = 0; i < 300000 && bad < 5; i++) {
			uint64_t x = rnd(&seed);
			uint32_t seq;
			enum seqwin_verdict v;

			if (x % 1000 == 0 && frontier < SPACE - 5000)
				frontier += 1500 + (uint32_t)((x >> 10) % 2000); /* a jump */
			else if (x % 3 == 0 && frontier < SPACE - 10)
				frontier++;
			/* Mostly near the frontier, sometimes far behind it. */
			{
				int64_t back = (int64_t)((x >> 30) % ((x >> 20) % 10 == 0 ? 3000 : 40));
				int64_t q = (int64_t)frontier - back;
				seq = q < first ? first : (uint32_t)q;
			}
			if (i == 0)
				seq = first;
			v = seqwin_check(&w, 1, seq);
			counts[v]++;
			if (v == SEQWIN_DUP && !seen[seq]) {
				CHECK(0, "seed %zu step %d: seq %u DUP but never seen", si, i, seq);
				bad++;
			}
			if (v == SEQWIN_NEW && seen[seq]) {
				CHECK(0, "seed %zu step %d: seq %u NEW but seen before", si, i, seq);
				bad++;
			}
			if (v == SEQWIN_UNSURE && seq > top) {
				CHECK(0, "seed %zu step %d: seq %u ahead but UNSURE", si, i, seq);
				bad++;
			}
			/* (every seq generated is >= first) */
			if (v == SEQWIN_UNSURE && seq + SEQWIN_BITS > top && seq <= top) {
				CHECK(0, "seed %zu step %d: seq %u within the window below %u but UNSURE", si,
				      i, seq, top);
				bad++;
			}
			if (v == SEQWIN_NEW) {
				seen[seq] = 1;
				if (seq > top)
					top = seq;
			}
		}
		CU_ASSERT_EQUAL(bad, 0);
	}
	/* Every verdict occurred, so each check had something to check. */
	CHECK(counts[N] > 1000 && counts[D] > 1000 && counts[U] > 100, "NEW %u DUP %u UNSURE %u", counts[N],
	      counts[D], counts[U]);
	free(seen);
}

static CU_TestInfo tests[] = {
	{"table", test_table},
	{"init", test_init},
	{"random_against_reference", test_random_against_reference},
	CU_TEST_INFO_NULL,
};

CU_MAIN("seqwin", tests)
