/* Unit tests for exec.c: words split as a POSIX shell splits them (quotes,
 * backslashes, no expansion), NAME=value environments, and every admission
 * verdict in the order it is judged. */
#include <string.h>
#include "cu_main.h"
#include "exec.h"
#include "exec_plan.h"

static void test_split(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *w[5];
	} rows[] = {
		{"", 0, {NULL}},
		{"  \t ", 0, {NULL}},
		{"a b  c", 3, {"a", "b", "c"}},
		{"'a b' \"c d\"", 2, {"a b", "c d"}},
		{"x'y z'w", 1, {"xy zw"}},
		{"a\\ b c", 2, {"a b", "c"}},
		{"\"a\\\"b\\\\c\\$d\\n\"", 1, {"a\"b\\c$d\\n"}},
		{"'$HOME' `id` ; > f", 5, {"$HOME", "`id`", ";", ">", "f"}},
		{"''", 1, {""}},
		{"'it''s'", 1, {"its"}},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char **v;
		size_t n;
		const char *why = exec_split_args(rows[i].in, &v, &n);
		CHECK(!why, "row %zu: %s", i, why ? why : "");
		if (why)
			continue;
		CHECK(n == rows[i].n, "row %zu: %zu words, want %zu", i, n, rows[i].n);
		for (size_t k = 0; k < n && k < rows[i].n; k++)
			CHECK(!strcmp(v[k], rows[i].w[k]), "row %zu word %zu: '%s', want '%s'", i, k, v[k], rows[i].w[k]);
		CHECK(v[n] == NULL, "row %zu: NULL-terminated", i);
		free(v);
	}
	static const struct {
		const char *in, *why;
	} bad[] = {
		{"'open", "unterminated single quote"},
		{"\"open", "unterminated double quote"},
		{"end\\", "a backslash at the end"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char **v;
		size_t n;
		const char *why = exec_split_args(bad[i].in, &v, &n);
		CHECK(why && !strcmp(why, bad[i].why), "bad %zu: '%s'", i, why ? why : "(accepted)");
	}
	char many[EXEC_ARGS_MAX * 2 + 8];
	memset(many, ' ', sizeof many);
	for (size_t i = 0; i <= EXEC_ARGS_MAX; i++)
		many[2 * i] = 'x';
	many[sizeof many - 1] = '\0';
	char **v;
	size_t n;
	const char *why = exec_split_args(many, &v, &n);
	CHECK(why && !strcmp(why, "too many arguments"), "too many: %s", why ? why : "(accepted)");
}

static void test_env(void)
{
	char **e;
	size_t n;

	CU_ASSERT_PTR_NULL_FATAL(exec_parse_env("A=1\n\nB_2=x y=z\n", &e, &n));
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(e[0], "A=1");
	CU_ASSERT_STRING_EQUAL(e[1], "B_2=x y=z");
	CU_ASSERT_PTR_NULL(e[2]);
	free(e);
	CU_ASSERT_PTR_NULL_FATAL(exec_parse_env("", &e, &n));
	CU_ASSERT_EQUAL(n, 0);
	free(e);
	CU_ASSERT_STRING_EQUAL(exec_parse_env("NOEQUALS\n", &e, &n), "a line that is not NAME=value");
	CU_ASSERT_STRING_EQUAL(exec_parse_env("=x\n", &e, &n), "a line that is not NAME=value");
	CU_ASSERT_STRING_EQUAL(exec_parse_env("1A=x\n", &e, &n), "a variable name not of [A-Za-z_][A-Za-z0-9_]*");
	CU_ASSERT_STRING_EQUAL(exec_parse_env("A-B=x\n", &e, &n), "a variable name not of [A-Za-z_][A-Za-z0-9_]*");
}

static void test_admit(void)
{
	char *path[] = {"/usr/lib/shugo/exec", NULL}, *allow[] = {"backup*", "report", NULL},
	     *req[] = {"mgr*", NULL};
	struct cfg_exec c = {.enabled = true, .path = path, .n_path = 1, .allow = allow, .n_allow = 2,
			     .requesters = req, .n_requesters = 1};
	struct exec_facts f = {.program = "backup-db", .requester = "mgr1", .found = "/usr/lib/shugo/exec/backup-db"};
	char why[200];

	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_NONE);
	CU_ASSERT_STRING_EQUAL(why, "");
	f.id_used = true;
	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_DUPLICATE);
	f.id_used = false;
	f.program = "../bin/sh";
	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_UNKNOWN_PROGRAM);
	f.program = "..";
	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_UNKNOWN_PROGRAM);
	f.program = "report";
	f.requester = "someone";
	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_NOT_ALLOWED);
	CU_ASSERT_STRING_EQUAL(why, "requester 'someone' is not allowed");
	f.requester = "mgr2";
	f.program = "rm";
	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_NOT_ALLOWED);
	CU_ASSERT_STRING_EQUAL(why, "program 'rm' is not allowed");
	f.program = "report";
	f.found = NULL;
	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_UNKNOWN_PROGRAM);
	CU_ASSERT_STRING_EQUAL(why, "program 'report' is not in the search path");
	/* no allow list: everything in the path; no requesters: anyone */
	c.n_allow = c.n_requesters = 0;
	f.found = "/usr/lib/shugo/exec/anything";
	f.program = "anything";
	f.requester = "";
	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_NONE);
	c.enabled = false;
	CU_ASSERT_EQUAL(exec_admit(&c, &f, why, sizeof why), EXR_BUSY);
	CU_ASSERT_STRING_EQUAL(why, "remote execution is not enabled on this node (no exec: section)");
}

/* ---- the manager's side (exec_plan.c) ---- */

static void test_least_loaded(void)
{
	struct exec_cand c[] = {
		{.node = "a", .priority = 0, .asked = true, .accepting = false, .managed = 0, .cpu = 0},
		{.node = "b", .priority = 1, .asked = true, .accepting = true, .managed = 3, .cpu = 100},
		{.node = "c", .priority = 2, .asked = true, .accepting = true, .managed = 1, .cpu = 9000},
		{.node = "d", .priority = 3, .asked = true, .accepting = true, .managed = 1, .cpu = 500},
		{.node = "e", .priority = 4, .asked = false, .accepting = true, .managed = 0, .cpu = 0},
		{.node = "f", .priority = 5, .asked = true, .accepting = true, .managed = 1, .cpu = 500},
		{.node = "g", .priority = 6, .asked = true, .accepting = true, .managed = 1,
		 .cpu = EXEC_CPU_UNKNOWN},
	};
	char order[16] = "";

	exec_order_least_loaded(c, 7);
	for (int i = 0; i < 7; i++)
		order[i] = c[i].node[0];
	/* accepting first; fewer processes; lower CPU (unknown last); priority
	 * breaks ties; not accepting and not answered last, in priority order */
	CU_ASSERT_STRING_EQUAL(order, "dfcgbae");
}

static void test_judge_row(void)
{
	char state[16], detail[256];
	int normal;
	struct exec_row r = {.present = true, .state = XS_RUNNING, .program = "job", .requester = "m1"};

	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_RUNNING);
	CU_ASSERT_STRING_EQUAL(state, "running");
	CU_ASSERT_EQUAL(normal, -1);
	r.state = XS_EXITED, r.exit_code = 0, r.end = XE_NORMAL;
	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_ENDED);
	CU_ASSERT_STRING_EQUAL(detail, "exit code 0");
	CU_ASSERT_EQUAL(normal, 1);
	r.exit_code = 3, r.end = XE_ABNORMAL;
	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_ENDED);
	CU_ASSERT_STRING_EQUAL(state, "exited");
	CU_ASSERT_STRING_EQUAL(detail, "exit code 3");
	CU_ASSERT_EQUAL(normal, 0);
	r.state = XS_KILLED, r.exit_signal = 9;
	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_ENDED);
	CU_ASSERT_STRING_EQUAL(state, "killed");
	CU_ASSERT_STRING_EQUAL(detail, "signal 9");
	CU_ASSERT_EQUAL(normal, 0);
	/* refusals and failures: the next node */
	r.state = XS_REFUSED, r.refusal = 4, r.reason = "2 of 2 processes";
	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_NEXT);
	CU_ASSERT_STRING_EQUAL(state, "refused");
	CU_ASSERT_STRING_EQUAL(detail, "busy: 2 of 2 processes");
	r.refusal = 2, r.reason = "";
	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_NEXT);
	CU_ASSERT_STRING_EQUAL(detail, "unknownProgram");
	r.state = XS_START_FAILED, r.reason = "Permission denied";
	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_NEXT);
	CU_ASSERT_STRING_EQUAL(state, "failed");
	CU_ASSERT_STRING_EQUAL(detail, "start failed: Permission denied");
	/* another requester's row under our id, and no row at all */
	r.state = XS_RUNNING, r.requester = "m2";
	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_NEXT);
	CU_ASSERT_STRING_EQUAL(detail, "the request id is taken there by job of m2");
	r.present = false;
	CU_ASSERT_EQUAL(exec_judge_row(&r, "job", "m1", state, detail, sizeof detail, &normal), XV_NEXT);
	CU_ASSERT_STRING_EQUAL(state, "failed");
}

static void test_summary(void)
{
	char d[128];
	struct exec_outcome o[] = {
		{"exited", 1}, {"exited", 0}, {"refused", -1}, {"killed", 0}, {"running", -1}, {"skipped", -1},
	};

	CU_ASSERT_STRING_EQUAL(exec_summary(o, 6, d, sizeof d), "running");
	CU_ASSERT_STRING_EQUAL(d, "1 running, 1 ended normally, 2 ended abnormally, 1 refused, 1 down");
	CU_ASSERT_STRING_EQUAL(exec_summary(o, 4, d, sizeof d), "done");
	CU_ASSERT_STRING_EQUAL(d, "1 ended normally, 2 ended abnormally, 1 refused");
	CU_ASSERT_STRING_EQUAL(exec_summary(o + 2, 1, d, sizeof d), "failed");
	CU_ASSERT_STRING_EQUAL(d, "started nowhere: 1 refused");
	{
		struct exec_outcome f[] = {{"refused", -1}, {"timeout", -1}, {"failed", -1}, {"skipped", -1}};
		CU_ASSERT_STRING_EQUAL(exec_summary(f, 4, d, sizeof d), "failed");
		CU_ASSERT_STRING_EQUAL(d, "started nowhere: 1 refused, 1 timed out, 1 down, 1 failed");
		struct exec_outcome l[] = {{"lost", -1}};
		CU_ASSERT_STRING_EQUAL(exec_summary(l, 1, d, sizeof d), "done");
		CU_ASSERT_STRING_EQUAL(d, "1 lost");
	}
	CU_ASSERT_STRING_EQUAL(exec_summary(NULL, 0, d, sizeof d), "failed");
	CU_ASSERT_STRING_EQUAL(d, "started nowhere (no node to try)");
	/* a short buffer is cut, still terminated */
	CU_ASSERT_STRING_EQUAL(exec_summary(o, 6, d, 12), "running");
	CU_ASSERT_EQUAL(strlen(d), 11);
}

static CU_TestInfo tests[] = {
	{"arguments split like a shell, without one", test_split},
	{"environment lines", test_env},
	{"admission", test_admit},
	{"least loaded first", test_least_loaded},
	{"a node's row judged", test_judge_row},
	{"a request summed up", test_summary},
	CU_TEST_INFO_NULL,
};

CU_MAIN("exec", tests)
