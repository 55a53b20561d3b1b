/* trapd's SNMP codec (see decode.h): BER decoding of SNMPv1/v2c/v3 messages
 * into struct trap_msg, the Response and Report encoders, and the mapping of a
 * decoded trap onto a central log record. Pure: no system calls, no allocation,
 * no recursion; every read is checked against the end of the TLV it is in.
 *
 * After an error, trap_decode leaves m filled as far as it got. For SNMPv3 that
 * is a contract: m->version is 3 only once msgGlobalData and the USM security
 * parameters were read whole, so a caller that sees an error with version 3
 * (a discovery probe is a Get-PDU, refused here) still has msgID, msgFlags, the
 * engine ID and user to answer with a Report; m->request_id is the PDU's when
 * its request-id could be read, 0 otherwise, and have_pdu stays false. */
#include <stddef.h>
#include <string.h>

#include "decode.h"
#include "event.h"
#include "shugo_oids.h"
#include "strutil.h"

/* SNMPv3 minimum message size every engine must accept (RFC 3412 msgMaxSize). */
#define V3_MIN_MAX_SIZE 484
/* SnmpEngineID and SnmpAdminString user/context names (RFC 3411, 3414) */
#define V3_ID_MAX 32

#define TAG_SEQ 0x30

static const uint32_t oid_sysuptime0[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
static const uint32_t oid_trapoid0[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
/* snmpTraps (RFC 3418): the generic v1 traps map to snmpTraps.(generic+1). */
static const uint32_t oid_snmptraps[] = {1, 3, 6, 1, 6, 3, 1, 1, 5};
/* snmpTrapAddress.0 and snmpTrapEnterprise.0 (RFC 3584 3.1) */
static const uint32_t oid_trapaddress0[] = {1, 3, 6, 1, 6, 3, 18, 1, 3, 0};
static const uint32_t oid_trapenterprise0[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0};
/* shugoNotifications and shugoNotifObjects (SHUGO-MIB) */
static const uint32_t oid_agent_notif[] = {OID_NOTIF_PREFIX};
static const uint32_t oid_notif_obj[] = {OID_NOTIF_OBJ};
/* shugoMgrNotifications: SHUGO-MANAGER-MIB's { enterprises 32473 8 0 } */
static const uint32_t oid_mgr_notif[] = {1, 3, 6, 1, 4, 1, 32473, 8, 0};

#define N_ARCS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- BER reading ---- */

/* What is left of one TLV's contents (or of the message). */
struct ber {
	const uint8_t *p, *end;
};

static size_t ber_left(const struct ber *b)
{
	return (size_t)(b->end - b->p);
}

/* One identifier octet and a definite length (X.690 8.1.2, 8.1.3) whose
 * contents fit in what is left. SNMP uses only low tag numbers. */
static const char *ber_head(struct ber *b, uint8_t *tag, size_t *len)
{
	size_t n, k;

	if (b->p >= b->end)
		return "truncated tag";
	*tag = *b->p++;
	if ((*tag & 0x1f) == 0x1f)
		return "unsupported tag";
	if (b->p >= b->end)
		return "truncated length";
	n = *b->p++;
	if (n == 0x80)
		return "indefinite length";
	if (n > 0x80) {
		k = n & 0x7f;
		if (k > 4)
			return "length over 4 octets";
		if (ber_left(b) < k)
			return "truncated length";
		for (n = 0; k > 0; k--)
			n = n << 8 | *b->p++;
	}
	if (n > ber_left(b))
		return "length beyond the message";
	*len = n;
	return NULL;
}

/* A TLV that must carry this tag: *in gets its contents, b moves past it. */
static const char *ber_get(struct ber *b, uint8_t want, struct ber *in, const char *wrong_tag)
{
	const char *err;
	uint8_t tag;
	size_t len;

	if ((err = ber_head(b, &tag, &len)))
		return err;
	if (tag != want)
		return wrong_tag;
	in->p = b->p;
	in->end = b->p + len;
	b->p += len;
	return NULL;
}

/* INTEGER contents: two's complement, 1 to 8 octets (X.690 8.3). */
static const char *int_content(const uint8_t *p, size_t n, int64_t *v)
{
	uint64_t u;

	if (n == 0)
		return "empty INTEGER";
	if (n > 8)
		return "INTEGER over 8 octets";
	u = (p[0] & 0x80) ? UINT64_MAX : 0;
	for (size_t i = 0; i < n; i++)
		u = u << 8 | p[i];
	*v = (int64_t)u;
	return NULL;
}

/* Counter32, Gauge32, TimeTicks (max 5 octets) and Counter64 (max 9): encoded
 * as non-negative INTEGERs, so the widest form has a leading zero octet. */
static const char *uint_content(const uint8_t *p, size_t n, size_t max, uint64_t *v)
{
	uint64_t u = 0;

	if (n == 0)
		return "empty unsigned value";
	if (p[0] & 0x80)
		return "negative unsigned value";
	if (n > max || (n == max && p[0] != 0))
		return "unsigned value out of range";
	for (size_t i = 0; i < n; i++)
		u = u << 8 | p[i];
	*v = u;
	return NULL;
}

/* One base-128 sub-identifier at p[*i] (X.690 8.19.2), at most 2^32-1. Most
 * are a single octet, hence the short way first. */
static const char *subid(const uint8_t *p, size_t n, size_t *i, uint32_t *v)
{
	uint8_t c = p[(*i)++];

	if (c < 0x80) {
		*v = c;
		return NULL;
	}
	if (c == 0x80)
		return "OID sub-identifier with a leading zero";
	*v = c & 0x7f;
	do {
		if (*i >= n)
			return "truncated OID sub-identifier";
		c = p[(*i)++];
		if (*v > (UINT32_MAX >> 7))
			return "OID sub-identifier over 2^32-1";
		*v = *v << 7 | (c & 0x7f);
	} while (c & 0x80);
	return NULL;
}

/* OBJECT IDENTIFIER contents: the first sub-identifier holds the first two
 * arcs as 40*X+Y (X.690 8.19.4). */
static const char *oid_content(const uint8_t *p, size_t n, struct trap_oid *o)
{
	const char *err;
	size_t i = 0, k = 2;
	uint32_t v;

	if (n == 0)
		return "empty OID";
	if ((err = subid(p, n, &i, &v)))
		return err;
	o->arc[0] = v < 80 ? v / 40 : 2;
	o->arc[1] = v < 80 ? v % 40 : v - 80;
	while (i < n) {
		if (k >= TRAP_OID_MAX)
			return "OID over 128 sub-identifiers";
		if ((err = subid(p, n, &i, &o->arc[k])))
			return err;
		k++;
	}
	o->len = k;
	return NULL;
}

static const char *ber_oid(struct ber *b, struct trap_oid *o, const char *wrong_tag)
{
	struct ber c;
	const char *err;

	if ((err = ber_get(b, TV_OID, &c, wrong_tag)))
		return err;
	return oid_content(c.p, ber_left(&c), o);
}

/* An INTEGER field whose type is Integer32, or a subrange of it. */
static const char *ber_i32(struct ber *b, int64_t min, int64_t max, int32_t *v, const char *what)
{
	struct ber c;
	const char *err;
	int64_t x;

	if ((err = ber_get(b, TV_INTEGER, &c, what)))
		return err;
	if ((err = int_content(c.p, ber_left(&c), &x)))
		return err;
	if (x < min || x > max)
		return what;
	*v = (int32_t)x;
	return NULL;
}

static const char *ber_octets(struct ber *b, size_t max, const uint8_t **s, size_t *len, const char *what)
{
	struct ber c;
	const char *err;

	if ((err = ber_get(b, TV_OCTETS, &c, what)))
		return err;
	if (ber_left(&c) > max)
		return what;
	*s = c.p;
	*len = ber_left(&c);
	return NULL;
}

static const char *ber_value(struct ber *b, struct trap_vb *vb)
{
	const char *err;
	const uint8_t *c;
	uint8_t tag;
	size_t n;

	if ((err = ber_head(b, &tag, &n)))
		return err;
	c = b->p;
	b->p += n;
	vb->type = tag;
	vb->i = 0;
	vb->u = 0;
	vb->s = NULL;
	vb->slen = 0;
	vb->o.len = 0;
	switch (tag) {
	case TV_INTEGER:
		return int_content(c, n, &vb->i);
	case TV_OCTETS:
	case TV_OPAQUE:
		vb->s = c;
		vb->slen = n;
		return NULL;
	case TV_NULL:
	case TV_NOSUCHOBJECT:
	case TV_NOSUCHINSTANCE:
	case TV_ENDOFMIBVIEW:
		return n ? "NULL or exception with contents" : NULL;
	case TV_OID:
		return oid_content(c, n, &vb->o);
	case TV_IPADDR:
		if (n != 4)
			return "IpAddress not 4 octets";
		vb->s = c;
		vb->slen = 4;
		return NULL;
	case TV_COUNTER32:
	case TV_GAUGE32:
	case TV_TIMETICKS:
		return uint_content(c, n, 5, &vb->u);
	case TV_COUNTER64:
		return uint_content(c, n, 9, &vb->u);
	}
	return "unknown value type";
}

/* ---- messages ---- */

static bool oid_is(const struct trap_oid *o, const uint32_t *arcs, size_t n)
{
	return o->len == n && memcmp(o->arc, arcs, n * sizeof *arcs) == 0;
}

static bool oid_under(const struct trap_oid *o, const uint32_t *arcs, size_t n)
{
	return o->len > n && memcmp(o->arc, arcs, n * sizeof *arcs) == 0;
}

static void oid_copy(struct trap_oid *dst, const struct trap_oid *src)
{
	memcpy(dst->arc, src->arc, src->len * sizeof src->arc[0]);
	dst->len = src->len;
}

/* Everything trap_decode_scoped fills. */
static void reset_pdu(struct trap_msg *m)
{
	m->ctx_engine_id = NULL;
	m->ctx_engine_id_len = 0;
	m->ctx_name = NULL;
	m->ctx_name_len = 0;
	m->have_pdu = false;
	m->pdu_type = 0;
	m->request_id = 0;
	m->enterprise.len = 0;
	memset(m->agent_addr, 0, sizeof m->agent_addr);
	m->generic_trap = 0;
	m->specific_trap = 0;
	m->uptime = 0;
	m->trap_oid.len = 0;
	m->n_vb = 0;
	m->vbl = NULL;
	m->vbl_len = 0;
}

static const char *dec_vbl(struct ber *b, struct trap_msg *m)
{
	const uint8_t *start = b->p;
	struct ber l, v;
	const char *err;

	if ((err = ber_get(b, TAG_SEQ, &l, "VarBindList is not a SEQUENCE")))
		return err;
	m->vbl = start;
	m->vbl_len = (size_t)(b->p - start);
	while (l.p < l.end) {
		struct trap_vb *vb;

		if (m->n_vb == TRAP_VB_MAX)
			return "too many varbinds";
		vb = &m->vb[m->n_vb];
		if ((err = ber_get(&l, TAG_SEQ, &v, "VarBind is not a SEQUENCE")) ||
		    (err = ber_oid(&v, &vb->name, "VarBind name is not an OID")) ||
		    (err = ber_value(&v, vb)))
			return err;
		if (v.p != v.end)
			return "trailing octets in a VarBind";
		m->n_vb++;
	}
	return NULL;
}

/* Trap-PDU (RFC 1157 4.1.6), with snmpTrapOID.0 as RFC 3584 3.1 derives it. */
static const char *dec_trapv1(struct ber *b, struct trap_msg *m)
{
	struct ber addr, ts;
	const char *err;
	uint64_t t;

	if ((err = ber_oid(b, &m->enterprise, "enterprise is not an OID")))
		return err;
	if ((err = ber_get(b, TV_IPADDR, &addr, "agent-addr is not an IpAddress")))
		return err;
	if (ber_left(&addr) != 4)
		return "IpAddress not 4 octets";
	memcpy(m->agent_addr, addr.p, 4);
	if ((err = ber_i32(b, 0, 6, &m->generic_trap, "bad generic-trap")) ||
	    (err = ber_i32(b, INT32_MIN, INT32_MAX, &m->specific_trap, "bad specific-trap")))
		return err;
	if ((err = ber_get(b, TV_TIMETICKS, &ts, "time-stamp is not TimeTicks")) ||
	    (err = uint_content(ts.p, ber_left(&ts), 5, &t)))
		return err;
	m->uptime = (uint32_t)t;
	if ((err = dec_vbl(b, m)))
		return err;
	if (b->p != b->end)
		return "trailing octets in the PDU";
	if (m->generic_trap < 6) {
		memcpy(m->trap_oid.arc, oid_snmptraps, sizeof oid_snmptraps);
		m->trap_oid.arc[N_ARCS(oid_snmptraps)] = (uint32_t)m->generic_trap + 1;
		m->trap_oid.len = N_ARCS(oid_snmptraps) + 1;
	} else {
		if (m->specific_trap < 0)
			return "bad specific-trap";
		if (m->enterprise.len + 2 > TRAP_OID_MAX)
			return "enterprise OID too long";
		oid_copy(&m->trap_oid, &m->enterprise);
		m->trap_oid.arc[m->trap_oid.len++] = 0;
		m->trap_oid.arc[m->trap_oid.len++] = (uint32_t)m->specific_trap;
	}
	return NULL;
}

/* The PDU, which must end the enclosing TLV. version 0 takes only the
 * Trap-PDU; 1 and 3 take SNMPv2-Trap and InformRequest. Any other PDU is
 * read (request-id included, for a Report) and then refused. */
static const char *dec_pdu(struct ber *b, int version, struct trap_msg *m)
{
	struct ber pdu;
	const char *err;
	int32_t status, errindex;
	uint8_t tag;
	size_t len;

	if ((err = ber_head(b, &tag, &len)))
		return err;
	pdu.p = b->p;
	pdu.end = b->p + len;
	b->p += len;
	if (b->p != b->end)
		return "trailing octets after the PDU";
	if (tag < PDU_GET || tag > PDU_REPORT)
		return "not a PDU";
	m->pdu_type = tag;
	if (tag == PDU_TRAPV1) {
		if (version != 0)
			return "SNMPv1 Trap-PDU in an SNMPv2 message";
		if ((err = dec_trapv1(&pdu, m)))
			return err;
		m->have_pdu = true;
		return NULL;
	}
	if ((err = ber_i32(&pdu, INT32_MIN, INT32_MAX, &m->request_id, "bad request-id")) ||
	    (err = ber_i32(&pdu, INT32_MIN, INT32_MAX, &status, "bad error-status")) ||
	    (err = ber_i32(&pdu, INT32_MIN, INT32_MAX, &errindex, "bad error-index")) ||
	    (err = dec_vbl(&pdu, m)))
		return err;
	if (pdu.p != pdu.end)
		return "trailing octets in the PDU";
	if (tag != PDU_TRAPV2 && tag != PDU_INFORM)
		return "not a trap or inform PDU";
	if (version == 0)
		return "SNMPv2 PDU in an SNMPv1 message";
	/* RFC 3416 4.2.6, 4.2.7: sysUpTime.0 and snmpTrapOID.0 come first. */
	if (m->n_vb < 1 || !oid_is(&m->vb[0].name, oid_sysuptime0, N_ARCS(oid_sysuptime0)) ||
	    m->vb[0].type != TV_TIMETICKS)
		return "first varbind is not sysUpTime.0";
	if (m->n_vb < 2 || !oid_is(&m->vb[1].name, oid_trapoid0, N_ARCS(oid_trapoid0)) ||
	    m->vb[1].type != TV_OID)
		return "second varbind is not snmpTrapOID.0";
	m->uptime = (uint32_t)m->vb[0].u;
	oid_copy(&m->trap_oid, &m->vb[1].o);
	m->have_pdu = true;
	return NULL;
}

/* ScopedPDU contents (RFC 3412 6). The context fields are echoed in what trapd
 * sends back, so they are bounded like SnmpEngineID and contextName. */
static const char *dec_scoped(struct ber *b, struct trap_msg *m)
{
	const char *err;

	if ((err = ber_octets(b, V3_ID_MAX, &m->ctx_engine_id, &m->ctx_engine_id_len, "bad contextEngineID")) ||
	    (err = ber_octets(b, V3_ID_MAX, &m->ctx_name, &m->ctx_name_len, "bad contextName")))
		return err;
	return dec_pdu(b, 3, m);
}

/* SNMPv3Message (RFC 3412 6) after msgVersion, with UsmSecurityParameters
 * (RFC 3414 2.4). */
static const char *dec_v3(struct ber *b, struct trap_msg *m)
{
	struct ber gd, flags, sp, usm, data;
	const uint8_t *start;
	const char *err;
	int32_t boots, etime;

	if ((err = ber_get(b, TAG_SEQ, &gd, "msgGlobalData is not a SEQUENCE")) ||
	    (err = ber_i32(&gd, 0, INT32_MAX, &m->msg_id, "bad msgID")) ||
	    (err = ber_i32(&gd, V3_MIN_MAX_SIZE, INT32_MAX, &m->msg_max_size, "bad msgMaxSize")) ||
	    (err = ber_get(&gd, TV_OCTETS, &flags, "msgFlags is not an OCTET STRING")))
		return err;
	if (ber_left(&flags) != 1)
		return "msgFlags not one octet";
	m->msg_flags = flags.p[0];
	if ((err = ber_i32(&gd, 1, INT32_MAX, &m->sec_model, "bad msgSecurityModel")))
		return err;
	if (gd.p != gd.end)
		return "trailing octets in msgGlobalData";
	/* RFC 3412 7.2 step 5: privacy without authentication is invalid. */
	if ((m->msg_flags & (TRAP_FLAG_AUTH | TRAP_FLAG_PRIV)) == TRAP_FLAG_PRIV)
		return "msgFlags: privacy without authentication";
	if (m->sec_model != 3)
		return "unsupported security model";
	if ((err = ber_get(b, TV_OCTETS, &sp, "msgSecurityParameters is not an OCTET STRING")) ||
	    (err = ber_get(&sp, TAG_SEQ, &usm, "UsmSecurityParameters is not a SEQUENCE")))
		return err;
	if (sp.p != sp.end)
		return "trailing octets after UsmSecurityParameters";
	if ((err = ber_octets(&usm, V3_ID_MAX, &m->engine_id, &m->engine_id_len,
			      "bad msgAuthoritativeEngineID")) ||
	    (err = ber_i32(&usm, 0, INT32_MAX, &boots, "bad msgAuthoritativeEngineBoots")) ||
	    (err = ber_i32(&usm, 0, INT32_MAX, &etime, "bad msgAuthoritativeEngineTime")) ||
	    (err = ber_octets(&usm, V3_ID_MAX, &m->user, &m->user_len, "bad msgUserName")) ||
	    (err = ber_octets(&usm, SIZE_MAX, &m->auth_params, &m->auth_params_len,
			      "bad msgAuthenticationParameters")) ||
	    (err = ber_octets(&usm, SIZE_MAX, &m->priv_params, &m->priv_params_len,
			      "bad msgPrivacyParameters")))
		return err;
	if (usm.p != usm.end)
		return "trailing octets in UsmSecurityParameters";
	m->engine_boots = (uint32_t)boots;
	m->engine_time = (uint32_t)etime;

	start = b->p;
	if (m->msg_flags & TRAP_FLAG_PRIV) {
		if ((err = ber_get(b, TV_OCTETS, &data, "encrypted msgData is not an OCTET STRING")))
			return err;
		if (b->p != b->end)
			return "trailing octets after msgData";
		m->scoped = data.p;
		m->scoped_len = ber_left(&data);
		m->version = 3;
		return NULL; /* the USM layer decrypts, then trap_decode_scoped */
	}
	if ((err = ber_get(b, TAG_SEQ, &data, "ScopedPDU is not a SEQUENCE")))
		return err;
	if (b->p != b->end)
		return "trailing octets after msgData";
	m->scoped = start;
	m->scoped_len = (size_t)(b->p - start);
	m->version = 3;
	return dec_scoped(&data, m);
}

const char *trap_decode(const uint8_t *buf, size_t len, struct trap_msg *m)
{
	struct ber b, msg, c;
	const char *err;
	int32_t version;

	/* Not the varbinds: each is written whole as it is read. */
	memset(m, 0, offsetof(struct trap_msg, vb));
	m->vbl = NULL;
	m->vbl_len = 0;
	m->version = -1;
	if (!buf || len == 0)
		return "empty message";
	b.p = buf;
	b.end = buf + len;
	if ((err = ber_get(&b, TAG_SEQ, &msg, "not an SNMP message")))
		return err;
	if (b.p != b.end)
		return "trailing octets after the message";
	if ((err = ber_i32(&msg, INT32_MIN, INT32_MAX, &version, "bad version")))
		return err;
	if (version == 3)
		return dec_v3(&msg, m);
	if (version != 0 && version != 1)
		return "unsupported SNMP version";
	m->version = version;
	if ((err = ber_get(&msg, TV_OCTETS, &c, "community is not an OCTET STRING")))
		return err;
	m->community = c.p;
	m->community_len = ber_left(&c);
	return dec_pdu(&msg, version, m);
}

const char *trap_decode_scoped(const uint8_t *buf, size_t len, struct trap_msg *m)
{
	struct ber b, data;
	const char *err;

	reset_pdu(m);
	if (!buf || len == 0)
		return "empty ScopedPDU";
	b.p = buf;
	b.end = buf + len;
	if ((err = ber_get(&b, TAG_SEQ, &data, "ScopedPDU is not a SEQUENCE")))
		return err;
	/* Decrypted octets may end in a block cipher's padding (RFC 3414 8.1.1.3). */
	if (b.p != b.end && !(m->msg_flags & TRAP_FLAG_PRIV))
		return "trailing octets after the ScopedPDU";
	return dec_scoped(&data, m);
}

/* ---- BER writing ---- */

/* Bytes go to out while they fit; over records that something did not. */
struct wr {
	uint8_t *p;
	size_t cap, n;
	bool over;
};

static void put(struct wr *w, const void *src, size_t n)
{
	if (w->over || n > w->cap - w->n) {
		w->over = true;
		return;
	}
	if (n)
		memcpy(w->p + w->n, src, n);
	w->n += n;
}

static size_t len_size(size_t n)
{
	size_t k = 1;

	if (n >= 0x80)
		for (; n; n >>= 8)
			k++;
	return k;
}

static size_t tlv_size(size_t n)
{
	return 1 + len_size(n) + n;
}

/* Tag and the shortest definite length. */
static void put_head(struct wr *w, uint8_t tag, size_t n)
{
	uint8_t h[2 + sizeof(size_t)];
	size_t k = len_size(n), i = 0;

	h[i++] = tag;
	if (k == 1) {
		h[i++] = (uint8_t)n;
	} else {
		h[i++] = (uint8_t)(0x80 | (k - 1));
		for (size_t s = k - 1; s > 0; s--)
			h[i++] = (uint8_t)(n >> (8 * (s - 1)));
	}
	put(w, h, i);
}

/* Octets of the shortest two's complement form of v (X.690 8.3.2). */
static size_t int_size(int64_t v)
{
	size_t n = 1;

	while (n < 8 && (v < -(INT64_C(1) << (8 * n - 1)) || v >= (INT64_C(1) << (8 * n - 1))))
		n++;
	return n;
}

/* An INTEGER, or with an application tag an unsigned value below 2^32. */
static void put_int(struct wr *w, uint8_t tag, int64_t v)
{
	uint8_t b[8];
	size_t n = int_size(v);

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)((uint64_t)v >> (8 * (n - 1 - i)));
	put_head(w, tag, n);
	put(w, b, n);
}

static size_t int_tlv_size(int64_t v)
{
	return tlv_size(int_size(v));
}

static void put_octets(struct wr *w, const uint8_t *s, size_t n)
{
	put_head(w, TV_OCTETS, n);
	put(w, s, n);
}

static size_t subid_size(uint32_t v)
{
	size_t n = 1;

	while (n < 5 && v >> (7 * n))
		n++;
	return n;
}

static void put_subid(struct wr *w, uint32_t v)
{
	uint8_t b[5];
	size_t n = subid_size(v);

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(((v >> (7 * (n - 1 - i))) & 0x7f) | (i + 1 < n ? 0x80 : 0));
	put(w, b, n);
}

/* Contents length of an OID, 0 if it cannot be encoded (X.690 8.19.4). */
static size_t oid_size(const uint32_t *a, size_t n)
{
	size_t len;

	if (!a || n < 2 || n > TRAP_OID_MAX || a[0] > 2 || (a[0] < 2 && a[1] >= 40) ||
	    (a[0] == 2 && a[1] > UINT32_MAX - 80))
		return 0;
	len = subid_size(a[0] * 40 + a[1]);
	for (size_t i = 2; i < n; i++)
		len += subid_size(a[i]);
	return len;
}

static void put_oid(struct wr *w, const uint32_t *a, size_t n, size_t size)
{
	put_head(w, TV_OID, size);
	put_subid(w, a[0] * 40 + a[1]);
	for (size_t i = 2; i < n; i++)
		put_subid(w, a[i]);
}

/* A Response- or Report-PDU: request-id, error-status 0, error-index 0 and
 * the VarBindList TLV as given. */
static size_t pdu_size(int32_t reqid, size_t vbl_len)
{
	return tlv_size(int_tlv_size(reqid) + 3 + 3 + vbl_len);
}

static void put_pdu(struct wr *w, uint8_t tag, int32_t reqid, const uint8_t *vbl, size_t vbl_len)
{
	put_head(w, tag, int_tlv_size(reqid) + 3 + 3 + vbl_len);
	put_int(w, TV_INTEGER, reqid);
	put_int(w, TV_INTEGER, 0);
	put_int(w, TV_INTEGER, 0);
	put(w, vbl, vbl_len);
}

static bool is_inform(const struct trap_msg *m)
{
	return m && m->have_pdu && m->pdu_type == PDU_INFORM && m->vbl && m->vbl_len;
}

size_t trap_encode_response(const struct trap_msg *m, uint8_t *out, size_t cap)
{
	struct wr w = {out, cap, 0, false};
	size_t body;

	if (!is_inform(m) || m->version != 1 || !out)
		return 0;
	body = int_tlv_size(m->version) + tlv_size(m->community_len) + pdu_size(m->request_id, m->vbl_len);
	put_head(&w, TAG_SEQ, body);
	put_int(&w, TV_INTEGER, m->version);
	put_octets(&w, m->community, m->community_len);
	put_pdu(&w, PDU_RESPONSE, m->request_id, m->vbl, m->vbl_len);
	return w.over ? 0 : w.n;
}

size_t trap_encode_scoped_response(const struct trap_msg *m, uint8_t *out, size_t cap)
{
	struct wr w = {out, cap, 0, false};
	size_t body;

	if (!is_inform(m) || !out)
		return 0;
	body = tlv_size(m->ctx_engine_id_len) + tlv_size(m->ctx_name_len) + pdu_size(m->request_id, m->vbl_len);
	put_head(&w, TAG_SEQ, body);
	put_octets(&w, m->ctx_engine_id, m->ctx_engine_id_len);
	put_octets(&w, m->ctx_name, m->ctx_name_len);
	put_pdu(&w, PDU_RESPONSE, m->request_id, m->vbl, m->vbl_len);
	return w.over ? 0 : w.n;
}

/* The Report's contextName is the default context, "" (RFC 3412 7.1 step 3b). */
size_t trap_encode_scoped_report(const struct trap_msg *m, const uint32_t *counter_oid, size_t counter_len,
				 uint32_t value, const uint8_t *ctx_engine, size_t ctx_engine_len,
				 uint8_t *out, size_t cap)
{
	uint8_t vbl[16 + 5 * TRAP_OID_MAX];
	struct wr v = {vbl, sizeof vbl, 0, false};
	struct wr w = {out, cap, 0, false};
	int32_t reqid = m ? m->request_id : 0;
	size_t osize = oid_size(counter_oid, counter_len), vb, body;

	if (!osize || !out || (!ctx_engine && ctx_engine_len))
		return 0;
	vb = tlv_size(osize) + int_tlv_size(value);
	put_head(&v, TAG_SEQ, tlv_size(vb));
	put_head(&v, TAG_SEQ, vb);
	put_oid(&v, counter_oid, counter_len, osize);
	put_int(&v, TV_COUNTER32, value);
	if (v.over)
		return 0;
	body = tlv_size(ctx_engine_len) + tlv_size(0) + pdu_size(reqid, v.n);
	put_head(&w, TAG_SEQ, body);
	put_octets(&w, ctx_engine, ctx_engine_len);
	put_octets(&w, NULL, 0);
	put_pdu(&w, PDU_REPORT, reqid, vbl, v.n);
	return w.over ? 0 : w.n;
}

size_t trap_encode_v3(int32_t msg_id, int32_t max_size, uint8_t flags,
		      const uint8_t *engine_id, size_t engine_id_len, uint32_t boots, uint32_t etime,
		      const uint8_t *user, size_t user_len, size_t auth_len,
		      const uint8_t *priv_params, size_t priv_params_len,
		      const uint8_t *scoped, size_t scoped_len, uint8_t *out, size_t cap, size_t *auth_off)
{
	static const uint8_t zeros[64];
	struct wr w = {out, cap, 0, false};
	size_t gd, usm, data, body;

	if (!out || !scoped || !scoped_len)
		return 0;
	gd = int_tlv_size(msg_id) + int_tlv_size(max_size) + tlv_size(1) + int_tlv_size(3);
	usm = tlv_size(engine_id_len) + int_tlv_size(boots) + int_tlv_size(etime) + tlv_size(user_len) +
	      tlv_size(auth_len) + tlv_size(priv_params_len);
	/* Plaintext msgData is the ScopedPDU TLV itself; encrypted, an OCTET STRING. */
	data = (flags & TRAP_FLAG_PRIV) ? tlv_size(scoped_len) : scoped_len;
	body = int_tlv_size(3) + tlv_size(gd) + tlv_size(tlv_size(usm)) + data;
	put_head(&w, TAG_SEQ, body);
	put_int(&w, TV_INTEGER, 3);
	put_head(&w, TAG_SEQ, gd);
	put_int(&w, TV_INTEGER, msg_id);
	put_int(&w, TV_INTEGER, max_size);
	put_octets(&w, &flags, 1);
	put_int(&w, TV_INTEGER, 3); /* USM */
	put_head(&w, TV_OCTETS, tlv_size(usm));
	put_head(&w, TAG_SEQ, usm);
	put_octets(&w, engine_id, engine_id_len);
	put_int(&w, TV_INTEGER, boots);
	put_int(&w, TV_INTEGER, etime);
	put_octets(&w, user, user_len);
	put_head(&w, TV_OCTETS, auth_len);
	if (auth_off)
		*auth_off = w.n;
	for (size_t left = auth_len; left > 0;) {
		size_t k = left < sizeof zeros ? left : sizeof zeros;
		put(&w, zeros, k);
		left -= k;
	}
	put_octets(&w, priv_params, priv_params_len);
	if (flags & TRAP_FLAG_PRIV)
		put_head(&w, TV_OCTETS, scoped_len);
	put(&w, scoped, scoped_len);
	return w.over ? 0 : w.n;
}

/* ---- text ---- */

/* Text that stops at size-1 bytes; cut records that something did not fit. */
struct txt {
	char *p;
	size_t size, n;
	bool cut;
};

static void tput(struct txt *t, const char *s, size_t n)
{
	size_t room = t->size - 1 - t->n;

	if (t->cut)
		return;
	if (n > room) {
		n = room;
		t->cut = true;
	}
	memcpy(t->p + t->n, s, n);
	t->n += n;
	t->p[t->n] = '\0';
}

static void tputs(struct txt *t, const char *s)
{
	tput(t, s, strlen(s));
}

static size_t fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static void tput_u64(struct txt *t, uint64_t v)
{
	char b[20];

	tput(t, b, fmt_u64(b, v));
}

static void tput_i64(struct txt *t, int64_t v)
{
	if (v < 0) {
		tput(t, "-", 1);
		tput_u64(t, (uint64_t)0 - (uint64_t)v);
	} else {
		tput_u64(t, (uint64_t)v);
	}
}

static void tput_oid(struct txt *t, const struct trap_oid *o)
{
	char b[12];

	for (size_t i = 0; i < o->len; i++) {
		b[0] = '.';
		tput(t, b, 1 + fmt_u64(b + 1, o->arc[i]));
	}
}

/* A cut text ends in "...", never in half a UTF-8 character. */
static void tfinish(struct txt *t)
{
	size_t keep = t->size - 1 >= 3 ? t->size - 1 - 3 : 0;

	if (!t->cut)
		return;
	if (t->n > keep)
		t->n = keep;
	while (t->n > 0 && ((uint8_t)t->p[t->n] & 0xc0) == 0x80)
		t->n--;
	for (size_t i = 0; i < 3 && t->n < t->size - 1; i++)
		t->p[t->n++] = '.';
	t->p[t->n] = '\0';
}

void trap_oid_format(const struct trap_oid *o, char *buf, size_t size)
{
	char b[12];
	size_t n = 0;

	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (!o)
		return;
	/* An OID that does not fit is cut after its last whole arc. */
	for (size_t i = 0; i < o->len && i < TRAP_OID_MAX; i++) {
		size_t k;

		b[0] = '.';
		k = 1 + fmt_u64(b + 1, o->arc[i]);
		if (k > size - 1 - n)
			break;
		memcpy(buf + n, b, k);
		n += k;
	}
	buf[n] = '\0';
}

/* Length of the UTF-8 character at s that is not a control character
 * (C0, DEL, C1), or 0 if it is one or not well-formed UTF-8 (RFC 3629). */
static size_t utf8_char(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t k;
	uint8_t lo = 0x80, hi = 0xbf;

	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c == 0xc2 && n >= 2 && s[1] < 0xa0)
		return 0; /* U+0080..U+009F */
	k = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

/* A varbind string into a record field: control characters and bytes that are
 * not UTF-8 become '?', and a cut never splits a character. */
static void copy_text(char *dst, size_t size, const uint8_t *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_char(s + i, n - i);

		if (k == 0) {
			if (o + 1 > size - 1)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + k > size - 1)
			break;
		memcpy(dst + o, s + i, k);
		o += k;
		i += k;
	}
	dst[o] = '\0';
}

static bool is_text(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_char(s + i, n - i);

		if (k == 0) {
			if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
				return false;
			k = 1;
		}
		i += k;
	}
	return true;
}

static const char hexdig[] = "0123456789abcdef";

/* A string value: quoted and escaped when it is text, else 0x and hex. */
static void tput_string(struct txt *t, const uint8_t *s, size_t n, bool binary)
{
	char b[2];

	if (!binary && is_text(s, n)) {
		size_t run = 0;

		tput(t, "\"", 1);
		for (size_t i = 0; i < n && !t->cut; i++) {
			const char *esc = s[i] == '"' ? "\\\"" : s[i] == '\\' ? "\\\\" : s[i] == '\n' ? "\\n" :
					  s[i] == '\r' ? "\\r" : s[i] == '\t' ? "\\t" : NULL;
			if (!esc) {
				run++;
				continue;
			}
			tput(t, (const char *)s + i - run, run);
			run = 0;
			tputs(t, esc);
		}
		tput(t, (const char *)s + n - run, run);
		tput(t, "\"", 1);
		return;
	}
	tput(t, "0x", 2);
	for (size_t i = 0; i < n && !t->cut; i++) {
		b[0] = hexdig[s[i] >> 4];
		b[1] = hexdig[s[i] & 0xf];
		tput(t, b, 2);
	}
}

static void tput_value(struct txt *t, const struct trap_vb *vb)
{
	switch (vb->type) {
	case TV_INTEGER:
		tput_i64(t, vb->i);
		break;
	case TV_OCTETS:
		tput_string(t, vb->s, vb->slen, false);
		break;
	case TV_OPAQUE:
		tput_string(t, vb->s, vb->slen, true);
		break;
	case TV_NULL:
		tputs(t, "NULL");
		break;
	case TV_OID:
		tput_oid(t, &vb->o);
		break;
	case TV_IPADDR:
		for (size_t i = 0; i < 4; i++) {
			if (i)
				tput(t, ".", 1);
			tput_u64(t, vb->s[i]);
		}
		break;
	case TV_COUNTER32:
	case TV_GAUGE32:
	case TV_TIMETICKS:
	case TV_COUNTER64:
		tput_u64(t, vb->u);
		break;
	case TV_NOSUCHOBJECT:
		tputs(t, "noSuchObject");
		break;
	case TV_NOSUCHINSTANCE:
		tputs(t, "noSuchInstance");
		break;
	case TV_ENDOFMIBVIEW:
		tputs(t, "endOfMibView");
		break;
	}
}

static void tput_line(struct txt *t, const struct trap_oid *name)
{
	if (t->n > 0)
		tput(t, "\n", 1);
	tput_oid(t, name);
	tput(t, " = ", 3);
}

/* A foreign trap's varbinds, one "<oid> = <value>" line each. A v2 trap's
 * sysUpTime.0 and snmpTrapOID.0 are left out (the trap OID has its own
 * field); a v1 trap gets the agent address and enterprise that RFC 3584 3.1
 * would append as snmpTrapAddress.0 and snmpTrapEnterprise.0. */
static void foreign_detail(const struct trap_msg *m, char *buf, size_t size)
{
	struct txt t = {buf, size, 0, false};
	bool v1 = m->pdu_type == PDU_TRAPV1;

	buf[0] = '\0';
	for (size_t i = v1 ? 0 : 2; i < m->n_vb && !t.cut; i++) {
		tput_line(&t, &m->vb[i].name);
		tput_value(&t, &m->vb[i]);
	}
	if (v1) {
		struct trap_vb a = {.type = TV_IPADDR, .s = m->agent_addr, .slen = 4};
		struct trap_oid name;

		memcpy(name.arc, oid_trapaddress0, sizeof oid_trapaddress0);
		name.len = N_ARCS(oid_trapaddress0);
		tput_line(&t, &name);
		tput_value(&t, &a);
		memcpy(name.arc, oid_trapenterprise0, sizeof oid_trapenterprise0);
		name.len = N_ARCS(oid_trapenterprise0);
		tput_line(&t, &name);
		tput_oid(&t, &m->enterprise);
	}
	tfinish(&t);
}

/* ---- Shugo notifications ---- */

static int64_t days_from_civil(int64_t y, unsigned mon, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= mon <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* DateAndTime (RFC 2579) to UTC milliseconds since the epoch. All-zero date
 * octets are the usual "no time" and give *known = false. */
static const char *dateandtime_ms(const uint8_t *s, size_t n, int64_t *ms, bool *known)
{
	static const uint8_t zero[8];
	int64_t t;

	if (n != 8 && n != 11)
		return "shugoNotifTime is not 8 or 11 octets";
	*known = memcmp(s, zero, 8) != 0;
	if (!*known)
		return NULL;
	if (s[2] < 1 || s[2] > 12 || s[3] < 1 || s[3] > 31 || s[4] > 23 || s[5] > 59 || s[6] > 60 ||
	    s[7] > 9)
		return "shugoNotifTime out of range";
	t = days_from_civil((int64_t)s[0] << 8 | s[1], s[2], s[3]) * 86400 + s[4] * 3600 + s[5] * 60 + s[6];
	t = t * 1000 + s[7] * 100;
	if (n == 11) {
		/* The offset says how far local time is ahead of UTC. */
		if ((s[8] != '+' && s[8] != '-') || s[9] > 14 || s[10] > 59)
			return "shugoNotifTime has a bad UTC offset";
		int64_t off = ((int64_t)s[9] * 60 + s[10]) * 60000;
		t += s[8] == '+' ? -off : off;
	}
	*ms = t;
	return NULL;
}

enum {
	NV_NODE = 1, NV_BOOT, NV_SEQ, NV_SEVERITY, NV_OBJECT, NV_STATE, NV_DETAIL, NV_TIME, NV_ALARM_ID,
	NV_MAX = NV_ALARM_ID,
};

static const uint8_t nv_type[NV_MAX + 1] = {
	[NV_NODE] = TV_OCTETS, [NV_BOOT] = TV_GAUGE32, [NV_SEQ] = TV_GAUGE32, [NV_SEVERITY] = TV_INTEGER,
	[NV_OBJECT] = TV_OCTETS, [NV_STATE] = TV_OCTETS, [NV_DETAIL] = TV_OCTETS, [NV_TIME] = TV_OCTETS,
	[NV_ALARM_ID] = TV_GAUGE32,
};

/* The wrong-type messages, one per object, so the log names the culprit. */
static const char *const nv_bad_type[NV_MAX + 1] = {
	[NV_NODE] = "shugoNotifNode has the wrong type", [NV_BOOT] = "shugoNotifBoot has the wrong type",
	[NV_SEQ] = "shugoNotifSeq has the wrong type", [NV_SEVERITY] = "shugoNotifSeverity has the wrong type",
	[NV_OBJECT] = "shugoNotifObject has the wrong type", [NV_STATE] = "shugoNotifState has the wrong type",
	[NV_DETAIL] = "shugoNotifDetail has the wrong type", [NV_TIME] = "shugoNotifTime has the wrong type",
	[NV_ALARM_ID] = "shugoNotifAlarmId has the wrong type",
};

/* The shugoNotifObjects varbinds, as the agent sends them: shugoNotifX.0
 * (agent/notify.c build_varbinds). The first of each counts. */
static const char *shugo_fields(const struct trap_msg *m, bool agent, struct log_rec *r)
{
	const struct trap_vb *v[NV_MAX + 1] = {NULL};
	const char *err;
	bool known;

	for (size_t i = 0; i < m->n_vb; i++) {
		const struct trap_oid *n = &m->vb[i].name;
		uint32_t k;

		if (n->len != N_ARCS(oid_notif_obj) + 2 || !oid_under(n, oid_notif_obj, N_ARCS(oid_notif_obj)))
			continue;
		k = n->arc[N_ARCS(oid_notif_obj)];
		if (k < 1 || k > NV_MAX || n->arc[N_ARCS(oid_notif_obj) + 1] != 0 || v[k])
			continue;
		if (m->vb[i].type != nv_type[k])
			return nv_bad_type[k];
		v[k] = &m->vb[i];
	}
	if (agent && !v[NV_NODE])
		return "shugoNotifNode missing";
	if (agent && !v[NV_SEQ])
		return "shugoNotifSeq missing";
	if (v[NV_NODE]) {
		/* ShugoName: the de-duplication key must not be cut. */
		if (v[NV_NODE]->slen < 1 || v[NV_NODE]->slen > LR_NODE_MAX)
			return "shugoNotifNode is not 1..64 octets";
		copy_text(r->node, sizeof r->node, v[NV_NODE]->s, v[NV_NODE]->slen);
	}
	if (v[NV_BOOT])
		r->boot = (uint32_t)v[NV_BOOT]->u;
	if (v[NV_SEQ])
		r->seq = (uint32_t)v[NV_SEQ]->u;
	if (v[NV_SEVERITY]) {
		if (v[NV_SEVERITY]->i < SEV_CLEAR || v[NV_SEVERITY]->i > SEV_CRITICAL)
			return "shugoNotifSeverity out of range";
		r->sev = (int)v[NV_SEVERITY]->i;
	}
	if (v[NV_OBJECT])
		copy_text(r->object, sizeof r->object, v[NV_OBJECT]->s, v[NV_OBJECT]->slen);
	if (v[NV_STATE])
		copy_text(r->state, sizeof r->state, v[NV_STATE]->s, v[NV_STATE]->slen);
	if (v[NV_DETAIL])
		copy_text(r->detail, sizeof r->detail, v[NV_DETAIL]->s, v[NV_DETAIL]->slen);
	if (v[NV_TIME]) {
		if ((err = dateandtime_ms(v[NV_TIME]->s, v[NV_TIME]->slen, &r->occurred_ms, &known)))
			return err;
		if (!known)
			r->occurred_ms = r->received_ms;
	}
	if (v[NV_ALARM_ID])
		r->alarm_id = (uint32_t)v[NV_ALARM_ID]->u;
	return NULL;
}

const char *trap_to_rec(const struct trap_msg *m, const char *source, int64_t received_ms, struct log_rec *r)
{
	const struct trap_oid *to = &m->trap_oid;
	const char *name;
	uint32_t n;

	memset(r, 0, sizeof *r);
	r->received_ms = received_ms;
	r->occurred_ms = received_ms;
	r->sev = SEV_INFO;
	str_copy(r->source, source ? source : "", sizeof r->source);
	if (!m->have_pdu)
		return "no PDU decoded";
	trap_oid_format(to, r->trap_oid, sizeof r->trap_oid);
	n = to->len ? to->arc[to->len - 1] : 0;
	if (to->len == N_ARCS(oid_agent_notif) + 1 && oid_under(to, oid_agent_notif, N_ARCS(oid_agent_notif)) &&
	    n >= 1 && n <= INT32_MAX) {
		r->origin = LR_AGENT;
		r->type = (int)n;
		name = ev_type_name((enum shugo_notif)n);
		str_copy(r->type_name, name ? name : "", sizeof r->type_name);
		return shugo_fields(m, true, r);
	}
	if (to->len == N_ARCS(oid_mgr_notif) + 1 && oid_under(to, oid_mgr_notif, N_ARCS(oid_mgr_notif)) &&
	    n >= 1 && n <= INT32_MAX) {
		r->origin = LR_MANAGER;
		r->type = (int)n;
		name = mgr_notif_name((enum mgr_notif)n);
		str_copy(r->type_name, name ? name : "", sizeof r->type_name);
		return shugo_fields(m, false, r);
	}
	r->origin = LR_FOREIGN;
	foreign_detail(m, r->detail, sizeof r->detail);
	return NULL;
}
