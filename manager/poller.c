/* The asynchronous poller (see poller.h). Each node has one net-snmp session
 * and runs one job at a time, a chain of requests: [SNMPv3 engine discovery],
 * the scalars GET, one multi-column GETBULK walk per table, and, when the
 * cluster asks, GETs of notification log rows. Callbacks only take in what
 * arrived and queue the node's next request; poller_run sends what the
 * in-flight limit allows, so a dead node holds one slot for one timeout window
 * and nobody else waits for it. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cluster.h"
#include "event.h"
#include "log.h"
#include "poller.h"
#include "shugo_oids.h"
#include "snmpsess.h"
#include "varbind.h"
#include "strutil.h"

#define FETCH_BATCH 8 /* notification log rows per GET (7 columns each) */
#define NLOG_COLS (NLOG_COL_LAST - NLOG_COL_TIME + 1)
#define MAX_WALK_COLS 6
#define ROWS_MAX 100000 /* rows kept per table: a bound on what one poll may cost */

enum step { ST_IDLE = 0, ST_PROBE, ST_SCALARS, ST_WALK, ST_FETCH };

enum tbl { T_PROC, T_INST, T_RES, T_NIC, T_ALARM, T_N };

static const oid proc_entry[] = {OID_PROC_ENTRY};
static const oid inst_entry[] = {OID_PROCINST_ENTRY};
static const oid res_entry[] = {OID_RES_ENTRY};
static const oid nic_entry[] = {OID_NIC_ENTRY};
static const oid alarm_entry[] = {OID_ALARM_ENTRY};
static const oid nlog_entry[] = {OID_NLOG_ENTRY};
static const oid notif_prefix[] = {OID_NOTIF_PREFIX};

/* The columns each walk reads: only what the global store keeps. */
static const struct tdef {
	const char *name;
	const oid *entry;
	size_t entry_len;
	unsigned cols[MAX_WALK_COLS];
	size_t n_cols;
} tables[T_N] = {
	[T_PROC] = {"shugoProcTable", proc_entry, OID_LENGTH(proc_entry),
		    {PROC_COL_KIND, PROC_COL_INSTANCES, PROC_COL_STATE, PROC_COL_RESTARTS, PROC_COL_LAST_CHANGE}, 5},
	[T_INST] = {"shugoProcInstTable", inst_entry, OID_LENGTH(inst_entry), {INST_COL_CPU, INST_COL_RSS}, 2},
	[T_RES] = {"shugoResTable", res_entry, OID_LENGTH(res_entry),
		   {RES_COL_TYPE, RES_COL_VALUE, RES_COL_STATE, RES_COL_DETAIL}, 4},
	[T_NIC] = {"shugoNicTable", nic_entry, OID_LENGTH(nic_entry),
		   {NIC_COL_LINK, NIC_COL_TRAFFIC, NIC_COL_STATE, NIC_COL_RX_BYTES, NIC_COL_TX_BYTES,
		    NIC_COL_SILENT}, 6},
	[T_ALARM] = {"shugoAlarmTable", alarm_entry, OID_LENGTH(alarm_entry),
		     {ALARM_COL_TYPE, ALARM_COL_OBJECT, ALARM_COL_SEVERITY, ALARM_COL_RAISED_TIME, ALARM_COL_DESCR}, 5},
};

/* The scalars GET, in this order. */
enum { SC_UPTIME, SC_NAME, SC_BOOT, SC_SEQ, SC_FIRST, SC_N };
static const oid sc_oids[SC_N][12] = {
	[SC_UPTIME] = {1, 3, 6, 1, 2, 1, 1, 3, 0},
	[SC_NAME] = {OID_NODE, NODE_NAME, 0},
	[SC_BOOT] = {OID_NODE, NODE_BOOT, 0},
	[SC_SEQ] = {OID_NODE, NODE_NOTIF_SEQ, 0},
	[SC_FIRST] = {OID_NLOG, 2, 0},
};
/* shugoMIB.1.<group>.<scalar>.0 */
static const size_t sc_lens[SC_N] = {9, SHUGO_MIB_LEN + 4, SHUGO_MIB_LEN + 4, SHUGO_MIB_LEN + 4, SHUGO_MIB_LEN + 4};

struct col {
	oid last[MAX_OID_LEN]; /* where the walk of this column stands */
	size_t last_len;
	bool done;
};

struct pnode {
	char name[CFG_NAME_MAX + 1];
	char address[257];
	struct cfg_poll poll;
	/* credentials (cfg.manager.reader, and the user's keys for SNMPv3) */
	int version;
	char *community;
	struct cfg_user user;
	bool bad_user;          /* reader.user is not in snmp.users */
	netsnmp_session *ss;
	netsnmp_session *dead;  /* a session whose transport net-snmp closed: ours to close */
	bool reopen;            /* close and open the session at the next poll */
	char open_err[400];

	enum step step;
	int reqid;              /* the request outstanding, 0 = none */
	bool sending;           /* inside snmp_async_send: its callbacks are its return value */
	bool queued;            /* waiting in the send queue */
	int64_t next_due;       /* next poll (monotonic ms) */
	int64_t sent_ms;
	bool rtt_known;

	struct poll_result res;
	/* walk */
	int table;
	struct col cols[MAX_WALK_COLS];
	unsigned act[MAX_WALK_COLS]; /* columns in the request in flight, in its order */
	size_t n_act;
	long reps;
	/* fetch */
	uint32_t *fetch;
	size_t n_fetch, fetch_pos, batch, batch_sent;
	struct log_rec *recs;
	size_t n_recs;
	uint32_t *gone;
	size_t n_gone;
};

static struct pnode **nodes;
static size_t n_nodes;
static struct pnode **queue; /* ring of nodes whose next request waits for a slot */
static size_t q_head, q_len, q_cap;
static size_t in_flight;
static size_t max_in_flight = 64;

/* ---- small helpers ---- */

static void res_reset(struct poll_result *r)
{
	poll_result_free(r);
	memset(r, 0, sizeof *r);
}

void poll_result_free(struct poll_result *r)
{
	if (!r)
		return;
	free(r->procs);
	free(r->res);
	free(r->alarms);
	r->procs = NULL;
	r->res = NULL;
	r->alarms = NULL;
	r->n_procs = r->n_res = r->n_alarms = 0;
	r->cap_procs = r->cap_res = r->cap_alarms = 0;
}

static void fetch_reset(struct pnode *pn)
{
	free(pn->fetch);
	free(pn->recs);
	free(pn->gone);
	pn->fetch = NULL;
	pn->recs = NULL;
	pn->gone = NULL;
	pn->n_fetch = pn->fetch_pos = pn->n_recs = pn->n_gone = 0;
}


/* A name index (ShugoName: length, then octets) at idx; its length in
 * sub-identifiers, or 0 if malformed. */
static size_t idx_name(const oid *idx, size_t len, char *out, size_t size)
{
	size_t n;

	if (len < 1 || idx[0] < 1 || idx[0] > CFG_NAME_MAX || idx[0] >= size || idx[0] + 1 > len)
		return 0;
	n = idx[0];
	for (size_t i = 0; i < n; i++) {
		if (idx[i + 1] < 1 || idx[i + 1] > 255)
			return 0;
		out[i] = (char)idx[i + 1];
	}
	out[n] = '\0';
	return n + 1;
}

static void oid_format(const oid *o, size_t len, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < len && off < size; i++) {
		int w = snprintf(buf + off, size - off, ".%lu", (unsigned long)o[i]);
		if (w < 0 || (size_t)w >= size - off) {
			buf[off] = '\0';
			break;
		}
		off += (size_t)w;
	}
}

/* The notification a type OID names (its last arc under shugoNotifications), 0 if none. */
static int notif_type(const oid *o, size_t len)
{
	size_t pl = OID_LENGTH(notif_prefix);

	if (len != pl + 1 || memcmp(o, notif_prefix, pl * sizeof(oid)) != 0 || o[pl] < 1 || o[pl] > 0xffff)
		return 0;
	return (int)o[pl];
}

static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return true;
	if (n >= ROWS_MAX)
		return false;
	nc = *cap ? *cap * 2 : 16;
	if (!(p = realloc(*arr, nc * elem)))
		return false;
	memset((char *)p + *cap * elem, 0, (nc - *cap) * elem);
	*arr = p;
	*cap = nc;
	return true;
}

/* ---- rows of a poll, looked up or inserted by index ---- */

static struct store_proc *proc_row(struct pnode *pn, const char *name, bool create)
{
	struct poll_result *r = &pn->res;
	size_t lo = 0, hi = r->n_procs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = model_name_cmp(r->procs[mid].name, name);
		if (c == 0)
			return &r->procs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create || !grow((void **)&r->procs, &r->cap_procs, r->n_procs, sizeof *r->procs))
		return NULL;
	memmove(&r->procs[lo + 1], &r->procs[lo], (r->n_procs - lo) * sizeof *r->procs);
	memset(&r->procs[lo], 0, sizeof *r->procs);
	str_copy(r->procs[lo].node, pn->name, sizeof r->procs[lo].node);
	str_copy(r->procs[lo].name, name, sizeof r->procs[lo].name);
	r->n_procs++;
	return &r->procs[lo];
}

static struct store_res *res_row(struct pnode *pn, const char *name, bool create)
{
	struct poll_result *r = &pn->res;
	size_t lo = 0, hi = r->n_res;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = model_name_cmp(r->res[mid].name, name);
		if (c == 0)
			return &r->res[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create || !grow((void **)&r->res, &r->cap_res, r->n_res, sizeof *r->res))
		return NULL;
	memmove(&r->res[lo + 1], &r->res[lo], (r->n_res - lo) * sizeof *r->res);
	memset(&r->res[lo], 0, sizeof *r->res);
	str_copy(r->res[lo].node, pn->name, sizeof r->res[lo].node);
	str_copy(r->res[lo].name, name, sizeof r->res[lo].name);
	r->n_res++;
	return &r->res[lo];
}

static struct store_alarm *alarm_row(struct pnode *pn, uint32_t id)
{
	struct poll_result *r = &pn->res;
	size_t lo = 0, hi = r->n_alarms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->alarms[mid].id == id)
			return &r->alarms[mid];
		if (r->alarms[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!grow((void **)&r->alarms, &r->cap_alarms, r->n_alarms, sizeof *r->alarms))
		return NULL;
	memmove(&r->alarms[lo + 1], &r->alarms[lo], (r->n_alarms - lo) * sizeof *r->alarms);
	memset(&r->alarms[lo], 0, sizeof *r->alarms);
	str_copy(r->alarms[lo].node, pn->name, sizeof r->alarms[lo].node);
	r->alarms[lo].id = id;
	r->n_alarms++;
	return &r->alarms[lo];
}

/* One cell of a walked table. */
static void put_cell(struct pnode *pn, int t, unsigned col, const oid *idx, size_t len,
		     const netsnmp_variable_list *v)
{
	char name[CFG_NAME_MAX + 1], full[CFG_NAME_MAX + 8];
	size_t used = idx_name(idx, len, name, sizeof name);

	switch (t) {
	case T_PROC: {
		struct store_proc *p;
		if (!used || used != len || !(p = proc_row(pn, name, true)))
			return;
		switch (col) {
		case PROC_COL_KIND: p->kind = (int)vb_int(v); break;
		case PROC_COL_INSTANCES: p->instances = vb_uns(v); break;
		case PROC_COL_STATE: p->state = (int)vb_int(v); break;
		case PROC_COL_RESTARTS: p->restarts = vb_uns(v); break;
		case PROC_COL_LAST_CHANGE: p->last_change = vb_date_ms(v) / 1000; break;
		}
		return;
	}
	case T_INST: {
		struct store_proc *p;
		/* name, then pid: summed into the process (it was walked first) */
		if (!used || used + 1 != len || !(p = proc_row(pn, name, false)))
			return;
		if (col == INST_COL_CPU)
			p->cpu += vb_uns(v);
		else if (col == INST_COL_RSS)
			p->rss_kb += vb_uns(v);
		return;
	}
	case T_RES: {
		struct store_res *r;
		if (!used || used != len || !(r = res_row(pn, name, true)))
			return;
		switch (col) {
		case RES_COL_TYPE: r->type = (int)vb_int(v); break;
		case RES_COL_VALUE: r->value = vb_uns(v); break;
		case RES_COL_STATE: r->state = (int)vb_int(v); break;
		case RES_COL_DETAIL: vb_str(v, r->detail, sizeof r->detail); break;
		}
		return;
	}
	case T_NIC: {
		static const char *const link[] = {"?", "up", "down", "unknown"};
		static const char *const traffic[] = {"?", "moving", "stalled", "unknown"};
		struct store_res *r;
		long x;
		if (!used || used != len)
			return;
		snprintf(full, sizeof full, "nic:%s", name);
		if (!(r = res_row(pn, full, true)) || r->type != 0)
			return; /* a resource row of that name came first: it stays */
		switch (col) {
		case NIC_COL_LINK:
			x = vb_int(v);
			/* detail: "link up, traffic moving, silent 0 s", built column by column */
			snprintf(r->detail, sizeof r->detail, "link %s", link[x >= 1 && x <= 3 ? x : 0]);
			break;
		case NIC_COL_TRAFFIC:
			x = vb_int(v);
			snprintf(r->detail + strlen(r->detail), sizeof r->detail - strlen(r->detail), ", traffic %s",
				 traffic[x >= 1 && x <= 3 ? x : 0]);
			break;
		case NIC_COL_STATE: r->state = (int)vb_int(v); break;
		case NIC_COL_RX_BYTES: r->rx_bytes = vb_u64(v); break;
		case NIC_COL_TX_BYTES: r->tx_bytes = vb_u64(v); break;
		case NIC_COL_SILENT:
			snprintf(r->detail + strlen(r->detail), sizeof r->detail - strlen(r->detail), ", silent %u s",
				 vb_uns(v));
			break;
		}
		return;
	}
	case T_ALARM: {
		struct store_alarm *a;
		if (len != 1 || idx[0] < 1 || idx[0] > 0xffffffffUL || !(a = alarm_row(pn, (uint32_t)idx[0])))
			return;
		switch (col) {
		case ALARM_COL_TYPE:
			if (v->type == ASN_OBJECT_ID)
				a->type = notif_type(v->val.objid, v->val_len / sizeof(oid));
			break;
		case ALARM_COL_OBJECT: vb_str(v, a->object, sizeof a->object); break;
		case ALARM_COL_SEVERITY: a->sev = (int)vb_int(v); break;
		case ALARM_COL_RAISED_TIME: a->raised = vb_date_ms(v) / 1000; break;
		case ALARM_COL_DESCR: vb_str(v, a->detail, sizeof a->detail); break;
		}
		return;
	}
	}
}

/* ---- sessions ---- */

static int on_response(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *pdu, void *magic);

/* Open the node's session. SNMPv3: net-snmp would find the agent's engine ID
 * with a synchronous exchange at open (or at the first send), stalling every
 * other node for a whole timeout when this one is dead; the probe is ours to
 * send instead, asynchronously, as the first request of a poll. */
static int pnode_open(struct pnode *pn)
{
	netsnmp_session s;
	int rc = -1;

	snmp_sess_init(&s);
	s.peername = pn->address;
	s.timeout = (long)pn->poll.timeout_ms * 1000L;
	s.retries = (int)pn->poll.retries;
	s.callback = on_response;
	s.callback_magic = pn;
	if (pn->version == 3) {
		if (snmpsess_set_usm(&s, &pn->user) < 0) {
			snprintf(pn->open_err, sizeof pn->open_err, "cannot set up SNMPv3 user '%s'", pn->user.name);
			goto out;
		}
		s.flags |= SNMP_FLAGS_DONT_PROBE;
	} else {
		s.version = SNMP_VERSION_2c;
		s.community = (u_char *)pn->community;
		s.community_len = strlen(pn->community);
	}
	if (!(pn->ss = snmp_open(&s))) {
		snprintf(pn->open_err, sizeof pn->open_err, "cannot open a session to %s: %s", pn->address,
			 snmp_api_errstring(snmp_errno));
		goto out;
	}
	/* net-snmp clears the flag once open; keep discovery ours */
	if (pn->version == 3)
		pn->ss->flags |= SNMP_FLAGS_DONT_PROBE;
	pn->open_err[0] = '\0';
	rc = 0;
out:
	if (s.version == SNMP_VERSION_3)
		snmpsess_clear(&s);
	return rc;
}

static void queue_drop(struct pnode *pn)
{
	size_t k = 0;

	if (!pn->queued)
		return;
	for (size_t i = 0; i < q_len; i++) {
		struct pnode *x = queue[(q_head + i) % q_cap];
		if (x != pn)
			queue[(q_head + k++) % q_cap] = x;
	}
	q_len = k;
	pn->queued = false;
}

/* Close the session; a request outstanding on it is forgotten (net-snmp
 * calls back with a timeout, which on_response then ignores). */
static void pnode_close(struct pnode *pn)
{
	if (pn->reqid) {
		pn->reqid = 0;
		in_flight--;
	}
	if (pn->ss)
		snmp_close(pn->ss);
	pn->ss = NULL;
	if (pn->dead)
		snmp_close(pn->dead);
	pn->dead = NULL;
}

static void pnode_free(struct pnode *pn)
{
	if (!pn)
		return;
	queue_drop(pn);
	pnode_close(pn);
	poll_result_free(&pn->res);
	fetch_reset(pn);
	free(pn->community);
	free(pn->user.auth_pass);
	free(pn->user.priv_pass);
	free(pn);
}

/* ---- the job chain ---- */

static void want_send(struct pnode *pn)
{
	if (pn->queued)
		return;
	queue[(q_head + q_len) % q_cap] = pn;
	q_len++;
	pn->queued = true;
}

static void job_fail(struct pnode *pn, const char *why, int64_t now)
{
	enum step st = pn->step;

	pn->step = ST_IDLE;
	queue_drop(pn);
	if (st == ST_FETCH) {
		struct log_rec *recs = pn->recs;
		uint32_t *gone = pn->gone;
		size_t nr = pn->n_recs, ng = pn->n_gone;
		log_debug("node %s: notification log read stopped: %s", pn->name, why);
		pn->recs = NULL;
		pn->gone = NULL;
		fetch_reset(pn);
		cluster_fetched(pn->name, recs, nr, gone, ng, false, now);
		free(recs);
		free(gone);
		return;
	}
	res_reset(&pn->res);
	cluster_miss(pn->name, why, now);
}

static void walk_begin(struct pnode *pn, int t)
{
	const struct tdef *d = &tables[t];

	pn->table = t;
	pn->reps = POLL_BULK_REPS;
	for (size_t c = 0; c < d->n_cols; c++) {
		struct col *k = &pn->cols[c];
		memcpy(k->last, d->entry, d->entry_len * sizeof(oid));
		k->last[d->entry_len] = d->cols[c];
		k->last_len = d->entry_len + 1;
		k->done = false;
	}
}

static void poll_done(struct pnode *pn, int64_t now)
{
	struct poll_result r = pn->res;

	memset(&pn->res, 0, sizeof pn->res);
	pn->step = ST_IDLE;
	cluster_answer(pn->name, &r, now); /* takes the arrays; may start a fetch */
}

static void fetch_done(struct pnode *pn, int64_t now)
{
	struct log_rec *recs = pn->recs;
	uint32_t *gone = pn->gone;
	size_t nr = pn->n_recs, ng = pn->n_gone;

	pn->step = ST_IDLE;
	pn->recs = NULL;
	pn->gone = NULL;
	fetch_reset(pn);
	cluster_fetched(pn->name, recs, nr, gone, ng, true, now);
	free(recs);
	free(gone);
}

static bool send_pdu(struct pnode *pn, netsnmp_pdu *pdu, int64_t now)
{
	int id;

	pn->sending = true;
	id = snmp_async_send(pn->ss, pdu, on_response, pn);
	pn->sending = false;
	if (!id) {
		char why[400];
		snprintf(why, sizeof why, "cannot send: %s", snmp_api_errstring(pn->ss->s_snmp_errno));
		snmp_free_pdu(pdu);
		if (pn->version == 3)
			pn->reopen = true;
		job_fail(pn, why, now);
		return false;
	}
	pn->reqid = id;
	pn->sent_ms = now;
	in_flight++;
	return true;
}

static void send_step(struct pnode *pn, int64_t now)
{
	netsnmp_pdu *pdu = NULL;

	switch (pn->step) {
	case ST_IDLE:
		return;
	case ST_PROBE:
		pdu = snmpsess_probe_pdu();
		break;
	case ST_SCALARS:
		if (!(pdu = snmp_pdu_create(SNMP_MSG_GET)))
			break;
		for (int i = 0; i < SC_N; i++)
			snmp_add_null_var(pdu, sc_oids[i], sc_lens[i]);
		break;
	case ST_WALK: {
		const struct tdef *d = &tables[pn->table];
		if (!(pdu = snmp_pdu_create(SNMP_MSG_GETBULK)))
			break;
		pdu->non_repeaters = 0;
		pdu->max_repetitions = pn->reps;
		pn->n_act = 0;
		for (size_t c = 0; c < d->n_cols; c++) {
			if (pn->cols[c].done)
				continue;
			snmp_add_null_var(pdu, pn->cols[c].last, pn->cols[c].last_len);
			pn->act[pn->n_act++] = (unsigned)c;
		}
		break;
	}
	case ST_FETCH: {
		oid o[MAX_OID_LEN];
		size_t el = OID_LENGTH(nlog_entry);
		if (!(pdu = snmp_pdu_create(SNMP_MSG_GET)))
			break;
		memcpy(o, nlog_entry, el * sizeof(oid));
		pn->batch_sent = pn->n_fetch - pn->fetch_pos < pn->batch ? pn->n_fetch - pn->fetch_pos : pn->batch;
		for (size_t i = 0; i < pn->batch_sent; i++) {
			o[el + 1] = pn->fetch[pn->fetch_pos + i];
			for (unsigned c = NLOG_COL_TIME; c <= NLOG_COL_LAST; c++) {
				o[el] = c;
				snmp_add_null_var(pdu, o, el + 2);
			}
		}
		break;
	}
	}
	if (!pdu) {
		job_fail(pn, "out of memory", now);
		return;
	}
	send_pdu(pn, pdu, now);
}

static void take_scalars(struct pnode *pn, netsnmp_pdu *pdu, int64_t now)
{
	struct poll_result *r = &pn->res;
	bool seen[SC_N] = {false};
	char why[400];

	for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable) {
		int i;
		for (i = 0; i < SC_N; i++)
			if (snmp_oid_compare(v->name, v->name_length, sc_oids[i], sc_lens[i]) == 0)
				break;
		if (i == SC_N)
			continue;
		if (vb_is_exception(v) && i == SC_UPTIME) {
			/* an agent in master mode serves SHUGO-MIB alone: no
			 * sysUpTime, and nothing depends on it */
			seen[i] = true;
			r->sys_uptime = 0;
			continue;
		}
		if (vb_is_exception(v)) {
			/* snmpd is there but nothing is registered under
			 * SHUGO-MIB: the agent is not running behind it */
			job_fail(pn, "snmpd answers, agent absent", now);
			return;
		}
		seen[i] = true;
		switch (i) {
		case SC_UPTIME: r->sys_uptime = vb_uns(v); break;
		case SC_NAME: vb_str(v, r->name, sizeof r->name); break;
		case SC_BOOT: r->boot = vb_uns(v); break;
		case SC_SEQ: r->notif_seq = vb_uns(v); break;
		case SC_FIRST: r->first_seq = vb_uns(v); break;
		}
	}
	for (int i = 0; i < SC_N; i++) {
		if (!seen[i]) {
			job_fail(pn, "incomplete answer to the node scalars", now);
			return;
		}
	}
	/* Another node answering at this address is not this node. */
	if (strcmp(r->name, pn->name) != 0) {
		snprintf(why, sizeof why, "%s answers as node '%s'", pn->address, r->name);
		job_fail(pn, why, now);
		return;
	}
	r->rtt_ms = (uint32_t)(now - pn->sent_ms);
	pn->step = ST_WALK;
	walk_begin(pn, 0);
	want_send(pn);
}

static void take_walk(struct pnode *pn, netsnmp_pdu *pdu, int64_t now)
{
	const struct tdef *d = &tables[pn->table];
	size_t i = 0, base_len = d->entry_len + 1;
	bool more = false;

	for (netsnmp_variable_list *v = pdu->variables; v && pn->n_act; v = v->next_variable, i++) {
		struct col *k = &pn->cols[pn->act[i % pn->n_act]];
		unsigned colno = d->cols[pn->act[i % pn->n_act]];
		if (k->done)
			continue;
		if (vb_is_exception(v) || v->name_length <= base_len ||
		    memcmp(v->name, d->entry, d->entry_len * sizeof(oid)) != 0 || v->name[d->entry_len] != colno) {
			k->done = true; /* left the column */
			continue;
		}
		if (snmp_oid_compare(v->name, v->name_length, k->last, k->last_len) <= 0) {
			log_warn("node %s: %s walk went backwards; stopped", pn->name, d->name);
			k->done = true;
			continue;
		}
		put_cell(pn, pn->table, colno, v->name + base_len, v->name_length - base_len, v);
		memcpy(k->last, v->name, v->name_length * sizeof(oid));
		k->last_len = v->name_length;
	}
	if (i == 0) /* an empty answer: nothing more to read */
		for (size_t c = 0; c < d->n_cols; c++)
			pn->cols[c].done = true;
	for (size_t c = 0; c < d->n_cols; c++)
		more |= !pn->cols[c].done;
	if (more) {
		want_send(pn);
		return;
	}
	if (pn->table + 1 < T_N) {
		walk_begin(pn, pn->table + 1);
		want_send(pn);
		return;
	}
	poll_done(pn, now);
}

static void take_fetch(struct pnode *pn, netsnmp_pdu *pdu, int64_t now)
{
	netsnmp_variable_list *v = pdu->variables;
	size_t el = OID_LENGTH(nlog_entry);
	int64_t wall = mgr_wall_ms();

	for (size_t i = 0; i < pn->batch_sent; i++) {
		uint32_t seq = pn->fetch[pn->fetch_pos + i];
		struct log_rec r = {0};
		bool gone = false, absent = false;
		oid type[MAX_OID_LEN];
		size_t type_len = 0;

		r.origin = LR_REPLAY;
		str_copy(r.node, pn->name, sizeof r.node);
		r.seq = seq;
		for (unsigned c = NLOG_COL_TIME; c <= NLOG_COL_LAST; c++, v = v ? v->next_variable : NULL) {
			if (!v || v->name_length != el + 2 || v->name[el] != c || v->name[el + 1] != seq) {
				job_fail(pn, "malformed answer to a notification log read", now);
				return;
			}
			if (v->type == SNMP_NOSUCHOBJECT)
				absent = true;
			if (vb_is_exception(v)) {
				gone = true;
				continue;
			}
			switch (c) {
			case NLOG_COL_TIME: r.occurred_ms = vb_date_ms(v); break;
			case NLOG_COL_TYPE:
				if (v->type == ASN_OBJECT_ID && v->val_len / sizeof(oid) <= MAX_OID_LEN) {
					type_len = v->val_len / sizeof(oid);
					memcpy(type, v->val.objid, type_len * sizeof(oid));
				}
				break;
			case NLOG_COL_BOOT: r.boot = vb_uns(v); break;
			case NLOG_COL_SEVERITY: r.sev = (int)vb_int(v); break;
			case NLOG_COL_OBJECT: vb_str(v, r.object, sizeof r.object); break;
			case NLOG_COL_STATE: vb_str(v, r.state, sizeof r.state); break;
			case NLOG_COL_DETAIL: vb_str(v, r.detail, sizeof r.detail); break;
			}
		}
		if (absent) {
			job_fail(pn, "snmpd answers, agent absent", now);
			return;
		}
		if (gone) { /* no longer held: the log wrapped since the poll */
			pn->gone[pn->n_gone++] = seq;
			continue;
		}
		r.type = notif_type(type, type_len);
		str_copy(r.type_name, r.type ? (ev_type_name((enum shugo_notif)r.type) ?: "") : "", sizeof r.type_name);
		oid_format(type, type_len, r.trap_oid, sizeof r.trap_oid);
		r.received_ms = wall;
		if (!r.occurred_ms)
			r.occurred_ms = wall;
		str_copy(r.source, pn->address, sizeof r.source);
		pn->recs[pn->n_recs++] = r;
	}
	pn->fetch_pos += pn->batch_sent;
	if (pn->fetch_pos >= pn->n_fetch) {
		fetch_done(pn, now);
		return;
	}
	want_send(pn);
}

static int on_response(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct pnode *pn = magic;
	int64_t now = mgr_mono_ms();
	char why[400];

	if (!pn)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_DISCONNECT && ss && ss == pn->ss) {
		/* The socket reported an error (ICMP port unreachable: nothing
		 * listens there) and net-snmp closed the transport. It would free
		 * the session at its next snmp_select_info; poller_run closes it
		 * first, and the next poll opens a new one. */
		pn->dead = pn->ss;
		pn->ss = NULL;
		if (pn->reqid) {
			pn->reqid = 0;
			in_flight--;
			snprintf(why, sizeof why, "nothing answers at %s (port unreachable)", pn->address);
			job_fail(pn, why, now);
		}
		return 1;
	}
	/* a failure inside snmp_async_send is reported by its return value;
	 * anything for a request no longer outstanding is stale; a re-send
	 * after a timeout is only news */
	if (pn->sending || !pn->reqid || op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1;
	/* An SNMPv3 Report comes both as a message and as a security error,
	 * in an order that differs between net-snmp builds: judge it once. */
	if (pdu && pdu->command == SNMP_MSG_REPORT &&
	    (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || op == NETSNMP_CALLBACK_OP_SEC_ERROR)) {
		if (pn->step == ST_PROBE) {
			pn->reqid = 0;
			in_flight--;
			if (!snmpsess_learn_engine(pn->ss, pdu)) {
				pn->reopen = true;
				job_fail(pn, "SNMPv3 engine discovery failed", now);
				return 1;
			}
			pn->step = ST_SCALARS;
			want_send(pn);
			return 1;
		}
		/* notInTimeWindow: net-snmp re-sends with the agent's time it
		 * just learned (and if it gives up, the watchdog fails it) */
		if (snmpv3_get_report_type(pdu) == SNMPERR_NOT_IN_TIME_WINDOW)
			return 1;
		if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)
			return 1; /* the security error follows or came first */
	} else if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		if (!pdu || reqid != pn->reqid)
			return 1;
		pn->reqid = 0;
		in_flight--;
		if (pdu->errstat == SNMP_ERR_TOOBIG && pn->step == ST_FETCH && pn->batch > 1) {
			pn->batch /= 2; /* ask for fewer rows at once */
			want_send(pn);
			return 1;
		}
		if (pdu->errstat == SNMP_ERR_TOOBIG && pn->step == ST_WALK && pn->reps > 1) {
			pn->reps /= 2;
			want_send(pn);
			return 1;
		}
		if (pdu->errstat != SNMP_ERR_NOERROR) {
			snprintf(why, sizeof why, "snmpd answered %s", snmp_errstring((int)pdu->errstat));
			job_fail(pn, why, now);
			return 1;
		}
		switch (pn->step) {
		case ST_SCALARS: take_scalars(pn, pdu, now); break;
		case ST_WALK: take_walk(pn, pdu, now); break;
		case ST_FETCH: take_fetch(pn, pdu, now); break;
		default: break;
		}
		return 1;
	}
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT && reqid != pn->reqid)
		return 1;
	pn->reqid = 0;
	in_flight--;
	switch (op) {
	case NETSNMP_CALLBACK_OP_TIMED_OUT:
		snprintf(why, sizeof why, "no answer (%u ms x %u tries)", pn->poll.timeout_ms, pn->poll.retries + 1);
		/* SNMPv3: an agent that restarted with another engine ID answers
		 * only with Reports net-snmp cannot use; discover it again */
		if (pn->version == 3)
			pn->reopen = true;
		break;
	case NETSNMP_CALLBACK_OP_SEC_ERROR:
		/* wrong user or keys, or the agent's engine changed: discover it again */
		snprintf(why, sizeof why, "SNMPv3 security error (user '%s')", pn->user.name);
		pn->reopen = true;
		break;
	default:
		snprintf(why, sizeof why, "request failed (net-snmp callback %d)", op);
		break;
	}
	job_fail(pn, why, now);
	return 1;
}

/* ---- the public side ---- */

static bool same_creds(const struct pnode *pn, const struct pnode *x)
{
	if (pn->version != x->version)
		return false;
	if (pn->version != 3)
		return strcmp(pn->community, x->community) == 0;
	return strcmp(pn->user.name, x->user.name) == 0 && pn->user.auth == x->user.auth &&
	       pn->user.priv == x->user.priv && strcmp(pn->user.auth_pass, x->user.auth_pass) == 0 &&
	       strcmp(pn->user.priv_pass, x->user.priv_pass) == 0;
}

static struct pnode *pnode_new(const struct mgr_node *n, const struct shugo_config *cfg)
{
	struct pnode *pn = calloc(1, sizeof *pn);
	const struct cfg_reader *rd = &cfg->manager.reader;

	if (!pn)
		return NULL;
	str_copy(pn->name, n->name, sizeof pn->name);
	str_copy(pn->address, n->address, sizeof pn->address);
	pn->poll = n->poll;
	pn->version = rd->version == 3 ? 3 : 2;
	pn->batch = FETCH_BATCH;
	if (pn->version == 3) {
		const struct cfg_user *u = cfg_find_user(cfg, rd->user);
		if (!u) {
			/* the config check refuses this; keep the node, missing each poll */
			str_copy(pn->user.name, rd->user, sizeof pn->user.name);
			pn->user.auth_pass = strdup("");
			pn->user.priv_pass = strdup("");
		} else {
			pn->user = *u;
			pn->user.auth_pass = strdup(u->auth_pass);
			pn->user.priv_pass = strdup(u->priv_pass);
		}
		pn->community = strdup("");
		if (!pn->user.auth_pass || !pn->user.priv_pass || !pn->community) {
			pnode_free(pn);
			return NULL;
		}
		if (!u) {
			snprintf(pn->open_err, sizeof pn->open_err, "SNMPv3 user '%s' is not in snmp.users", rd->user);
			pn->bad_user = true;
		}
	} else if (!(pn->community = strdup(rd->community ? rd->community : "public"))) {
		pnode_free(pn);
		return NULL;
	}
	return pn;
}

int poller_configure(const struct mgr_model *m, const struct shugo_config *cfg, int64_t now_ms)
{
	struct pnode **nn = calloc(m->n_nodes ? m->n_nodes : 1, sizeof *nn);
	struct pnode **nq = calloc(m->n_nodes ? m->n_nodes : 1, sizeof *nq);
	size_t stagger = 0;

	if (!nn || !nq)
		goto fail;
	for (size_t i = 0; i < m->n_nodes; i++)
		if (!(nn[i] = pnode_new(&m->nodes[i], cfg)))
			goto fail;
	/* Nothing can fail from here on: swap in, keeping what did not change. */
	for (size_t i = 0; i < m->n_nodes; i++) {
		struct pnode *pn = nn[i];
		for (size_t j = 0; j < n_nodes; j++) {
			struct pnode *o = nodes[j];
			if (!o || strcmp(o->name, pn->name))
				continue;
			if (!strcmp(o->address, pn->address) && !memcmp(&o->poll, &pn->poll, sizeof pn->poll) &&
			    same_creds(o, pn) && !pn->bad_user) {
				pnode_free(pn); /* unchanged: the old one goes on */
				nn[i] = o;
			} else {
				pn->next_due = o->next_due; /* keep the rhythm */
				pnode_free(o);
			}
			nodes[j] = NULL;
			break;
		}
		if (!nn[i]->next_due) /* new: first poll soon, spread over a tenth of the interval */
			nn[i]->next_due = now_ms + (int64_t)(stagger++ % 10) * nn[i]->poll.interval_ms / 100;
	}
	for (size_t j = 0; j < n_nodes; j++)
		pnode_free(nodes[j]);
	/* the queue keeps its order for the nodes that stay */
	{
		size_t k = 0;
		for (size_t i = 0; i < q_len; i++) {
			struct pnode *x = queue[(q_head + i) % q_cap];
			for (size_t j = 0; j < m->n_nodes; j++)
				if (nn[j] == x) {
					nq[k++] = x;
					break;
				}
		}
		free(queue);
		queue = nq;
		q_head = 0;
		q_len = k;
		q_cap = m->n_nodes ? m->n_nodes : 1;
	}
	free(nodes);
	nodes = nn;
	n_nodes = m->n_nodes;
	max_in_flight = cfg->manager.max_in_flight ? cfg->manager.max_in_flight : 1;
	return 0;
fail:
	if (nn)
		for (size_t i = 0; i < m->n_nodes; i++)
			pnode_free(nn[i]);
	free(nn);
	free(nq);
	errno = ENOMEM;
	return -1;
}

static void poll_start(struct pnode *pn, int64_t now)
{
	res_reset(&pn->res);
	if (pn->reopen) {
		pnode_close(pn);
		pn->reopen = false;
	}
	if (!pn->ss && (pn->bad_user || pnode_open(pn) < 0)) {
		cluster_miss(pn->name, pn->open_err, now);
		return;
	}
	if (pn->version == 3 && pn->ss->securityEngineIDLen && !(pn->ss->flags & SNMP_FLAGS_USER_CREATED))
		/* net-snmp took the engine ID from a Report by itself */
		usm_create_user_from_session(pn->ss);
	pn->step = pn->version == 3 && pn->ss->securityEngineIDLen == 0 ? ST_PROBE : ST_SCALARS;
	want_send(pn);
}

int64_t poller_run(int64_t now_ms)
{
	int64_t next = now_ms + 1000;

	for (size_t i = 0; i < n_nodes; i++) {
		struct pnode *pn = nodes[i];
		if (pn->dead) { /* before net-snmp's select_info would free it under us */
			snmp_close(pn->dead);
			pn->dead = NULL;
		}
		/* A request net-snmp forgot to call back about (a Report path
		 * that ends without a callback) must not hold the node forever. */
		if (pn->reqid && now_ms - pn->sent_ms > 2 * (int64_t)pn->poll.timeout_ms * (pn->poll.retries + 1) + 1000) {
			char why[400];
			pn->reqid = 0;
			in_flight--;
			snprintf(why, sizeof why, "no answer (%u ms x %u tries, given up)", pn->poll.timeout_ms,
				 pn->poll.retries + 1);
			job_fail(pn, why, now_ms);
		}
		if (now_ms >= pn->next_due) {
			if (pn->step == ST_IDLE)
				poll_start(pn, now_ms);
			else
				log_debug("node %s: poll still in progress, this one is skipped", pn->name);
			pn->next_due += pn->poll.interval_ms;
			if (pn->next_due <= now_ms) /* fell behind: no burst to catch up */
				pn->next_due = now_ms + pn->poll.interval_ms;
		}
		if (pn->next_due < next)
			next = pn->next_due;
	}
	while (q_len > 0 && in_flight < max_in_flight) {
		struct pnode *pn = queue[q_head];
		q_head = (q_head + 1) % q_cap;
		q_len--;
		pn->queued = false;
		if (pn->step != ST_IDLE && !pn->reqid)
			send_step(pn, now_ms);
	}
	return next;
}

int poller_fetch(const char *node, const uint32_t *seqs, size_t n)
{
	struct pnode *pn = NULL;

	for (size_t i = 0; i < n_nodes; i++)
		if (!strcmp(nodes[i]->name, node))
			pn = nodes[i];
	if (!pn || pn->step != ST_IDLE || !pn->ss || n == 0) {
		errno = EBUSY;
		return -1;
	}
	if (n > POLL_FETCH_MAX)
		n = POLL_FETCH_MAX;
	fetch_reset(pn);
	pn->fetch = malloc(n * sizeof *pn->fetch);
	pn->recs = calloc(n, sizeof *pn->recs);
	pn->gone = malloc(n * sizeof *pn->gone);
	if (!pn->fetch || !pn->recs || !pn->gone) {
		fetch_reset(pn);
		errno = ENOMEM;
		return -1;
	}
	memcpy(pn->fetch, seqs, n * sizeof *seqs);
	pn->n_fetch = n;
	pn->batch = FETCH_BATCH;
	pn->step = ST_FETCH;
	want_send(pn);
	return 0;
}

size_t poller_in_flight(void)
{
	return in_flight;
}

void poller_shutdown(void)
{
	for (size_t i = 0; i < n_nodes; i++)
		pnode_free(nodes[i]);
	free(nodes);
	free(queue);
	nodes = NULL;
	queue = NULL;
	n_nodes = q_len = q_head = q_cap = 0;
	in_flight = 0;
}
