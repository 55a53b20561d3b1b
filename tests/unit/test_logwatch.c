/* Unit tests for logwatch.c: where reading starts after a restart (same file,
 * truncated, replaced, rotated while the agent was away, first sight), what a
 * change under an open file means, and the line cutter (partial lines across
 * reads, empty lines, overlong lines cut once). */
#include <string.h>
#include "cu_main.h"
#include "logwatch.h"

static void test_start(void)
{
	static const struct {
		const char *what;
		struct lw_pos saved;
		struct lw_file cur, rot;
		bool from_start;
		enum lw_start want;
	} rows[] = {
		{"same file, grown", {true, 1, 10, 500}, {true, 1, 10, 800}, {false, 0, 0, 0}, false, LW_RESUME},
		{"same file, same size", {true, 1, 10, 500}, {true, 1, 10, 500}, {false, 0, 0, 0}, false, LW_RESUME},
		{"same file, truncated", {true, 1, 10, 500}, {true, 1, 10, 100}, {false, 0, 0, 0}, false, LW_FROM_START},
		{"rotated while away", {true, 1, 10, 500}, {true, 1, 11, 40}, {true, 1, 10, 900}, false, LW_ROTATED_REST},
		{"rotated and truncated", {true, 1, 10, 500}, {true, 1, 11, 40}, {true, 1, 10, 100}, false,
		 LW_FROM_START},
		{"replaced, old one gone", {true, 1, 10, 500}, {true, 1, 11, 40}, {false, 0, 0, 0}, false,
		 LW_FROM_START},
		{"other device, same inode", {true, 2, 10, 500}, {true, 1, 10, 900}, {false, 0, 0, 0}, false,
		 LW_FROM_START},
		{"gone, rotated holds it", {true, 1, 10, 500}, {false, 0, 0, 0}, {true, 1, 10, 600}, false,
		 LW_ROTATED_REST},
		{"gone", {true, 1, 10, 500}, {false, 0, 0, 0}, {false, 0, 0, 0}, false, LW_WAIT},
		{"first sight: from the end", {false, 0, 0, 0}, {true, 1, 10, 900}, {false, 0, 0, 0}, false, LW_FROM_END},
		{"first sight, from start", {false, 0, 0, 0}, {true, 1, 10, 900}, {false, 0, 0, 0}, true, LW_FROM_START},
		{"first sight, no file", {false, 0, 0, 0}, {false, 0, 0, 0}, {false, 0, 0, 0}, false, LW_WAIT},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		enum lw_start got = lw_start_at(&rows[i].saved, &rows[i].cur, &rows[i].rot, rows[i].from_start);
		CHECK(got == rows[i].want, "%s: got %d, want %d", rows[i].what, (int)got, (int)rows[i].want);
	}
}

static void test_check(void)
{
	struct lw_pos pos = {true, 1, 10, 500};

	CHECK(lw_check(&pos, &(struct lw_file){true, 1, 10, 900}, 900) == LW_SAME, "grown");
	CHECK(lw_check(&pos, &(struct lw_file){true, 1, 10, 500}, 500) == LW_SAME, "unchanged");
	CHECK(lw_check(&pos, &(struct lw_file){true, 1, 10, 10}, 10) == LW_TRUNCATED, "truncated");
	CHECK(lw_check(&pos, &(struct lw_file){true, 1, 11, 10}, 900) == LW_REPLACED, "another file");
	CHECK(lw_check(&pos, &(struct lw_file){false, 0, 0, 0}, 900) == LW_REPLACED, "gone (renamed away)");
}

struct got {
	char lines[16][LW_LINE_MAX + 1];
	size_t len[16];
	size_t n;
};

static void on_line(const char *s, size_t n, void *arg)
{
	struct got *g = arg;

	CU_ASSERT_EQUAL(strlen(s), n);
	if (g->n < 16) {
		memcpy(g->lines[g->n], s, n + 1);
		g->len[g->n++] = n;
	}
}

static void test_lines(void)
{
	static struct lw_lines l;
	static struct got g;
	static char big[3 * LW_LINE_MAX];

	lw_feed(&l, "one\ntw", 6, on_line, &g);
	CU_ASSERT_EQUAL(g.n, 1);
	lw_feed(&l, "o\n\nthree", 8, on_line, &g);
	CU_ASSERT_EQUAL_FATAL(g.n, 3);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "one");
	CU_ASSERT_STRING_EQUAL(g.lines[1], "two");
	CU_ASSERT_STRING_EQUAL(g.lines[2], "");
	lw_reset(&l); /* "three" was partial: dropped */
	lw_feed(&l, "four\n", 5, on_line, &g);
	CU_ASSERT_STRING_EQUAL(g.lines[3], "four");

	/* an overlong line is cut at LW_LINE_MAX and reported once, over three reads */
	memset(big, 'x', sizeof big);
	lw_feed(&l, big, LW_LINE_MAX - 1, on_line, &g);
	lw_feed(&l, big, LW_LINE_MAX + 7, on_line, &g);
	lw_feed(&l, "tail\nfive\n", 10, on_line, &g);
	CU_ASSERT_EQUAL_FATAL(g.n, 6);
	CU_ASSERT_EQUAL(g.len[4], LW_LINE_MAX);
	CU_ASSERT_EQUAL(g.lines[4][LW_LINE_MAX - 1], 'x');
	CU_ASSERT_STRING_EQUAL(g.lines[5], "five");
}

static CU_TestInfo tests[] = {
	{"where reading starts", test_start},
	{"changes under an open file", test_check},
	{"lines", test_lines},
	CU_TEST_INFO_NULL,
};

CU_MAIN("logwatch", tests)
