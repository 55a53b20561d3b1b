/* The manager's own requests to agents: one SNMPv3 authPriv session per node
 * as manager.exec.user, a FIFO of requests per node of which one is in
 * flight, engine discovery sent by us (SNMP_FLAGS_DONT_PROBE: a dead node
 * must not stall the loop in net-snmp's synchronous probe), a watchdog for
 * requests net-snmp stops reporting on. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agentreq.h"
#include "log.h"
#include "snmpsess.h"
#include "strutil.h"

struct areq {
	char node[CFG_NAME_MAX + 1];
	netsnmp_pdu *pdu;
	areq_fn cb;
	void *arg;
	char why[400];   /* why it failed without an answer, for a deferred call */
	struct areq *next;
};

struct anode {
	char name[CFG_NAME_MAX + 1];
	char address[257];
	uint32_t timeout_ms, retries;
	netsnmp_session *ss;
	netsnmp_session *dead;  /* closed by net-snmp's transport: ours to close */
	bool reopen;
	struct areq *head, *tail; /* head is in flight when reqid != 0 */
	int reqid;
	bool probing;           /* the request in flight is the discovery probe */
	bool sending;           /* inside snmp_async_send */
	int64_t sent_ms;
};

static struct anode **nodes;
static size_t n_nodes;
static struct cfg_user user;    /* manager.exec.user's keys; name "" = none */
static struct areq *done_head, *done_tail; /* failed before sending: called back from areq_run */

static struct anode *find(const char *name)
{
	for (size_t i = 0; i < n_nodes; i++)
		if (!strcmp(nodes[i]->name, name))
			return nodes[i];
	return NULL;
}

static void areq_free_one(struct areq *q)
{
	if (q->pdu)
		snmp_free_pdu(q->pdu);
	free(q);
}

/* Call back and free q (taken off any list). */
static void finish(struct areq *q, netsnmp_pdu *resp, const char *why)
{
	if (q->cb)
		q->cb(q->arg, q->node, resp, why);
	areq_free_one(q);
}

/* q failed without an answer: called back from areq_run, outside whatever
 * call found out. */
static void defer(struct areq *q, const char *why)
{
	str_copy(q->why, why, sizeof q->why);
	q->next = NULL;
	if (done_tail)
		done_tail->next = q;
	else
		done_head = q;
	done_tail = q;
}

/* Close the session; what net-snmp reports of a request outstanding on it
 * while closing is ignored (reqid 0): its owner has been told already. */
static void close_session(struct anode *an)
{
	netsnmp_session *ss = an->ss;

	an->ss = NULL;
	an->reqid = 0;
	an->probing = false;
	if (ss)
		snmp_close(ss);
}

static int on_response(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *pdu, void *magic);

static bool open_session(struct anode *an, char *why, size_t size)
{
	netsnmp_session s;
	bool ok = false;

	snmp_sess_init(&s);
	s.peername = an->address;
	s.timeout = (long)an->timeout_ms * 1000L;
	s.retries = (int)an->retries;
	s.callback = on_response;
	s.callback_magic = an;
	if (snmpsess_set_usm(&s, &user) < 0) {
		snprintf(why, size, "cannot set up SNMPv3 user '%s'", user.name);
		goto out;
	}
	s.flags |= SNMP_FLAGS_DONT_PROBE;
	if (!(an->ss = snmp_open(&s))) {
		snprintf(why, size, "cannot open a session to %s: %s", an->address, snmp_api_errstring(snmp_errno));
		goto out;
	}
	an->ss->flags |= SNMP_FLAGS_DONT_PROBE; /* net-snmp clears it once open */
	ok = true;
out:
	snmpsess_clear(&s);
	return ok;
}

/* The head request ends: called back, and the next one may go. */
static void head_done(struct anode *an, netsnmp_pdu *resp, const char *why)
{
	struct areq *q = an->head;

	an->reqid = 0;
	an->probing = false;
	if (!q)
		return;
	an->head = q->next;
	if (!an->head)
		an->tail = NULL;
	finish(q, resp, why);
}

/* Send the head (or the discovery probe before it). Failures end the head
 * request; returns false when nothing is in flight afterwards. */
static bool send_head(struct anode *an, int64_t now)
{
	char why[400];
	netsnmp_pdu *pdu;
	int id;

	while (an->head && !an->reqid) {
		if (an->reopen) {
			close_session(an);
			an->reopen = false;
		}
		if (!an->ss && !open_session(an, why, sizeof why)) {
			head_done(an, NULL, why);
			continue;
		}
		if (an->ss->securityEngineIDLen == 0) {
			if (!(pdu = snmpsess_probe_pdu())) {
				head_done(an, NULL, "out of memory");
				continue;
			}
			an->probing = true;
		} else {
			if (!(an->ss->flags & SNMP_FLAGS_USER_CREATED))
				usm_create_user_from_session(an->ss);
			pdu = an->head->pdu;
			an->head->pdu = NULL; /* net-snmp frees it from here on */
			an->probing = false;
		}
		an->sending = true;
		id = snmp_async_send(an->ss, pdu, on_response, an);
		an->sending = false;
		if (!id) {
			snprintf(why, sizeof why, "cannot send to %s: %s", an->address,
				 snmp_api_errstring(an->ss->s_snmp_errno));
			snmp_free_pdu(pdu);
			an->reopen = true;
			an->probing = false;
			head_done(an, NULL, why);
			continue;
		}
		an->reqid = id;
		an->sent_ms = now;
	}
	return an->reqid != 0;
}

static int on_response(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct anode *an = magic;
	char why[400];

	if (!an)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_DISCONNECT && ss && ss == an->ss) {
		/* the transport reported an error (nothing listens): net-snmp
		 * frees the session at its next select_info; areq_run closes it
		 * before that */
		an->dead = an->ss;
		an->ss = NULL;
		if (an->reqid) {
			snprintf(why, sizeof why, "nothing answers at %s (port unreachable)", an->address);
			head_done(an, NULL, why);
		}
		return 1;
	}
	if (an->sending || !an->reqid || op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1;
	if (pdu && pdu->command == SNMP_MSG_REPORT &&
	    (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || op == NETSNMP_CALLBACK_OP_SEC_ERROR)) {
		if (an->probing) {
			an->reqid = 0;
			an->probing = false;
			if (!snmpsess_learn_engine(an->ss, pdu)) {
				an->reopen = true;
				head_done(an, NULL, "SNMPv3 engine discovery failed");
			}
			return 1; /* areq_run sends the request itself */
		}
		if (snmpv3_get_report_type(pdu) == SNMPERR_NOT_IN_TIME_WINDOW)
			return 1; /* net-snmp re-sends with the agent's time */
		if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)
			return 1; /* the security error follows or came first */
	} else if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		if (!pdu || reqid != an->reqid)
			return 1;
		if (an->probing) { /* a non-Report answer to the probe: odd, try again */
			an->reqid = 0;
			an->probing = false;
			an->reopen = true;
			head_done(an, NULL, "SNMPv3 engine discovery got no Report");
			return 1;
		}
		head_done(an, pdu, NULL);
		return 1;
	}
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT && reqid != an->reqid)
		return 1;
	switch (op) {
	case NETSNMP_CALLBACK_OP_TIMED_OUT:
		snprintf(why, sizeof why, "no answer (%u ms x %u tries)", an->timeout_ms, an->retries + 1);
		an->reopen = true; /* an agent restarted with another engine ID answers only with Reports */
		break;
	case NETSNMP_CALLBACK_OP_SEC_ERROR:
		snprintf(why, sizeof why, "SNMPv3 security error (user '%s')", user.name);
		an->reopen = true;
		break;
	default:
		snprintf(why, sizeof why, "request failed (net-snmp callback %d)", op);
		break;
	}
	head_done(an, NULL, why);
	return 1;
}

/* Every request of an's queue fails with why (deferred); the session goes. */
static void node_free(struct anode *an, const char *why)
{
	struct areq *q;

	if (!an)
		return;
	while ((q = an->head)) {
		an->head = q->next;
		defer(q, why);
	}
	an->tail = NULL;
	close_session(an);
	if (an->dead)
		snmp_close(an->dead);
	free(an);
}

static bool same_user(const struct cfg_user *u)
{
	if (!u)
		return !user.name[0];
	return user.name[0] && !strcmp(user.name, u->name) && user.auth == u->auth && user.priv == u->priv &&
	       !strcmp(user.auth_pass, u->auth_pass) && !strcmp(user.priv_pass, u->priv_pass);
}

int areq_configure(const struct mgr_model *m, const struct shugo_config *cfg)
{
	const struct cfg_user *u = cfg->manager.exec.user[0] ? cfg_find_user(cfg, cfg->manager.exec.user) : NULL;
	struct anode **nn = calloc(m->n_nodes ? m->n_nodes : 1, sizeof *nn), **fresh = NULL;
	char *ap = NULL, *pp = NULL;
	bool keep_user = same_user(u);

	if (!nn || !(fresh = calloc(m->n_nodes ? m->n_nodes : 1, sizeof *fresh)) ||
	    (u && (!(ap = strdup(u->auth_pass)) || !(pp = strdup(u->priv_pass)))))
		goto oom;
	/* all that may fail first: a new record for each node that changes */
	for (size_t i = 0; i < m->n_nodes; i++) {
		const struct mgr_node *mn = &m->nodes[i];
		struct anode *an = find(mn->name);
		if (an && keep_user && !strcmp(an->address, mn->address) && an->timeout_ms == mn->poll.timeout_ms &&
		    an->retries == mn->poll.retries) {
			nn[i] = an;
			continue;
		}
		if (!(fresh[i] = calloc(1, sizeof **fresh)))
			goto oom;
		nn[i] = fresh[i];
		str_copy(nn[i]->name, mn->name, sizeof nn[i]->name);
		str_copy(nn[i]->address, mn->address, sizeof nn[i]->address);
		nn[i]->timeout_ms = mn->poll.timeout_ms;
		nn[i]->retries = mn->poll.retries;
	}
	/* then the old records not kept: a changed node's unsent requests move
	 * to its new record, the one in flight fails; a removed node's all fail */
	for (size_t i = 0; i < n_nodes; i++) {
		struct anode *an = nodes[i], *to = NULL;
		bool kept = false;
		for (size_t k = 0; k < m->n_nodes; k++) {
			kept = kept || nn[k] == an;
			if (fresh[k] && !strcmp(fresh[k]->name, an->name))
				to = fresh[k];
		}
		if (kept)
			continue;
		if (to) {
			struct areq *q = an->reqid ? an->head->next : an->head;
			if (q) {
				to->head = q;
				to->tail = an->tail;
				if (an->reqid) {
					an->head->next = NULL;
					an->tail = an->head;
				} else {
					an->head = an->tail = NULL;
				}
			}
		}
		node_free(an, to ? "the node's address or credentials changed" : "node removed");
	}
	free(nodes);
	free(fresh);
	nodes = nn;
	n_nodes = m->n_nodes;
	if (!keep_user) {
		free(user.auth_pass);
		free(user.priv_pass);
		memset(&user, 0, sizeof user);
		if (u) {
			user = *u;
			user.auth_pass = ap;
			user.priv_pass = pp;
			ap = pp = NULL;
		}
	}
	free(ap);
	free(pp);
	return 0;
oom:
	for (size_t i = 0; fresh && i < m->n_nodes; i++)
		free(fresh[i]);
	free(fresh);
	free(nn);
	free(ap);
	free(pp);
	errno = ENOMEM;
	return -1;
}

int areq_send(const char *node, netsnmp_pdu *pdu, areq_fn cb, void *arg)
{
	struct anode *an = find(node);
	struct areq *q;

	if (!an || !user.name[0] || !(q = calloc(1, sizeof *q))) {
		snmp_free_pdu(pdu);
		return -1;
	}
	str_copy(q->node, node, sizeof q->node);
	q->pdu = pdu;
	q->cb = cb;
	q->arg = arg;
	if (an->tail)
		an->tail->next = q;
	else
		an->head = q;
	an->tail = q;
	return 0;
}

void areq_cancel(void *arg)
{
	for (size_t i = 0; i < n_nodes; i++)
		for (struct areq *q = nodes[i]->head; q; q = q->next)
			if (q->arg == arg)
				q->cb = NULL;
	for (struct areq *q = done_head; q; q = q->next)
		if (q->arg == arg)
			q->cb = NULL;
}

int64_t areq_run(int64_t now_ms)
{
	int64_t next = now_ms + 1000;
	struct areq *q;

	for (size_t i = 0; i < n_nodes; i++) {
		struct anode *an = nodes[i];
		if (an->dead) { /* before net-snmp's select_info would free it under us */
			snmp_close(an->dead);
			an->dead = NULL;
		}
		/* net-snmp reports every request it gives up on; this is for the
		 * one it does not (a session closed under it) */
		if (an->reqid &&
		    now_ms - an->sent_ms > (int64_t)an->timeout_ms * (an->retries + 1) + 5000) {
			an->reopen = true;
			head_done(an, NULL, "no answer (the request was lost)");
		}
		send_head(an, now_ms);
	}
	/* failures found outside the loop's own turn, reported now */
	while ((q = done_head)) {
		done_head = q->next;
		if (!done_head)
			done_tail = NULL;
		finish(q, NULL, q->why);
	}
	for (size_t i = 0; i < n_nodes; i++)
		if (nodes[i]->head && !nodes[i]->reqid)
			next = now_ms; /* a callback queued more */
	return next;
}

void areq_free(void)
{
	struct areq *q;

	for (size_t i = 0; i < n_nodes; i++)
		node_free(nodes[i], "the manager stops");
	free(nodes);
	nodes = NULL;
	n_nodes = 0;
	while ((q = done_head)) {
		done_head = q->next;
		areq_free_one(q);
	}
	done_tail = NULL;
	free(user.auth_pass);
	free(user.priv_pass);
	memset(&user, 0, sizeof user);
}
