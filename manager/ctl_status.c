/* shugoctl status: the cluster's nodes as the manager last stored them, or one
 * node's processes, resources and alarms; rows the manager could not refresh
 * because the node stopped answering are shown, marked stale. Reads the store
 * only, so it works while the manager is down. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "event.h"
#include "node_fsm.h"

/* trapd rewrites its counters every few seconds while it runs; older ones
 * mean it is not running (or not writing to this store). */
#define TRAPD_STALE_MS 10000

static const char usage_text[] =
	"usage: shugoctl [GLOBAL OPTIONS] status [--json] [NODE]\n"
	"\n"
	"Without NODE: one line per node (state, last seen, boot count, processes\n"
	"total/problem, resource problems, alarms (critical)) and trapd's counters.\n"
	"With NODE: that node's processes, resources and alarms.\n"
	"Rows the manager could not refresh since the node stopped answering are\n"
	"marked stale.\n"
	"\n"
	"Exit status: 0 fine, 1 usage or store error, 2 no such node in the store.\n";

struct vec {
	void *v;
	size_t n, cap, size;
};

static int vec_push(struct vec *a, const void *x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		void *n = realloc(a->v, cap * a->size);
		if (!n)
			return -1;
		a->v = n;
		a->cap = cap;
	}
	memcpy((char *)a->v + a->n * a->size, x, a->size);
	a->n++;
	return 0;
}

static int push_node(const struct store_node *n, void *arg) { return vec_push(arg, n) ? -1 : 0; }
static int push_proc(const struct store_proc *p, void *arg) { return vec_push(arg, p) ? -1 : 0; }
static int push_res(const struct store_res *r, void *arg) { return vec_push(arg, r) ? -1 : 0; }
static int push_alarm(const struct store_alarm *a, void *arg) { return vec_push(arg, a) ? -1 : 0; }

struct counter {
	char name[64];
	uint64_t value;
	int64_t updated_ms;
};

static int push_counter(const char *name, uint64_t value, int64_t updated_ms, void *arg)
{
	struct counter c = {.value = value, .updated_ms = updated_ms};

	snprintf(c.name, sizeof c.name, "%s", name);
	return vec_push(arg, &c) ? -1 : 0;
}

/* trapd's counters, in the order of shugoMgrTrapd, then any others by name. */
static const char *const trapd_order[] = {"received", "stored", "duplicates", "malformed", "rate_limited",
					  "kernel_drops", "informs_acked", "auth_failures", "queue_dropped"};

static size_t counter_rank(const char *name)
{
	size_t n = sizeof trapd_order / sizeof trapd_order[0];

	for (size_t i = 0; i < n; i++)
		if (strcmp(name, trapd_order[i]) == 0)
			return i;
	return n;
}

static int cmp_counter(const void *a, const void *b)
{
	const struct counter *x = a, *y = b;
	size_t rx = counter_rank(x->name), ry = counter_rank(y->name);

	return rx != ry ? (rx < ry ? -1 : 1) : strcmp(x->name, y->name);
}

/* What one node's row summarises. */
struct summary {
	size_t procs, proc_problems, res_problems, alarms, critical;
	bool stale;
	int64_t updated_ms; /* newest poll among its rows */
};

struct view {
	struct vec nodes, procs, res, alarms, counters;
	struct summary *sum; /* one per node */
};

static void view_free(struct view *v)
{
	free(v->nodes.v);
	free(v->procs.v);
	free(v->res.v);
	free(v->alarms.v);
	free(v->counters.v);
	free(v->sum);
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct store_node *)a)->name, ((const struct store_node *)b)->name);
}

static struct summary *sum_of(struct view *v, const char *node)
{
	struct store_node key;
	struct store_node *n;

	snprintf(key.name, sizeof key.name, "%s", node);
	n = bsearch(&key, v->nodes.v, v->nodes.n, sizeof key, cmp_node);
	return n ? &v->sum[n - (struct store_node *)v->nodes.v] : NULL;
}

static void seen(struct summary *s, bool stale, int64_t updated_ms)
{
	s->stale |= stale;
	if (updated_ms > s->updated_ms)
		s->updated_ms = updated_ms;
}

/* Read the nodes (all, or the one named) and their rows. -1 on a store error
 * (reported), 0 otherwise. */
static int load(struct ctl *c, struct view *v, const char *node)
{
	v->nodes.size = sizeof(struct store_node);
	v->procs.size = sizeof(struct store_proc);
	v->res.size = sizeof(struct store_res);
	v->alarms.size = sizeof(struct store_alarm);
	v->counters.size = sizeof(struct counter);
	if (node) {
		struct store_node n;
		int rc = store_node_get(c->store, node, &n);
		if (rc < 0)
			goto fail;
		if (rc == 0 && vec_push(&v->nodes, &n) < 0)
			goto oom;
	} else if (store_node_list(c->store, push_node, &v->nodes) < 0) {
		goto fail;
	}
	if (v->nodes.n)
		qsort(v->nodes.v, v->nodes.n, v->nodes.size, cmp_node);
	if (store_proc_list(c->store, node, push_proc, &v->procs) < 0 ||
	    store_res_list(c->store, node, push_res, &v->res) < 0 ||
	    store_alarm_list(c->store, node, push_alarm, &v->alarms) < 0 ||
	    store_counters_list(c->store, "trapd", push_counter, &v->counters) < 0)
		goto fail;
	if (v->counters.n)
		qsort(v->counters.v, v->counters.n, v->counters.size, cmp_counter);
	v->sum = calloc(v->nodes.n ? v->nodes.n : 1, sizeof *v->sum);
	if (!v->sum)
		goto oom;
	for (size_t i = 0; i < v->procs.n; i++) {
		const struct store_proc *p = (const struct store_proc *)v->procs.v + i;
		struct summary *s = sum_of(v, p->node);
		if (!s)
			continue;
		s->procs++;
		s->proc_problems += ctl_proc_problem(p->state);
		seen(s, p->stale, p->updated_ms);
	}
	for (size_t i = 0; i < v->res.n; i++) {
		const struct store_res *r = (const struct store_res *)v->res.v + i;
		struct summary *s = sum_of(v, r->node);
		if (!s)
			continue;
		s->res_problems += ctl_res_problem(r->type, r->state);
		seen(s, r->stale, r->updated_ms);
	}
	for (size_t i = 0; i < v->alarms.n; i++) {
		const struct store_alarm *a = (const struct store_alarm *)v->alarms.v + i;
		struct summary *s = sum_of(v, a->node);
		if (!s)
			continue;
		s->alarms++;
		s->critical += a->sev == SEV_CRITICAL;
		seen(s, a->stale, a->updated_ms);
	}
	return 0;
oom:
	fprintf(stderr, "shugoctl: out of memory\n");
	return -1;
fail:
	fprintf(stderr, "shugoctl: %s: %s\n", c->store_path, store_errmsg(c->store));
	return -1;
}

/* Whether the node's rows are not current: it does not answer, or they say so. */
static bool node_stale(const struct store_node *n, const struct summary *s)
{
	return s->stale || (n->state != NODE_UP && (s->procs || s->updated_ms));
}

/* "stale: node down since 2026-11-22 10:04:05.120" */
static const char *stale_text(char *buf, size_t size, const struct store_node *n, const struct summary *s)
{
	char t[40];

	ctl_fmt_time(t, sizeof t, n->last_change_ms);
	switch (n->state) {
	case NODE_UP:
		ctl_fmt_time(t, sizeof t, s->updated_ms);
		snprintf(buf, size, "stale: last polled %s", t);
		break;
	case NODE_UNKNOWN:
		snprintf(buf, size, "stale: node not heard from since the manager started");
		break;
	default:
		snprintf(buf, size, "stale: node %s since %s", node_state_name(n->state), t);
	}
	return buf;
}

static const char *hundredths(char *buf, size_t size, uint32_t v, const char *unit)
{
	snprintf(buf, size, "%u.%02u%s", v / 100, v % 100, unit);
	return buf;
}

static const char *res_value(char *buf, size_t size, const struct store_res *r)
{
	if (r->type == 0 || r->type == 6)
		snprintf(buf, size, "-");
	else
		hundredths(buf, size, r->value, r->type == 4 ? "" : "%");
	return buf;
}

static const char *kib(char *buf, size_t size, uint64_t kb)
{
	if (kb < 1024)
		snprintf(buf, size, "%llu KiB", (unsigned long long)kb);
	else if (kb < 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", (double)kb / 1024);
	else
		snprintf(buf, size, "%.1f GiB", (double)kb / (1024 * 1024));
	return buf;
}

static const char *alarm_type(char *buf, size_t size, int type)
{
	const char *n = ev_type_name(type);

	if (n)
		snprintf(buf, size, "%s", n);
	else
		snprintf(buf, size, "%d", type);
	return buf;
}

static int64_t counters_updated(const struct vec *cv)
{
	const struct counter *k = cv->v;
	int64_t updated = 0;

	for (size_t i = 0; i < cv->n; i++)
		if (k[i].updated_ms > updated)
			updated = k[i].updated_ms;
	return updated;
}

/* trapd's counters on one line, and a warning when trapd stopped writing them. */
static void print_trapd(const struct ctl *c, const struct vec *cv)
{
	const struct counter *k = cv->v;
	int64_t updated = counters_updated(cv);
	char age[32];

	if (cv->n == 0) {
		printf("trapd: no counters in the store (shugo-trapd has not run with it)\n");
		return;
	}
	fputs("trapd:", stdout);
	for (size_t i = 0; i < cv->n; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s", k[i].name);
		for (char *p = name; *p; p++)
			if (*p == '_')
				*p = ' ';
		printf("%s %s %llu", i ? "," : "", name, (unsigned long long)k[i].value);
	}
	printf(" (updated %s)\n", ctl_fmt_age(age, sizeof age, updated, c->now_ms));
	if (c->now_ms - updated > TRAPD_STALE_MS)
		printf("trapd: no counters for %lld s: is shugo-trapd running?\n",
		       (long long)((c->now_ms - updated) / 1000));
}

static void print_nodes(const struct ctl *c, struct view *v)
{
	static const char *const heads[] = {"NODE", "STATE", "LAST SEEN", "BOOT", "PROCS/BAD",
					    "RES BAD", "ALARMS(CRIT)", "NOTE"};
	struct ctl_table *t = ctl_table_new(8, heads);
	const struct store_node *nodes = v->nodes.v;

	if (!t)
		return;
	for (size_t i = 0; i < v->nodes.n; i++) {
		const struct store_node *n = &nodes[i];
		const struct summary *s = &v->sum[i];
		char age[32], boot[16], procs[48], res[24], al[48], note[128];
		const char *cells[8] = {n->name, node_state_name(n->state), age, boot, procs, res, al, note};
		ctl_fmt_age(age, sizeof age, n->last_seen_ms, c->now_ms);
		snprintf(boot, sizeof boot, "%u", n->boot);
		snprintf(procs, sizeof procs, "%zu/%zu", s->procs, s->proc_problems);
		snprintf(res, sizeof res, "%zu", s->res_problems);
		snprintf(al, sizeof al, "%zu(%zu)", s->alarms, s->critical);
		note[0] = '\0';
		if (node_stale(n, s))
			stale_text(note, sizeof note, n, s);
		ctl_table_row(t, cells);
	}
	if (v->nodes.n == 0)
		printf("no nodes in the store\n");
	else
		ctl_table_print(t, stdout, NULL);
	ctl_table_free(t);
	print_trapd(c, &v->counters);
}

static void print_node(const struct ctl *c, struct view *v)
{
	const struct store_node *n = v->nodes.v;
	const struct summary *s = v->sum;
	bool stale = node_stale(n, s);
	char a[48], b[48], buf[1100];
	struct ctl_table *t;

	printf("node %s: %s", n->name, node_state_name(n->state));
	if (n->last_change_ms)
		printf(" since %s", ctl_fmt_time(a, sizeof a, n->last_change_ms));
	printf(", last seen %s\n", ctl_fmt_age(b, sizeof b, n->last_seen_ms, c->now_ms));
	printf("  address %s, boot %u, notification sequence %u (complete to %u)\n", n->address, n->boot,
	       n->notif_seq, n->repaired_seq);
	if (n->detail[0])
		printf("  %s\n", ctl_text(buf, sizeof buf, n->detail));
	if (stale)
		printf("%s: the rows below may be out of date\n", stale_text(buf, sizeof buf, n, s));

	static const char *const ph[] = {"NAME", "KIND", "STATE", "INSTANCES", "RESTARTS", "CPU%", "RSS", ""};
	printf("\nprocesses:\n");
	t = ctl_table_new(8, ph);
	for (size_t i = 0; t && i < v->procs.n; i++) {
		const struct store_proc *p = (const struct store_proc *)v->procs.v + i;
		char inst[16], rs[16], cpu[24], rss[32];
		const char *cells[8] = {p->name, ctl_proc_kind(p->kind), ctl_proc_state(p->state), inst, rs,
					cpu, rss, p->stale ? "stale" : ""};
		snprintf(inst, sizeof inst, "%u", p->instances);
		snprintf(rs, sizeof rs, "%u", p->restarts);
		hundredths(cpu, sizeof cpu, p->cpu, "");
		kib(rss, sizeof rss, p->rss_kb);
		ctl_table_row(t, cells);
	}
	if (v->procs.n && t)
		ctl_table_print(t, stdout, "  ");
	else
		printf("  (none)\n");
	ctl_table_free(t);

	static const char *const rh[] = {"NAME", "VALUE", "STATE", "DETAIL", ""};
	printf("\nresources:\n");
	t = ctl_table_new(5, rh);
	for (size_t i = 0; t && i < v->res.n; i++) {
		const struct store_res *r = (const struct store_res *)v->res.v + i;
		char val[24];
		const char *cells[5] = {r->name, res_value(val, sizeof val, r), ctl_res_state(r->type, r->state),
					ctl_text(buf, sizeof buf, r->detail), r->stale ? "stale" : ""};
		ctl_table_row(t, cells);
	}
	if (v->res.n && t)
		ctl_table_print(t, stdout, "  ");
	else
		printf("  (none)\n");
	ctl_table_free(t);

	static const char *const ah[] = {"ID", "SEVERITY", "TYPE", "OBJECT", "RAISED", "DETAIL", ""};
	printf("\nalarms:\n");
	t = ctl_table_new(7, ah);
	for (size_t i = 0; t && i < v->alarms.n; i++) {
		const struct store_alarm *al = (const struct store_alarm *)v->alarms.v + i;
		char id[16], ty[32], raised[48], obj[400];
		const char *cells[7] = {id, ev_sev_name(al->sev), alarm_type(ty, sizeof ty, al->type),
					ctl_text(obj, sizeof obj, al->object),
					ctl_fmt_time(raised, sizeof raised, al->raised * 1000),
					ctl_text(buf, sizeof buf, al->detail), al->stale ? "stale" : ""};
		snprintf(id, sizeof id, "%u", al->id);
		ctl_table_row(t, cells);
	}
	if (v->alarms.n && t)
		ctl_table_print(t, stdout, "  ");
	else
		printf("  (none)\n");
	ctl_table_free(t);
	printf("\n");
	print_trapd(c, &v->counters);
}

static void json_node(FILE *f, const struct store_node *n, const struct summary *s)
{
	char buf[160];

	json_kstr(f, "name", n->name);
	fputc(',', f);
	json_kstr(f, "address", n->address);
	fputc(',', f);
	json_kstr(f, "state", node_state_name(n->state));
	fputc(',', f);
	json_ktime(f, "last_seen", n->last_seen_ms);
	fputc(',', f);
	json_ktime(f, "last_change", n->last_change_ms);
	fputc(',', f);
	json_kint(f, "boot", n->boot);
	fputc(',', f);
	json_kint(f, "notif_seq", n->notif_seq);
	fputc(',', f);
	json_kint(f, "repaired_seq", n->repaired_seq);
	fputc(',', f);
	json_kstr(f, "detail", n->detail);
	fputc(',', f);
	json_kbool(f, "stale", node_stale(n, s));
	fputc(',', f);
	json_kstr(f, "stale_reason", node_stale(n, s) ? stale_text(buf, sizeof buf, n, s) : "");
	fputc(',', f);
	json_kint(f, "processes_total", (int64_t)s->procs);
	fputc(',', f);
	json_kint(f, "processes_problem", (int64_t)s->proc_problems);
	fputc(',', f);
	json_kint(f, "resource_problems", (int64_t)s->res_problems);
	fputc(',', f);
	json_kint(f, "alarms", (int64_t)s->alarms);
	fputc(',', f);
	json_kint(f, "alarms_critical", (int64_t)s->critical);
}

static void json_rows(FILE *f, const struct view *v)
{
	char buf[32], ty[32];

	fputs(",\"processes\":[", f);
	for (size_t i = 0; i < v->procs.n; i++) {
		const struct store_proc *p = (const struct store_proc *)v->procs.v + i;
		fputs(i ? ",{" : "{", f);
		json_kstr(f, "name", p->name);
		fputc(',', f);
		json_kstr(f, "kind", ctl_proc_kind(p->kind));
		fputc(',', f);
		json_kstr(f, "state", ctl_proc_state(p->state));
		fputc(',', f);
		json_kint(f, "instances", p->instances);
		fputc(',', f);
		json_kint(f, "restarts", p->restarts);
		fprintf(f, ",\"cpu_percent\":%s,", hundredths(buf, sizeof buf, p->cpu, ""));
		json_kint(f, "rss_kb", (int64_t)p->rss_kb);
		fputc(',', f);
		json_ktime(f, "last_change", p->last_change * 1000);
		fputc(',', f);
		json_ktime(f, "updated", p->updated_ms);
		fputc(',', f);
		json_kbool(f, "problem", ctl_proc_problem(p->state));
		fputc(',', f);
		json_kbool(f, "stale", p->stale);
		fputc('}', f);
	}
	fputs("],\"resources\":[", f);
	for (size_t i = 0; i < v->res.n; i++) {
		const struct store_res *r = (const struct store_res *)v->res.v + i;
		fputs(i ? ",{" : "{", f);
		json_kstr(f, "name", r->name);
		fputc(',', f);
		json_kstr(f, "type", ctl_res_type(r->type));
		if (r->type != 0 && r->type != 6)
			fprintf(f, ",\"value\":%s", hundredths(buf, sizeof buf, r->value, ""));
		else
			fputs(",\"value\":null", f);
		fputc(',', f);
		json_kstr(f, "state", ctl_res_state(r->type, r->state));
		fputc(',', f);
		json_kstr(f, "detail", r->detail);
		fputc(',', f);
		json_ktime(f, "updated", r->updated_ms);
		fputc(',', f);
		json_kbool(f, "problem", ctl_res_problem(r->type, r->state));
		fputc(',', f);
		json_kbool(f, "stale", r->stale);
		fputc('}', f);
	}
	fputs("],\"alarms\":[", f);
	for (size_t i = 0; i < v->alarms.n; i++) {
		const struct store_alarm *a = (const struct store_alarm *)v->alarms.v + i;
		fputs(i ? ",{" : "{", f);
		json_kint(f, "id", a->id);
		fputc(',', f);
		json_kstr(f, "type", alarm_type(ty, sizeof ty, a->type));
		fputc(',', f);
		json_kstr(f, "severity", ev_sev_name(a->sev));
		fputc(',', f);
		json_kstr(f, "object", a->object);
		fputc(',', f);
		json_ktime(f, "raised", a->raised * 1000);
		fputc(',', f);
		json_kstr(f, "detail", a->detail);
		fputc(',', f);
		json_ktime(f, "updated", a->updated_ms);
		fputc(',', f);
		json_kbool(f, "stale", a->stale);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_status(const struct ctl *c, const struct view *v, bool detail)
{
	FILE *f = stdout;
	const struct counter *k = v->counters.v;
	int64_t updated = counters_updated(&v->counters);

	fputc('{', f);
	json_kstr(f, "store", c->store_path);
	fputc(',', f);
	json_ktime(f, "now", c->now_ms);
	fputs(",\"nodes\":[", f);
	for (size_t i = 0; i < v->nodes.n; i++) {
		fputs(i ? ",{" : "{", f);
		json_node(f, (const struct store_node *)v->nodes.v + i, &v->sum[i]);
		if (detail)
			json_rows(f, v);
		fputc('}', f);
	}
	fputs("],\"trapd\":", f);
	if (v->counters.n == 0) {
		fputs("null", f);
	} else {
		fputs("{\"counters\":{", f);
		for (size_t i = 0; i < v->counters.n; i++) {
			if (i)
				fputc(',', f);
			json_kint(f, k[i].name, (int64_t)k[i].value);
		}
		fputs("},", f);
		json_ktime(f, "updated", updated);
		fputc(',', f);
		json_kbool(f, "stale", c->now_ms - updated > TRAPD_STALE_MS);
		fputc('}', f);
	}
	fputs("}\n", f);
}

int ctl_status(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct view v = {0};
	const char *node = NULL;
	int ch, rc = CTL_ERR;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': c->json = true; break;
		case 'h': fputs(usage_text, stdout); return CTL_OK;
		default: return ctl_usage_error(usage_text, "status: unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		node = argv[optind++];
	if (optind < argc)
		return ctl_usage_error(usage_text, "status: unexpected argument '%s'", argv[optind]);
	if (ctl_open(c) < 0)
		return CTL_ERR;
	if (load(c, &v, node) < 0)
		goto out;
	if (node && v.nodes.n == 0) {
		fprintf(stderr, "shugoctl: no node '%s' in %s\n", node, c->store_path);
		rc = CTL_NOTFOUND;
		goto out;
	}
	if (c->json)
		json_status(c, &v, node != NULL);
	else if (node)
		print_node(c, &v);
	else
		print_nodes(c, &v);
	rc = CTL_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* a reader that went away (| head) is not an error worth a message */
		if (errno != EPIPE) {
			perror("shugoctl: stdout");
			rc = CTL_ERR;
		}
	}
out:
	view_free(&v);
	return rc;
}
