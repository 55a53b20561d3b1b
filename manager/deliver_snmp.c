/* Delivery to another NMS as an SNMP notification: the record's own
 * notification type (snmpTrapOID.0 = its trap OID) with the SHUGO-MIB
 * notification objects (node, boot, sequence, severity, object, state,
 * detail, time, alarm id) and shugoMgrNotifLogId, so the receiver reads a
 * forwarded agent notification like one sent to it directly. An INFORM is
 * delivered when acknowledged (net-snmp re-sends it within the timeout and
 * retries); a TRAP when sent. One session per destination, kept open. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cluster.h"
#include "deliver.h"
#include "mibutil.h"
#include "model.h"
#include "shugo_mgr_oids.h"
#include "shugo_oids.h"
#include "snmpsess.h"
#include "strutil.h"

static const oid sysuptime_oid[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const oid trapoid_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
static const oid logid_oid[] = {OID_MGR_NOTIF_OBJ, 1, 0};

struct dsess {
	const struct cfg_dest *dest; /* the key: a destination of one configuration */
	netsnmp_session *ss;
	struct dsess *next;
};

/* An INFORM in flight. net-snmp calls back once per request (answer or
 * timeout); a delivery that ended first (our deadline, or cancel) leaves its
 * token behind with d = NULL for that call to free. */
struct token {
	struct delivery *d;
	struct token *next;
};

static struct dsess *sessions;
static struct token *tokens;

static void token_drop(struct token *t)
{
	for (struct token **pp = &tokens; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	free(t);
}

static int on_answer(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct token *t = magic;
	struct delivery *d = t->d;

	(void)ss;
	(void)reqid;
	(void)pdu;
	token_drop(t);
	if (!d)
		return 1;
	d->impl = NULL;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)
		d->done(d, true, "acknowledged");
	else
		d->done(d, false, "no acknowledgement (timeout and retries spent)");
	return 1;
}

static netsnmp_session *session_for(struct delivery *d, char *err, size_t errlen)
{
	struct dsess *s;

	for (s = sessions; s; s = s->next)
		if (s->dest == d->dest)
			return s->ss;
	if (!(s = calloc(1, sizeof *s))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* Answers come to on_answer through each request's own callback. */
	if (!(s->ss = snmpsess_open_target(d->cfg, &d->dest->target, NULL, NULL, err, errlen))) {
		free(s);
		return NULL;
	}
	s->dest = d->dest;
	s->next = sessions;
	sessions = s;
	return s->ss;
}

static netsnmp_pdu *build(const struct delivery *d, char *err, size_t errlen)
{
	const struct log_rec *r = d->rec;
	netsnmp_pdu *pdu = snmp_pdu_create(d->dest->target.inform ? SNMP_MSG_INFORM : SNMP_MSG_TRAP2);
	oid type[MAX_OID_LEN], obj[] = {OID_NOTIF_OBJ, 0, 0};
	size_t tlen = MAX_OID_LEN, objlen = OID_LENGTH(obj), datlen;
	unsigned char dat[11];
	u_long u;
	long l;

	if (!pdu) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!mib_parse_oid(r->trap_oid, type, &tlen)) {
		snprintf(err, errlen, "the record has no usable trap OID '%s'", r->trap_oid);
		snmp_free_pdu(pdu);
		return NULL;
	}
	/* sysUpTime.0: the manager's, in hundredths of a second */
	u = mgr_model ? (u_long)((mgr_wall_ms() - mgr_model->start_time * 1000) / 10) : 0;
	snmp_pdu_add_variable(pdu, sysuptime_oid, OID_LENGTH(sysuptime_oid), ASN_TIMETICKS, &u, sizeof u);
	snmp_pdu_add_variable(pdu, trapoid_oid, OID_LENGTH(trapoid_oid), ASN_OBJECT_ID, type, tlen * sizeof(oid));
#define ADD(sub, t, ptr, len) \
	do { obj[objlen - 2] = (sub); snmp_pdu_add_variable(pdu, obj, objlen, (t), (ptr), (len)); } while (0)
	ADD(NOBJ_NODE, ASN_OCTET_STR, r->node, strlen(r->node));
	u = r->boot;
	ADD(NOBJ_BOOT, ASN_UNSIGNED, &u, sizeof u);
	u = r->seq;
	ADD(NOBJ_SEQ, ASN_UNSIGNED, &u, sizeof u);
	l = r->sev ? r->sev : SEV_INFO;
	ADD(NOBJ_SEVERITY, ASN_INTEGER, &l, sizeof l);
	ADD(NOBJ_OBJECT, ASN_OCTET_STR, r->object, strlen(r->object));
	ADD(NOBJ_STATE, ASN_OCTET_STR, r->state, strlen(r->state));
	/* shugoNotifDetail is at most 255 octets; a foreign trap's text may be longer */
	ADD(NOBJ_DETAIL, ASN_OCTET_STR, r->detail, strlen(r->detail) > 255 ? 255 : strlen(r->detail));
	datlen = str_dateandtime(dat, r->occurred_ms / 1000);
	ADD(NOBJ_TIME, ASN_OCTET_STR, dat, datlen);
	u = r->alarm_id;
	ADD(NOBJ_ALARM_ID, ASN_UNSIGNED, &u, sizeof u);
#undef ADD
	u = (u_long)(uint32_t)r->id;
	snmp_pdu_add_variable(pdu, logid_oid, OID_LENGTH(logid_oid), ASN_UNSIGNED, &u, sizeof u);
	return pdu;
}

static int snmp_start(struct delivery *d, char *err, size_t errlen)
{
	netsnmp_session *ss = session_for(d, err, errlen);
	netsnmp_pdu *pdu;
	struct token *t;

	if (!ss || !(pdu = build(d, err, errlen)))
		return -1;
	if (!d->dest->target.inform) {
		if (!snmp_send(ss, pdu)) {
			snprintf(err, errlen, "send: %s", snmp_api_errstring(snmp_errno));
			snmp_free_pdu(pdu);
			return -1;
		}
		snprintf(err, errlen, "trap sent");
		return 1;
	}
	if (!(t = calloc(1, sizeof *t))) {
		snprintf(err, errlen, "out of memory");
		snmp_free_pdu(pdu);
		return -1;
	}
	t->d = d;
	if (!snmp_async_send(ss, pdu, on_answer, t)) {
		snprintf(err, errlen, "send: %s", snmp_api_errstring(snmp_errno));
		snmp_free_pdu(pdu);
		free(t);
		return -1;
	}
	t->next = tokens;
	tokens = t;
	d->impl = t;
	return 0;
}

static void snmp_expire(struct delivery *d)
{
	struct token *t = d->impl;

	if (!t)
		return;
	t->d = NULL; /* net-snmp's own callback frees it */
	d->impl = NULL;
	d->done(d, false, "no acknowledgement within the timeout");
}

static void snmp_cancel(struct delivery *d)
{
	struct token *t = d->impl;

	if (t)
		t->d = NULL;
	d->impl = NULL;
}

void deliver_snmp_forget(const struct shugo_config *cfg)
{
	const struct cfg_dest *lo = cfg->routing.dests, *hi = lo + cfg->routing.n_dests;

	for (struct dsess **pp = &sessions; *pp;) {
		struct dsess *s = *pp;
		if (s->dest >= lo && s->dest < hi) {
			*pp = s->next;
			snmp_close(s->ss);
			free(s);
		} else {
			pp = &s->next;
		}
	}
}

void deliver_snmp_close_all(void)
{
	while (sessions) {
		struct dsess *s = sessions;
		sessions = s->next;
		snmp_close(s->ss);
		free(s);
	}
	/* requests still outstanding went with their sessions */
	while (tokens) {
		struct token *t = tokens;
		tokens = t->next;
		free(t);
	}
}

const struct deliver_method deliver_snmp = {"snmp", snmp_start, snmp_expire, snmp_cancel};
