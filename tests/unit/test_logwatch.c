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

static void test_kmsg(void)
{
	char msg[64];
	uint64_t seq = 0, boot = lw_boot_hash("44117798-b4cb-4ecc-ba82-ce4ceaed13e9\n");
	static const char rec[] = "4,341,1097753319,-;EDAC MC0: 1 CE memory error\\x1b[0m\\x41\n"
				  " SUBSYSTEM=edac\n DEVICE=+edac:mc0\n";

	CU_ASSERT_TRUE(lw_kmsg_parse(rec, strlen(rec), &seq, msg, sizeof msg));
	CU_ASSERT_EQUAL(seq, 341);
	/* escapes undone; an escape character shown as '?'; continuation lines left out */
	CU_ASSERT_STRING_EQUAL(msg, "EDAC MC0: 1 CE memory error?[0mA");
	CU_ASSERT_TRUE(lw_kmsg_parse("6,0,0,c,more;x", 14, &seq, msg, sizeof msg));
	CU_ASSERT_EQUAL(seq, 0);
	CU_ASSERT_STRING_EQUAL(msg, "x");
	/* cut to the buffer */
	CU_ASSERT_TRUE(lw_kmsg_parse("6,7,0,-;abcdefgh\n", 17, &seq, msg, 4));
	CU_ASSERT_STRING_EQUAL(msg, "abc");
	/* not records */
	CU_ASSERT_FALSE(lw_kmsg_parse("no semicolon", 12, &seq, msg, sizeof msg));
	CU_ASSERT_FALSE(lw_kmsg_parse(",1,2,-;x", 8, &seq, msg, sizeof msg));
	CU_ASSERT_FALSE(lw_kmsg_parse("6,,2,-;x", 8, &seq, msg, sizeof msg));
	CU_ASSERT_FALSE(lw_kmsg_parse("6,12;x", 6, &seq, msg, sizeof msg));
	CU_ASSERT_FALSE(lw_kmsg_parse("6,99999999999999999999999,0,-;x", 31, &seq, msg, sizeof msg));

	/* where to go on */
	CU_ASSERT_NOT_EQUAL(boot, 0);
	CU_ASSERT_EQUAL(boot, lw_boot_hash("44117798-b4cb-4ecc-ba82-ce4ceaed13e9"));
	CU_ASSERT_NOT_EQUAL(boot, lw_boot_hash("54117798-b4cb-4ecc-ba82-ce4ceaed13e9"));
	{
		struct lw_pos none = {0}, same = {true, 0, boot, 342}, other = {true, 0, boot + 1, 342},
			      file = {true, 2049, 1234, 4096};
		CU_ASSERT_EQUAL(lw_kmsg_start(&none, boot, false), UINT64_MAX); /* first sight: from now on */
		CU_ASSERT_EQUAL(lw_kmsg_start(&none, boot, true), 0);
		CU_ASSERT_EQUAL(lw_kmsg_start(&same, boot, false), 342);       /* restart: go on */
		CU_ASSERT_EQUAL(lw_kmsg_start(&other, boot, false), 0);        /* rebooted: all new */
		CU_ASSERT_EQUAL(lw_kmsg_start(&file, boot, false), UINT64_MAX); /* was a file */
	}
}

static CU_TestInfo tests[] = {
	{"where reading starts", test_start},
	{"changes under an open file", test_check},
	{"lines", test_lines},
	{"/dev/kmsg records and positions", test_kmsg},
	CU_TEST_INFO_NULL,
};

CU_MAIN("logwatch", tests)
