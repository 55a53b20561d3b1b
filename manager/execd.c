/* Remote execution through the manager: requests from the store, placed on
 * nodes by SET as manager.exec.user (agentreq.c), judged by exec_plan.c,
 * followed to their end, every step written back to the store. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agentreq.h"
#include "cluster.h"
#include "exec_plan.h"
#include "execd.h"
#include "log.h"
#include "shugo_oids.h"
#include "strutil.h"
#include "varbind.h"

#define TRIM_EVERY_MS 60000
#define NODE_ACCEPTING 12 /* shugoNode scalars */
#define NODE_MANAGED 10
#define NODE_MAX 11
/* shugoExecEntry columns */
enum { XC_PROGRAM = 2, XC_ARGS, XC_ENV, XC_WAIT, XC_REQUESTER, XC_PID, XC_STATE, XC_START, XC_END_TIME, XC_EXIT_CODE,
       XC_EXIT_SIGNAL, XC_END, XC_SIGNAL, XC_REFUSAL, XC_REASON, XC_ROW_STATUS };

enum phase {
	PH_NEW = 0,  /* not tried yet */
	PH_ASK,      /* availability inquiry in flight */
	PH_ASKED,    /* answered (least loaded: waiting for the others) */
	PH_SET,      /* the row's SET in flight */
	PH_READ,     /* reading the row after the SET */
	PH_WATCH,    /* running there: its end awaited */
	PH_WATCH_READ, /* reading the row of a running program */
	PH_SETTLED,  /* ended, refused, failed, ...: nothing more to do */
};

struct xreq;

struct xrun {
	struct xreq *req;
	struct store_exec_run row;
	struct exec_cand cand;
	enum phase phase;
	char set_err[160];    /* what went wrong with the SET, if anything */
	int64_t next_check;   /* PH_WATCH: next read of the row (monotonic) */
};

struct xreq {
	struct store_exec_req r;
	struct xrun *runs;
	size_t n_runs;
	int attempts;         /* runs tried so far */
	int sending;          /* the operator's signal being sent, 0 none */
	unsigned signals_out; /* its SETs not answered yet */
	bool ordered;         /* least loaded: the inquiries are in and the runs sorted */
	struct xreq *next;
};

static struct store *S;
static struct mgr_model *M;
static const struct shugo_config *C;
static struct xreq *reqs;
static int64_t next_trim;

/* ---- small helpers ---- */

/* The request's rows in shugoMgrExecTable, as they are now. */
static void publish(struct xreq *q)
{
	struct store_exec_run *v = calloc(q->n_runs ? q->n_runs : 1, sizeof *v);

	for (size_t i = 0; v && i < q->n_runs; i++)
		v[i] = q->runs[i].row;
	if (!v || model_exec_set(M, &q->r, v, q->n_runs) < 0)
		log_err("exec %s: shugoMgrExecTable not updated: out of memory", q->r.id);
	free(v);
}

static void req_save(struct xreq *q)
{
	q->r.updated_ms = mgr_wall_ms();
	if (store_exec_update(S, &q->r) < 0)
		log_err("exec %s: cannot record the request: %s", q->r.id, store_errmsg(S));
	publish(q);
}

static void run_save(struct xrun *x)
{
	x->row.updated_ms = mgr_wall_ms();
	if (store_exec_run_put(S, &x->row) < 0)
		log_err("exec %s on %s: cannot record the run: %s", x->row.request, x->row.node, store_errmsg(S));
	publish(x->req);
}

/* Settle x with state and detail (printf). */
static void settle(struct xrun *x, const char *state, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void settle(struct xrun *x, const char *state, const char *fmt, ...)
{
	va_list ap;

	str_copy(x->row.state, state, sizeof x->row.state);
	va_start(ap, fmt);
	vsnprintf(x->row.detail, sizeof x->row.detail, fmt, ap);
	va_end(ap);
	x->phase = PH_SETTLED;
	run_save(x);
	log_info("exec %s on %s: %s%s%s", x->row.request, x->row.node, state, x->row.detail[0] ? ": " : "",
		 x->row.detail);
}

/* "exec:<id>"'s index: the octets of id with their length first. */
static size_t row_oid(oid *o, unsigned col, const char *id)
{
	static const oid entry[] = {OID_EXEC_ENTRY};
	size_t n = sizeof entry / sizeof entry[0], len = strlen(id);

	memcpy(o, entry, sizeof entry);
	o[n++] = col;
	o[n++] = len;
	for (size_t i = 0; i < len; i++)
		o[n++] = (unsigned char)id[i];
	return n;
}

static bool node_down(const char *name)
{
	struct mgr_node *n = model_node(M, name);

	return n && n->fsm.state == NODE_DOWN;
}

static uint32_t node_cpu(const char *name)
{
	struct mgr_node *n = model_node(M, name);

	for (size_t i = 0; n && !n->stale && i < n->n_res; i++)
		if (n->res[i].type == 1) /* shugoResType cpu */
			return n->res[i].value;
	return EXEC_CPU_UNKNOWN;
}

static void on_ask(void *arg, const char *node, netsnmp_pdu *resp, const char *why);
static void on_set(void *arg, const char *node, netsnmp_pdu *resp, const char *why);
static void on_read(void *arg, const char *node, netsnmp_pdu *resp, const char *why);
static void place(struct xreq *q);
static void check_done(struct xreq *q);

/* ---- the steps ---- */

static void begin_try(struct xrun *x)
{
	x->row.attempt = ++x->req->attempts;
	str_copy(x->row.state, "asking", sizeof x->row.state);
	x->row.detail[0] = '\0';
	run_save(x);
}

static void ask(struct xrun *x)
{
	static const oid node_oid[] = {OID_NODE};
	size_t n = sizeof node_oid / sizeof node_oid[0];
	const unsigned cols[] = {NODE_ACCEPTING, NODE_MANAGED, NODE_MAX};
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
	oid o[MAX_OID_LEN];

	begin_try(x);
	x->phase = PH_ASK;
	if (!pdu) {
		settle(x, "failed", "out of memory");
		return;
	}
	memcpy(o, node_oid, sizeof node_oid);
	for (size_t i = 0; i < 3; i++) {
		o[n] = cols[i];
		o[n + 1] = 0;
		snmp_add_null_var(pdu, o, n + 2);
	}
	if (areq_send(x->row.node, pdu, on_ask, x) < 0)
		settle(x, "failed", "manager.exec.user is not configured, or %s is not a node", x->row.node);
}

static void set_row(struct xrun *x)
{
	const struct store_exec_req *r = &x->req->r;
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_SET);
	oid o[MAX_OID_LEN];
	size_t n;
	long wait = 2, go = 4; /* wait(2): shugoExecEnded tells the end; createAndGo(4) */

	if (x->row.attempt == 0)
		begin_try(x);
	x->phase = PH_SET;
	x->set_err[0] = '\0';
	if (!pdu) {
		settle(x, "failed", "out of memory");
		return;
	}
	n = row_oid(o, XC_PROGRAM, r->id);
	snmp_pdu_add_variable(pdu, o, n, ASN_OCTET_STR, r->program, strlen(r->program));
	o[n - strlen(r->id) - 2] = XC_ARGS;
	snmp_pdu_add_variable(pdu, o, n, ASN_OCTET_STR, r->args, strlen(r->args));
	o[n - strlen(r->id) - 2] = XC_ENV;
	snmp_pdu_add_variable(pdu, o, n, ASN_OCTET_STR, r->env, strlen(r->env));
	o[n - strlen(r->id) - 2] = XC_WAIT;
	snmp_pdu_add_variable(pdu, o, n, ASN_INTEGER, &wait, sizeof wait);
	o[n - strlen(r->id) - 2] = XC_REQUESTER;
	snmp_pdu_add_variable(pdu, o, n, ASN_OCTET_STR, C->manager.exec.requester, strlen(C->manager.exec.requester));
	o[n - strlen(r->id) - 2] = XC_ROW_STATUS;
	snmp_pdu_add_variable(pdu, o, n, ASN_INTEGER, &go, sizeof go);
	if (areq_send(x->row.node, pdu, on_set, x) < 0)
		settle(x, "failed", "manager.exec.user is not configured, or %s is not a node", x->row.node);
}

/* Read the row: after the SET (placing), or while it runs (watching). */
static void read_row(struct xrun *x, enum phase phase)
{
	static const unsigned cols[] = {XC_PROGRAM, XC_REQUESTER, XC_PID, XC_STATE, XC_START, XC_END_TIME,
					XC_EXIT_CODE, XC_EXIT_SIGNAL, XC_END, XC_REFUSAL, XC_REASON};
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
	oid o[MAX_OID_LEN];
	size_t n;

	x->phase = phase;
	if (!pdu) {
		x->phase = phase == PH_READ ? PH_READ : PH_WATCH;
		return;
	}
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		n = row_oid(o, cols[i], x->row.request);
		snmp_add_null_var(pdu, o, n);
	}
	if (areq_send(x->row.node, pdu, on_read, x) < 0) {
		if (phase == PH_READ)
			settle(x, "failed", "manager.exec.user is not configured, or %s is not a node", x->row.node);
		else
			x->phase = PH_WATCH;
	}
}

static bool is_timeout(const char *why)
{
	return why && !strncmp(why, "no answer", 9);
}

static void on_ask(void *arg, const char *node, netsnmp_pdu *resp, const char *why)
{
	struct xrun *x = arg;
	long accepting = 0;
	bool seen = false;

	(void)node;
	x->phase = PH_ASKED;
	if (!resp)
		settle(x, is_timeout(why) ? "timeout" : "failed", "availability inquiry: %s", why);
	else if (resp->errstat != SNMP_ERR_NOERROR)
		settle(x, "failed", "availability inquiry: snmpd answered %s", snmp_errstring((int)resp->errstat));
	else {
		for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable) {
			oid last = v->name_length >= 2 ? v->name[v->name_length - 2] : 0;
			if (vb_is_exception(v))
				continue;
			if (last == NODE_ACCEPTING)
				accepting = vb_int(v), seen = true;
			else if (last == NODE_MANAGED)
				x->cand.managed = vb_uns(v);
			else if (last == NODE_MAX)
				x->cand.max = vb_uns(v);
		}
		x->cand.asked = true;
		x->cand.accepting = seen && accepting == 1;
		x->cand.cpu = node_cpu(x->row.node);
		if (!seen)
			settle(x, "failed", "the node does not serve shugoNodeAcceptingExec (no Shugo agent behind snmpd?)");
		else if (!x->cand.accepting)
			settle(x, "refused", "not accepting: %" PRIu32 " of at most %" PRIu32 " processes%s",
			       x->cand.managed, x->cand.max, x->cand.max ? "" : " (remote execution off)");
	}
	place(x->req);
}

static void on_set(void *arg, const char *node, netsnmp_pdu *resp, const char *why)
{
	struct xrun *x = arg;

	(void)node;
	if (!resp)
		str_copy(x->set_err, why, sizeof x->set_err);
	else if (resp->errstat != SNMP_ERR_NOERROR)
		snprintf(x->set_err, sizeof x->set_err, "snmpd answered %s", snmp_errstring((int)resp->errstat));
	/* whatever the SET answered, the row is the truth: a SET re-sent after
	 * a lost response fails although the first one made the row */
	read_row(x, PH_READ);
}

/* A row read from resp into row/buffers. */
struct rowbuf {
	char program[65], requester[65], reason[256];
	uint32_t pid;
	int64_t started, ended;
	bool no_agent; /* noSuchObject: snmpd serves no SHUGO-MIB (the agent is not registered) */
};

static void parse_row(netsnmp_pdu *resp, struct exec_row *row, struct rowbuf *b)
{
	memset(row, 0, sizeof *row);
	memset(b, 0, sizeof *b);
	row->program = b->program;
	row->requester = b->requester;
	row->reason = b->reason;
	for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable) {
		static const oid entry[] = {OID_EXEC_ENTRY};
		size_t el = sizeof entry / sizeof entry[0];
		if (v->name_length > el && v->name[el] == XC_STATE && v->type == SNMP_NOSUCHOBJECT)
			b->no_agent = true;
		if (v->name_length <= el || vb_is_exception(v))
			continue;
		switch (v->name[el]) {
		case XC_PROGRAM: vb_str(v, b->program, sizeof b->program); break;
		case XC_REQUESTER: vb_str(v, b->requester, sizeof b->requester); break;
		case XC_PID: b->pid = vb_uns(v); break;
		case XC_STATE: row->state = (int)vb_int(v), row->present = true; break;
		case XC_START: b->started = vb_date_ms(v); break;
		case XC_END_TIME: b->ended = vb_date_ms(v); break;
		case XC_EXIT_CODE: row->exit_code = (int)vb_int(v); break;
		case XC_EXIT_SIGNAL: row->exit_signal = (int)vb_int(v); break;
		case XC_END: row->end = (int)vb_int(v); break;
		case XC_REFUSAL: row->refusal = (int)vb_int(v); break;
		case XC_REASON: vb_str(v, b->reason, sizeof b->reason); break;
		}
	}
}

/* The end of a run whose row is gone, from the agent's shugoExecEnded in the
 * central log. */
struct ended_find {
	const char *object;
	struct log_rec rec;
	bool found;
};

static int ended_cb(const struct log_rec *r, void *arg)
{
	struct ended_find *f = arg;

	if (strcmp(r->object, f->object))
		return 0;
	f->rec = *r;
	f->found = true;
	return 0;
}

static bool end_from_log(struct xrun *x)
{
	char object[EV_OBJECT_MAX + 1];
	struct ended_find f = {.object = object};
	struct store_log_filter flt = {.node = x->row.node, .type_name = "shugoExecEnded",
				       .since_ms = x->req->r.created_ms - 60000, .order = STORE_ORDER_OCCURRED};
	const char *p;

	snprintf(object, sizeof object, "exec:%s", x->row.request);
	if (store_log_query(S, &flt, ended_cb, &f) < 0 || !f.found)
		return false;
	x->row.ended_ms = f.rec.occurred_ms;
	if (!strcmp(f.rec.state, "killed")) {
		x->row.normal = 0;
		x->row.exit_signal = (p = strstr(f.rec.detail, "signal ")) ? atoi(p + 7) : 0;
		settle(x, "killed", "signal %d (from its shugoExecEnded)", x->row.exit_signal);
	} else {
		x->row.normal = !strcmp(f.rec.state, "normal");
		x->row.exit_code = (p = strstr(f.rec.detail, "exit code ")) ? atoi(p + 10) : 0;
		settle(x, "exited", "exit code %d (from its shugoExecEnded)", x->row.exit_code);
	}
	return true;
}

static void on_read(void *arg, const char *node, netsnmp_pdu *resp, const char *why)
{
	struct xrun *x = arg;
	struct exec_row row;
	struct rowbuf b;
	char state[16], detail[256];
	int normal;
	enum exec_verdict v;
	bool placing = x->phase == PH_READ;

	(void)node;
	if (!resp || resp->errstat != SNMP_ERR_NOERROR) {
		if (!placing) { /* read again at the next check */
			x->phase = strcmp(x->row.state, "running") ? PH_SETTLED : PH_WATCH;
			return;
		}
		if (!resp)
			settle(x, is_timeout(why) ? "timeout" : "failed", "%s%s%s", x->set_err[0] ? x->set_err : why,
			       x->set_err[0] ? "; the row could not be read: " : "", x->set_err[0] ? why : "");
		else
			settle(x, "failed", "reading the row: snmpd answered %s", snmp_errstring((int)resp->errstat));
		place(x->req);
		return;
	}
	parse_row(resp, &row, &b);
	if (b.no_agent) {
		/* snmpd answers but the agent is not behind it (restarting, or
		 * not registered again yet after snmpd was away): not an answer
		 * about the row */
		if (!placing) {
			x->phase = strcmp(x->row.state, "running") ? PH_SETTLED : PH_WATCH;
			return;
		}
		settle(x, "failed", "%s%sno Shugo agent answers behind the node's snmpd", x->set_err,
		       x->set_err[0] ? "; " : "");
		place(x->req);
		return;
	}
	if (!placing && !row.present) {
		/* gone: the agent restarted or the retention passed */
		if (!end_from_log(x))
			settle(x, "lost", "its row is gone from the node (agent restarted or retention passed) and no "
					  "shugoExecEnded was seen");
		check_done(x->req);
		return;
	}
	v = exec_judge_row(&row, x->req->r.program, C->manager.exec.requester, state, detail, sizeof detail,
			   &normal);
	if (!row.present && placing && x->set_err[0]) {
		settle(x, is_timeout(x->set_err) ? "timeout" : "failed", "%s", x->set_err);
		place(x->req);
		return;
	}
	x->row.pid = b.pid;
	if (b.started)
		x->row.started_ms = b.started;
	switch (v) {
	case XV_RUNNING:
		if (placing || strcmp(x->row.state, "running") || x->row.detail[0]) {
			str_copy(x->row.state, "running", sizeof x->row.state);
			x->row.detail[0] = '\0';
			run_save(x);
			log_info("exec %s: %s started on %s, pid %" PRIu32, x->row.request, x->req->r.program,
				 x->row.node, x->row.pid);
		}
		x->phase = PH_WATCH;
		x->next_check = mgr_mono_ms() + C->manager.exec.check_ms;
		break;
	case XV_ENDED:
		x->row.exit_code = row.exit_code;
		x->row.exit_signal = row.exit_signal;
		x->row.normal = normal;
		x->row.ended_ms = b.ended ? b.ended : mgr_wall_ms();
		settle(x, state, "%s", detail);
		break;
	case XV_NEXT:
		settle(x, state, "%s", detail);
		break;
	}
	if (placing)
		place(x->req);
	else
		check_done(x->req);
}

/* ---- the operator's signal (shugoctl signal) ---- */

static void signal_done(struct xreq *q)
{
	if (store_exec_signal_sent(S, q->r.id, q->sending) < 0)
		log_err("exec %s: cannot record the signal sent: %s", q->r.id, store_errmsg(S));
	q->sending = 0;
}

static void on_signal(void *arg, const char *node, netsnmp_pdu *resp, const char *why)
{
	struct xrun *x = arg;
	struct xreq *q = x->req;

	if (!resp)
		log_warn("exec %s on %s: signal %d not sent: %s", q->r.id, node, q->sending, why);
	else if (resp->errstat == SNMP_ERR_INCONSISTENTVALUE)
		log_info("exec %s on %s: signal %d not sent: the program no longer runs", q->r.id, node, q->sending);
	else if (resp->errstat != SNMP_ERR_NOERROR)
		log_warn("exec %s on %s: signal %d not sent: snmpd answered %s", q->r.id, node, q->sending,
			 snmp_errstring((int)resp->errstat));
	else
		log_notice("exec %s on %s: signal %d sent to pid %" PRIu32, q->r.id, node, q->sending, x->row.pid);
	if (x->phase == PH_WATCH)
		read_row(x, PH_WATCH_READ); /* its end is likely there soon */
	if (q->signals_out && --q->signals_out == 0)
		signal_done(q);
}

/* Send sig to the program wherever it runs (shugoExecSignal); while it is
 * still being placed, the signal waits for the start. */
static void send_signal(struct xreq *q, int sig)
{
	oid o[MAX_OID_LEN];
	long v = sig;

	if (q->sending)
		return;
	q->sending = sig;
	for (size_t i = 0; i < q->n_runs; i++) {
		struct xrun *x = &q->runs[i];
		netsnmp_pdu *pdu;
		size_t n;
		if (x->phase != PH_WATCH && x->phase != PH_WATCH_READ)
			continue;
		if (!(pdu = snmp_pdu_create(SNMP_MSG_SET)))
			continue;
		n = row_oid(o, XC_SIGNAL, q->r.id);
		snmp_pdu_add_variable(pdu, o, n, ASN_INTEGER, &v, sizeof v);
		if (areq_send(x->row.node, pdu, on_signal, x) == 0)
			q->signals_out++;
	}
	if (q->signals_out)
		return;
	if (!strcmp(q->r.state, "placing")) {
		q->sending = 0; /* nothing runs yet: again at the next scan */
		return;
	}
	log_info("exec %s: signal %d: no program of the request runs", q->r.id, sig);
	signal_done(q);
}

/* ---- placing ---- */

/* Runs that started (running or ended there). */
static size_t started(const struct xreq *q)
{
	size_t n = 0;

	for (size_t i = 0; i < q->n_runs; i++) {
		const char *s = q->runs[i].row.state;
		if (q->runs[i].phase == PH_WATCH || q->runs[i].phase == PH_WATCH_READ || !strcmp(s, "running") ||
		    !strcmp(s, "exited") || !strcmp(s, "killed") || !strcmp(s, "lost"))
			n++;
	}
	return n;
}

static bool busy(const struct xrun *x)
{
	return x->phase == PH_ASK || x->phase == PH_SET || x->phase == PH_READ || x->phase == PH_WATCH_READ;
}

/* A node that cannot be tried is settled when its turn comes: true then. */
static bool unusable(struct xrun *x)
{
	if (!model_node(M, x->row.node)) {
		begin_try(x);
		settle(x, "failed", "%s is not a node of the cluster", x->row.node);
		return true;
	}
	if (node_down(x->row.node)) {
		begin_try(x);
		settle(x, "skipped", "the node is down");
		return true;
	}
	return false;
}

/* Sort the runs by load (least loaded first). */
static void order_least_loaded(struct xreq *q)
{
	struct exec_cand *c = calloc(q->n_runs ? q->n_runs : 1, sizeof *c);
	struct xrun *sorted = calloc(q->n_runs ? q->n_runs : 1, sizeof *sorted);

	if (c && sorted) {
		for (size_t i = 0; i < q->n_runs; i++) {
			c[i] = q->runs[i].cand;
			c[i].priority = (unsigned)i;
		}
		exec_order_least_loaded(c, q->n_runs);
		for (size_t i = 0; i < q->n_runs; i++)
			sorted[i] = q->runs[c[i].priority];
		/* areq callbacks hold pointers to runs: none is in flight now */
		memcpy(q->runs, sorted, q->n_runs * sizeof *sorted);
	}
	free(c);
	free(sorted);
}

/* Go on with q: try the next node, or wait, or finish. */
static void place(struct xreq *q)
{
	for (size_t i = 0; i < q->n_runs; i++)
		if (busy(&q->runs[i]))
			return; /* one thing at a time per request; the answer comes back here */
	if (q->r.place == EXEC_PLACE_ALL) {
		for (size_t i = 0; i < q->n_runs; i++)
			if (q->runs[i].phase == PH_NEW && !unusable(&q->runs[i]))
				set_row(&q->runs[i]);
		/* several rows in flight at once: each answer comes back through
		 * check_done, not place */
		check_done(q);
		return;
	}
	if (started(q)) {
		/* least loaded: the others that said yes were not needed */
		for (size_t i = 0; i < q->n_runs; i++)
			if (q->runs[i].phase == PH_ASKED)
				settle(&q->runs[i], "unused", "accepting (%" PRIu32 " of at most %" PRIu32
					" processes); another node was chosen", q->runs[i].cand.managed,
				       q->runs[i].cand.max);
		check_done(q);
		return;
	}
	if (q->r.place == EXEC_PLACE_LEAST_LOADED && !q->ordered) {
		bool asked_any = false;
		for (size_t i = 0; i < q->n_runs; i++) {
			struct xrun *x = &q->runs[i];
			if (x->phase != PH_NEW || unusable(x))
				continue;
			ask(x);
			asked_any = true;
		}
		if (asked_any)
			return; /* back here with each answer */
		q->ordered = true;
		order_least_loaded(q);
	}
	for (size_t i = 0; i < q->n_runs; i++) {
		struct xrun *x = &q->runs[i];
		if (x->phase == PH_ASKED) {
			/* answered and accepting (the others are settled) */
			set_row(x);
			return;
		}
		if (x->phase != PH_NEW || unusable(x))
			continue;
		ask(x);
		return;
	}
	check_done(q);
}

static void req_free(struct xreq *q)
{
	for (size_t i = 0; i < q->n_runs; i++)
		areq_cancel(&q->runs[i]);
	free(q->runs);
	free(q);
}

/* The end of a request: every run settled, or (priority) one running. */
static void check_done(struct xreq *q)
{
	struct exec_outcome *o;
	const char *verdict;
	char detail[256];
	size_t n = 0;

	for (size_t i = 0; i < q->n_runs; i++)
		if (busy(&q->runs[i]))
			return;
	if (!(o = calloc(q->n_runs ? q->n_runs : 1, sizeof *o)))
		return;
	for (size_t i = 0; i < q->n_runs; i++)
		if (q->runs[i].row.attempt > 0 && strcmp(q->runs[i].row.state, "unused"))
			o[n++] = (struct exec_outcome){q->runs[i].row.state, q->runs[i].row.normal};
	verdict = exec_summary(o, n, detail, sizeof detail);
	free(o);
	/* priority and least loaded: untried nodes are left untried */
	if (!strcmp(verdict, "running")) {
		if (strcmp(q->r.state, "running") || strcmp(q->r.detail, detail)) {
			str_copy(q->r.state, "running", sizeof q->r.state);
			str_copy(q->r.detail, detail, sizeof q->r.detail);
			req_save(q);
		}
		return;
	}
	str_copy(q->r.state, verdict, sizeof q->r.state);
	str_copy(q->r.detail, detail, sizeof q->r.detail);
	q->r.ended_ms = mgr_wall_ms();
	req_save(q);
	{
		struct log_rec r = {0};
		bool all_normal = !strcmp(verdict, "done") && !strstr(detail, "abnormally") && !strstr(detail, "lost");
		str_copy(r.node, M->node_name, sizeof r.node);
		r.type = MGR_EXEC_DONE;
		r.sev = !strcmp(verdict, "failed") ? SEV_MAJOR : all_normal ? SEV_INFO : SEV_WARNING;
		snprintf(r.object, sizeof r.object, "exec:%s", q->r.id);
		str_copy(r.state, verdict, sizeof r.state);
		snprintf(r.detail, sizeof r.detail, "%s requested by %s: %s", q->r.program,
			 q->r.requested_by[0] ? q->r.requested_by : "-", detail);
		cluster_raise(&r);
	}
	log_notice("exec %s: %s %s: %s", q->r.id, q->r.program, verdict, detail);
	if (q->sending) /* its answers are not awaited any more */
		signal_done(q);
	/* out of the list and freed */
	for (struct xreq **pp = &reqs; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	req_free(q);
}

/* ---- taking requests ---- */

static struct xreq *find_req(const char *id)
{
	for (struct xreq *q = reqs; q; q = q->next)
		if (!strcmp(q->r.id, id))
			return q;
	return NULL;
}

static int add_run(struct xreq *q, const char *node)
{
	struct xrun *x;

	for (size_t i = 0; i < q->n_runs; i++)
		if (!strcmp(q->runs[i].row.node, node))
			return 0; /* named twice: once is enough */
	if (!(x = realloc(q->runs, (q->n_runs + 1) * sizeof *x)))
		return -1;
	q->runs = x;
	x = &q->runs[q->n_runs++];
	memset(x, 0, sizeof *x);
	str_copy(x->row.request, q->r.id, sizeof x->row.request);
	str_copy(x->row.node, node, sizeof x->row.node);
	str_copy(x->row.state, "asking", sizeof x->row.state);
	x->row.normal = -1;
	x->cand.cpu = EXEC_CPU_UNKNOWN;
	return 0;
}

static int stored_run_cb(const struct store_exec_run *r, void *arg)
{
	struct xreq *q = arg;

	if (add_run(q, r->node) < 0)
		return -1;
	for (size_t i = 0; i < q->n_runs; i++) {
		struct xrun *x = &q->runs[i];
		if (strcmp(x->row.node, r->node))
			continue;
		x->row = *r;
		if (r->attempt > q->attempts)
			q->attempts = r->attempt;
		if (!strcmp(r->state, "running"))
			x->phase = PH_WATCH; /* read at the first check */
		else if (!strcmp(r->state, "asking"))
			x->phase = PH_READ;  /* a SET may have gone out: its row tells */
		else
			x->phase = PH_SETTLED;
	}
	return 0;
}

/* The request's runs: the nodes it names (or every node), with what the
 * store holds of them. Unknown nodes are settled as failed. */
static struct xreq *build(const struct store_exec_req *r)
{
	struct xreq *q = calloc(1, sizeof *q);
	char names[STORE_EXEC_TEXT_MAX + 1], *save = NULL;

	if (!q)
		return NULL;
	q->r = *r;
	if (store_exec_run_list(S, r->id, stored_run_cb, q) < 0) /* tried first, in the order tried */
		goto fail;
	if (r->nodes[0]) {
		str_copy(names, r->nodes, sizeof names);
		for (char *t = strtok_r(names, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
			if (add_run(q, t) < 0)
				goto fail;
	} else {
		for (size_t i = 0; i < C->n_nodes; i++)
			if (add_run(q, C->nodes[i].name) < 0)
				goto fail;
	}
	return q;
fail:
	free(q->runs);
	free(q);
	return NULL;
}

static void start(struct xreq *q)
{
	bool resumed = false;

	q->next = reqs;
	reqs = q;
	for (size_t i = 0; i < q->n_runs; i++)
		q->runs[i].req = q;
	for (size_t i = 0; i < q->n_runs; i++) {
		struct xrun *x = &q->runs[i];
		if (x->phase == PH_READ) {
			read_row(x, PH_READ);
			resumed = true;
		} else if (x->phase == PH_WATCH) {
			x->next_check = 0;
		}
	}
	if (q->r.place == EXEC_PLACE_LEAST_LOADED && q->attempts)
		q->ordered = true; /* resumed: the rest in the order of the list */
	if (!resumed)
		place(q);
}

/* Take request id if it is queued (and nobody took it meanwhile). */
static void take(const char *id)
{
	struct store_exec_req r;
	struct xreq *q;

	if (find_req(id) || store_exec_get(S, id, &r) != 0 || strcmp(r.state, "queued"))
		return;
	r.updated_ms = mgr_wall_ms();
	if (!C->manager.exec.user[0]) {
		str_copy(r.state, "failed", sizeof r.state);
		str_copy(r.detail, "remote execution is off: the manager has no manager.exec.user to SET with",
			 sizeof r.detail);
		r.ended_ms = r.updated_ms;
		if (store_exec_update_if(S, &r, "queued") == 0)
			log_warn("exec %s: refused: no manager.exec.user configured", id);
		return;
	}
	str_copy(r.state, "placing", sizeof r.state);
	if (store_exec_update_if(S, &r, "queued") != 0)
		return; /* given up by shugoctl, or an error (logged at the next try) */
	if (!(q = build(&r))) {
		log_err("exec %s: cannot take the request: %s", id, strerror(errno));
		return;
	}
	log_info("exec %s: %s requested by %s, placing (%s)", id, r.program, r.requested_by,
		 r.place == EXEC_PLACE_ALL ? "every node" : r.place == EXEC_PLACE_LEAST_LOADED ? "least loaded" : "priority");
	start(q);
}

/* arg: true at start, when requests the last run left placing or running
 * are resumed; later only queued ones are taken. */
static int open_cb(const struct store_exec_req *r, void *arg)
{
	bool resume = *(bool *)arg;
	struct xreq *q = find_req(r->id);

	if (q) {
		if (r->signal)
			send_signal(q, r->signal);
		return 0;
	}
	if (!strcmp(r->state, "queued")) {
		take(r->id);
	} else if (resume) { /* placing or running when the last run of the manager stopped */
		q = build(r);
		if (!q) {
			log_err("exec %s: cannot resume the request: %s", r->id, strerror(errno));
			return 0;
		}
		log_info("exec %s: resuming (%s)", r->id, r->state);
		start(q);
	}
	return 0;
}

static void scan(bool resume)
{
	if (store_exec_list(S, true, 0, open_cb, &resume) < 0)
		log_err("exec: cannot read the queued requests: %s", store_errmsg(S));
}

/* ---- shugoMgrExecTable at start ---- */

/* The newest requests of the store into the table (the open ones are
 * published again as they are resumed). */
static int table_cb(const struct store_exec_req *r, void *arg)
{
	struct store_exec_run *v = NULL;
	size_t n = 0;

	(void)arg;
	if (store_exec_runs(S, r->id, &v, &n) < 0)
		log_err("exec %s: shugoMgrExecTable not loaded: %s", r->id, store_errmsg(S));
	else if (model_exec_set(M, r, v, n) < 0)
		log_err("exec %s: shugoMgrExecTable not loaded: out of memory", r->id);
	free(v);
	return 0;
}

/* ---- the public side ---- */

int execd_init(struct store *s, struct mgr_model *m, const struct shugo_config *cfg, int64_t now_ms)
{
	S = s;
	M = m;
	C = cfg;
	next_trim = now_ms + TRIM_EVERY_MS;
	if (areq_configure(m, cfg) < 0)
		return -1;
	if (!cfg->manager.exec.user[0])
		log_info("remote execution: off (no manager.exec.user)");
	if (store_exec_list(S, false, MGR_EXEC_ENDED_KEEP, table_cb, NULL) < 0)
		log_err("exec: cannot read the last requests for shugoMgrExecTable: %s", store_errmsg(S));
	scan(true);
	return 0;
}

void execd_reload(const struct shugo_config *cfg)
{
	C = cfg;
	if (areq_configure(M, cfg) < 0)
		log_err("remote execution: reconfiguring the sessions failed (%s); the old ones are kept",
			strerror(errno));
}

void execd_wake(const char *id, int64_t now_ms)
{
	struct xreq *q = find_req(id);
	struct store_exec_req r;

	(void)now_ms;
	if (!q)
		take(id);
	else if (store_exec_get(S, id, &r) == 0 && r.signal) /* shugoctl signal */
		send_signal(q, r.signal);
}

void execd_record(const struct log_rec *r, int64_t now_ms)
{
	const char *id;

	(void)now_ms;
	if ((r->origin != LR_AGENT && r->origin != LR_REPLAY) || strncmp(r->object, "exec:", 5) ||
	    strcmp(r->type_name, "shugoExecEnded"))
		return;
	id = r->object + 5;
	for (struct xreq *q = reqs; q; q = q->next) {
		if (strcmp(q->r.id, id))
			continue;
		for (size_t i = 0; i < q->n_runs; i++) {
			struct xrun *x = &q->runs[i];
			/* a running one ended; one whose SET timed out did start */
			if (!strcmp(x->row.node, r->node) &&
			    (x->phase == PH_WATCH || (x->phase == PH_SETTLED && !strcmp(x->row.state, "timeout"))))
				read_row(x, PH_WATCH_READ);
		}
		return;
	}
}

void execd_node_down(const char *node)
{
	for (struct xreq *q = reqs; q; q = q->next)
		for (size_t i = 0; i < q->n_runs; i++) {
			struct xrun *x = &q->runs[i];
			struct log_rec r = {0};
			if (strcmp(x->row.node, node) || (x->phase != PH_WATCH && x->phase != PH_WATCH_READ))
				continue;
			snprintf(x->row.detail, sizeof x->row.detail, "the node is down: its end is read when it is back");
			run_save(x);
			str_copy(r.node, node, sizeof r.node);
			r.type = MGR_EXEC_UNREACHABLE;
			r.sev = SEV_WARNING;
			snprintf(r.object, sizeof r.object, "exec:%s", q->r.id);
			str_copy(r.state, "unreachable", sizeof r.state);
			snprintf(r.detail, sizeof r.detail, "%s requested by %s runs on %s (pid %" PRIu32
				 "), which went down: its end is read when the node is back",
				 q->r.program, q->r.requested_by[0] ? q->r.requested_by : "-", node, x->row.pid);
			cluster_raise(&r);
			log_warn("exec %s on %s: the node went down while the program ran", q->r.id, node);
		}
}

void execd_tick(int64_t now_ms)
{
	scan(false);
	for (struct xreq *q = reqs; q; q = q->next)
		for (size_t i = 0; i < q->n_runs; i++) {
			struct xrun *x = &q->runs[i];
			if (x->phase == PH_WATCH && now_ms >= x->next_check && !node_down(x->row.node)) {
				x->next_check = now_ms + C->manager.exec.check_ms;
				read_row(x, PH_WATCH_READ);
			}
		}
	if (now_ms >= next_trim) {
		next_trim = now_ms + TRIM_EVERY_MS;
		if (store_exec_trim(S, C->manager.exec.keep) < 0)
			log_err("exec: cannot trim old requests: %s", store_errmsg(S));
	}
}

void execd_free(void)
{
	struct xreq *q;

	while ((q = reqs)) {
		reqs = q->next;
		req_free(q);
	}
	areq_free();
	if (M)
		model_exec_free(M);
}
