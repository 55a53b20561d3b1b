/* Notification sender (see notify.h). Sessions are net-snmp's, so their sockets
 * are serviced by the agent's one event loop. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "emit.h"
#include "log.h"
#include "shugo_oids.h"
#include "notify.h"
#include "snmpsess.h"
#include "strutil.h"

#define INFLIGHT_MAX 32          /* INFORMs outstanding per target */
#define RETRY_MAX_MS 30000       /* cap of the re-send backoff */
#define AGENTX_BACKLOG_MAX 1000  /* copies for snmpd kept while it is away */

struct pending {
	struct shugo_event ev;
	uint64_t due_ms;  /* earliest (re)send time */
	unsigned attempts;
	bool in_flight;
	bool acked;
};

struct target {
	char name[CFG_NAME_MAX + 1];
	char *address;
	bool inform;
	netsnmp_session *ss;
	struct pending *q; /* ring */
	size_t head, n, cap;
	unsigned in_flight;
	uint32_t dropped;
	bool overflowed; /* dropped since the alarm was last cleared */
	bool alarm_up;
	const struct shugo_config *cfg; /* valid until the next notify_configure */
	const struct cfg_target *ct;
	uint64_t reopen_ms; /* session could not be opened: try again then */
};

#define REOPEN_MS 30000 /* a target whose session cannot open is retried this often */

static struct target **targets;
static size_t n_targets;
static uint32_t total_dropped;
static struct shugo_event *ax_backlog; /* ring of copies for snmpd */
static size_t ax_head, ax_n;
static bool ax_up;

static const oid sysuptime_oid[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const oid trapoid_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

static netsnmp_variable_list *build_varbinds(const struct shugo_event *ev, bool uptime)
{
	netsnmp_variable_list *vl = NULL;
	oid type_oid[] = {OID_NOTIF_PREFIX, (oid)ev->type};
	oid obj[] = {OID_NOTIF_OBJ, 0, 0};
	size_t objlen = OID_LENGTH(obj);
	unsigned char dat[11];
	size_t datlen = str_dateandtime(dat, ev->time);
	struct agent *a = agent_get();
	u_long u;
	long l;

	if (uptime) {
		u = (u_long)((agent_now_ms() - a->start_ms) / 10);
		snmp_varlist_add_variable(&vl, sysuptime_oid, OID_LENGTH(sysuptime_oid), ASN_TIMETICKS,
					  &u, sizeof u);
	}
	snmp_varlist_add_variable(&vl, trapoid_oid, OID_LENGTH(trapoid_oid), ASN_OBJECT_ID, type_oid,
				  sizeof type_oid);
#define ADD(sub, type, ptr, len) \
	do { obj[objlen - 2] = (sub); snmp_varlist_add_variable(&vl, obj, objlen, (type), (ptr), (len)); } while (0)
	ADD(NOBJ_NODE, ASN_OCTET_STR, a->cfg->node_name, strlen(a->cfg->node_name));
	u = ev->boot;
	ADD(NOBJ_BOOT, ASN_UNSIGNED, &u, sizeof u);
	u = ev->seq;
	ADD(NOBJ_SEQ, ASN_UNSIGNED, &u, sizeof u);
	l = ev->sev;
	ADD(NOBJ_SEVERITY, ASN_INTEGER, &l, sizeof l);
	ADD(NOBJ_OBJECT, ASN_OCTET_STR, ev->object, strlen(ev->object));
	ADD(NOBJ_STATE, ASN_OCTET_STR, ev->state, strlen(ev->state));
	ADD(NOBJ_DETAIL, ASN_OCTET_STR, ev->detail, strlen(ev->detail));
	ADD(NOBJ_TIME, ASN_OCTET_STR, dat, datlen);
	u = ev->alarm_id;
	ADD(NOBJ_ALARM_ID, ASN_UNSIGNED, &u, sizeof u);
#undef ADD
	return vl;
}

/* ---- the copy for snmpd's trap sinks, over AgentX ---- */

/* Only a subagent has an snmpd to hand a copy to. In master mode the agent is
 * the one answering SNMP, there is no AgentX session to wait for, and the
 * configured targets are the only receivers. */
static bool ax_wanted(void)
{
	return netsnmp_ds_get_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE) != 0;
}

static void ax_send(const struct shugo_event *ev)
{
	netsnmp_variable_list *vl = build_varbinds(ev, false);

	send_v2trap(vl);
	snmp_free_varbind(vl);
}

static void ax_queue(const struct shugo_event *ev)
{
	if (!ax_backlog && !(ax_backlog = calloc(AGENTX_BACKLOG_MAX, sizeof *ax_backlog)))
		return;
	if (ax_n == AGENTX_BACKLOG_MAX) { /* oldest goes; it stays in the notification log */
		ax_head = (ax_head + 1) % AGENTX_BACKLOG_MAX;
		ax_n--;
		total_dropped++;
	}
	ax_backlog[(ax_head + ax_n) % AGENTX_BACKLOG_MAX] = *ev;
	ax_n++;
}

void notify_agentx_up(void)
{
	ax_up = true;
	while (ax_n > 0) {
		ax_send(&ax_backlog[ax_head]);
		ax_head = (ax_head + 1) % AGENTX_BACKLOG_MAX;
		ax_n--;
	}
}

void notify_agentx_down(void)
{
	ax_up = false;
}

/* ---- targets ---- */

static struct pending *q_at(struct target *t, size_t i)
{
	return &t->q[(t->head + i) % t->cap];
}

static void q_pop_acked(struct target *t)
{
	while (t->n > 0 && t->q[t->head].acked) {
		t->head = (t->head + 1) % t->cap;
		t->n--;
	}
}

static void target_free(struct target *t)
{
	if (!t)
		return;
	if (t->ss)
		snmp_close(t->ss);
	free(t->address);
	free(t->q);
	free(t);
}

static int inform_cb(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct target *t = ss->callback_magic;
	uint32_t seq = (uint32_t)(uintptr_t)magic;

	(void)reqid;
	(void)pdu;
	if (!t)
		return 1;
	for (size_t i = 0; i < t->n; i++) {
		struct pending *p = q_at(t, i);
		if (p->ev.seq != seq || !p->in_flight)
			continue;
		p->in_flight = false;
		t->in_flight--;
		if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
			p->acked = true;
		} else {
			/* Timed out after the session's own retries: try again later,
			 * for as long as it takes (the queue bound is the limit). */
			uint64_t delay = 1000ULL << (p->attempts < 5 ? p->attempts : 5);
			p->due_ms = agent_now_ms() + (delay > RETRY_MAX_MS ? RETRY_MAX_MS : delay);
		}
		break;
	}
	q_pop_acked(t);
	return 1;
}

/* Open the target's session (snmpsess_open_target: for an SNMPv3 INFORM
 * without a configured engine_id, net-snmp discovers the receiver's engine
 * ID synchronously, bounded by the target's timeout and retries); if the
 * receiver is down the open fails and is retried later. */
static int target_connect(struct target *t)
{
	char err[256];

	t->ss = snmpsess_open_target(t->cfg, t->ct, inform_cb, t, err, sizeof err);
	if (!t->ss) {
		log_warn("notify target %s (%s): %s; retrying in %d s", t->ct->name, t->ct->address, err,
			 REOPEN_MS / 1000);
		t->reopen_ms = agent_now_ms() + REOPEN_MS;
		return -1;
	}
	return 0;
}

static struct target *target_open(const struct shugo_config *cfg, const struct cfg_target *ct)
{
	struct target *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	str_copy(t->name, ct->name, sizeof t->name);
	t->address = strdup(ct->address);
	t->inform = ct->inform;
	t->cfg = cfg;
	t->ct = ct;
	t->cap = cfg->queue_limit ? cfg->queue_limit : 1;
	if (!t->address || (t->inform && !(t->q = calloc(t->cap, sizeof *t->q)))) {
		target_free(t);
		return NULL;
	}
	target_connect(t);
	return t;
}

int notify_configure(const struct shugo_config *cfg)
{
	struct target **nt = calloc(cfg->n_targets ? cfg->n_targets : 1, sizeof *nt);
	int rc = 0;

	if (!nt)
		return -1;
	for (size_t i = 0; i < cfg->n_targets; i++) {
		nt[i] = target_open(cfg, &cfg->targets[i]);
		if (!nt[i] || !nt[i]->ss)
			rc = -1;
		if (!nt[i])
			continue;
		/* Keep what a same-named, same-address INFORM target still owes. */
		for (size_t j = 0; j < n_targets; j++) {
			struct target *o = targets[j];
			if (!o || !o->inform || !nt[i]->inform || strcmp(o->name, nt[i]->name) ||
			    strcmp(o->address, nt[i]->address))
				continue;
			for (size_t k = 0; k < o->n && nt[i]->n < nt[i]->cap; k++) {
				struct pending *p = q_at(o, k);
				if (p->acked)
					continue;
				nt[i]->q[nt[i]->n] = *p;
				nt[i]->q[nt[i]->n].in_flight = false;
				nt[i]->n++;
			}
			nt[i]->dropped = o->dropped;
			nt[i]->alarm_up = o->alarm_up;
		}
	}
	for (size_t j = 0; j < n_targets; j++)
		target_free(targets[j]);
	free(targets);
	targets = nt;
	n_targets = cfg->n_targets;
	return rc;
}

static void target_drop_oldest(struct target *t)
{
	struct pending *p = &t->q[t->head];

	if (p->in_flight)
		t->in_flight--;
	t->head = (t->head + 1) % t->cap;
	t->n--;
	t->dropped++;
	total_dropped++;
	t->overflowed = true;
	q_pop_acked(t);
}

static void send_trap(struct target *t, const struct shugo_event *ev)
{
	netsnmp_pdu *pdu;

	if (!t->ss) { /* no session: a trap is not kept, but it is counted */
		t->dropped++;
		total_dropped++;
		return;
	}
	if (!(pdu = snmp_pdu_create(SNMP_MSG_TRAP2)))
		return;
	pdu->variables = build_varbinds(ev, true);
	if (!snmp_send(t->ss, pdu)) {
		log_warn("notify target %s: trap seq %u not sent: %s", t->name, ev->seq,
			 snmp_api_errstring(t->ss->s_snmp_errno));
		snmp_free_pdu(pdu);
	}
}

static void send_inform(struct target *t, struct pending *p, uint64_t now)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_INFORM);

	if (!pdu)
		return;
	pdu->variables = build_varbinds(&p->ev, true);
	p->attempts++;
	if (!snmp_async_send(t->ss, pdu, inform_cb, (void *)(uintptr_t)p->ev.seq)) {
		snmp_free_pdu(pdu);
		p->due_ms = now + 1000;
		return;
	}
	p->in_flight = true;
	t->in_flight++;
}

static void target_pump(struct target *t, uint64_t now)
{
	if (!t->ss)
		return;
	for (size_t i = 0; i < t->n && t->in_flight < INFLIGHT_MAX; i++) {
		struct pending *p = q_at(t, i);
		if (!p->in_flight && !p->acked && p->due_ms <= now)
			send_inform(t, p, now);
	}
}

void notify_send(const struct shugo_event *ev)
{
	uint64_t now = agent_now_ms();

	if (ax_wanted()) {
		if (ax_up)
			ax_send(ev);
		else
			ax_queue(ev);
	}
	for (size_t i = 0; i < n_targets; i++) {
		struct target *t = targets[i];
		if (!t)
			continue;
		if (!t->inform) {
			send_trap(t, ev);
			continue;
		}
		if (t->n == t->cap)
			target_drop_oldest(t);
		struct pending *p = q_at(t, t->n);
		memset(p, 0, sizeof *p);
		p->ev = *ev;
		p->due_ms = now;
		t->n++;
		target_pump(t, now);
	}
}

uint64_t notify_tick(uint64_t now_ms)
{
	uint64_t next = 0;

	for (size_t i = 0; i < n_targets; i++) {
		struct target *t = targets[i];
		char object[EV_OBJECT_MAX + 1];
		if (!t)
			continue;
		if (!t->ss && now_ms >= t->reopen_ms)
			target_connect(t);
		if (!t->ss)
			next = next && next < t->reopen_ms ? next : t->reopen_ms;
		if (!t->inform)
			continue;
		target_pump(t, now_ms);
		snprintf(object, sizeof object, "notify:%s", t->name);
		if (t->overflowed && !t->alarm_up) {
			t->alarm_up = true;
			emit_alarm(NOTIF_QUEUE_ALARM, SEV_MAJOR, object, "overflow",
				   "send queue of target %s full (%zu): %u notifications dropped, replay them from the notification log",
				   t->name, t->cap, t->dropped);
		} else if (t->alarm_up && t->n <= t->cap / 2) {
			t->alarm_up = false;
			t->overflowed = false;
			emit_clear(NOTIF_QUEUE_CLEAR, object, "ok", "send queue of target %s drained (%u dropped in all)",
				   t->name, t->dropped);
		}
		for (size_t k = 0; k < t->n; k++) {
			struct pending *p = q_at(t, k);
			if (!p->in_flight && !p->acked && (next == 0 || p->due_ms < next))
				next = p->due_ms;
		}
	}
	return next;
}

uint32_t notify_pending(void)
{
	uint32_t n = (uint32_t)ax_n;

	for (size_t i = 0; i < n_targets; i++)
		if (targets[i])
			n += (uint32_t)targets[i]->n;
	return n;
}

uint32_t notify_dropped(void)
{
	return total_dropped;
}

void notify_shutdown(void)
{
	for (size_t i = 0; i < n_targets; i++)
		target_free(targets[i]);
	free(targets);
	targets = NULL;
	n_targets = 0;
	free(ax_backlog);
	ax_backlog = NULL;
	ax_n = ax_head = 0;
}
