/* Unit tests for appev.c: every key, the defaults, each refusal, and a
 * message written by appev_format read back by appev_parse. */
#include <string.h>
#include "appev.h"
#include "cu_main.h"

static const char *parse(const char *s, struct appev_msg *m)
{
	return appev_parse(s, strlen(s), m);
}

static void test_parse(void)
{
	struct appev_msg m;

	CU_ASSERT_PTR_NULL_FATAL(parse("action=raise\nname=db.repl\nseverity=major\nstate=lagging\n"
				       "detail=replica 3 is 120 s behind\nbatch=yes\n", &m));
	CU_ASSERT_EQUAL(m.action, APPEV_RAISE);
	CU_ASSERT_STRING_EQUAL(m.name, "db.repl");
	CU_ASSERT_EQUAL(m.sev, SEV_MAJOR);
	CU_ASSERT_STRING_EQUAL(m.state, "lagging");
	CU_ASSERT_STRING_EQUAL(m.detail, "replica 3 is 120 s behind");
	CU_ASSERT_TRUE(m.batch);
	/* defaults; no final newline; blank lines */
	CU_ASSERT_PTR_NULL_FATAL(parse("action=clear\n\nname=db.repl", &m));
	CU_ASSERT_EQUAL(m.sev, SEV_CLEAR);
	CU_ASSERT_STRING_EQUAL(m.state, "cleared");
	CU_ASSERT_STRING_EQUAL(m.detail, "");
	CU_ASSERT_FALSE(m.batch);
	CU_ASSERT_PTR_NULL_FATAL(parse("action=raise\nname=x\nseverity=info", &m));
	CU_ASSERT_STRING_EQUAL(m.state, "raised");
}

static void test_refused(void)
{
	static const struct {
		const char *msg, *why;
	} rows[] = {
		{"name=x\nseverity=major", "action is missing"},
		{"action=raise\nseverity=major", "name is missing"},
		{"action=raise\nname=x", "severity is missing"},
		{"action=rise\nname=x", "action must be raise or clear"},
		{"action=raise\nname=a b\nseverity=major", "name must be 1..64 of A-Z a-z 0-9 . _ : -"},
		{"action=raise\nname=\nseverity=major", "name must be 1..64 of A-Z a-z 0-9 . _ : -"},
		{"action=raise\nname=x\nseverity=clear", "severity must be info, warning, minor, major or critical"},
		{"action=raise\nname=x\nseverity=loud", "severity must be info, warning, minor, major or critical"},
		{"action=clear\nname=x\nseverity=major", "a clear has no severity"},
		{"action=raise\nname=x\nseverity=major\nstate=", "state must be 1..32 printable characters"},
		{"action=raise\nname=x\nseverity=major\ndetail=a\tb", "detail must be printable"},
		{"action=raise\nname=x\nseverity=major\nbatch=maybe", "batch must be yes or no"},
		{"action=raise\nname=x\nseverity=major\ncolor=red", "unknown key"},
		{"action=raise\nname x", "a line without '='"},
	};
	struct appev_msg m;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *why = parse(rows[i].msg, &m);
		CHECK(why && !strcmp(why, rows[i].why), "row %zu: got '%s', want '%s'", i, why ? why : "(accepted)",
		      rows[i].why);
	}
	char big[APPEV_MSG_MAX + 2];
	memset(big, 'a', sizeof big);
	CHECK(appev_parse(big, sizeof big, &m) != NULL, "an oversized message");
	/* a long detail is cut, not refused */
	char longd[600] = "action=raise\nname=x\nseverity=info\ndetail=";
	memset(longd + strlen(longd), 'd', 400);
	CU_ASSERT_PTR_NULL(parse(longd, &m));
	CU_ASSERT_EQUAL(strlen(m.detail), EV_DETAIL_MAX);
}

static void test_round_trip(void)
{
	struct appev_msg m = {.action = APPEV_RAISE, .name = "disk.full", .sev = SEV_CRITICAL, .state = "full",
			      .detail = "/srv at 99%", .batch = true}, back;
	char buf[APPEV_MSG_MAX];
	size_t n = appev_format(&m, buf, sizeof buf);

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_PTR_NULL_FATAL(appev_parse(buf, n, &back));
	CU_ASSERT_EQUAL(memcmp(&m, &back, sizeof m), 0);
	m.action = APPEV_CLEAR;
	m.sev = SEV_CLEAR;
	m.state[0] = '\0';
	n = appev_format(&m, buf, sizeof buf);
	CU_ASSERT_PTR_NULL_FATAL(appev_parse(buf, n, &back));
	CU_ASSERT_STRING_EQUAL(back.state, "cleared");
	CU_ASSERT_EQUAL(appev_format(&m, buf, 10), 0);
}

static CU_TestInfo tests[] = {
	{"parse", test_parse},
	{"refused", test_refused},
	{"format and parse back", test_round_trip},
	CU_TEST_INFO_NULL,
};

CU_MAIN("appev", tests)
