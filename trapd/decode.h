/* SNMP messages as trapd sees them: a pure BER decoder for SNMPv1/v2c/v3
 * messages carrying Trap-PDU, SNMPv2-Trap-PDU or InformRequest-PDU (RFC 3416,
 * RFC 3412 message format, RFC 1157 for v1), the encoder of what trapd sends
 * back (the Response to an INFORM, and for v3 the Report of RFC 3414), and the
 * mapping of a decoded trap onto a central log record. No system calls, no
 * net-snmp: unit-tested and fuzzed. Everything that points into the message
 * stays valid while the caller's buffer does. */
#ifndef SHUGO_TRAPD_DECODE_H
#define SHUGO_TRAPD_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "logrec.h"

#define TRAP_OID_MAX 128 /* sub-identifiers (RFC 2578 limit) */
#define TRAP_VB_MAX 64   /* varbinds kept; a message with more is malformed for us */

struct trap_oid {
	uint32_t arc[TRAP_OID_MAX];
	size_t len;
};

/* Varbind value types: the BER tags. */
enum trap_vtype {
	TV_INTEGER = 0x02, TV_OCTETS = 0x04, TV_NULL = 0x05, TV_OID = 0x06,
	TV_IPADDR = 0x40, TV_COUNTER32 = 0x41, TV_GAUGE32 = 0x42, TV_TIMETICKS = 0x43,
	TV_OPAQUE = 0x44, TV_COUNTER64 = 0x46,
	TV_NOSUCHOBJECT = 0x80, TV_NOSUCHINSTANCE = 0x81, TV_ENDOFMIBVIEW = 0x82,
};

struct trap_vb {
	struct trap_oid name;
	uint8_t type;           /* enum trap_vtype */
	int64_t i;              /* TV_INTEGER */
	uint64_t u;             /* TV_COUNTER32, TV_GAUGE32, TV_TIMETICKS, TV_COUNTER64 */
	const uint8_t *s;       /* TV_OCTETS, TV_IPADDR, TV_OPAQUE: into the message */
	size_t slen;
	struct trap_oid o;      /* TV_OID */
};

enum trap_pdu_type {
	PDU_GET = 0xA0, PDU_GETNEXT = 0xA1, PDU_RESPONSE = 0xA2, PDU_SET = 0xA3,
	PDU_TRAPV1 = 0xA4, PDU_GETBULK = 0xA5, PDU_INFORM = 0xA6, PDU_TRAPV2 = 0xA7,
	PDU_REPORT = 0xA8,
};

/* msgFlags (RFC 3412) */
#define TRAP_FLAG_AUTH 0x01
#define TRAP_FLAG_PRIV 0x02
#define TRAP_FLAG_REPORTABLE 0x04

struct trap_msg {
	int version;              /* 0 = SNMPv1, 1 = SNMPv2c, 3 = SNMPv3 */
	const uint8_t *community; /* v1/v2c */
	size_t community_len;

	/* v3: msgGlobalData and UsmSecurityParameters (RFC 3414 2.4) */
	int32_t msg_id;
	int32_t msg_max_size;
	uint8_t msg_flags;
	int32_t sec_model;        /* 3 = USM; others are refused by trap_decode */
	const uint8_t *engine_id; size_t engine_id_len;  /* msgAuthoritativeEngineID */
	uint32_t engine_boots, engine_time;
	const uint8_t *user; size_t user_len;
	const uint8_t *auth_params; size_t auth_params_len; /* msgAuthenticationParameters,
							     * into the message (USM zeroes a copy) */
	const uint8_t *priv_params; size_t priv_params_len;
	const uint8_t *scoped; size_t scoped_len; /* the ScopedPDU TLV, or with
						   * TRAP_FLAG_PRIV the encrypted octets */
	const uint8_t *ctx_engine_id; size_t ctx_engine_id_len; /* from the ScopedPDU */
	const uint8_t *ctx_name; size_t ctx_name_len;

	/* the PDU (after trap_decode for v1/v2c; after trap_decode_scoped for v3) */
	bool have_pdu;
	uint8_t pdu_type;         /* enum trap_pdu_type */
	int32_t request_id;
	/* SNMPv1 Trap-PDU fields */
	struct trap_oid enterprise;
	uint8_t agent_addr[4];
	int32_t generic_trap, specific_trap;
	/* sysUpTime.0 and snmpTrapOID.0: from the first two varbinds of an
	 * SNMPv2 trap/inform, or converted from a v1 trap as RFC 3584 3.1 says */
	uint32_t uptime;
	struct trap_oid trap_oid;
	/* every varbind of the PDU (a v2 trap's first two included) */
	size_t n_vb;
	struct trap_vb vb[TRAP_VB_MAX];
	const uint8_t *vbl;       /* the VarBindList TLV, into the message, for the Response */
	size_t vbl_len;
};

/* Decode one datagram. v1/v2c: the whole message (have_pdu set). v3: the
 * header and security parameters; with no privacy flag the ScopedPDU is decoded
 * too (have_pdu set), otherwise the USM layer decrypts scoped and calls
 * trap_decode_scoped. Returns NULL, or what is wrong in a few words
 * ("truncated length", "not a trap or inform PDU"). Only Trap, SNMPv2-Trap and
 * InformRequest PDUs are accepted. */
const char *trap_decode(const uint8_t *buf, size_t len, struct trap_msg *m);
/* Decode a plaintext ScopedPDU (v3), filling the context and the PDU. */
const char *trap_decode_scoped(const uint8_t *buf, size_t len, struct trap_msg *m);

/* The Response-PDU to an InformRequest (RFC 3416 4.2.7): same request-id,
 * error-status 0, the same varbinds. v1/v2c: the whole message into out.
 * Returns its length, 0 if cap is too small or m is not an inform. */
size_t trap_encode_response(const struct trap_msg *m, uint8_t *out, size_t cap);
/* v3: the ScopedPDU holding that Response (context from m), into out. */
size_t trap_encode_scoped_response(const struct trap_msg *m, uint8_t *out, size_t cap);
/* v3: a ScopedPDU holding a Report-PDU (request-id of m, or 0 when m's PDU
 * could not be read) with one varbind, counter_oid = value (RFC 3414 3.2:
 * usmStatsUnknownEngineIDs.0 and friends), context engine ctx_engine. */
size_t trap_encode_scoped_report(const struct trap_msg *m, const uint32_t *counter_oid, size_t counter_len,
				 uint32_t value, const uint8_t *ctx_engine, size_t ctx_engine_len,
				 uint8_t *out, size_t cap);
/* v3: a whole SNMPv3 message around scoped (already encrypted when flags has
 * TRAP_FLAG_PRIV) with these USM parameters. auth_len zero octets are written as
 * msgAuthenticationParameters; *auth_off is set to their offset in out so the
 * USM layer can fill in the HMAC. Returns the length, 0 if cap is too small. */
size_t trap_encode_v3(int32_t msg_id, int32_t max_size, uint8_t flags,
		      const uint8_t *engine_id, size_t engine_id_len, uint32_t boots, uint32_t etime,
		      const uint8_t *user, size_t user_len, size_t auth_len,
		      const uint8_t *priv_params, size_t priv_params_len,
		      const uint8_t *scoped, size_t scoped_len, uint8_t *out, size_t cap, size_t *auth_off);

/* Turn a decoded trap/inform into a central log record. A Shugo agent's
 * notification (snmpTrapOID.0 under shugoNotifications, carrying shugoNotifNode
 * and shugoNotifSeq) is read field by field (origin LR_AGENT, occurred_ms from
 * shugoNotifTime); anything else is LR_FOREIGN with its varbinds written as text
 * ("<oid> = <value>" lines, numeric) into detail, severity info and occurred_ms =
 * received_ms. source is the transport address text. Returns NULL, or what is
 * wrong with a message that claims to be a Shugo notification but is not well
 * formed ("shugoNotifSeq missing"). */
const char *trap_to_rec(const struct trap_msg *m, const char *source, int64_t received_ms, struct log_rec *r);

/* ".1.3.6.1..." into buf (always terminated). */
void trap_oid_format(const struct trap_oid *o, char *buf, size_t size);

#endif
