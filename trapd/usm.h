/* The User-based Security Model (RFC 3414) for trapd: checks the HMAC of
 * incoming SNMPv3 messages and decrypts them, authenticates and encrypts what
 * trapd sends back, and answers discovery with Reports. Keys come from the
 * users' passwords (RFC 3414 A.2, localized per engine ID: the sender's for
 * TRAPs, trapd's own for INFORMs, where trapd is authoritative). Crypto through
 * OpenSSL's libcrypto: HMAC-SHA-96 (RFC 3414), HMAC-SHA-2 (RFC 7860), AES-CFB
 * 128 (RFC 3826) and the AES-256 variant net-snmp speaks (key extended as in
 * draft-blumenthal-aes-usm-04, "Blumenthal"). Only authPriv is accepted. */
#ifndef SHUGO_TRAPD_USM_H
#define SHUGO_TRAPD_USM_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "decode.h"

struct usm;

enum usm_result {
	USM_OK = 0,
	USM_UNKNOWN_ENGINE,   /* INFORM to an engine ID that is not ours: send the Report (discovery) */
	USM_NOT_IN_TIME,      /* INFORM outside the time window: send the Report */
	USM_UNKNOWN_USER,
	USM_WRONG_DIGEST,
	USM_DECRYPT_ERROR,
	USM_UNSUPPORTED_LEVEL, /* not authPriv */
	USM_MALFORMED,
};

/* users: the configured USM users (passwords hashed once here, at start;
 * that is the expensive part). engine_id: trapd's own. boots: its boot count
 * (persisted by the caller), start_s: now on a monotonic clock, for
 * snmpEngineTime. NULL with errno on failure. */
struct usm *usm_new(const struct cfg_user *users, size_t n_users, const uint8_t *engine_id,
		    size_t engine_id_len, uint32_t boots, int64_t start_s);
void usm_free(struct usm *u);

/* Verify and decrypt m (decoded by trap_decode from buf/len) and decode its
 * ScopedPDU (trap_decode_scoped) into m. buf is not changed. now_s: monotonic
 * seconds. On USM_OK, m->have_pdu is set. *why gets a few words for the log.
 * The PDU fields of m then point into u's own plaintext buffer: use them (the
 * record, usm_reply) before the next call. A message trap_decode refused but
 * whose v3 header it read (m->version == 3) may still be passed: discovery
 * probes are Get PDUs and get their Report from here. */
enum usm_result usm_incoming(struct usm *u, const uint8_t *buf, size_t len, struct trap_msg *m, int64_t now_s,
			     const char **why);

/* For an INFORM accepted with USM_OK: the whole authenticated, encrypted v3
 * Response message into out. For USM_UNKNOWN_ENGINE / USM_NOT_IN_TIME: the
 * Report (RFC 3414 3.2 steps 3b/7b; unauthenticated for discovery, authenticated
 * for the time window). Returns the length, 0 when nothing is to be sent. */
size_t usm_reply(struct usm *u, const struct trap_msg *m, enum usm_result r, int64_t now_s, uint8_t *out,
		 size_t cap);

/* Counters for trapd's statistics: usmStatsUnknownEngineIDs etc. */
struct usm_stats {
	uint64_t unknown_engine, not_in_time, unknown_user, wrong_digest, decrypt_error, unsupported_level;
};
void usm_get_stats(const struct usm *u, struct usm_stats *out);

#endif
