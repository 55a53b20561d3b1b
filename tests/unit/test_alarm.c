/* Unit tests for alarm.c (raise/re-raise/clear, ids never reused, lookup by id
 * for GET and GETNEXT, a large table), event.c (MIB names, severities, text
 * truncation) and strutil.c (bounded copy and join, DateAndTime). */
#include <stdio.h>
#include <string.h>
#include "cu_main.h"
#include "alarm.h"
#include "event.h"
#include "strutil.h"

/* ---- alarm table ---- */

enum op_kind { OP_RAISE, OP_CLEAR };

struct alarm_op {
	enum op_kind op;
	const char *object;
	enum shugo_notif type;
	enum shugo_severity sev;
	bool changed; /* OP_RAISE: expected *changed */
	uint32_t id;  /* expected row id (raise) or return value (clear) */
	size_t n;     /* rows afterwards */
};

static const struct alarm_op alarm_ops[] = {
	{OP_RAISE, "proc:web", NOTIF_PROC_ALARM, SEV_MAJOR, true, 1, 1},       /* new */
	{OP_RAISE, "proc:web", NOTIF_PROC_ALARM, SEV_MAJOR, false, 1, 1},      /* same again */
	{OP_RAISE, "res:cpu", NOTIF_RES_ALARM, SEV_WARNING, true, 2, 2},
	{OP_RAISE, "res:cpu", NOTIF_RES_ALARM, SEV_CRITICAL, true, 2, 2},      /* worse: same id */
	{OP_RAISE, "res:cpu", NOTIF_RES_ALARM, SEV_CRITICAL, false, 2, 2},
	{OP_RAISE, "res:cpu", NOTIF_RES_ALARM, SEV_WARNING, true, 2, 2},       /* better: same id */
	{OP_RAISE, "proc:web", NOTIF_PKG_ALARM, SEV_MAJOR, true, 1, 2},        /* other type */
	{OP_RAISE, "nic:eth0", NOTIF_NIC_ALARM, SEV_MAJOR, true, 3, 3},
	{OP_CLEAR, "res:cpu", 0, 0, false, 2, 2},
	{OP_CLEAR, "res:cpu", 0, 0, false, 0, 2},                              /* already clear */
	{OP_CLEAR, "proc:nosuch", 0, 0, false, 0, 2},
	{OP_RAISE, "res:cpu", NOTIF_RES_ALARM, SEV_WARNING, true, 4, 3},       /* fresh id */
	{OP_CLEAR, "proc:web", 0, 0, false, 1, 2},
	{OP_CLEAR, "nic:eth0", 0, 0, false, 3, 1},
	{OP_CLEAR, "res:cpu", 0, 0, false, 4, 0},
	{OP_CLEAR, "res:cpu", 0, 0, false, 0, 0},
	{OP_RAISE, "proc:web", NOTIF_PROC_ALARM, SEV_MAJOR, true, 5, 1},       /* never 1 again */
};

static void test_alarm_ops(void)
{
	struct alarm_table t;

	alarm_table_init(&t);
	CU_ASSERT_EQUAL(t.next_id, 1);
	for (size_t i = 0; i < sizeof(alarm_ops) / sizeof(alarm_ops[0]); i++) {
		const struct alarm_op *o = &alarm_ops[i];
		char msg[120];
		bool ok;
		if (o->op == OP_RAISE) {
			bool changed = !o->changed;
			struct alarm *a = alarm_raise(&t, o->type, o->sev, o->object, "descr", 1000 + (int64_t)i,
						      &changed);
			ok = a != NULL && changed == o->changed && a->id == o->id && a->sev == o->sev &&
			     a->type == o->type && strcmp(a->object, o->object) == 0 &&
			     alarm_find(&t, o->object) == a;
		} else {
			uint32_t id = alarm_clear(&t, o->object);
			ok = id == o->id && alarm_find(&t, o->object) == NULL;
		}
		ok = ok && t.n == o->n;
		for (size_t r = 1; r < t.n; r++)
			ok = ok && t.rows[r - 1].id < t.rows[r].id;
		snprintf(msg, sizeof(msg), "op %zu (%s %s)", i, o->op == OP_RAISE ? "raise" : "clear", o->object);
		CU_assertImplementation(ok, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
	alarm_table_free(&t);
}

/* What a raise stores, and what a re-raise and a severity change do to it. */
static void test_alarm_fields(void)
{
	struct alarm_table t;
	bool changed;

	alarm_table_init(&t);
	struct alarm *a = alarm_raise(&t, NOTIF_PROC_ALARM, SEV_MAJOR, "proc:web", "exited 3 times",
				      1700000000, &changed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(changed);
	CU_ASSERT_EQUAL(a->id, 1);
	CU_ASSERT_EQUAL(a->type, NOTIF_PROC_ALARM);
	CU_ASSERT_EQUAL(a->sev, SEV_MAJOR);
	CU_ASSERT_STRING_EQUAL(a->object, "proc:web");
	CU_ASSERT_STRING_EQUAL(a->descr, "exited 3 times");
	CU_ASSERT_EQUAL(a->raised_time, 1700000000);
	CU_ASSERT_EQUAL(a->raised_seq, 0);
	a->raised_seq = 77; /* the caller records the notification's sequence */

	/* The same alarm again: nothing changes, not even the time. */
	a = alarm_raise(&t, NOTIF_PROC_ALARM, SEV_MAJOR, "proc:web", "other text", 1700000100, &changed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_FALSE(changed);
	CU_ASSERT_STRING_EQUAL(a->descr, "exited 3 times");
	CU_ASSERT_EQUAL(a->raised_time, 1700000000);
	CU_ASSERT_EQUAL(a->raised_seq, 77);

	/* New severity: same row and id, the text and time of the change. */
	a = alarm_raise(&t, NOTIF_PROC_ALARM, SEV_CRITICAL, "proc:web", "gave up", 1700000200, &changed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(changed);
	CU_ASSERT_EQUAL(a->id, 1);
	CU_ASSERT_EQUAL(a->sev, SEV_CRITICAL);
	CU_ASSERT_STRING_EQUAL(a->descr, "gave up");
	CU_ASSERT_EQUAL(a->raised_time, 1700000200);
	CU_ASSERT_EQUAL(a->raised_seq, 0);
	CU_ASSERT_EQUAL(t.n, 1);

	/* NULL description is empty. */
	a = alarm_raise(&t, NOTIF_RES_ALARM, SEV_WARNING, "res:load", NULL, 5, &changed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a->descr, "");
	alarm_table_free(&t);
	CU_ASSERT_PTR_NULL(t.rows);
	CU_ASSERT_EQUAL(t.n, 0);
	alarm_table_free(&t); /* twice is harmless */
	alarm_table_free(NULL);
}

/* Over-long objects and descriptions are truncated, and the truncated key still
 * finds its row, so a re-raise does not duplicate it. */
static void test_alarm_long_strings(void)
{
	struct alarm_table t;
	char obj[EV_OBJECT_MAX + 40], descr[EV_DETAIL_MAX + 40];
	bool changed;

	memset(obj, 'o', sizeof(obj) - 1);
	obj[sizeof(obj) - 1] = '\0';
	memset(descr, 'd', sizeof(descr) - 1);
	descr[sizeof(descr) - 1] = '\0';
	alarm_table_init(&t);
	struct alarm *a = alarm_raise(&t, NOTIF_LOG_MATCH, SEV_MINOR, obj, descr, 1, &changed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(strlen(a->object), EV_OBJECT_MAX);
	CU_ASSERT_EQUAL(strlen(a->descr), EV_DETAIL_MAX);
	a = alarm_raise(&t, NOTIF_LOG_MATCH, SEV_MINOR, obj, descr, 2, &changed);
	CU_ASSERT_FALSE(changed);
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT_PTR_EQUAL(alarm_find(&t, obj), a);
	CU_ASSERT_EQUAL(alarm_clear(&t, obj), 1);
	CU_ASSERT_EQUAL(t.n, 0);
	alarm_table_free(&t);
}

/* GET needs the exact id; GETNEXT the first id at or after the one asked,
 * across the gaps that clears leave. */
static void test_alarm_by_id(void)
{
	struct alarm_table t;
	bool changed;
	char obj[16];

	alarm_table_init(&t);
	CU_ASSERT_PTR_NULL(alarm_by_id(&t, 1, true));
	CU_ASSERT_PTR_NULL(alarm_by_id(&t, 0, false));
	for (int i = 1; i <= 8; i++) {
		snprintf(obj, sizeof(obj), "o%d", i);
		CU_ASSERT_PTR_NOT_NULL(alarm_raise(&t, NOTIF_APP_EVENT_RAISE, SEV_INFO, obj, "", 0, &changed));
	}
	/* keep ids 1, 3, 4, 7 */
	CU_ASSERT_EQUAL(alarm_clear(&t, "o2"), 2);
	CU_ASSERT_EQUAL(alarm_clear(&t, "o5"), 5);
	CU_ASSERT_EQUAL(alarm_clear(&t, "o6"), 6);
	CU_ASSERT_EQUAL(alarm_clear(&t, "o8"), 8);

	static const struct {
		uint32_t id;
		bool exact;
		uint32_t want; /* 0 = NULL */
	} rows[] = {
		{0, true, 0}, {1, true, 1}, {2, true, 0}, {3, true, 3}, {4, true, 4}, {5, true, 0},
		{7, true, 7}, {8, true, 0}, {UINT32_MAX, true, 0},
		{0, false, 1}, {1, false, 1}, {2, false, 3}, {3, false, 3}, {5, false, 7}, {6, false, 7},
		{7, false, 7}, {8, false, 0}, {UINT32_MAX, false, 0},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct alarm *a = alarm_by_id(&t, rows[i].id, rows[i].exact);
		char msg[80];
		snprintf(msg, sizeof(msg), "by_id(%u, %s)", rows[i].id, rows[i].exact ? "exact" : "next");
		bool ok = rows[i].want == 0 ? a == NULL : (a != NULL && a->id == rows[i].want);
		CU_assertImplementation(ok, __LINE__, msg, __FILE__, "", CU_FALSE);
	}
	/* Walking with GETNEXT (id + 1) visits every row once, in order. */
	uint32_t seen[8], n = 0;
	for (struct alarm *a = alarm_by_id(&t, 0, false); a != NULL && n < 8; a = alarm_by_id(&t, a->id + 1, false))
		seen[n++] = a->id;
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT(n == 4 && seen[0] == 1 && seen[1] == 3 && seen[2] == 4 && seen[3] == 7);
	alarm_table_free(&t);
}

/* 1000 rows with clears and re-raises in between stay sorted, every row is
 * found by object and by id, and ids only grow. */
static void test_alarm_many(void)
{
	enum { N = 1000 };
	struct alarm_table t;
	bool changed;
	char obj[32];
	uint32_t last = 0;

	alarm_table_init(&t);
	for (int i = 0; i < N; i++) {
		snprintf(obj, sizeof(obj), "proc:p%04d", i);
		struct alarm *a = alarm_raise(&t, NOTIF_PROC_ALARM, SEV_MAJOR, obj, "x", i, &changed);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_TRUE(a->id > last);
		last = a->id;
	}
	CU_ASSERT_EQUAL(t.n, N);
	for (int i = 0; i < N; i += 3) {
		snprintf(obj, sizeof(obj), "proc:p%04d", i);
		CU_ASSERT_EQUAL(alarm_clear(&t, obj), (uint32_t)i + 1);
	}
	for (int i = 0; i < N; i += 6) { /* half of the cleared come back with new ids */
		snprintf(obj, sizeof(obj), "proc:p%04d", i);
		struct alarm *a = alarm_raise(&t, NOTIF_PROC_ALARM, SEV_MINOR, obj, "y", i, &changed);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_TRUE(changed);
		CU_ASSERT_TRUE(a->id > last);
		last = a->id;
	}
	size_t expect_n = N - (N + 2) / 3 + (N + 5) / 6;
	CU_ASSERT_EQUAL(t.n, expect_n);
	bool sorted = true, found = true;
	for (size_t r = 0; r < t.n; r++) {
		if (r > 0 && t.rows[r - 1].id >= t.rows[r].id)
			sorted = false;
		if (alarm_by_id(&t, t.rows[r].id, true) != &t.rows[r] ||
		    alarm_find(&t, t.rows[r].object) != &t.rows[r])
			found = false;
	}
	CU_ASSERT_TRUE(sorted);
	CU_ASSERT_TRUE(found);
	for (int i = 0; i < N; i++) {
		snprintf(obj, sizeof(obj), "proc:p%04d", i);
		bool up = i % 3 != 0 || i % 6 == 0;
		CU_ASSERT_EQUAL(alarm_find(&t, obj) != NULL, up);
	}
	alarm_table_free(&t);
}

/* ---- event names ---- */

static void test_event_names(void)
{
	static const char *const names[] = {
		NULL, "shugoProcAlarm", "shugoProcClear", "shugoProcStarted", "shugoProcExited",
		"shugoResAlarm", "shugoResClear", "shugoNicAlarm", "shugoNicClear", "shugoPkgModeChange",
		"shugoPkgAlarm", "shugoPkgClear", "shugoExecEnded", "shugoExecRefused",
		"shugoAppEventRaise", "shugoAppEventClear", "shugoLogMatch", "shugoAgentStart",
		"shugoAgentStop", "shugoQueueAlarm", "shugoQueueClear", "shugoLeaseAlarm",
		"shugoLeaseClear", "shugoConfigReloaded", "shugoConfigRejected",
	};
	CU_ASSERT_EQUAL(sizeof(names) / sizeof(names[0]), NOTIF_MAX + 1);
	for (int i = 1; i <= NOTIF_MAX; i++) {
		const char *got = ev_type_name((enum shugo_notif)i);
		char msg[80];
		snprintf(msg, sizeof(msg), "ev_type_name(%d) = %s", i, got ? got : "(null)");
		CU_assertImplementation(got != NULL && strcmp(got, names[i]) == 0, __LINE__, msg, __FILE__, "",
					CU_FALSE);
	}
	CU_ASSERT_PTR_NULL(ev_type_name((enum shugo_notif)0));
	CU_ASSERT_PTR_NULL(ev_type_name((enum shugo_notif)(NOTIF_MAX + 1)));
	CU_ASSERT_PTR_NULL(ev_type_name((enum shugo_notif)-1));
}

static void test_event_severity(void)
{
	static const struct {
		enum shugo_severity sev;
		const char *word;
	} rows[] = {
		{SEV_CLEAR, "clear"}, {SEV_INFO, "info"}, {SEV_WARNING, "warning"},
		{SEV_MINOR, "minor"}, {SEV_MAJOR, "major"}, {SEV_CRITICAL, "critical"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CU_ASSERT_STRING_EQUAL(ev_sev_name(rows[i].sev), rows[i].word);
		CU_ASSERT_EQUAL(ev_sev_parse(rows[i].word), rows[i].sev);
	}
	CU_ASSERT_STRING_EQUAL(ev_sev_name((enum shugo_severity)0), "unknown");
	CU_ASSERT_STRING_EQUAL(ev_sev_name((enum shugo_severity)7), "unknown");
	CU_ASSERT_EQUAL(ev_sev_parse("Critical"), SEV_CRITICAL);
	CU_ASSERT_EQUAL(ev_sev_parse("MAJOR"), SEV_MAJOR);
	CU_ASSERT_EQUAL(ev_sev_parse("fatal"), 0);
	CU_ASSERT_EQUAL(ev_sev_parse("critical "), 0);
	CU_ASSERT_EQUAL(ev_sev_parse(""), 0);
	CU_ASSERT_EQUAL(ev_sev_parse(NULL), 0);
}

static void test_event_set(void)
{
	struct shugo_event ev;
	char longer[EV_DETAIL_MAX + 20];

	memset(&ev, 0, sizeof(ev));
	ev.alarm_id = 9;
	ev.seq = 41;
	ev.boot = 3;
	ev.time = 1700000000;
	ev_set(&ev, NOTIF_PROC_STARTED, SEV_INFO, "proc:web", "running", "pid 1234");
	CU_ASSERT_EQUAL(ev.type, NOTIF_PROC_STARTED);
	CU_ASSERT_EQUAL(ev.sev, SEV_INFO);
	CU_ASSERT_STRING_EQUAL(ev.object, "proc:web");
	CU_ASSERT_STRING_EQUAL(ev.state, "running");
	CU_ASSERT_STRING_EQUAL(ev.detail, "pid 1234");
	/* The other fields belong to the caller and the log. */
	CU_ASSERT_EQUAL(ev.alarm_id, 9);
	CU_ASSERT_EQUAL(ev.seq, 41);
	CU_ASSERT_EQUAL(ev.boot, 3);
	CU_ASSERT_EQUAL(ev.time, 1700000000);

	ev_set(&ev, NOTIF_AGENT_START, SEV_INFO, NULL, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(ev.object, "");
	CU_ASSERT_STRING_EQUAL(ev.state, "");
	CU_ASSERT_STRING_EQUAL(ev.detail, "");

	/* ASCII is cut at the field size. */
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ev_set(&ev, NOTIF_LOG_MATCH, SEV_MINOR, longer, longer, longer);
	CU_ASSERT_EQUAL(strlen(ev.object), EV_OBJECT_MAX);
	CU_ASSERT_EQUAL(strlen(ev.state), EV_STATE_MAX);
	CU_ASSERT_EQUAL(strlen(ev.detail), EV_DETAIL_MAX);

	/* A multi-byte character that does not fit is dropped whole... */
	static const struct {
		size_t pad;       /* ASCII bytes before the character */
		const char *chr;  /* UTF-8 character */
		size_t want_len;  /* strlen(ev.state) */
	} rows[] = {
		{EV_STATE_MAX - 1, "\xc3\xa9", EV_STATE_MAX - 1},         /* é, 1 of 2 bytes fits */
		{EV_STATE_MAX - 2, "\xc3\xa9", EV_STATE_MAX},             /* é fits exactly */
		{EV_STATE_MAX - 2, "\xe2\x82\xac", EV_STATE_MAX - 2},     /* €, 2 of 3 fit */
		{EV_STATE_MAX - 1, "\xe2\x82\xac", EV_STATE_MAX - 1},     /* €, 1 of 3 fits */
		{EV_STATE_MAX - 3, "\xe2\x82\xac", EV_STATE_MAX},         /* € fits exactly */
		{EV_STATE_MAX - 3, "\xf0\x9f\x98\x80", EV_STATE_MAX - 3}, /* 4-byte, 3 fit */
		{EV_STATE_MAX - 4, "\xf0\x9f\x98\x80", EV_STATE_MAX},     /* 4-byte fits exactly */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char s[EV_STATE_MAX + 16];
		memset(s, 'a', rows[i].pad);
		strcpy(s + rows[i].pad, rows[i].chr);
		strcat(s, "zz");
		ev_set(&ev, NOTIF_LOG_MATCH, SEV_MINOR, "o", s, "d");
		char msg[64];
		snprintf(msg, sizeof(msg), "utf-8 row %zu: length %zu", i, strlen(ev.state));
		CU_assertImplementation(strlen(ev.state) == rows[i].want_len &&
						strncmp(ev.state, s, rows[i].want_len) == 0,
					__LINE__, msg, __FILE__, "", CU_FALSE);
	}
	/* ...also in the 255-octet detail. */
	memset(longer, 'x', sizeof(longer) - 1);
	memcpy(longer + EV_DETAIL_MAX - 1, "\xc3\xa9", 2);
	ev_set(&ev, NOTIF_LOG_MATCH, SEV_MINOR, "o", "s", longer);
	CU_ASSERT_EQUAL(strlen(ev.detail), EV_DETAIL_MAX - 1);
}

/* ---- strutil ---- */

static void test_str_copy(void)
{
	char buf[8];

	CU_ASSERT_EQUAL(str_copy(buf, "abc", sizeof(buf)), 3);
	CU_ASSERT_STRING_EQUAL(buf, "abc");
	CU_ASSERT_EQUAL(str_copy(buf, "abcdefgh", sizeof(buf)), 8);
	CU_ASSERT_STRING_EQUAL(buf, "abcdefg");
	CU_ASSERT_EQUAL(str_copy(buf, "abcdefg", sizeof(buf)), 7);
	CU_ASSERT_STRING_EQUAL(buf, "abcdefg");
	CU_ASSERT_EQUAL(str_copy(buf, "", sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(str_copy(buf, "xyz", 1), 3);
	CU_ASSERT_STRING_EQUAL(buf, "");
	memcpy(buf, "keep", 5);
	CU_ASSERT_EQUAL(str_copy(buf, "xyz", 0), 3); /* size 0 writes nothing */
	CU_ASSERT_STRING_EQUAL(buf, "keep");
}

static void test_str_join(void)
{
	char *const words[] = {"/usr/bin/app", "-c", "conf file", NULL};
	char *const none[] = {NULL};
	static const struct {
		size_t size;
		const char *want;
	} rows[] = {
		{63, "/usr/bin/app -c conf file"},
		{26, "/usr/bin/app -c conf file"},
		{25, "/usr/bin/app -c conf fil"},
		{16, "/usr/bin/app -c"},
		{15, "/usr/bin/app -"},
		{14, "/usr/bin/app"}, /* no dangling separator */
		{13, "/usr/bin/app"},
		{5, "/usr"},
		{1, ""},
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(buf, '#', sizeof(buf));
		str_join(buf, rows[i].size, words);
		char msg[96];
		snprintf(msg, sizeof(msg), "join size %zu: \"%.63s\"", rows[i].size, buf);
		CU_assertImplementation(strcmp(buf, rows[i].want) == 0 && buf[rows[i].size] == '#', __LINE__, msg,
					__FILE__, "", CU_FALSE);
	}
	str_join(buf, sizeof(buf), none);
	CU_ASSERT_STRING_EQUAL(buf, "");
	str_join(buf, sizeof(buf), NULL);
	CU_ASSERT_STRING_EQUAL(buf, "");
	memcpy(buf, "keep", 5);
	str_join(buf, 0, words);
	CU_ASSERT_STRING_EQUAL(buf, "keep");
}

static void test_str_dateandtime(void)
{
	static const struct {
		int64_t t;
		size_t len;
		unsigned char want[11];
	} rows[] = {
		{0, 8, {0}},
		{1, 11, {0x07, 0xb2, 1, 1, 0, 0, 1, 0, '+', 0, 0}},
		{-1, 11, {0x07, 0xb1, 12, 31, 23, 59, 59, 0, '+', 0, 0}},
		{951782400, 11, {0x07, 0xd0, 2, 29, 0, 0, 0, 0, '+', 0, 0}},     /* 2000-02-29 */
		{951868799, 11, {0x07, 0xd0, 2, 29, 23, 59, 59, 0, '+', 0, 0}},
		{1700000000, 11, {0x07, 0xe7, 11, 14, 22, 13, 20, 0, '+', 0, 0}},
		{1709164800, 11, {0x07, 0xe8, 2, 29, 0, 0, 0, 0, '+', 0, 0}},    /* 2024-02-29 */
		{2147483648, 11, {0x07, 0xf6, 1, 19, 3, 14, 8, 0, '+', 0, 0}},   /* past 2038 */
		{4102444800, 11, {0x08, 0x34, 1, 1, 0, 0, 0, 0, '+', 0, 0}},     /* 2100 is not leap */
		{253402300799, 11, {0x27, 0x0f, 12, 31, 23, 59, 59, 0, '+', 0, 0}},
		{-62167219200, 11, {0, 0, 1, 1, 0, 0, 0, 0, '+', 0, 0}},         /* year 0 */
		{-62167219201, 8, {0}},                                          /* year -1 */
		{2005949145599, 11, {0xff, 0xff, 12, 31, 23, 59, 59, 0, '+', 0, 0}},
		{2005949145600, 8, {0}},                                         /* year 65536 */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned char buf[12];
		memset(buf, 0xee, sizeof(buf));
		size_t len = str_dateandtime(buf, rows[i].t);
		char msg[80];
		snprintf(msg, sizeof(msg), "dateandtime(%lld): length %zu", (long long)rows[i].t, len);
		CU_assertImplementation(len == rows[i].len && memcmp(buf, rows[i].want, len) == 0 &&
						buf[11] == 0xee,
					__LINE__, msg, __FILE__, "", CU_FALSE);
	}
}

static CU_TestInfo tests[] = {
	{"alarm_ops", test_alarm_ops},
	{"alarm_fields", test_alarm_fields},
	{"alarm_long_strings", test_alarm_long_strings},
	{"alarm_by_id", test_alarm_by_id},
	{"alarm_many", test_alarm_many},
	{"event_names", test_event_names},
	{"event_severity", test_event_severity},
	{"event_set", test_event_set},
	{"str_copy", test_str_copy},
	{"str_join", test_str_join},
	{"str_dateandtime", test_str_dateandtime},
	CU_TEST_INFO_NULL,
};

CU_MAIN("alarm", tests)
