/* The router: routes with their gates, the jobs (one record along one route),
 * the attempts of each job's current group, and the store rows that record
 * them. The decisions are route.c's; this file carries them out. A job
 * keeps the configuration it started under alive until it ends, so that a
 * reload never pulls a destination out from under an attempt. */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cluster.h"
#include "deliver.h"
#include "json.h"
#include "log.h"
#include "model.h"
#include "route.h"
#include "router.h"
#include "strutil.h"

#define WHY_MAX 768
#define RAISE_MAX 64 /* notification-failed records waiting to be raised */

/* A configuration in use: the current one, or one replaced by a reload that
 * still has jobs. */
struct gen {
	struct shugo_config *owned; /* NULL for the current one until released */
	const struct shugo_config *cfg;
	unsigned jobs;
	bool retired;
	struct gen *next;
};

struct rroute {
	const struct cfg_route *rt;
	struct route_gate *gate;
	char def[1024]; /* its definition as text (store: a changed route is new) */
	bool fresh;     /* new or changed, and to be told the current state */
};

struct job {
	struct gen *gen;
	const struct cfg_route *rt;
	struct rjob fsm;
	struct log_rec rec;
	bool snapshot;
	uint32_t held;
	char *payload[ROUTE_GROUP_MAX]; /* per attempt: the JSON line */
	struct delivery *att[ROUTE_GROUP_MAX];
	int64_t row[ROUTE_GROUP_MAX];
	char why[WHY_MAX]; /* what failed so far, for the log and the failure record */
	uint32_t skips_told; /* groups whose skipped rows are written */
	struct job *prev, *next;
};

static struct store *S;
static struct gen *gens; /* the first is the current one */
static struct rroute *routes;
static size_t n_routes;
static struct job *jobs;
static int64_t routed_before; /* records up to this id may have been routed by the last run */
static unsigned depth;
static struct log_rec raises[RAISE_MAX];
static size_t n_raises;
/* routing.events with `once`: a gate each, the window kept in a route of its own */
static struct once {
	const struct cfg_event_def *def;
	struct cfg_route rt;
	struct route_gate *gate;
} *onces;
static size_t n_onces;

/* ---- availability (S7-3: a destination on a node that is down is skipped) ---- */

static bool dest_avail(size_t dest, void *arg)
{
	const struct shugo_config *cfg = arg;
	const struct cfg_dest *d = &cfg->routing.dests[dest];
	const struct mgr_node *n;

	if (!d->node[0] || !mgr_model || !(n = model_node(mgr_model, d->node)))
		return true;
	return n->fsm.state != NODE_DOWN && n->fsm.state != NODE_STOPPED;
}

/* ---- raising "notification failed" after the current entry point ---- */

static void enter(void)
{
	depth++;
}

static void leave(void)
{
	if (--depth)
		return;
	/* Raised records pass through cluster_publish and come back here as
	 * new records, outside any job's handling. */
	depth++;
	for (size_t i = 0; i < n_raises; i++)
		cluster_raise(&raises[i]);
	n_raises = 0;
	depth--;
}

static void queue_failure(const struct job *j)
{
	const struct log_rec *r = &j->rec;
	struct log_rec *f;

	if (!route_failure_raises(r)) {
		/* S7-12: the failure of a failure notice ends here */
		log_err("route %s: notification-failed record %" PRId64 " could not be delivered either; not raised "
			"again",
			j->rt->name, r->id);
		return;
	}
	if (n_raises == RAISE_MAX) {
		log_err("route %s: too many undelivered records at once; no notification-failed record for log %" PRId64,
			j->rt->name, r->id);
		return;
	}
	f = &raises[n_raises++];
	memset(f, 0, sizeof *f);
	f->type = MGR_NOTIFY_FAILED;
	f->sev = SEV_MAJOR;
	str_copy(f->node, r->node[0] ? r->node : (mgr_model ? mgr_model->node_name : ""), sizeof f->node);
	snprintf(f->object, sizeof f->object, "route:%s", j->rt->name);
	str_copy(f->state, "failed", sizeof f->state);
	snprintf(f->detail, sizeof f->detail, "log %" PRId64 " (%s %s %s %s) not delivered: %.600s", r->id,
		 r->type_name[0] ? r->type_name : r->trap_oid, r->node[0] ? r->node : "-", r->object, r->state,
		 j->why);
}

/* ---- jobs ---- */

static void why_add(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why_add(struct job *j, const char *fmt, ...)
{
	size_t n = strlen(j->why);
	va_list ap;

	if (n && n + 2 < sizeof j->why) {
		memcpy(j->why + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(j->why + n, sizeof j->why - n, fmt, ap);
	va_end(ap);
}

static void gen_maybe_free(struct gen *g);

static void job_free(struct job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	for (size_t k = 0; k < ROUTE_GROUP_MAX; k++) {
		free(j->payload[k]);
		free(j->att[k]);
	}
	j->gen->jobs--;
	gen_maybe_free(j->gen);
	free(j);
}

static const struct cfg_dest *dest_of(const struct job *j, size_t k)
{
	return &j->gen->cfg->routing.dests[j->rt->groups[j->fsm.group].dest[k]];
}

static void end_row(struct job *j, size_t k, const char *state, const char *result)
{
	if (j->row[k] > 0 && store_delivery_end(S, j->row[k], state, result, mgr_wall_ms()) < 0)
		log_err("route %s: cannot record the delivery of log %" PRId64 ": %s", j->rt->name, j->rec.id,
			store_errmsg(S));
	j->row[k] = 0;
}

/* A row for the job's record: an attempt in group `priority` (1 = first),
 * or with priority 0 and dest "" a verdict that made no attempt. */
static int64_t add_row(const struct job *j, int priority, const char *dest, const char *state, const char *result)
{
	struct store_delivery d = {.log_id = j->rec.id, .priority = priority, .snapshot = j->snapshot,
				   .held = j->held, .started_ms = mgr_wall_ms()};
	int64_t id;

	str_copy(d.route, j->rt->name, sizeof d.route);
	str_copy(d.destination, dest, sizeof d.destination);
	str_copy(d.state, state, sizeof d.state);
	str_copy(d.result, result, sizeof d.result);
	if (strcmp(state, "pending"))
		d.ended_ms = d.started_ms;
	if ((id = store_delivery_add(S, &d)) < 0)
		log_err("route %s: cannot record a delivery of log %" PRId64 ": %s", j->rt->name, j->rec.id,
			store_errmsg(S));
	return id;
}

static char *payload_of(const struct job *j, const struct cfg_dest *d, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return NULL;
	fputc('{', f);
	json_kstr(f, "route", j->rt->name);
	fputc(',', f);
	json_kstr(f, "destination", d->name);
	fputc(',', f);
	json_kint(f, "group", (int64_t)j->fsm.group + 1);
	fputc(',', f);
	json_kbool(f, "snapshot", j->snapshot);
	fputc(',', f);
	json_kint(f, "held", j->held);
	fputc(',', f);
	json_log_rec(f, &j->rec);
	fputs("}\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

static void drive(struct job *j, enum rjob_next nx);

static void attempt_log(const struct job *j, const struct cfg_dest *dest, bool ok, const char *result)
{
	if (ok)
		log_info("route %s: log %" PRId64 " delivered to %s (group %zu): %s", j->rt->name, j->rec.id,
			 dest->name, j->fsm.group + 1, result);
	else
		log_warn("route %s: log %" PRId64 ": %s (group %zu) failed: %s", j->rt->name, j->rec.id, dest->name,
			 j->fsm.group + 1, result);
}

/* Attempt k ended: its row, the log line, and what the job does next. */
static enum rjob_next attempt_ended(struct job *j, size_t k, bool ok, const char *result)
{
	const struct cfg_dest *dest = dest_of(j, k);

	end_row(j, k, ok ? "ok" : "failed", result);
	attempt_log(j, dest, ok, result);
	if (!ok)
		why_add(j, "%s: %s", dest->name, result);
	free(j->att[k]);
	j->att[k] = NULL;
	free(j->payload[k]);
	j->payload[k] = NULL;
	return rjob_result(&j->fsm, k, ok, dest_avail, (void *)j->gen->cfg);
}

static void on_done(struct delivery *d, bool ok, const char *result)
{
	struct job *j = d->owner;
	size_t k;

	for (k = 0; k < ROUTE_GROUP_MAX && j->att[k] != d; k++)
		;
	if (k == ROUTE_GROUP_MAX) /* cannot happen: every attempt is in its job */
		return;
	enter();
	drive(j, attempt_ended(j, k, ok, result));
	leave();
}

/* Start attempt k of the current group; what the job does next when the
 * attempt ended at once, else RJ_WAIT. */
static enum rjob_next attempt(struct job *j, size_t k)
{
	const struct cfg_dest *dest = dest_of(j, k);
	const struct deliver_method *m = deliver_method_of(dest->method);
	char err[DELIVER_RESULT_MAX] = "out of memory";
	struct delivery *d;
	size_t len = 0;
	int rc = -1;

	j->row[k] = add_row(j, (int)j->fsm.group + 1, dest->name, "pending", "");
	d = j->att[k] = calloc(1, sizeof *d);
	if (d && (j->payload[k] = payload_of(j, dest, &len))) {
		*d = (struct delivery){.dest = dest, .cfg = j->gen->cfg, .rec = &j->rec, .route = j->rt->name,
				       .group = (unsigned)j->fsm.group + 1, .snapshot = j->snapshot, .held = j->held,
				       .payload = j->payload[k], .len = len,
				       .deadline_ms = mgr_mono_ms() + dest->timeout_ms, .done = on_done, .owner = j};
		rc = m ? m->start(d, err, sizeof err) : -1;
	}
	if (rc == 0)
		return RJ_WAIT;
	return attempt_ended(j, k, rc == 1, err);
}

/* A destination of group g passed over: its node is down. */
static void skip_row(struct job *j, size_t g, size_t k)
{
	const struct cfg_dest *dest = &j->gen->cfg->routing.dests[j->rt->groups[g].dest[k]];
	char why[CFG_NAME_MAX + 32];

	snprintf(why, sizeof why, "node %s is down", dest->node);
	add_row(j, (int)g + 1, dest->name, "skipped", why);
	why_add(j, "%s: skipped, node %s down", dest->name, dest->node);
}

/* Rows for the destinations of groups passed over as unavailable (S7-3). */
static void tell_skips(struct job *j)
{
	for (size_t g = 0; g < j->rt->n_groups && g < 32; g++) {
		if (!(j->fsm.skipped & ~j->skips_told & 1u << g))
			continue;
		j->skips_told |= 1u << g;
		for (size_t k = 0; k < j->rt->groups[g].n; k++)
			skip_row(j, g, k);
	}
}

static void drive(struct job *j, enum rjob_next nx)
{
	for (;;) {
		tell_skips(j);
		if (nx != RJ_ATTEMPT)
			break;
		const struct cfg_route_group *grp = &j->rt->groups[j->fsm.group];
		size_t group = j->fsm.group;

		nx = RJ_WAIT;
		for (size_t k = 0; k < grp->n; k++)
			if (j->fsm.st[k] == RJD_SKIPPED)
				skip_row(j, group, k);
		for (size_t k = 0; k < grp->n && j->fsm.group == group; k++) {
			if (j->fsm.st[k] != RJD_PENDING || j->att[k])
				continue;
			enum rjob_next r = attempt(j, k);
			if (r != RJ_WAIT) {
				nx = r; /* the group was judged: next group, or done */
				break;
			}
		}
	}
	if (nx == RJ_WAIT)
		return;
	if (nx == RJ_FAILED) {
		log_err("route %s: log %" PRId64 " (%s %s %s) not delivered: %s", j->rt->name, j->rec.id,
			j->rec.type_name[0] ? j->rec.type_name : j->rec.trap_oid, j->rec.node[0] ? j->rec.node : "-",
			j->rec.object, j->why[0] ? j->why : "no destination could be tried");
		if (!j->why[0])
			why_add(j, "no destination could be tried");
		queue_failure(j);
	}
	job_free(j);
}

/* Begin delivering r along route rt from group `first`. */
static void job_start(const struct cfg_route *rt, const struct log_rec *r, bool snapshot, uint32_t held, size_t first)
{
	struct job *j = calloc(1, sizeof *j);

	if (!j) {
		log_err("route %s: out of memory; log %" PRId64 " not delivered", rt->name, r->id);
		return;
	}
	j->gen = gens;
	j->gen->jobs++;
	j->rt = rt;
	j->rec = *r;
	j->snapshot = snapshot;
	j->held = held;
	j->next = jobs;
	if (jobs)
		jobs->prev = j;
	jobs = j;
	drive(j, rjob_start(&j->fsm, rt, first, dest_avail, (void *)gens->cfg));
}

/* ---- routes ---- */

static void def_list(char *buf, size_t size, const char *what, char *const *v, size_t n)
{
	size_t len = strlen(buf);

	if (!n)
		return;
	snprintf(buf + len, size - len, " %s=", what);
	for (size_t i = 0; i < n; i++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i ? "," : "", v[i]);
	}
}

/* The route as text: what it selects and where it sends. */
static void route_def(const struct shugo_config *cfg, const struct cfg_route *rt, char *buf, size_t size)
{
	size_t len;

	snprintf(buf, size, "match");
	def_list(buf, size, "type", rt->match.types, rt->match.n_types);
	def_list(buf, size, "node", rt->match.nodes, rt->match.n_nodes);
	def_list(buf, size, "object", rt->match.objects, rt->match.n_objects);
	def_list(buf, size, "state", rt->match.states, rt->match.n_states);
	len = strlen(buf);
	snprintf(buf + len, size - len, " severity>=%d origins=%#x; groups", rt->match.min_sev, rt->match.origins);
	for (size_t g = 0; g < rt->n_groups; g++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, " [");
		for (size_t k = 0; k < rt->groups[g].n; k++) {
			len = strlen(buf);
			snprintf(buf + len, size - len, "%s%s", k ? " " : "", cfg->routing.dests[rt->groups[g].dest[k]].name);
		}
		len = strlen(buf);
		snprintf(buf + len, size - len, "]");
	}
}

static struct rroute *route_by_name(const char *name)
{
	for (size_t i = 0; i < n_routes; i++)
		if (!strcmp(routes[i].rt->name, name))
			return &routes[i];
	return NULL;
}

/* A record the route takes: the gate decides, the verdict is recorded. */
static void offer(struct rroute *rr, const struct log_rec *r, bool snapshot, int64_t now_ms)
{
	uint32_t held = 0;
	enum route_verdict v;

	v = route_gate_check(rr->gate, rr->rt, r, now_ms, &held);
	if (v != RV_DELIVER && !snapshot) {
		struct job tmp = {.rt = rr->rt, .rec = *r};
		add_row(&tmp, 0, "", v == RV_DUPLICATE ? "duplicate" : "damped",
			v == RV_DUPLICATE ? "the same event was delivered within the dedup window"
					  : "its source is flapping: held back");
		return;
	}
	job_start(rr->rt, r, snapshot, held, 0);
}

/* The current state for a new route: the records that raised the alarms
 * still raised, and the down of every node that is down. */
static void tell_current_state(struct rroute *rr, int64_t now_ms)
{
	struct log_rec *r = malloc(sizeof *r);
	size_t told = 0;

	if (!r || !mgr_model) {
		free(r);
		return;
	}
	for (size_t i = 0; i < mgr_model->n_nodes; i++) {
		const struct mgr_node *n = &mgr_model->nodes[i];
		for (size_t a = 0; a < n->n_alarms; a++) {
			int64_t since = n->alarms[a].raised > 60 ? (n->alarms[a].raised - 60) * 1000 : 0;
			if (store_log_alarm_raise(S, n->name, n->alarms[a].id, since, r) == 0 &&
			    route_gate_match(rr->gate, rr->rt, r)) {
				offer(rr, r, true, now_ms);
				told++;
			}
		}
		if (n->fsm.state == NODE_DOWN) {
			char obj[EV_OBJECT_MAX + 1];
			int64_t since = n->last_change_ms > 60000 ? n->last_change_ms - 60000 : 0;
			snprintf(obj, sizeof obj, "node:%s", n->name);
			if (store_log_newest(S, LR_MANAGER, MGR_NODE_DOWN, obj, since, r) == 0 &&
			    route_gate_match(rr->gate, rr->rt, r)) {
				offer(rr, r, true, now_ms);
				told++;
			}
		}
	}
	log_notice("route %s: new; told the current state (%zu records)", rr->rt->name, told);
	free(r);
}

/* Routes of cfg, gates kept from the old set where a route is unchanged. */
static int routes_build(const struct shugo_config *cfg)
{
	size_t n = cfg->routing.n_routes;
	struct rroute *nr = calloc(n ? n : 1, sizeof *nr);
	const char **names = calloc(n ? n : 1, sizeof *names);

	if (!nr || !names) {
		free(nr);
		free(names);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cfg_route *rt = &cfg->routing.routes[i];
		struct rroute *old = route_by_name(rt->name);
		int rc;

		nr[i].rt = rt;
		names[i] = rt->name;
		route_def(cfg, rt, nr[i].def, sizeof nr[i].def);
		if (old && !strcmp(old->def, nr[i].def)) {
			nr[i].gate = old->gate;
			old->gate = NULL;
		} else if (!(nr[i].gate = route_gate_new())) {
			log_err("route %s: out of memory", rt->name);
		}
		rc = store_route_sync(S, rt->name, nr[i].def, mgr_wall_ms());
		if (rc < 0)
			log_err("route %s: cannot record it: %s", rt->name, store_errmsg(S));
		nr[i].fresh = rc == 1 && rt->current_state;
	}
	if (store_route_prune(S, names, n) < 0)
		log_err("routes: cannot forget the removed ones: %s", store_errmsg(S));
	for (size_t i = 0; i < n_routes; i++)
		route_gate_free(routes[i].gate);
	free(routes);
	free(names);
	routes = nr;
	n_routes = n;
	return 0;
}

static void tell_fresh(int64_t now_ms)
{
	for (size_t i = 0; i < n_routes; i++)
		if (routes[i].fresh && routes[i].gate) {
			routes[i].fresh = false;
			tell_current_state(&routes[i], now_ms);
		}
}

/* ---- configurations ---- */

static void gen_maybe_free(struct gen *g)
{
	if (!g->retired || g->jobs)
		return;
	for (struct gen **pp = &gens; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	deliver_snmp_forget(g->cfg);
	cfg_free(g->owned);
	free(g);
}

static struct gen *gen_new(const struct shugo_config *cfg)
{
	struct gen *g = calloc(1, sizeof *g);

	if (!g)
		return NULL;
	g->cfg = cfg;
	g->next = gens;
	gens = g;
	return g;
}

/* ---- entry points ---- */

struct resume_ctx {
	struct store_delivery *v;
	size_t n, cap;
};

static int pending_cb(const struct store_delivery *d, void *arg)
{
	struct resume_ctx *c = arg;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct store_delivery *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *d;
	return 0;
}

/* Deliveries the last run left pending: each record goes again along its
 * route from the group it had reached. */
static void resume(int64_t now_ms)
{
	struct resume_ctx c = {0};
	struct log_rec *r = malloc(sizeof *r);

	(void)now_ms;
	if (!r || store_delivery_list(S, &(struct store_delivery_filter){.pending_only = true}, pending_cb, &c) != 0) {
		log_err("routing: cannot read the deliveries left pending: %s", store_errmsg(S));
		goto out;
	}
	for (size_t i = 0; i < c.n; i++) {
		const struct store_delivery *d = &c.v[i];
		bool again = true;
		store_delivery_end(S, d->id, "cancelled", "the manager stopped; sent again", mgr_wall_ms());
		/* the other attempts of the same record and route are ended too */
		for (size_t k = 0; k < i; k++)
			if (c.v[k].log_id == d->log_id && !strcmp(c.v[k].route, d->route))
				again = false;
		struct rroute *rr = route_by_name(d->route);
		if (!again || !rr || store_log_get(S, d->log_id, r) != 0)
			continue;
		log_notice("route %s: log %" PRId64 " was being delivered when the manager stopped; again from group %d",
			   d->route, d->log_id, d->priority);
		job_start(rr->rt, r, d->snapshot, d->held,
			  d->priority > 0 && (size_t)d->priority <= rr->rt->n_groups ? (size_t)d->priority - 1 : 0);
	}
out:
	free(c.v);
	free(r);
}

static void onces_free(void)
{
	for (size_t i = 0; i < n_onces; i++)
		route_gate_free(onces[i].gate);
	free(onces);
	onces = NULL;
	n_onces = 0;
}

/* The event definitions of cfg (a reload starts their windows afresh). */
static void onces_build(const struct shugo_config *cfg)
{
	onces_free();
	if (!cfg->routing.n_events || !(onces = calloc(cfg->routing.n_events, sizeof *onces)))
		return;
	for (size_t i = 0; i < cfg->routing.n_events; i++) {
		struct once *o = &onces[n_onces];
		o->def = &cfg->routing.events[i];
		snprintf(o->rt.name, sizeof o->rt.name, "events:%.57s", o->def->name);
		o->rt.dedup_ms = o->def->once_ms;
		if ((o->gate = route_gate_new()))
			n_onces++;
	}
}

/* An application event that another node already reported the same within
 * its definition's window is handed to no route (F-003-1, S4-2/S4-3). */
static bool reported_already(const struct log_rec *r, int64_t now_ms)
{
	const char *name = r->object + 4;
	uint32_t held;

	if ((r->origin != LR_AGENT && r->origin != LR_REPLAY) ||
	    (r->type != NOTIF_APP_EVENT_RAISE && r->type != NOTIF_APP_EVENT_CLEAR) || strncmp(r->object, "app:", 4))
		return false;
	for (size_t i = 0; i < n_onces; i++) {
		struct once *o = &onces[i];
		if (fnmatch(o->def->name, name, 0) != 0)
			continue;
		if (route_gate_check(o->gate, &o->rt, r, now_ms, &held) != RV_DUPLICATE)
			return false;
		struct job tmp = {.rt = &o->rt, .rec = *r};
		add_row(&tmp, 0, "", "duplicate", "the same event from another node was delivered once");
		log_info("log %" PRId64 ": %s from %s is the same as another node's; delivered once (%s)", r->id,
			 r->object, r->node, o->rt.name);
		return true;
	}
	return false;
}

int router_init(struct store *s, const struct shugo_config *cfg, int64_t now_ms)
{
	S = s;
	if (!gen_new(cfg))
		return -1;
	routed_before = store_log_last_id(s);
	enter();
	if (routes_build(cfg) < 0) {
		leave();
		return -1;
	}
	onces_build(cfg);
	resume(now_ms);
	tell_fresh(now_ms);
	leave();
	if (n_routes)
		log_notice("routing: %zu routes, %zu destinations", n_routes, cfg->routing.n_dests);
	return 0;
}

void router_reload(const struct shugo_config *cfg, int64_t now_ms)
{
	struct gen *old = gens;

	enter();
	if (!gen_new(cfg) || routes_build(cfg) < 0) {
		log_err("routing: out of memory; routes unchanged");
		if (gens != old) { /* the new gen goes, the old one stays current */
			struct gen *g = gens;
			gens = g->next;
			free(g);
		}
		leave();
		return;
	}
	onces_build(cfg);
	tell_fresh(now_ms);
	leave();
}

void router_release(struct shugo_config *cfg)
{
	for (struct gen *g = gens; g; g = g->next)
		if (g->cfg == cfg) {
			g->owned = cfg;
			/* still the current one (the reload could not build its
			 * routes): it lives on until router_free */
			if (g != gens) {
				g->retired = true;
				gen_maybe_free(g);
			}
			return;
		}
	cfg_free(cfg);
}

static int any_cb(const struct store_delivery *d, void *arg)
{
	(void)d;
	*(bool *)arg = true;
	return 1;
}

/* Whether the last run already routed r along route: asked only of the
 * records that were stored before this run began. */
static bool routed_already(const struct log_rec *r, const char *route)
{
	struct store_delivery_filter f = {.log_id = r->id, .route = route, .limit = 1};
	bool any = false;

	if (r->id > routed_before)
		return false;
	return store_delivery_list(S, &f, any_cb, &any) >= 0 && any;
}

void router_publish(const struct log_rec *r, int64_t now_ms)
{
	if (!n_routes || reported_already(r, now_ms))
		return;
	enter();
	for (size_t i = 0; i < n_routes; i++) {
		struct rroute *rr = &routes[i];
		if (!rr->gate || !route_gate_match(rr->gate, rr->rt, r) || routed_already(r, rr->rt->name))
			continue;
		offer(rr, r, false, now_ms);
	}
	leave();
}

void router_tick(int64_t now_ms)
{
	struct log_rec *r = NULL;
	int64_t mono = mgr_mono_ms();

	enter();
	/* Deadlines: an attempt that ends here may start the next group's
	 * attempts (pushed at the head of the list, not visited now) or end its
	 * job; the next job was taken before. */
	for (struct job *j = jobs, *next; j; j = next) {
		next = j->next;
		for (size_t k = 0; k < ROUTE_GROUP_MAX; k++) {
			struct delivery *d = j->att[k];
			if (d && d->deadline_ms <= mono) {
				deliver_method_of(d->dest->method)->expire(d);
				break; /* the job may be gone: the others expire next second */
			}
		}
	}
	/* Records damping held back, now that their source has calmed down. */
	for (size_t i = 0; i < n_routes; i++) {
		int64_t id;
		uint32_t held;
		while (routes[i].gate && route_gate_release(routes[i].gate, routes[i].rt, now_ms, &id, &held)) {
			if (!r && !(r = malloc(sizeof *r)))
				break;
			if (store_log_get(S, id, r) != 0)
				continue;
			log_info("route %s: %s %s calmed down; delivering its latest record (log %" PRId64
				 ", %u more held back)",
				 routes[i].rt->name, r->node[0] ? r->node : "-", r->object, id, held);
			job_start(routes[i].rt, r, false, held, 0);
		}
	}
	free(r);
	leave();
}

void router_free(void)
{
	while (jobs) {
		struct job *j = jobs;
		for (size_t k = 0; k < ROUTE_GROUP_MAX; k++)
			if (j->att[k])
				deliver_method_of(j->att[k]->dest->method)->cancel(j->att[k]);
		job_free(j);
	}
	for (size_t i = 0; i < n_routes; i++)
		route_gate_free(routes[i].gate);
	free(routes);
	routes = NULL;
	n_routes = 0;
	onces_free();
	deliver_snmp_close_all();
	while (gens) {
		struct gen *g = gens;
		gens = g->next;
		cfg_free(g->owned);
		free(g);
	}
	n_raises = 0;
}

const struct deliver_method *deliver_method_of(enum cfg_dest_method m)
{
	switch (m) {
	case DEST_PROGRAM: return &deliver_program;
	case DEST_UNIX:
	case DEST_TCP: return &deliver_socket;
	case DEST_SNMP: return &deliver_snmp;
	}
	return NULL;
}
