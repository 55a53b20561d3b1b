/* Unit tests for rrd_plan.c: file-name escaping (safe, deterministic,
 * reversible), the paths of resource, interface and process files, metric names as
 * shugoctl graph takes them, the step/heartbeat/archives chosen from a poll
 * interval, and the text of updates. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cu_main.h"
#include "rrd_plan.h"

/* The inverse of rrdp_escape, to show nothing is lost. */
static void unescape(const char *in, char *out)
{
	while (*in) {
		unsigned v;
		if (*in == '%' && sscanf(in + 1, "%2X", &v) == 1) {
			*out++ = (char)v;
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

static void test_escape(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
		{"cpu", "cpu"},
		{"memory", "memory"},
		{"fs:/var", "fs%3A%2Fvar"},
		{"fs:/", "fs%3A%2F"},
		{"nic:eth0", "nic%3Aeth0"},
		{"my-app_2.1", "my-app_2.1"},
		{".hidden", "%2Ehidden"},
		{"..", "%2E."},
		{"a b%c", "a%20b%25c"},
		{"\xc3\xa9t\xc3\xa9", "%C3%A9t%C3%A9"},
		{"fs:/var/lib", "fs%3A%2Fvar%2Flib"},
	};
	char out[256], back[256];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		CU_ASSERT_EQUAL(rrdp_escape(rows[i].in, out, sizeof out), 0);
		CU_ASSERT_STRING_EQUAL(out, rows[i].want);
		CU_ASSERT_PTR_NULL(strchr(out, '/'));
		CU_ASSERT_PTR_NULL(strchr(out, ':'));
		unescape(out, back);
		CU_ASSERT_STRING_EQUAL(back, rows[i].in);
	}
	/* distinct names stay distinct: '%' itself is escaped */
	CU_ASSERT_EQUAL(rrdp_escape("fs%3A", out, sizeof out), 0);
	CU_ASSERT_STRING_EQUAL(out, "fs%253A");

	errno = 0;
	CU_ASSERT_EQUAL(rrdp_escape("", out, sizeof out), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	/* exactly enough room, and one byte short */
	CU_ASSERT_EQUAL(rrdp_escape("a:", out, 5), 0);
	CU_ASSERT_STRING_EQUAL(out, "a%3A");
	errno = 0;
	CU_ASSERT_EQUAL(rrdp_escape("a:", out, 4), -1);
	CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static void test_path(void)
{
	char p[512];

	CU_ASSERT_EQUAL(rrdp_path(p, sizeof p, "/var/lib/shugo/rrd", "alpha", RRDP_RES, "fs:/var"), 0);
	CU_ASSERT_STRING_EQUAL(p, "/var/lib/shugo/rrd/alpha/res-fs%3A%2Fvar.rrd");
	CU_ASSERT_EQUAL(rrdp_path(p, sizeof p, "/r", "alpha", RRDP_RES, "cpu"), 0);
	CU_ASSERT_STRING_EQUAL(p, "/r/alpha/res-cpu.rrd");
	CU_ASSERT_EQUAL(rrdp_path(p, sizeof p, "/r", "beta.dc1", RRDP_PROC, "web"), 0);
	CU_ASSERT_STRING_EQUAL(p, "/r/beta.dc1/proc-web.rrd");
	CU_ASSERT_EQUAL(rrdp_path(p, sizeof p, "/r", "..", RRDP_PROC, "x"), 0);
	CU_ASSERT_STRING_EQUAL(p, "/r/%2E./proc-x.rrd");
	CU_ASSERT_EQUAL(rrdp_path(p, sizeof p, "/r", "alpha", RRDP_NIC, "nic:eth0"), 0);
	CU_ASSERT_STRING_EQUAL(p, "/r/alpha/res-nic%3Aeth0.rrd");
	CU_ASSERT_EQUAL(rrdp_node_dir(p, sizeof p, "/r", "alpha"), 0);
	CU_ASSERT_STRING_EQUAL(p, "/r/alpha");

	errno = 0;
	CU_ASSERT_EQUAL(rrdp_path(p, 16, "/r", "alpha", RRDP_RES, "memory"), -1);
	CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
	CU_ASSERT_EQUAL(rrdp_path(p, sizeof p, "/r", "", RRDP_RES, "cpu"), -1);
	CU_ASSERT_EQUAL(rrdp_path(p, sizeof p, "/r", "alpha", RRDP_RES, ""), -1);
}

static void test_metric_parse(void)
{
	enum rrdp_kind k;
	const char *name;

	CU_ASSERT_EQUAL(rrdp_metric_parse("proc:web", &k, &name), 0);
	CU_ASSERT_EQUAL(k, RRDP_PROC);
	CU_ASSERT_STRING_EQUAL(name, "web");
	CU_ASSERT_EQUAL(rrdp_metric_parse("fs:/var", &k, &name), 0);
	CU_ASSERT_EQUAL(k, RRDP_RES);
	CU_ASSERT_STRING_EQUAL(name, "fs:/var");
	CU_ASSERT_EQUAL(rrdp_metric_parse("cpu", &k, &name), 0);
	CU_ASSERT_EQUAL(k, RRDP_RES);
	/* a process named with a colon keeps it */
	CU_ASSERT_EQUAL(rrdp_metric_parse("proc:a:b", &k, &name), 0);
	CU_ASSERT_STRING_EQUAL(name, "a:b");
	/* an interface keeps its whole name: the poller's row is "nic:eth0" */
	CU_ASSERT_EQUAL(rrdp_metric_parse("nic:eth0", &k, &name), 0);
	CU_ASSERT_EQUAL(k, RRDP_NIC);
	CU_ASSERT_STRING_EQUAL(name, "nic:eth0");
	CU_ASSERT_EQUAL(rrdp_metric_parse("nic:", &k, &name), -1);
	CU_ASSERT_EQUAL(rrdp_metric_parse("proc:", &k, &name), -1);
	CU_ASSERT_EQUAL(rrdp_metric_parse("", &k, &name), -1);
}

/* The layout for a few poll intervals: step rounded to seconds (at least 1),
 * heartbeat 3 steps (at least 10 s), rows covering a day, a week, a year. */
static void test_plan(void)
{
	static const struct {
		uint32_t interval_ms;
		unsigned long step, heartbeat;
		const char *rra[3]; /* AVERAGE; MAX has the same numbers */
	} rows[] = {
		{1000, 1, 10, {"1:86400", "60:10080", "3600:8760"}},
		{100, 1, 10, {"1:86400", "60:10080", "3600:8760"}},   /* below a second: 1 s */
		{1499, 1, 10, {"1:86400", "60:10080", "3600:8760"}},
		{1500, 2, 10, {"1:43200", "30:10080", "1800:8760"}},
		{5000, 5, 15, {"1:17280", "12:10080", "720:8760"}},
		{7000, 7, 21, {"1:12343", "9:9600", "515:8748"}},      /* rows of 63 s, 3605 s */
		{300000, 300, 900, {"1:288", "1:2016", "12:8760"}},    /* a step above a minute */
		{3600000, 3600, 10800, {"1:24", "1:168", "1:8760"}},
	};
	struct rrdp_plan p;
	char want[64];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		rrdp_plan(rows[i].interval_ms, RRDP_RES, &p);
		CU_ASSERT_EQUAL(p.step, rows[i].step);
		CU_ASSERT_EQUAL(p.heartbeat, rows[i].heartbeat);
		CU_ASSERT_EQUAL_FATAL(p.n_args, 7);
		snprintf(want, sizeof want, "DS:value:GAUGE:%lu:0:U", rows[i].heartbeat);
		CU_ASSERT_STRING_EQUAL(p.args[0], want);
		for (size_t j = 0; j < 3; j++) {
			snprintf(want, sizeof want, "RRA:AVERAGE:0.5:%s", rows[i].rra[j]);
			CU_ASSERT_STRING_EQUAL(p.args[1 + j], want);
			snprintf(want, sizeof want, "RRA:MAX:0.5:%s", rows[i].rra[j]);
			CU_ASSERT_STRING_EQUAL(p.args[4 + j], want);
		}
	}
	rrdp_plan(5000, RRDP_PROC, &p);
	CU_ASSERT_EQUAL_FATAL(p.n_args, 8);
	CU_ASSERT_STRING_EQUAL(p.args[0], "DS:cpu:GAUGE:15:0:U");
	CU_ASSERT_STRING_EQUAL(p.args[1], "DS:rss:GAUGE:15:0:U");
	CU_ASSERT_STRING_EQUAL(p.args[2], "RRA:AVERAGE:0.5:1:17280");
	CU_ASSERT_STRING_EQUAL(p.args[7], "RRA:MAX:0.5:720:8760");
	rrdp_plan(1000, RRDP_NIC, &p);
	CU_ASSERT_EQUAL_FATAL(p.n_args, 8);
	CU_ASSERT_STRING_EQUAL(p.args[0], "DS:rx:DERIVE:10:0:U");
	CU_ASSERT_STRING_EQUAL(p.args[1], "DS:tx:DERIVE:10:0:U");
	CU_ASSERT_STRING_EQUAL(p.args[2], "RRA:AVERAGE:0.5:1:86400");
}

static void test_update(void)
{
	char b[64];

	CU_ASSERT_EQUAL(rrdp_update_res(b, sizeof b, 1700000000, 8550), 0);
	CU_ASSERT_STRING_EQUAL(b, "1700000000:85.50");
	CU_ASSERT_EQUAL(rrdp_update_res(b, sizeof b, 1700000000, 7), 0);
	CU_ASSERT_STRING_EQUAL(b, "1700000000:0.07");
	CU_ASSERT_EQUAL(rrdp_update_res(b, sizeof b, 1, 4294967295u), 0);
	CU_ASSERT_STRING_EQUAL(b, "1:42949672.95");
	CU_ASSERT_EQUAL(rrdp_update_proc(b, sizeof b, 1700000000, 12345, 1536), 0);
	CU_ASSERT_STRING_EQUAL(b, "1700000000:123.45:1572864");
	CU_ASSERT_EQUAL(rrdp_update_proc(b, sizeof b, 1700000000, 0, 0), 0);
	CU_ASSERT_STRING_EQUAL(b, "1700000000:0.00:0");
	CU_ASSERT_EQUAL(rrdp_update_nic(b, sizeof b, 1700000000, 18446744073709551615ull, 0), 0);
	CU_ASSERT_STRING_EQUAL(b, "1700000000:18446744073709551615:0");
	errno = 0;
	CU_ASSERT_EQUAL(rrdp_update_res(b, 8, 1700000000, 1), -1);
	CU_ASSERT_EQUAL(errno, ENOBUFS);
}

static CU_TestInfo tests[] = {
	{"escape", test_escape},
	{"path", test_path},
	{"metric_parse", test_metric_parse},
	{"plan", test_plan},
	{"update", test_update},
	CU_TEST_INFO_NULL,
};

CU_MAIN("rrd_plan", tests)
