/* Unit tests for route.c: selectors, the clear that follows a delivered alarm,
 * the dedup window across nodes, damping of a flapping source with the held
 * records released once it calms down, bounded tables under a storm of
 * distinct events, and the group fallback (skips, any/all, every group
 * failed, resuming at a later group). */
#include <stdio.h>
#include <string.h>
#include "cu_main.h"
#include "route.h"

static struct log_rec rec(const char *node, const char *type, int sev, const char *object, const char *state,
			  const char *detail)
{
	struct log_rec r = {.origin = LR_AGENT, .sev = sev};
	snprintf(r.node, sizeof r.node, "%s", node);
	snprintf(r.type_name, sizeof r.type_name, "%s", type);
	snprintf(r.trap_oid, sizeof r.trap_oid, ".1.3.6.1.4.1.32473.7.0.1");
	snprintf(r.object, sizeof r.object, "%s", object);
	snprintf(r.state, sizeof r.state, "%s", state);
	snprintf(r.detail, sizeof r.detail, "%s", detail);
	return r;
}

static void test_match_fields(void)
{
	char *types[] = {"shugoProc*", ".1.3.6.1.4.1.9.*"};
	char *nodes[] = {"alpha", "be?a"};
	char *objects[] = {"proc:web"};
	struct cfg_route_match m = {.types = types, .n_types = 2, .nodes = nodes, .n_nodes = 2};
	struct log_rec r = rec("alpha", "shugoProcAlarm", SEV_MAJOR, "proc:web", "failed", "");

	CHECK(route_match_fields(&(struct cfg_route_match){0}, &r), "an empty selector takes everything");
	CHECK(route_match_fields(&m, &r), "type pattern and node");
	snprintf(r.node, sizeof r.node, "beta");
	CHECK(route_match_fields(&m, &r), "node pattern be?a");
	snprintf(r.node, sizeof r.node, "gamma");
	CHECK(!route_match_fields(&m, &r), "node not listed");
	snprintf(r.node, sizeof r.node, "alpha");
	snprintf(r.type_name, sizeof r.type_name, "shugoResAlarm");
	CHECK(!route_match_fields(&m, &r), "type not listed");
	/* a foreign trap has no name: its OID is matched */
	r.type_name[0] = '\0';
	snprintf(r.trap_oid, sizeof r.trap_oid, ".1.3.6.1.4.1.9.9.41.2.0.1");
	CHECK(route_match_fields(&m, &r), "trap OID pattern");
	m.objects = objects;
	m.n_objects = 1;
	CHECK(route_match_fields(&m, &r), "object");
	snprintf(r.object, sizeof r.object, "proc:db");
	CHECK(!route_match_fields(&m, &r), "other object");
	m.n_objects = 0;
	m.origins = 1u << LR_MANAGER;
	CHECK(!route_match_fields(&m, &r), "origin agent not in {manager}");
	r.origin = LR_MANAGER;
	CHECK(route_match_fields(&m, &r), "origin manager");
}

static void test_clear_follows_alarm(void)
{
	struct cfg_route rt = {.match = {.min_sev = SEV_MAJOR}};
	struct route_gate *g = route_gate_new();
	struct log_rec minor = rec("alpha", "shugoResAlarm", SEV_MINOR, "res:cpu", "warning", "");
	struct log_rec major = rec("alpha", "shugoProcAlarm", SEV_MAJOR, "proc:web", "failed", "");
	struct log_rec clear = rec("alpha", "shugoProcClear", SEV_CLEAR, "proc:web", "running", "");
	struct log_rec other = rec("beta", "shugoProcClear", SEV_CLEAR, "proc:web", "running", "");
	uint32_t held;

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CHECK(!route_gate_match(g, &rt, &minor), "below the severity");
	CHECK(!route_gate_match(g, &rt, &clear), "a clear of nothing delivered");
	CHECK(route_gate_match(g, &rt, &major), "major");
	CHECK(route_gate_check(g, &rt, &major, 1000, &held) == RV_DELIVER, "delivered");
	CHECK(route_gate_match(g, &rt, &clear), "its clear follows it");
	CHECK(!route_gate_match(g, &rt, &other), "not another node's clear");
	CHECK(route_gate_check(g, &rt, &clear, 2000, &held) == RV_DELIVER, "clear delivered");
	CHECK(!route_gate_match(g, &rt, &clear), "a second clear does not follow");
	/* raised again: open again */
	CHECK(route_gate_check(g, &rt, &major, 3000, &held) == RV_DELIVER, "raised again");
	CHECK(route_gate_match(g, &rt, &clear), "open again");
	route_gate_free(g);
}

static void test_dedup(void)
{
	struct cfg_route rt = {.dedup_ms = 60000};
	struct route_gate *g = route_gate_new();
	struct log_rec a = rec("alpha", "shugoNicAlarm", SEV_MAJOR, "nic:eth0", "linkDown", "carrier lost");
	struct log_rec b = rec("beta", "shugoNicAlarm", SEV_MAJOR, "nic:eth0", "linkDown", "carrier lost");
	struct log_rec c = rec("beta", "shugoNicAlarm", SEV_MAJOR, "nic:eth0", "linkDown", "other detail");
	uint32_t held;

	CHECK(route_gate_check(g, &rt, &a, 1000, &held) == RV_DELIVER, "first report");
	CHECK(route_gate_check(g, &rt, &b, 2000, &held) == RV_DUPLICATE, "same event from another node");
	CHECK(route_gate_check(g, &rt, &c, 2000, &held) == RV_DELIVER, "another detail is another event");
	CHECK(route_gate_check(g, &rt, &a, 60999, &held) == RV_DUPLICATE, "inside the window");
	CHECK(route_gate_check(g, &rt, &b, 61000, &held) == RV_DELIVER, "window over");
	rt.dedup_per_node = true;
	CHECK(route_gate_check(g, &rt, &a, 200000, &held) == RV_DELIVER, "per node: alpha");
	CHECK(route_gate_check(g, &rt, &b, 200001, &held) == RV_DELIVER, "per node: beta is another event");
	CHECK(route_gate_check(g, &rt, &b, 200002, &held) == RV_DUPLICATE, "per node: beta again");
	route_gate_free(g);

	/* two alarms delivered (other details): their identical clears end two
	 * alarms, so both are delivered; a third, of nothing delivered, is not */
	g = route_gate_new();
	rt.dedup_per_node = false;
	struct log_rec ca = rec("alpha", "shugoResClear", SEV_CLEAR, "res:cpu", "ok", "cpu back at 60");
	struct log_rec cb = rec("beta", "shugoResClear", SEV_CLEAR, "res:cpu", "ok", "cpu back at 60");
	struct log_rec cc = rec("gamma", "shugoResClear", SEV_CLEAR, "res:cpu", "ok", "cpu back at 60");
	struct log_rec aa = rec("alpha", "shugoResAlarm", SEV_CRITICAL, "res:cpu", "critical", "cpu at 98.1");
	struct log_rec ab = rec("beta", "shugoResAlarm", SEV_CRITICAL, "res:cpu", "critical", "cpu at 98.0");
	CHECK(route_gate_check(g, &rt, &aa, 1000, &held) == RV_DELIVER, "alpha's alarm");
	CHECK(route_gate_check(g, &rt, &ab, 1000, &held) == RV_DELIVER, "beta's alarm");
	CHECK(route_gate_check(g, &rt, &ca, 2000, &held) == RV_DELIVER, "alpha's clear");
	CHECK(route_gate_check(g, &rt, &cb, 2000, &held) == RV_DELIVER, "beta's identical clear ends another alarm");
	CHECK(route_gate_check(g, &rt, &cc, 2000, &held) == RV_DUPLICATE, "gamma's clear of nothing delivered");
	CHECK(route_gate_check(g, &rt, &cb, 2500, &held) == RV_DUPLICATE, "beta's clear again");
	route_gate_free(g);
}

static void test_damping(void)
{
	struct cfg_route rt = {.damp_events = 3, .damp_window_ms = 10000};
	struct route_gate *g = route_gate_new();
	struct log_rec r = rec("alpha", "shugoProcExited", SEV_WARNING, "proc:flaky", "backoff", "");
	struct log_rec o = rec("alpha", "shugoProcExited", SEV_WARNING, "proc:web", "backoff", "");
	int64_t id;
	uint32_t held;

	for (int i = 0; i < 3; i++) {
		r.id = 10 + i;
		CHECK(route_gate_check(g, &rt, &r, 1000 + i, &held) == RV_DELIVER && held == 0, "record %d", i);
	}
	for (int i = 3; i < 8; i++) {
		r.id = 10 + i;
		CHECK(route_gate_check(g, &rt, &r, 1000 + i, &held) == RV_DAMPED, "record %d held", i);
	}
	CHECK(route_gate_check(g, &rt, &o, 1010, &held) == RV_DELIVER, "another source is not held back");
	CHECK(!route_gate_release(g, &rt, 5000, &id, &held), "nothing released inside the window");
	CHECK(route_gate_release(g, &rt, 12000, &id, &held), "released after the window");
	CHECK(id == 17 && held == 4, "the newest held record (id %lld) and the 4 others (%u)", (long long)id, held);
	CHECK(!route_gate_release(g, &rt, 12001, &id, &held), "released once");
	/* held again, then a new record that is let through tells the count */
	for (int i = 0; i < 2; i++) {
		r.id = 30 + i;
		CHECK(route_gate_check(g, &rt, &r, 12100 + i, &held) == RV_DELIVER, "after release %d", i);
	}
	r.id = 40;
	CHECK(route_gate_check(g, &rt, &r, 12200, &held) == RV_DAMPED, "held again");
	r.id = 41;
	CHECK(route_gate_check(g, &rt, &r, 23000, &held) == RV_DELIVER && held == 1,
	      "the next record let through tells of the one held (%u)", held);
	CHECK(!route_gate_release(g, &rt, 40000, &id, &held), "nothing left to release");
	route_gate_free(g);
}

/* A storm of distinct events: the tables stay bounded and recent keys keep
 * working. */
static void test_storm(void)
{
	struct cfg_route rt = {.dedup_ms = 1000000, .damp_events = 2, .damp_window_ms = 100000};
	struct route_gate *g = route_gate_new();
	uint32_t held;
	char obj[32];

	for (int i = 0; i < 200000; i++) {
		snprintf(obj, sizeof obj, "proc:p%d", i);
		struct log_rec r = rec("alpha", "shugoProcExited", SEV_WARNING, obj, "backoff", "");
		CHECK(route_gate_check(g, &rt, &r, i, &held) == RV_DELIVER, "distinct event %d", i);
		if (i % 20000 == 0)
			CHECK(route_gate_check(g, &rt, &r, i, &held) == RV_DUPLICATE, "its repeat %d", i);
	}
	route_gate_free(g);
}

/* Destinations 0..5; odd ones are on a node that is down. */
static bool avail_even(size_t dest, void *arg)
{
	(void)arg;
	return dest % 2 == 0;
}

static void test_fallback(void)
{
	size_t g0[] = {1, 3}, g1[] = {0, 2}, g2[] = {4};
	struct cfg_route_group groups[] = {{g0, 2}, {g1, 2}, {g2, 1}};
	struct cfg_route rt = {.groups = groups, .n_groups = 3};
	struct rjob j;

	/* group 0 is all down: skipped; group 1 is attempted */
	CHECK(rjob_start(&j, &rt, 0, avail_even, NULL) == RJ_ATTEMPT && j.group == 1, "down group skipped");
	CHECK(j.skipped == 1, "group 0 noted as skipped (%#x)", (unsigned)j.skipped);
	CHECK(j.st[0] == RJD_PENDING && j.st[1] == RJD_PENDING, "both attempted");
	CHECK(rjob_result(&j, 0, false, avail_even, NULL) == RJ_WAIT, "one failed, one pending");
	CHECK(rjob_result(&j, 1, true, avail_even, NULL) == RJ_DELIVERED, "any: one acknowledged is enough");

	/* all: one failure moves on to the next group */
	rt.need_all = true;
	CHECK(rjob_start(&j, &rt, 0, avail_even, NULL) == RJ_ATTEMPT && j.group == 1, "start");
	CHECK(rjob_result(&j, 1, true, avail_even, NULL) == RJ_WAIT, "one acknowledged");
	CHECK(rjob_result(&j, 0, false, avail_even, NULL) == RJ_ATTEMPT && j.group == 2, "all: fell back");
	CHECK(rjob_result(&j, 0, true, avail_even, NULL) == RJ_DELIVERED, "the last group acknowledged");

	/* every group fails */
	rt.need_all = false;
	CHECK(rjob_start(&j, &rt, 0, NULL, NULL) == RJ_ATTEMPT && j.group == 0, "no skips without avail");
	CHECK(rjob_result(&j, 0, false, NULL, NULL) == RJ_WAIT, "g0 first");
	CHECK(rjob_result(&j, 1, false, NULL, NULL) == RJ_ATTEMPT && j.group == 1, "g0 failed");
	CHECK(rjob_result(&j, 1, false, NULL, NULL) == RJ_WAIT, "g1 one");
	CHECK(rjob_result(&j, 1, false, NULL, NULL) == RJ_WAIT, "a second result for the same one is ignored");
	CHECK(rjob_result(&j, 0, false, NULL, NULL) == RJ_ATTEMPT && j.group == 2, "g1 failed");
	CHECK(rjob_result(&j, 0, false, NULL, NULL) == RJ_FAILED, "every group failed");

	/* resuming at a later group; and nothing available at all */
	CHECK(rjob_start(&j, &rt, 2, NULL, NULL) == RJ_ATTEMPT && j.group == 2, "resume at group 2");
	groups[2].dest[0] = 5;
	CHECK(rjob_start(&j, &rt, 2, avail_even, NULL) == RJ_FAILED, "nothing to try is a failure");
}

static void test_failure_raises(void)
{
	struct log_rec r = rec("alpha", "shugoProcAlarm", SEV_MAJOR, "proc:web", "failed", "");
	struct log_rec nf = {.origin = LR_MANAGER, .type = MGR_NOTIFY_FAILED};

	CHECK(route_failure_raises(&r), "an undelivered alarm raises notification failed");
	CHECK(!route_failure_raises(&nf), "an undelivered notification-failed does not");
	nf.origin = LR_AGENT; /* agent type 5 is shugoResAlarm, not the manager's */
	CHECK(route_failure_raises(&nf), "by origin and type");
}

static CU_TestInfo tests[] = {
	{"selectors", test_match_fields},
	{"a clear follows its alarm", test_clear_follows_alarm},
	{"dedup window across nodes", test_dedup},
	{"damping and release", test_damping},
	{"storm of distinct events", test_storm},
	{"group fallback", test_fallback},
	{"notification failed is raised once", test_failure_raises},
	CU_TEST_INFO_NULL,
};

CU_MAIN("route", tests)
