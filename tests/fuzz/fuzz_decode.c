/* libFuzzer harness for trapd's SNMP codec: any datagram through trap_decode,
 * the ScopedPDU decoder, trap_to_rec and the encoders. Crashes and sanitizer
 * reports are the findings, and so is an encoder whose output the decoder does
 * not read back the same; a refused datagram is an ordinary outcome. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Too big for a fuzzer thread's stack; the harness runs one input at a time. */
static struct trap_msg msg, back;
static uint8_t out[1 << 17], out2[1 << 17];

static void check_rec(const struct trap_msg *m)
{
	struct log_rec r;

	trap_to_rec(m, "udp:127.0.0.1:40000", INT64_C(1700000000000), &r);
	if (strnlen(r.node, sizeof r.node) == sizeof r.node || strnlen(r.type_name, sizeof r.type_name) ==
	    sizeof r.type_name || strnlen(r.trap_oid, sizeof r.trap_oid) == sizeof r.trap_oid ||
	    strnlen(r.object, sizeof r.object) == sizeof r.object || strnlen(r.state, sizeof r.state) ==
	    sizeof r.state || strnlen(r.detail, sizeof r.detail) == sizeof r.detail ||
	    strnlen(r.source, sizeof r.source) == sizeof r.source)
		__builtin_trap(); /* a field without its terminator */
	if (m->have_pdu && r.trap_oid[0] != '.')
		__builtin_trap();
}

/* The Response must decode as a Response-PDU with the inform's request-id and
 * varbinds (trap_decode reads it whole before refusing it). */
static void check_response(const struct trap_msg *m)
{
	size_t n = trap_encode_response(m, out, sizeof out);

	if (n == 0)
		__builtin_trap(); /* an accepted v2c inform always fits in 64 KiB */
	trap_decode(out, n, &back);
	if (back.pdu_type != PDU_RESPONSE || back.request_id != m->request_id || back.version != m->version ||
	    back.vbl_len != m->vbl_len || memcmp(back.vbl, m->vbl, m->vbl_len) != 0 ||
	    back.community_len != m->community_len ||
	    memcmp(back.community, m->community, m->community_len) != 0)
		__builtin_trap();
}

static void check_v3_replies(const struct trap_msg *m)
{
	static const uint32_t unknown_engine[] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0};
	size_t n, v3, auth_off = 0;

	if (m->have_pdu && m->pdu_type == PDU_INFORM) {
		n = trap_encode_scoped_response(m, out, sizeof out);
		if (n == 0)
			__builtin_trap();
		back.msg_flags = 0;
		trap_decode_scoped(out, n, &back);
		if (back.pdu_type != PDU_RESPONSE || back.request_id != m->request_id ||
		    back.vbl_len != m->vbl_len || memcmp(back.vbl, m->vbl, m->vbl_len) != 0)
			__builtin_trap();
	} else {
		n = trap_encode_scoped_report(m, unknown_engine, 11, 7, m->engine_id, m->engine_id_len, out,
					      sizeof out);
		if (n == 0)
			__builtin_trap();
	}
	v3 = trap_encode_v3(m->msg_id, m->msg_max_size, m->msg_flags & (TRAP_FLAG_AUTH | TRAP_FLAG_PRIV),
			    m->engine_id, m->engine_id_len, m->engine_boots, m->engine_time, m->user, m->user_len,
			    m->auth_params_len, m->priv_params, m->priv_params_len, out, n, out2, sizeof out2,
			    &auth_off);
	if (v3 == 0)
		__builtin_trap();
	trap_decode(out2, v3, &back);
	if (back.version != 3 || back.msg_id != m->msg_id || back.engine_boots != m->engine_boots ||
	    back.auth_params_len != m->auth_params_len || back.user_len != m->user_len ||
	    (m->auth_params_len && back.auth_params != out2 + auth_off))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *err;

	/* A UDP datagram is smaller; the replies are checked in 64 KiB buffers. */
	if (size > 65507)
		return 0;
	err = trap_decode(data, size, &msg);

	if (msg.version == 3 && msg.scoped) {
		/* Encrypted octets stand in for what USM would decrypt. */
		if (!msg.have_pdu)
			trap_decode_scoped(msg.scoped, msg.scoped_len, &msg);
		check_v3_replies(&msg);
	}
	if (!err && (msg.version == 0 || msg.version == 1) && !msg.have_pdu)
		__builtin_trap(); /* v1/v2c success means a PDU */
	check_rec(&msg);
	if (msg.have_pdu && msg.pdu_type == PDU_INFORM && msg.version == 1)
		check_response(&msg);
	return 0;
}
