/* The manager's judgement of the cluster (see cluster.h): node_fsm per node fed
 * by the poller, the central log and the clock; one log line, one central log
 * record and one nodes row update per transition; the last polled tables into
 * the store; sequence-gap repair from the agents' notification logs; the tail
 * of the central log into the in-memory ring. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cluster.h"
#include "execd.h"
#include "router.h"
#include "event.h"
#include "log.h"
#include "metrics.h"
#include "poller.h"
#include "shugo_mgr_oids.h"
#include "strutil.h"

#define TAIL_BATCH 1000        /* records read from the store at once */
#define TRIM_EVERY_MS 60000    /* retention: store_log_trim this often */
#define HEARD_SLACK_MS 1000    /* records received before the start feed no liveness */

/* What the cluster keeps per node besides the model (parallel to m->nodes). */
struct cnode {
	uint32_t prev_seq;      /* the agent's last sequence at the previous poll, 0 = none yet */
	uint32_t limit;         /* how far repaired_seq may go once the fetch in progress is done */
	uint32_t *fetch;        /* the sequences being read back, ascending */
	size_t n_fetch;
	char miss[200];         /* why the last poll failed; "" after an answer */
};

static struct mgr_model *M;
static struct store *S;
static const struct shugo_config *C;
static struct cnode *CN;      /* CN[i] belongs to M->nodes[i] */
static int64_t start_wall_ms;
static int64_t next_trim_ms;
static int64_t saved_last_id = -1; /* log_last_id as last written to the store */
static bool tail_busy, tail_again;

int64_t mgr_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mgr_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct cnode *cnode_of(const struct mgr_node *n)
{
	return &CN[n - M->nodes];
}

/* ---- the nodes rows and the polled tables ---- */

static void node_save(const struct mgr_node *n)
{
	struct store_node row = {0};

	str_copy(row.name, n->name, sizeof row.name);
	str_copy(row.address, n->address, sizeof row.address);
	row.state = n->fsm.state;
	row.last_seen_ms = n->last_seen_ms;
	row.last_change_ms = n->last_change_ms;
	row.boot = n->boot;
	row.notif_seq = n->notif_seq;
	row.repaired_seq = n->repaired_seq;
	str_copy(row.detail, n->detail, sizeof row.detail);
	if (store_node_put(S, &row) < 0)
		log_err("node %s: cannot save its state: %s", n->name, store_errmsg(S));
}

static void tables_free(struct mgr_node *n)
{
	free(n->procs);
	free(n->res);
	free(n->alarms);
	n->procs = NULL;
	n->res = NULL;
	n->alarms = NULL;
	n->n_procs = n->n_res = n->n_alarms = 0;
}

static void tables_mark_stale(struct mgr_node *n)
{
	n->stale = true;
	for (size_t i = 0; i < n->n_procs; i++)
		n->procs[i].stale = true;
	for (size_t i = 0; i < n->n_res; i++)
		n->res[i].stale = true;
	for (size_t i = 0; i < n->n_alarms; i++)
		n->alarms[i].stale = true;
}

struct vec {
	void *v;
	size_t n, cap, elem;
	bool failed;
};

static void *vec_push(struct vec *x)
{
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 16;
		void *p = realloc(x->v, nc * x->elem);
		if (!p) {
			x->failed = true;
			return NULL;
		}
		x->v = p;
		x->cap = nc;
	}
	return (char *)x->v + x->n++ * x->elem;
}

static int proc_cb(const struct store_proc *p, void *arg)
{
	struct store_proc *d = vec_push(arg);

	if (d)
		*d = *p;
	return 0;
}

static int res_cb(const struct store_res *r, void *arg)
{
	struct store_res *d = vec_push(arg);

	if (d)
		*d = *r;
	return 0;
}

static int alarm_cb(const struct store_alarm *a, void *arg)
{
	struct store_alarm *d = vec_push(arg);

	if (d)
		*d = *a;
	return 0;
}

static int proc_cmp(const void *a, const void *b)
{
	return model_name_cmp(((const struct store_proc *)a)->name, ((const struct store_proc *)b)->name);
}

static int res_cmp(const void *a, const void *b)
{
	return model_name_cmp(((const struct store_res *)a)->name, ((const struct store_res *)b)->name);
}

static int alarm_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct store_alarm *)a)->id, y = ((const struct store_alarm *)b)->id;

	return x < y ? -1 : x > y;
}

/* The node's last known state from the store: shown, marked stale, until the
 * node answers again. The judgement goes on from where it was, so a manager
 * restart raises no second down for a node already down, and a node that was
 * up and still is gives no event at all. */
static void node_load(struct mgr_node *n, int64_t now_ms)
{
	struct store_node row;
	struct vec p = {.elem = sizeof(struct store_proc)}, r = {.elem = sizeof(struct store_res)},
		   a = {.elem = sizeof(struct store_alarm)};
	int rc;

	node_fsm_init(&n->fsm, n->poll.down_after_ms, now_ms);
	if ((rc = store_node_get(S, n->name, &row)) < 0)
		log_err("node %s: cannot read its last state: %s", n->name, store_errmsg(S));
	if (rc != 0) {
		node_save(n);
		return;
	}
	n->boot = row.boot;
	n->notif_seq = row.notif_seq;
	n->repaired_seq = row.repaired_seq;
	n->last_seen_ms = row.last_seen_ms;
	n->last_change_ms = row.last_change_ms;
	str_copy(n->detail, row.detail, sizeof n->detail);
	switch (row.state) {
	case NODE_UP:
	case NODE_SUSPECT:
	case NODE_DOWN:
	case NODE_STOPPED:
		n->fsm.state = (enum node_state)row.state;
		n->fsm.boot = row.boot;
		break;
	default:
		break;
	}
	if (store_proc_list(S, n->name, proc_cb, &p) < 0 || store_res_list(S, n->name, res_cb, &r) < 0 ||
	    store_alarm_list(S, n->name, alarm_cb, &a) < 0 || p.failed || r.failed || a.failed) {
		log_err("node %s: cannot read its last polled state: %s", n->name, store_errmsg(S));
		free(p.v);
		free(r.v);
		free(a.v);
		return;
	}
	/* the MIB wants them in index order, which is not SQL's text order */
	if (p.n)
		qsort(p.v, p.n, p.elem, proc_cmp);
	if (r.n)
		qsort(r.v, r.n, r.elem, res_cmp);
	if (a.n)
		qsort(a.v, a.n, a.elem, alarm_cmp);
	n->procs = p.v;
	n->n_procs = p.n;
	n->res = r.v;
	n->n_res = r.n;
	n->alarms = a.v;
	n->n_alarms = a.n;
	tables_mark_stale(n);
}

/* ---- events ---- */

static void rec_append(struct log_rec *r, size_t n, int64_t now_ms)
{
	size_t added = 0;

	if (n == 0)
		return;
	if (store_log_append(S, r, n, &added) < 0) {
		log_err("central log: %zu records not stored: %s", n, store_errmsg(S));
		return;
	}
	/* into the ring and out to whoever listens, in id order with the rest */
	cluster_tail(now_ms);
}

void cluster_raise(struct log_rec *r)
{
	static const unsigned prefix[] = {OID_MGR_NOTIF_PREFIX};
	int64_t wall = mgr_wall_ms();
	size_t off = 0;

	r->id = 0;
	r->origin = LR_MANAGER;
	str_copy(r->type_name, mgr_notif_name(r->type) ? mgr_notif_name(r->type) : "", sizeof r->type_name);
	for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
		off += (size_t)snprintf(r->trap_oid + off, sizeof r->trap_oid - off, ".%u", prefix[i]);
	snprintf(r->trap_oid + off, sizeof r->trap_oid - off, ".%d", r->type);
	r->occurred_ms = wall;
	r->received_ms = wall;
	rec_append(r, 1, mgr_mono_ms());
}

/* A record the manager raises itself about node n. */
static void raise_event(const struct mgr_node *n, enum mgr_notif type, enum shugo_severity sev, const char *state,
			const char *detail, int64_t now_ms)
{
	struct log_rec r = {0};

	(void)now_ms;
	str_copy(r.node, n->name, sizeof r.node);
	r.type = type;
	r.sev = sev;
	snprintf(r.object, sizeof r.object, "node:%s", n->name);
	str_copy(r.state, state, sizeof r.state);
	str_copy(r.detail, detail, sizeof r.detail);
	cluster_raise(&r);
}

static long long secs(int64_t ms)
{
	return (long long)((ms + 500) / 1000);
}

/* Why the node is where the action took it, for the log line, the record's
 * detail and the nodes row. */
static void describe(const struct mgr_node *n, enum node_action act, enum node_input in, int64_t before_since, uint32_t old_boot, int64_t heard_ms, int64_t now_ms, char *why, size_t size)
{
	const struct cnode *c = cnode_of(n);
	const char *via = in == NODE_IN_ANSWER ? "answers polls" : in == NODE_IN_AGENT_START ? "agent started" :
			  "notification heard";

	switch (act) {
	case NODE_ACT_FIRST:
		snprintf(why, size, "%s (boot %u)", via, n->fsm.boot);
		break;
	case NODE_ACT_DOWN:
		if (c->miss[0])
			snprintf(why, size, "no answer for %lld s: %s", secs(now_ms - heard_ms), c->miss);
		else
			snprintf(why, size, "no answer for %lld s", secs(now_ms - heard_ms));
		break;
	case NODE_ACT_RESTORED:
		if (old_boot && old_boot != n->fsm.boot)
			snprintf(why, size, "%s again after %lld s down (boot %u -> %u: the agent restarted)", via,
				 secs(now_ms - before_since), old_boot, n->fsm.boot);
		else
			snprintf(why, size, "%s again after %lld s down (boot %u: the same run of the agent)", via,
				 secs(now_ms - before_since), n->fsm.boot);
		break;
	case NODE_ACT_STOPPED:
		snprintf(why, size, "orderly shutdown announced (boot %u)", n->fsm.boot);
		break;
	case NODE_ACT_STARTED:
		snprintf(why, size, "%s after an orderly shutdown (boot %u)", via, n->fsm.boot);
		break;
	case NODE_ACT_REBOOTED:
		snprintf(why, size, "boot count %u -> %u without a down seen", old_boot, n->fsm.boot);
		break;
	case NODE_ACT_NONE:
		if (n->fsm.state == NODE_SUSPECT)
			snprintf(why, size, "poll failed: %s", c->miss[0] ? c->miss : "no answer");
		else
			snprintf(why, size, "%s", via);
		break;
	}
}

/* The events and their severities, as SHUGO-MANAGER-MIB defines them (docs/manager.md). */
static void action_event(enum node_action act, enum mgr_notif *type, enum shugo_severity *sev)
{
	switch (act) {
	case NODE_ACT_DOWN: *type = MGR_NODE_DOWN; *sev = SEV_CRITICAL; break;
	case NODE_ACT_RESTORED: *type = MGR_NODE_RESTORED; *sev = SEV_CLEAR; break;
	case NODE_ACT_STOPPED: *type = MGR_NODE_STOPPED; *sev = SEV_INFO; break;
	case NODE_ACT_REBOOTED: *type = MGR_NODE_REBOOTED; *sev = SEV_WARNING; break;
	case NODE_ACT_FIRST:
	case NODE_ACT_STARTED:
	default: *type = MGR_NODE_STARTED; *sev = SEV_INFO; break;
	}
}

/* One input into the node's state machine, and everything that follows. */
static void feed(struct mgr_node *n, enum node_input in, uint32_t boot, int64_t now_ms)
{
	enum node_state before = n->fsm.state;
	int64_t before_since = n->fsm.since_ms, heard = n->fsm.last_heard_ms;
	uint32_t old_boot = n->fsm.boot;
	enum node_action act;
	char why[256];

	/* A node that announced its shutdown stays stopped until its agent
	 * starts again: a notification still in flight, or a poll answered
	 * while the stopping agent drains its last notifications (same boot),
	 * is not a start. */
	if (before == NODE_STOPPED &&
	    (in == NODE_IN_HEARD || (in == NODE_IN_ANSWER && (boot == 0 || boot == n->fsm.boot))))
		return;
	/* A late notification from an earlier run of the agent says nothing
	 * about the running one (a stop from before the restart least of all). */
	if (in != NODE_IN_ANSWER && in != NODE_IN_MISS && in != NODE_IN_TICK && boot && n->fsm.boot &&
	    boot < n->fsm.boot)
		return;
	act = node_fsm_step(&n->fsm, in, boot, now_ms);
	/* the newest boot count seen, from a poll or a notification */
	if (n->fsm.boot)
		n->boot = n->fsm.boot;
	if (before == n->fsm.state && act == NODE_ACT_NONE)
		return;
	describe(n, act, in, before_since, old_boot, heard, now_ms, why, sizeof why);
	if (before != n->fsm.state) {
		n->last_change_ms = mgr_wall_ms();
		log_msg(act == NODE_ACT_NONE ? LOG_LVL_INFO : act == NODE_ACT_DOWN ? LOG_LVL_WARN : LOG_LVL_NOTICE,
			"node %s: %s -> %s (%s)", n->name, node_state_name(before), node_state_name(n->fsm.state),
			why);
		str_copy(n->detail, why, sizeof n->detail);
		if (before == NODE_UP) {
			/* what was polled is no longer current */
			tables_mark_stale(n);
			if (store_mark_stale(S, n->name) < 0)
				log_err("node %s: cannot mark its polled state stale: %s", n->name, store_errmsg(S));
		}
	} else {
		log_notice("node %s: %s (%s)", n->name, node_action_name(act), why);
		str_copy(n->detail, why, sizeof n->detail);
	}
	node_save(n);
	if (act != NODE_ACT_NONE) {
		enum mgr_notif type;
		enum shugo_severity sev;
		action_event(act, &type, &sev);
		raise_event(n, type, sev, node_state_name(n->fsm.state), why, now_ms);
		if (act == NODE_ACT_DOWN)
			execd_node_down(n->name); /* after the down, in the log's order */
	}
}

/* ---- sequence-gap repair ---- */

/* The text of a set of sequences, ascending, as ranges: "3-7, 9, 12-40". */
struct ranges {
	char text[LR_DETAIL_MAX - 120];
	size_t off;
	uint64_t count;
	uint32_t lo, hi; /* the open range; count 0 = none yet */
	bool full;
};

static void ranges_flush(struct ranges *g)
{
	int w;

	if (g->full || g->count == 0)
		return;
	if (g->off + 32 >= sizeof g->text) {
		snprintf(g->text + g->off, sizeof g->text - g->off, ", ...");
		g->full = true;
		return;
	}
	if (g->lo == g->hi)
		w = snprintf(g->text + g->off, sizeof g->text - g->off, "%s%u", g->off ? ", " : "", g->lo);
	else
		w = snprintf(g->text + g->off, sizeof g->text - g->off, "%s%u-%u", g->off ? ", " : "", g->lo, g->hi);
	g->off += w > 0 ? (size_t)w : 0;
}

static void ranges_add(struct ranges *g, uint32_t s)
{
	if (g->count && s == g->hi + 1) {
		g->hi = s;
	} else {
		ranges_flush(g);
		g->lo = g->hi = s;
	}
	g->count++;
}

/* One MGR_LOG_GAP record for sequences no agent log holds any more. */
static void raise_gap(const struct mgr_node *n, struct ranges *g, uint32_t first_held, int64_t now_ms)
{
	char detail[LR_DETAIL_MAX + 1];

	ranges_flush(g);
	if (g->count == 0)
		return;
	snprintf(detail, sizeof detail, "%" PRIu64 " notification%s lost, sequence %s: %s", g->count,
		 g->count == 1 ? "" : "s", g->text,
		 first_held ? "no longer in the agent's notification log" : "the agent's notification log is empty");
	if (first_held)
		snprintf(detail + strlen(detail), sizeof detail - strlen(detail), " (it starts at %u)", first_held);
	log_warn("node %s: %s", n->name, detail);
	raise_event(n, MGR_LOG_GAP, SEV_WARNING, "lost", detail, now_ms);
}

static void repaired_to(struct mgr_node *n, uint32_t to)
{
	if (to > n->repaired_seq)
		n->repaired_seq = to;
}

/* Sequences in [lo, hi], below what the agent still holds: whatever the
 * central log lacks there is lost. 0 / -1. */
static int lost_below(const struct mgr_node *n, uint32_t lo, uint32_t hi, uint32_t first_held, int64_t now_ms)
{
	struct ranges g = {0};
	uint32_t miss[POLL_FETCH_MAX];

	for (;;) {
		size_t k = 0;
		if (store_log_missing(S, n->name, lo, hi, miss, POLL_FETCH_MAX, &k) < 0) {
			log_err("node %s: cannot look for missing sequences: %s", n->name, store_errmsg(S));
			return -1;
		}
		for (size_t i = 0; i < k; i++)
			ranges_add(&g, miss[i]);
		if (k < POLL_FETCH_MAX || miss[k - 1] >= hi)
			break;
		lo = miss[k - 1] + 1;
	}
	raise_gap(n, &g, first_held, now_ms);
	return 0;
}

/* After a poll: which sequences in (repaired_seq, notif_seq] the central log
 * lacks. Below the agent's oldest held they are lost. Above, one that was
 * already due at the previous poll had its chance to arrive as an INFORM and
 * is read back from the agent now; a newer one waits for the next poll. On
 * first contact (repaired_seq 0) that is everything the agent still holds. */
static void repair(struct mgr_node *n, const struct poll_result *r, int64_t now_ms)
{
	struct cnode *c = cnode_of(n);
	uint32_t miss[POLL_FETCH_MAX], fetch[POLL_FETCH_MAX];
	uint32_t seq = r->notif_seq, first = r->first_seq, pending = 0, limit, lo, held_lo;
	size_t k = 0, nf = 0;
	uint32_t prev = c->prev_seq;

	c->prev_seq = seq;
	if (seq < n->repaired_seq) {
		log_warn("node %s: its sequence went back from %u to %u (state directory replaced?); repair goes on from %u",
			 n->name, n->repaired_seq, seq, seq);
		n->repaired_seq = seq;
		return;
	}
	lo = n->repaired_seq + 1;
	held_lo = first ? first : seq + 1; /* the agent holds [first, seq] */
	if (lo < held_lo && lo <= seq) {
		uint32_t hi = held_lo - 1 < seq ? held_lo - 1 : seq;
		if (lost_below(n, lo, hi, first, now_ms) < 0)
			return;
		repaired_to(n, hi);
		lo = hi + 1;
	}
	if (lo > seq)
		return;
	if (store_log_missing(S, n->name, lo, seq, miss, POLL_FETCH_MAX, &k) < 0) {
		log_err("node %s: cannot look for missing sequences: %s", n->name, store_errmsg(S));
		return;
	}
	/* with a full answer there may be more above the last one listed */
	limit = k == POLL_FETCH_MAX ? miss[k - 1] : seq;
	for (size_t i = 0; i < k; i++) {
		if (miss[i] <= prev)
			fetch[nf++] = miss[i];
		else if (!pending)
			pending = miss[i];
	}
	c->limit = pending ? pending - 1 : limit;
	if (nf) {
		free(c->fetch);
		c->n_fetch = 0;
		if ((c->fetch = malloc(nf * sizeof *c->fetch)) && poller_fetch(n->name, fetch, nf) == 0) {
			memcpy(c->fetch, fetch, nf * sizeof *fetch);
			c->n_fetch = nf;
			log_info("node %s: reading %zu notification%s back from its log (sequence %u..%u)", n->name,
				 nf, nf == 1 ? "" : "s", fetch[0], fetch[nf - 1]);
			return; /* repaired_seq moves once they are in */
		}
		free(c->fetch);
		c->fetch = NULL;
		if (c->limit >= fetch[0])
			c->limit = fetch[0] - 1;
	}
	repaired_to(n, c->limit);
}

void cluster_fetched(const char *node, struct log_rec *recs, size_t n_recs, const uint32_t *gone, size_t n_gone,
		     bool complete, int64_t now_ms)
{
	struct mgr_node *n = model_node(M, node);
	struct cnode *c;
	size_t added = 0, done = n_recs + n_gone;

	if (!n)
		return;
	c = cnode_of(n);
	if (n_recs) {
		if (store_log_append(S, recs, n_recs, &added) < 0) {
			log_err("node %s: read-back notifications not stored: %s", node, store_errmsg(S));
			complete = false;
			done = 0;
		} else {
			log_info("node %s: %zu notification%s read back from its log, %zu new in the central log", node,
				 n_recs, n_recs == 1 ? "" : "s", added);
		}
	}
	if (n_gone) { /* the agent's log moved on between the poll and the read */
		struct ranges g = {0};
		for (size_t i = 0; i < n_gone; i++)
			ranges_add(&g, gone[i]);
		raise_gap(n, &g, gone[n_gone - 1] + 1, now_ms);
	}
	/* the sequences are handled in order: what was not reached waits */
	if (!complete && done < c->n_fetch && c->limit >= c->fetch[done])
		c->limit = c->fetch[done] - 1;
	repaired_to(n, c->limit);
	free(c->fetch);
	c->fetch = NULL;
	c->n_fetch = 0;
	node_save(n);
	cluster_tail(now_ms);
}

/* ---- from the poller ---- */

void cluster_answer(const char *node, struct poll_result *r, int64_t now_ms)
{
	struct mgr_node *n = model_node(M, node);
	int64_t wall = mgr_wall_ms();

	if (!n) {
		poll_result_free(r);
		return;
	}
	n->polls++;
	n->last_rtt_ms = r->rtt_ms;
	n->last_seen_ms = wall;
	n->boot = r->boot;
	n->notif_seq = r->notif_seq;
	cnode_of(n)->miss[0] = '\0';
	feed(n, NODE_IN_ANSWER, r->boot, now_ms);
	if (n->fsm.state == NODE_STOPPED) {
		/* the agent that announced its stop, answering while it drains:
		 * its tables are on their way out, its last notifications not */
		poll_result_free(r);
		repair(n, r, now_ms);
		node_save(n);
		return;
	}
	/* the polled tables are the node's current state, in the model and the store */
	tables_free(n);
	n->procs = r->procs;
	n->n_procs = r->n_procs;
	n->res = r->res;
	n->n_res = r->n_res;
	n->alarms = r->alarms;
	n->n_alarms = r->n_alarms;
	r->procs = NULL;
	r->res = NULL;
	r->alarms = NULL;
	for (size_t i = 0; i < n->n_procs; i++)
		n->procs[i].updated_ms = wall;
	for (size_t i = 0; i < n->n_res; i++)
		n->res[i].updated_ms = wall;
	for (size_t i = 0; i < n->n_alarms; i++)
		n->alarms[i].updated_ms = wall;
	n->stale = false;
	if (store_snapshot(S, n->name, wall, n->procs, n->n_procs, n->res, n->n_res, n->alarms, n->n_alarms) < 0)
		log_err("node %s: cannot store what was polled: %s", n->name, store_errmsg(S));
	metrics_poll(n->name, n->poll.interval_ms, wall, n->procs, n->n_procs, n->res, n->n_res);
	repair(n, r, now_ms);
	node_save(n);
}

void cluster_miss(const char *node, const char *why, int64_t now_ms)
{
	struct mgr_node *n = model_node(M, node);

	if (!n)
		return;
	n->poll_failures++;
	if (strcmp(cnode_of(n)->miss, why) != 0)
		log_debug("node %s: poll failed: %s", node, why);
	str_copy(cnode_of(n)->miss, why, sizeof cnode_of(n)->miss);
	feed(n, NODE_IN_MISS, 0, now_ms);
}

/* ---- the central log ---- */

static int tail_cb(const struct log_rec *r, void *arg)
{
	struct log_rec *d = vec_push(arg);

	if (!d)
		return 1;
	*d = *r;
	return 0;
}

/* A Shugo agent's notification, received now, is the node speaking. */
static void hear(const struct log_rec *r, int64_t now_ms)
{
	struct mgr_node *n;
	enum node_input in = NODE_IN_HEARD;

	if (r->origin != LR_AGENT || !r->node[0] || r->received_ms < start_wall_ms - HEARD_SLACK_MS ||
	    !(n = model_node(M, r->node)))
		return;
	if (r->type == NOTIF_AGENT_STOP)
		in = NODE_IN_AGENT_STOP;
	else if (r->type == NOTIF_AGENT_START)
		in = NODE_IN_AGENT_START;
	if (r->received_ms > n->last_seen_ms)
		n->last_seen_ms = r->received_ms;
	feed(n, in, r->boot, now_ms);
}

void cluster_publish(const struct log_rec *r)
{
	log_debug("log %" PRId64 ": %s %s %s %s %s: %s", r->id, lr_origin_name(r->origin), r->node[0] ? r->node : "-",
		  r->type_name[0] ? r->type_name : r->trap_oid, r->object, r->state, r->detail);
	router_publish(r, mgr_mono_ms());
	execd_record(r, mgr_mono_ms());
}

void cluster_tail(int64_t now_ms)
{
	struct vec buf = {.elem = sizeof(struct log_rec)};

	if (tail_busy) { /* a record raised while the tail runs: it goes round again */
		tail_again = true;
		return;
	}
	tail_busy = true;
	do {
		struct store_log_filter f = {.after_id = M->log_last_id, .order = STORE_ORDER_ARRIVAL,
					     .limit = TAIL_BATCH};
		tail_again = false;
		buf.n = 0;
		buf.failed = false;
		if (store_log_query(S, &f, tail_cb, &buf) < 0 || buf.failed) {
			log_err("central log: cannot read new records: %s", buf.failed ? strerror(ENOMEM) : store_errmsg(S));
			break;
		}
		for (size_t i = 0; i < buf.n; i++) {
			const struct log_rec *r = (const struct log_rec *)buf.v + i;
			if (r->id <= M->log_last_id)
				continue;
			M->log_last_id = r->id;
			M->log_count++;
			model_log_push(M, r);
			cluster_publish(r);
			hear(r, now_ms);
		}
		if (buf.n == TAIL_BATCH)
			tail_again = true;
	} while (tail_again);
	free(buf.v);
	tail_busy = false;
}

static void save_last_id(void)
{
	char v[32];

	if (M->log_last_id == saved_last_id)
		return;
	snprintf(v, sizeof v, "%" PRId64, M->log_last_id);
	if (store_meta_put(S, "log_last_id", v) < 0)
		log_err("cannot save the last log id handled: %s", store_errmsg(S));
	else
		saved_last_id = M->log_last_id;
}

void cluster_wake(const char *msg, size_t len, int64_t now_ms)
{
	char line[256];
	size_t i = 0;

	cluster_tail(now_ms);
	/* "heard <node> <boot>": notifications stored or dropped as duplicates,
	 * either way the node spoke just now */
	while (i < len) {
		size_t j = i, n;
		char node[CFG_NAME_MAX + 2];
		unsigned boot;
		struct mgr_node *nd;
		while (j < len && msg[j] != '\n')
			j++;
		n = j - i < sizeof line - 1 ? j - i : sizeof line - 1;
		memcpy(line, msg + i, n);
		line[n] = '\0';
		i = j + 1;
		if (sscanf(line, "heard %65s %u", node, &boot) == 2 && (nd = model_node(M, node))) {
			nd->last_seen_ms = mgr_wall_ms();
			feed(nd, NODE_IN_HEARD, boot, now_ms);
		} else if (!strncmp(line, "exec ", 5) && line[5]) {
			/* shugoctl exec queued a request */
			execd_wake(line + 5, now_ms);
		}
	}
}

static int counter_cb(const char *name, uint64_t value, int64_t updated_ms, void *arg)
{
	struct mgr_trapd_stats *t = arg;
	static const struct {
		const char *name;
		size_t off;
	} map[] = {
		{"received", offsetof(struct mgr_trapd_stats, received)},
		{"stored", offsetof(struct mgr_trapd_stats, stored)},
		{"duplicates", offsetof(struct mgr_trapd_stats, duplicates)},
		{"malformed", offsetof(struct mgr_trapd_stats, malformed)},
		{"rate_limited", offsetof(struct mgr_trapd_stats, rate_limited)},
		{"kernel_drops", offsetof(struct mgr_trapd_stats, kernel_drops)},
		{"informs_acked", offsetof(struct mgr_trapd_stats, informs_acked)},
		{"auth_failures", offsetof(struct mgr_trapd_stats, auth_failures)},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i].name, name))
			*(uint64_t *)((char *)t + map[i].off) = value;
	if (updated_ms > t->updated_ms)
		t->updated_ms = updated_ms;
	return 0;
}

static void read_trapd(void)
{
	struct mgr_trapd_stats t = {0};

	if (store_counters_list(S, "trapd", counter_cb, &t) < 0) {
		log_debug("cannot read trapd's counters: %s", store_errmsg(S));
		return;
	}
	M->trapd = t;
}

static void recount(void)
{
	int64_t n = store_log_count(S);

	if (n >= 0)
		M->log_count = n;
}

void cluster_tick(int64_t now_ms)
{
	for (size_t i = 0; i < M->n_nodes; i++)
		feed(&M->nodes[i], NODE_IN_TICK, 0, now_ms);
	cluster_tail(now_ms);
	save_last_id();
	read_trapd();
	if (now_ms >= next_trim_ms) {
		next_trim_ms = now_ms + TRIM_EVERY_MS;
		if (store_log_trim(S, (int64_t)C->manager.log_keep) < 0)
			log_err("central log: cannot trim to %" PRIu64 " records: %s", C->manager.log_keep,
				store_errmsg(S));
		recount();
	}
}

/* ---- start, reload, end ---- */

static int node_cmp(const void *a, const void *b)
{
	return model_name_cmp(((const struct mgr_node *)a)->name, ((const struct mgr_node *)b)->name);
}

/* The configured nodes, sorted, with nothing of their state yet. */
static struct mgr_node *nodes_from(const struct shugo_config *cfg)
{
	struct mgr_node *v = calloc(cfg->n_nodes ? cfg->n_nodes : 1, sizeof *v);

	if (!v)
		return NULL;
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		str_copy(v[i].name, cfg->nodes[i].name, sizeof v[i].name);
		str_copy(v[i].address, cfg->nodes[i].address ? cfg->nodes[i].address : "", sizeof v[i].address);
		v[i].poll = cfg->nodes[i].poll;
	}
	if (cfg->n_nodes > 1)
		qsort(v, cfg->n_nodes, sizeof *v, node_cmp);
	return v;
}

struct names {
	char (*v)[STORE_NAME_MAX + 1];
	size_t n, cap;
};

static int name_cb(const struct store_node *row, void *arg)
{
	struct names *x = arg;

	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 16;
		void *p = realloc(x->v, nc * sizeof *x->v);
		if (!p)
			return 1;
		x->v = p;
		x->cap = nc;
	}
	str_copy(x->v[x->n++], row->name, sizeof x->v[0]);
	return 0;
}

/* Rows of nodes that left the configuration go, with their polled state;
 * their log records stay. */
static void forget_removed(void)
{
	struct names x = {0};

	if (store_node_list(S, name_cb, &x) < 0)
		log_err("cannot list the stored nodes: %s", store_errmsg(S));
	for (size_t i = 0; i < x.n; i++) {
		if (model_node(M, x.v[i]))
			continue;
		log_notice("node %s: no longer configured; its stored state is removed", x.v[i]);
		if (store_node_delete(S, x.v[i]) < 0)
			log_err("node %s: cannot remove its stored state: %s", x.v[i], store_errmsg(S));
	}
	free(x.v);
}

static int ring_cb(const struct log_rec *r, void *arg)
{
	(void)arg;
	if (r->id > M->log_last_id)
		return 1;
	model_log_push(M, r);
	return 0;
}

int cluster_init(struct mgr_model *m, struct store *s, const struct shugo_config *cfg, int64_t now_ms)
{
	char v[32];
	int rc;

	M = m;
	S = s;
	C = cfg;
	start_wall_ms = mgr_wall_ms();
	str_copy(m->node_name, cfg->node_name, sizeof m->node_name);
	m->role = MGR_ROLE_ACTIVE;
	m->start_time = start_wall_ms / 1000;

	/* A new term: every start has a higher epoch than the last. */
	if ((rc = store_meta_get(s, "epoch", v, sizeof v)) < 0)
		goto store_fail;
	m->epoch = rc == 0 ? (uint32_t)strtoul(v, NULL, 10) + 1 : 1;
	snprintf(v, sizeof v, "%" PRIu32, m->epoch);
	if (store_meta_put(s, "epoch", v) < 0)
		goto store_fail;

	/* The newest records up to the last one handled fill the ring; the tail
	 * goes on from there (records that came while the manager was away are
	 * new to it). A store the manager has never read starts at its end. */
	if ((rc = store_meta_get(s, "log_last_id", v, sizeof v)) < 0)
		goto store_fail;
	m->log_last_id = rc == 0 ? strtoll(v, NULL, 10) : store_log_last_id(s);
	if (m->log_last_id < 0)
		goto store_fail;
	saved_last_id = rc == 0 ? m->log_last_id : -1;
	m->ring_cap = cfg->manager.log_ring ? cfg->manager.log_ring : 1;
	if (!(m->ring = calloc(m->ring_cap, sizeof *m->ring)))
		goto fail;
	m->ring_len = m->ring_head = 0;
	{
		struct store_log_filter f = {.order = STORE_ORDER_ARRIVAL};
		f.after_id = m->log_last_id > (int64_t)m->ring_cap ? m->log_last_id - (int64_t)m->ring_cap : 0;
		if (store_log_query(s, &f, ring_cb, NULL) < 0)
			goto store_fail;
	}
	recount();
	read_trapd();

	if (!(m->nodes = nodes_from(cfg)) || !(CN = calloc(cfg->n_nodes ? cfg->n_nodes : 1, sizeof *CN)))
		goto fail;
	m->n_nodes = cfg->n_nodes;
	for (size_t i = 0; i < m->n_nodes; i++)
		node_load(&m->nodes[i], now_ms);
	forget_removed();
	next_trim_ms = now_ms + TRIM_EVERY_MS;
	return 0;
store_fail:
	log_err("store: %s", store_errmsg(s));
fail:
	return -1;
}

int cluster_reload(const struct shugo_config *cfg, int64_t now_ms)
{
	struct mgr_node *nn = nodes_from(cfg);
	struct cnode *ncn = calloc(cfg->n_nodes ? cfg->n_nodes : 1, sizeof *ncn);
	bool *fresh = calloc(cfg->n_nodes ? cfg->n_nodes : 1, sizeof *fresh);
	struct mgr_model view;

	if (!nn || !ncn || !fresh) {
		free(nn);
		free(ncn);
		free(fresh);
		errno = ENOMEM;
		return -1;
	}
	view = *M;
	view.nodes = nn;
	view.n_nodes = cfg->n_nodes;
	if (poller_configure(&view, cfg, now_ms) < 0) {
		free(nn);
		free(ncn);
		free(fresh);
		return -1;
	}
	/* From here nothing fails: the state of nodes that stay moves over. */
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		struct mgr_node *o = model_node(M, nn[i].name);
		if (!o) {
			log_notice("node %s: added (%s)", nn[i].name, nn[i].address);
			fresh[i] = true;
			continue;
		}
		struct cnode *oc = cnode_of(o);
		char addr[sizeof nn[i].address];
		struct cfg_poll poll = nn[i].poll;
		str_copy(addr, nn[i].address, sizeof addr);
		nn[i] = *o;
		str_copy(nn[i].address, addr, sizeof nn[i].address);
		nn[i].poll = poll;
		nn[i].fsm.window_ms = poll.down_after_ms;
		ncn[i] = *oc;
		o->procs = NULL;
		o->res = NULL;
		o->alarms = NULL;
		o->n_procs = o->n_res = o->n_alarms = 0;
		oc->fetch = NULL;
		oc->n_fetch = 0;
	}
	for (size_t i = 0; i < M->n_nodes; i++) {
		tables_free(&M->nodes[i]);
		free(CN[i].fetch);
	}
	free(M->nodes);
	free(CN);
	M->nodes = nn;
	M->n_nodes = cfg->n_nodes;
	CN = ncn;
	C = cfg;
	/* new nodes: their last known state, if the store has one */
	for (size_t i = 0; i < M->n_nodes; i++)
		if (fresh[i])
			node_load(&M->nodes[i], now_ms);
		else
			node_save(&M->nodes[i]);
	free(fresh);
	forget_removed();
	return 0;
}

void cluster_free(void)
{
	if (!M)
		return;
	save_last_id();
	for (size_t i = 0; i < M->n_nodes; i++) {
		tables_free(&M->nodes[i]);
		free(CN[i].fetch);
	}
	free(M->nodes);
	free(CN);
	free(M->ring);
	M->nodes = NULL;
	M->n_nodes = 0;
	M->ring = NULL;
	M->ring_cap = M->ring_len = M->ring_head = 0;
	CN = NULL;
	M = NULL;
}
