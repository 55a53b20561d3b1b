/* trapd's User-based Security Model (RFC 3414): user keys, HMAC checks and
 * AES-CFB decryption of incoming SNMPv3 traps and informs, the time window,
 * and the authenticated, encrypted Response and the Reports trapd sends back.
 * Everything lives in one struct usm allocated at start: no allocation per message. */
#include "usm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define USM_MSG_MAX 65507      /* the largest UDP/IPv4 payload: our msgMaxSize too */
#define USM_BUF_SIZE 65536
#define USM_ENGINE_MAX 32      /* SnmpEngineID is SIZE(5..32) (RFC 3411) */
#define USM_HASH_MAX 64        /* SHA-512 */
#define USM_PRIVKEY_MAX 32     /* AES-256 */
#define USM_SALT_LEN 8         /* msgPrivacyParameters of RFC 3826 */
#define USM_TIME_WINDOW 150    /* seconds, RFC 3414 2.2.3 */
#define USM_BOOTS_MAX 2147483647u
#define USM_KEY_SLOTS 128      /* localized keys of senders' engines (TRAPs) */
#define USM_PEER_SLOTS 256     /* senders' boots/time (TRAPs) */
#define USM_KU_INPUT 1048576   /* RFC 3414 A.2: one megabyte of repeated password */

enum { USM_MD_SHA1, USM_MD_SHA256, USM_MD_SHA512, USM_MD_N };

/* Per authentication protocol: the hash, its output, and the truncated MAC
 * that goes into msgAuthenticationParameters (RFC 3414 7.3.1: 12 octets of
 * HMAC-SHA-1; RFC 7860 4.2.1: 24 of HMAC-SHA-256, 48 of HMAC-SHA-512). */
static const struct {
	const char *name;
	size_t hash_len, mac_len;
} usm_md_info[USM_MD_N] = {
	[USM_MD_SHA1] = {"SHA1", 20, 12},
	[USM_MD_SHA256] = {"SHA2-256", 32, 24},
	[USM_MD_SHA512] = {"SHA2-512", 64, 48},
};

/* usmStatsUnknownEngineIDs.0 and usmStatsNotInTimeWindows.0 (RFC 3414 5) */
static const uint32_t usm_oid_unknown_engine[] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0};
static const uint32_t usm_oid_not_in_time[] = {1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0};
#define OID_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct usm_keys {
	uint8_t auth[USM_HASH_MAX]; /* Kul: the HMAC key, hash_len octets */
	uint8_t priv[USM_PRIVKEY_MAX]; /* the AES key, cut or extended to the cipher's size */
};

struct usm_user {
	char name[33];
	size_t name_len;
	int md;                     /* USM_MD_* */
	bool aes256;
	uint8_t ku_auth[USM_HASH_MAX], ku_priv[USM_HASH_MAX]; /* master keys (RFC 3414 2.6) */
	struct usm_keys own;        /* localized to trapd's engine ID (INFORMs) */
};

/* A user's keys localized to a sender's engine ID: a TRAP's authoritative
 * engine is its sender, so each sender needs its own. Least recently used goes. */
struct usm_key_slot {
	bool used;
	uint8_t eid_len;
	uint8_t eid[USM_ENGINE_MAX];
	size_t user;
	uint64_t stamp;
	struct usm_keys k;
};

/* What RFC 3414 2.3 has a non-authoritative engine remember of an
 * authoritative one: its boots, the latest time received, and when. */
struct usm_peer {
	bool used;
	uint8_t eid_len;
	uint8_t eid[USM_ENGINE_MAX];
	uint32_t boots, latest_time;
	int64_t at;
	uint64_t stamp;
};

struct usm {
	struct usm_user *users;
	size_t n_users;
	uint8_t eid[USM_ENGINE_MAX];
	size_t eid_len;
	uint32_t boots;
	int64_t start_s;
	uint64_t salt;      /* RFC 3826 3.1.2.1: a 64-bit counter from a random start */
	uint64_t tick;      /* recency for the two caches */
	struct usm_stats stats;
	char why[128];

	EVP_MD *md[USM_MD_N];
	EVP_MAC *mac;
	EVP_MAC_CTX *mac_ctx[USM_MD_N];
	/* one context per cipher, set up at start: re-keyed per message, they
	 * cost no allocation (choosing the cipher again would) */
	EVP_CIPHER *aes128, *aes256;
	EVP_CIPHER_CTX *ctx128, *ctx256;

	struct usm_key_slot keys[USM_KEY_SLOTS];
	struct usm_peer peers[USM_PEER_SLOTS];

	/* work: a copy of the message with the MAC zeroed (in) or the Response's
	 * ScopedPDU (out); the encrypted ScopedPDU (out); the decrypted one (in),
	 * which the decoded message points into until the next usm_incoming */
	uint8_t work[USM_BUF_SIZE];
	uint8_t crypt[USM_BUF_SIZE];
	uint8_t plain[USM_BUF_SIZE];
};

/* RFC 3414 A.2: hash one megabyte of the password repeated. */
static int usm_password_to_key(const EVP_MD *md, const char *pass, uint8_t *ku)
{
	size_t plen = strlen(pass);
	EVP_MD_CTX *ctx = NULL;
	uint8_t chunk[64];
	size_t idx = 0;
	int ret = -1;

	if (plen == 0) {
		errno = EINVAL;
		return -1;
	}
	if (!(ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex2(ctx, md, NULL))
		goto fail;
	for (size_t done = 0; done < USM_KU_INPUT; done += sizeof(chunk)) {
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (uint8_t)pass[idx++ % plen];
		if (!EVP_DigestUpdate(ctx, chunk, sizeof(chunk)))
			goto fail;
	}
	if (!EVP_DigestFinal_ex(ctx, ku, NULL))
		goto fail;
	ret = 0;
fail:
	if (ret < 0)
		errno = EIO;
	OPENSSL_cleanse(chunk, sizeof(chunk));
	EVP_MD_CTX_free(ctx);
	return ret;
}

/* Kul = H(Ku || engineID || Ku), RFC 3414 2.6. */
static int usm_localize(const EVP_MD *md, size_t hash_len, const uint8_t *ku, const uint8_t *eid,
			size_t eid_len, uint8_t *kul)
{
	uint8_t in[USM_HASH_MAX * 2 + USM_ENGINE_MAX];
	int ok;

	memcpy(in, ku, hash_len);
	memcpy(in + hash_len, eid, eid_len);
	memcpy(in + hash_len + eid_len, ku, hash_len);
	ok = EVP_Digest(in, 2 * hash_len + eid_len, kul, NULL, md, NULL);
	OPENSSL_cleanse(in, sizeof(in));
	return ok ? 0 : -1;
}

/* Both keys of user us for engine eid. The privacy key is localized with the
 * auth hash too (RFC 3826 1.2); AES-128 takes its first 16 octets. AES-256 takes
 * 32: when the hash is shorter (SHA-1), net-snmp's "AES-256" extends it as
 * draft-blumenthal-aes-usm-04 3.1.2.1 does, Kul = Kul || H(Kul) until long
 * enough (its "AES-256-C", Reeder's extension, is not offered). */
static int usm_user_keys(const struct usm *u, const struct usm_user *us, const uint8_t *eid, size_t eid_len,
			 struct usm_keys *k)
{
	const EVP_MD *md = u->md[us->md];
	size_t hl = usm_md_info[us->md].hash_len;
	size_t need = us->aes256 ? 32 : 16;
	uint8_t ext[USM_HASH_MAX * 2];
	size_t have = hl;

	if (usm_localize(md, hl, us->ku_auth, eid, eid_len, k->auth) < 0 ||
	    usm_localize(md, hl, us->ku_priv, eid, eid_len, ext) < 0)
		return -1;
	while (have < need) {
		if (!EVP_Digest(ext, have, ext + have, NULL, md, NULL))
			return -1;
		have += hl;
	}
	memcpy(k->priv, ext, need);
	OPENSSL_cleanse(ext, sizeof(ext));
	return 0;
}

static int usm_md_of(enum cfg_auth a)
{
	switch (a) {
	case AUTH_SHA1: return USM_MD_SHA1;
	case AUTH_SHA256: return USM_MD_SHA256;
	case AUTH_SHA512: return USM_MD_SHA512;
	}
	return -1;
}

struct usm *usm_new(const struct cfg_user *users, size_t n_users, const uint8_t *engine_id,
		    size_t engine_id_len, uint32_t boots, int64_t start_s)
{
	struct usm *u = NULL;
	int err = EINVAL;

	if (engine_id_len < 5 || engine_id_len > USM_ENGINE_MAX || (n_users && !users) ||
	    boots >= USM_BOOTS_MAX)
		goto fail;
	err = ENOMEM;
	if (!(u = calloc(1, sizeof(*u))))
		goto fail;
	if (n_users && !(u->users = calloc(n_users, sizeof(*u->users))))
		goto fail;
	memcpy(u->eid, engine_id, engine_id_len);
	u->eid_len = engine_id_len;
	u->boots = boots;
	u->start_s = start_s;

	err = EIO;
	for (int i = 0; i < USM_MD_N; i++) {
		OSSL_PARAM p[2] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)usm_md_info[i].name, 0),
			OSSL_PARAM_construct_end(),
		};
		if (!(u->md[i] = EVP_MD_fetch(NULL, usm_md_info[i].name, NULL)))
			goto fail;
		if (!u->mac && !(u->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)))
			goto fail;
		if (!(u->mac_ctx[i] = EVP_MAC_CTX_new(u->mac)) || !EVP_MAC_CTX_set_params(u->mac_ctx[i], p))
			goto fail;
	}
	if (!(u->aes128 = EVP_CIPHER_fetch(NULL, "AES-128-CFB", NULL)) ||
	    !(u->aes256 = EVP_CIPHER_fetch(NULL, "AES-256-CFB", NULL)) || !(u->ctx128 = EVP_CIPHER_CTX_new()) ||
	    !(u->ctx256 = EVP_CIPHER_CTX_new()) || !EVP_CipherInit_ex2(u->ctx128, u->aes128, NULL, NULL, 0, NULL) ||
	    !EVP_CipherInit_ex2(u->ctx256, u->aes256, NULL, NULL, 0, NULL))
		goto fail;
	if (RAND_bytes((unsigned char *)&u->salt, sizeof(u->salt)) != 1)
		goto fail;

	/* The expensive part, once per user: a megabyte hashed per password. */
	for (size_t i = 0; i < n_users; i++) {
		const struct cfg_user *c = &users[i];
		struct usm_user *us = &u->users[u->n_users];
		size_t nl = strnlen(c->name, sizeof(c->name));
		int md = usm_md_of(c->auth);

		err = EINVAL;
		if (md < 0 || (c->priv != PRIV_AES128 && c->priv != PRIV_AES256) || !c->auth_pass ||
		    !c->priv_pass || !*c->auth_pass || !*c->priv_pass || nl == 0 || nl >= sizeof(c->name))
			goto fail;
		err = EIO;
		memcpy(us->name, c->name, nl);
		us->name_len = nl;
		us->md = md;
		us->aes256 = c->priv == PRIV_AES256;
		if (usm_password_to_key(u->md[md], c->auth_pass, us->ku_auth) < 0 ||
		    usm_password_to_key(u->md[md], c->priv_pass, us->ku_priv) < 0 ||
		    usm_user_keys(u, us, u->eid, u->eid_len, &us->own) < 0)
			goto fail;
		u->n_users++;
	}
	return u;
fail:
	usm_free(u);
	errno = err;
	return NULL;
}

void usm_free(struct usm *u)
{
	if (!u)
		return;
	for (int i = 0; i < USM_MD_N; i++) {
		EVP_MAC_CTX_free(u->mac_ctx[i]);
		EVP_MD_free(u->md[i]);
	}
	EVP_MAC_free(u->mac);
	EVP_CIPHER_CTX_free(u->ctx128);
	EVP_CIPHER_CTX_free(u->ctx256);
	EVP_CIPHER_free(u->aes128);
	EVP_CIPHER_free(u->aes256);
	if (u->users) {
		OPENSSL_cleanse(u->users, u->n_users * sizeof(*u->users));
		free(u->users);
	}
	OPENSSL_cleanse(u, sizeof(*u));
	free(u);
}

void usm_get_stats(const struct usm *u, struct usm_stats *out)
{
	*out = u->stats;
}

/* snmpEngineTime: seconds since start, within 0..2^31-1 (RFC 3414 2.2.1). */
static uint32_t usm_our_time(const struct usm *u, int64_t now_s)
{
	int64_t t = now_s - u->start_s;

	if (t < 0)
		return 0;
	if (t > (int64_t)USM_BOOTS_MAX)
		return USM_BOOTS_MAX;
	return (uint32_t)t;
}

static bool usm_is_ours(const struct usm *u, const uint8_t *eid, size_t len)
{
	return len == u->eid_len && memcmp(eid, u->eid, len) == 0;
}

static const struct usm_user *usm_find_user(const struct usm *u, const uint8_t *name, size_t len,
					    size_t *index)
{
	for (size_t i = 0; i < u->n_users; i++)
		if (u->users[i].name_len == len && memcmp(u->users[i].name, name, len) == 0) {
			if (index)
				*index = i;
			return &u->users[i];
		}
	return NULL;
}

/* The keys of user ui for a sender's engine, from the cache or computed
 * (two short hashes: cheap, so a miss costs little). */
static const struct usm_keys *usm_sender_keys(struct usm *u, size_t ui, const uint8_t *eid, size_t eid_len)
{
	struct usm_key_slot *victim = &u->keys[0];

	for (size_t i = 0; i < USM_KEY_SLOTS; i++) {
		struct usm_key_slot *s = &u->keys[i];
		if (s->used && s->user == ui && s->eid_len == eid_len && memcmp(s->eid, eid, eid_len) == 0) {
			s->stamp = ++u->tick;
			return &s->k;
		}
		if (!s->used ? victim->used : (victim->used && s->stamp < victim->stamp))
			victim = s;
	}
	if (usm_user_keys(u, &u->users[ui], eid, eid_len, &victim->k) < 0) {
		victim->used = false;
		return NULL;
	}
	victim->used = true;
	victim->user = ui;
	victim->eid_len = (uint8_t)eid_len;
	memcpy(victim->eid, eid, eid_len);
	victim->stamp = ++u->tick;
	return &victim->k;
}

/* HMAC of msg with key, truncated to the protocol's length, into mac. */
static int usm_hmac(struct usm *u, int md, const uint8_t *key, const uint8_t *msg, size_t len, uint8_t *mac)
{
	EVP_MAC_CTX *c = u->mac_ctx[md];
	uint8_t full[USM_HASH_MAX];
	size_t out_len = 0;

	if (!EVP_MAC_init(c, key, usm_md_info[md].hash_len, NULL) || !EVP_MAC_update(c, msg, len) ||
	    !EVP_MAC_final(c, full, &out_len, sizeof(full)) || out_len != usm_md_info[md].hash_len)
		return -1;
	memcpy(mac, full, usm_md_info[md].mac_len);
	return 0;
}

/* AES in CFB128 with IV = boots || time || salt (RFC 3826 3.1.2.1 and 3.1.4). */
static int usm_aes(struct usm *u, bool aes256, const uint8_t *key, uint32_t boots, uint32_t etime,
		   const uint8_t *salt, const uint8_t *in, size_t len, uint8_t *out, int enc)
{
	EVP_CIPHER_CTX *c = aes256 ? u->ctx256 : u->ctx128;
	uint8_t iv[16];
	int n1 = 0, n2 = 0;

	if (len > INT32_MAX)
		return -1;
	for (int i = 0; i < 4; i++) {
		iv[i] = (uint8_t)(boots >> (24 - 8 * i));
		iv[4 + i] = (uint8_t)(etime >> (24 - 8 * i));
	}
	memcpy(iv + 8, salt, USM_SALT_LEN);
	if (!EVP_CipherInit_ex2(c, NULL, key, iv, enc, NULL) || !EVP_CipherUpdate(c, out, &n1, in, (int)len) ||
	    !EVP_CipherFinal_ex(c, out + n1, &n2) || (size_t)(n1 + n2) != len)
		return -1;
	return 0;
}

/* RFC 3414 3.2 step 7b, as a receiver of TRAPs (not authoritative): the
 * sender's boots must not go back, and a message older than the latest one
 * seen must still lie within 150 s of the sender's clock as we extrapolate it.
 * A sender seen for the first time (or evicted from the table) is believed:
 * trapd cannot know its clock, as net-snmp's snmptrapd cannot; the table then
 * keeps replays of old messages out. Returns NULL or why not in time. */
static const char *usm_peer_check(struct usm *u, const struct trap_msg *m, int64_t now_s)
{
	struct usm_peer *p = NULL, *victim = &u->peers[0];

	if (m->engine_boots >= USM_BOOTS_MAX)
		return "sender's engineBoots at its maximum";
	for (size_t i = 0; i < USM_PEER_SLOTS; i++) {
		struct usm_peer *s = &u->peers[i];
		if (s->used && s->eid_len == m->engine_id_len && memcmp(s->eid, m->engine_id, s->eid_len) == 0) {
			p = s;
			break;
		}
		if (!s->used ? victim->used : (victim->used && s->stamp < victim->stamp))
			victim = s;
	}
	if (p) {
		if (m->engine_boots < p->boots)
			return "sender's engineBoots went back (restarted without its boot counter?)";
		if (m->engine_boots == p->boots && m->engine_time < p->latest_time) {
			int64_t est = (int64_t)p->latest_time + (now_s > p->at ? now_s - p->at : 0);
			if (est - (int64_t)m->engine_time > USM_TIME_WINDOW)
				return "older than the time window (replayed?)";
			p->stamp = ++u->tick;
			return NULL; /* late but acceptable: the latest stays */
		}
	} else {
		p = victim;
		p->used = true;
		p->eid_len = (uint8_t)m->engine_id_len;
		memcpy(p->eid, m->engine_id, m->engine_id_len);
	}
	p->boots = m->engine_boots;
	p->latest_time = m->engine_time;
	p->at = now_s;
	p->stamp = ++u->tick;
	return NULL;
}

static bool usm_within(const uint8_t *buf, size_t len, const uint8_t *p, size_t plen)
{
	return p >= buf && p <= buf + len && plen <= (size_t)(buf + len - p);
}

/* RFC 3414 3.2, in its order: engine ID (3), user (4), level (5), MAC (6),
 * time window (7), decryption (8). A message to trapd's own engine ID
 * (an INFORM) is checked against trapd's clock; a non-reportable one with
 * another engine ID (a TRAP) is keyed to its sender's engine; a reportable one
 * with another engine ID asks for discovery. m may come from a trap_decode that
 * refused the PDU after reading the v3 header (a discovery probe's Get). On
 * USM_OK the PDU fields of m point into u's plaintext buffer: valid until the
 * next usm_incoming on u, so usm_reply must come before it. */
enum usm_result usm_incoming(struct usm *u, const uint8_t *buf, size_t len, struct trap_msg *m, int64_t now_s,
			     const char **why)
{
	const char *dummy;
	const struct usm_user *us;
	const struct usm_keys *k;
	uint8_t mac[USM_HASH_MAX];
	size_t ui = 0, maclen, off;
	bool ours;
	const char *err;

	if (!why)
		why = &dummy;
	if (m->version != 3 || m->sec_model != 3) {
		*why = "not an SNMPv3 USM message";
		return USM_MALFORMED;
	}
	if (len > USM_MSG_MAX) {
		*why = "message too long";
		return USM_MALFORMED;
	}
	if ((m->msg_flags & (TRAP_FLAG_AUTH | TRAP_FLAG_PRIV)) == TRAP_FLAG_PRIV) {
		*why = "privacy without authentication"; /* RFC 3412 7.2 step 5 */
		return USM_MALFORMED;
	}
	ours = usm_is_ours(u, m->engine_id, m->engine_id_len);
	if (!ours && ((m->msg_flags & TRAP_FLAG_REPORTABLE) || m->engine_id_len == 0 ||
		      m->engine_id_len > USM_ENGINE_MAX)) {
		u->stats.unknown_engine++;
		*why = m->engine_id_len == 0 ? "engine ID discovery" : "unknown engine ID";
		return USM_UNKNOWN_ENGINE;
	}
	if (!(us = usm_find_user(u, m->user, m->user_len, &ui))) {
		u->stats.unknown_user++;
		*why = "unknown user name";
		return USM_UNKNOWN_USER;
	}
	if ((m->msg_flags & (TRAP_FLAG_AUTH | TRAP_FLAG_PRIV)) != (TRAP_FLAG_AUTH | TRAP_FLAG_PRIV)) {
		u->stats.unsupported_level++;
		*why = "security level is not authPriv";
		return USM_UNSUPPORTED_LEVEL;
	}

	/* Step 6: the MAC over the whole message with its own place zeroed,
	 * computed on a copy so that buf stays as it came. */
	maclen = usm_md_info[us->md].mac_len;
	k = ours ? &us->own : usm_sender_keys(u, ui, m->engine_id, m->engine_id_len);
	if (!k) {
		*why = "key localization failed";
		return USM_MALFORMED;
	}
	if (m->auth_params_len != maclen || !m->auth_params || !usm_within(buf, len, m->auth_params, maclen)) {
		u->stats.wrong_digest++;
		*why = "authentication parameters of the wrong length";
		return USM_WRONG_DIGEST;
	}
	off = (size_t)(m->auth_params - buf);
	memcpy(u->work, buf, len);
	memset(u->work + off, 0, maclen);
	if (usm_hmac(u, us->md, k->auth, u->work, len, mac) < 0) {
		*why = "HMAC failed";
		return USM_MALFORMED;
	}
	if (CRYPTO_memcmp(mac, m->auth_params, maclen) != 0) {
		u->stats.wrong_digest++;
		*why = "wrong digest (authentication password?)";
		return USM_WRONG_DIGEST;
	}

	/* Step 7, after the MAC so that only an authentic message moves the clocks. */
	if (ours) {
		uint32_t t = usm_our_time(u, now_s);
		uint32_t d = m->engine_time > t ? m->engine_time - t : t - m->engine_time;
		if (m->engine_boots != u->boots || m->engine_boots >= USM_BOOTS_MAX || d > USM_TIME_WINDOW) {
			u->stats.not_in_time++;
			*why = "not in time window";
			return USM_NOT_IN_TIME;
		}
	} else if ((err = usm_peer_check(u, m, now_s))) {
		u->stats.not_in_time++;
		*why = err;
		return USM_NOT_IN_TIME;
	}

	/* Step 8: RFC 3826 3.1.4.1. */
	if (m->priv_params_len != USM_SALT_LEN || !m->scoped || m->scoped_len == 0 ||
	    m->scoped_len > sizeof(u->plain)) {
		u->stats.decrypt_error++;
		*why = "privacy parameters not 8 octets";
		return USM_DECRYPT_ERROR;
	}
	if (usm_aes(u, us->aes256, k->priv, m->engine_boots, m->engine_time, m->priv_params, m->scoped,
		    m->scoped_len, u->plain, 0) < 0) {
		u->stats.decrypt_error++;
		*why = "decryption failed";
		return USM_DECRYPT_ERROR;
	}
	/* CFB decrypts anything: a wrong privacy key shows as a ScopedPDU that
	 * does not decode (the MAC has already vouched for the sender). One that
	 * decodes as far as its PDU type was decrypted right, but is not for trapd
	 * (a Get, say). */
	if ((err = trap_decode_scoped(u->plain, m->scoped_len, m))) {
		bool readable = m->pdu_type != 0;
		if (!readable)
			u->stats.decrypt_error++;
		snprintf(u->why, sizeof(u->why), "decrypted ScopedPDU: %s%s", err,
			 readable ? "" : " (privacy password?)");
		*why = u->why;
		return readable ? USM_MALFORMED : USM_DECRYPT_ERROR;
	}
	*why = "ok";
	return USM_OK;
}

/* The authenticated, encrypted Response to an accepted INFORM: trapd is its
 * authoritative engine (RFC 3412 7.1 step 3; RFC 3414 3.1). */
static size_t usm_response(struct usm *u, const struct trap_msg *m, int64_t now_s, uint8_t *out, size_t cap)
{
	const struct usm_user *us;
	uint32_t t = usm_our_time(u, now_s);
	uint8_t salt[USM_SALT_LEN];
	size_t n, len, auth_off = 0, maclen;

	if (!m->have_pdu || m->pdu_type != PDU_INFORM || !usm_is_ours(u, m->engine_id, m->engine_id_len) ||
	    !(us = usm_find_user(u, m->user, m->user_len, NULL)))
		return 0;
	maclen = usm_md_info[us->md].mac_len;
	if (!(n = trap_encode_scoped_response(m, u->work, sizeof(u->work))))
		return 0;
	/* A fresh salt per message: the same IV must never encrypt twice. */
	for (int i = 0; i < USM_SALT_LEN; i++)
		salt[i] = (uint8_t)(u->salt >> (56 - 8 * i));
	u->salt++;
	if (usm_aes(u, us->aes256, us->own.priv, u->boots, t, salt, u->work, n, u->crypt, 1) < 0)
		return 0;
	len = trap_encode_v3(m->msg_id, USM_MSG_MAX, TRAP_FLAG_AUTH | TRAP_FLAG_PRIV, u->eid, u->eid_len,
			     u->boots, t, (const uint8_t *)us->name, us->name_len, maclen, salt, sizeof(salt),
			     u->crypt, n, out, cap, &auth_off);
	if (!len || auth_off + maclen > len || usm_hmac(u, us->md, us->own.auth, out, len, out + auth_off) < 0)
		return 0;
	return len;
}

/* A Report (RFC 3412 7.1 step 3, RFC 3414 3.2 steps 3 and 7a): to discovery
 * unauthenticated; for the time window authenticated (authNoPriv), so that the
 * sender can trust the boots and time it carries. */
static size_t usm_report(struct usm *u, const struct trap_msg *m, const uint32_t *oid, size_t oid_len,
			 uint64_t value, bool auth, int64_t now_s, uint8_t *out, size_t cap)
{
	static const uint8_t none[1];
	const struct usm_user *us = NULL;
	uint32_t t = usm_our_time(u, now_s);
	size_t n, len, auth_off = 0, maclen = 0;

	if (!(m->msg_flags & TRAP_FLAG_REPORTABLE))
		return 0;
	if (auth) {
		if (!(us = usm_find_user(u, m->user, m->user_len, NULL)))
			return 0;
		maclen = usm_md_info[us->md].mac_len;
	}
	if (!(n = trap_encode_scoped_report(m, oid, oid_len, (uint32_t)value, u->eid, u->eid_len, u->work,
					    sizeof(u->work))))
		return 0;
	/* the user name echoed, empty in a discovery probe; no privacy parameters */
	len = trap_encode_v3(m->msg_id, USM_MSG_MAX, auth ? TRAP_FLAG_AUTH : 0, u->eid, u->eid_len, u->boots, t,
			     m->user_len ? m->user : none, m->user_len, maclen, none, 0, u->work, n, out, cap,
			     &auth_off);
	if (!len)
		return 0;
	if (auth && (auth_off + maclen > len || usm_hmac(u, us->md, us->own.auth, out, len, out + auth_off) < 0))
		return 0;
	return len;
}

size_t usm_reply(struct usm *u, const struct trap_msg *m, enum usm_result r, int64_t now_s, uint8_t *out,
		 size_t cap)
{
	switch (r) {
	case USM_OK:
		return usm_response(u, m, now_s, out, cap);
	case USM_UNKNOWN_ENGINE:
		return usm_report(u, m, usm_oid_unknown_engine, OID_LEN(usm_oid_unknown_engine),
				  u->stats.unknown_engine, false, now_s, out, cap);
	case USM_NOT_IN_TIME:
		/* only to trapd's own engine ID: a TRAP's sender gets no Report */
		if (!usm_is_ours(u, m->engine_id, m->engine_id_len))
			return 0;
		return usm_report(u, m, usm_oid_not_in_time, OID_LEN(usm_oid_not_in_time), u->stats.not_in_time,
				  true, now_s, out, cap);
	default:
		return 0;
	}
}
