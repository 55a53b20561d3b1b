/* The receiving side of trapd (see recv.h): listeners, recvmmsg batches, and
 * the checks each datagram passes on its way to the writer. Nothing here
 * allocates or makes a system call per datagram, except for what SNMPv3
 * discovery needs (a Report, sent at once). */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "recv.h"
#include "shugo_mgr_oids.h"
#include "strutil.h"

#define RECV_BATCH 64        /* datagrams per recvmmsg */
#define RECV_ROUNDS 16       /* recvmmsg calls per readiness, then let the loop breathe */
#define DGRAM_MAX 65536      /* the largest UDP payload, and then some */
#define ACK_SLACK 512        /* a Response is the INFORM's size give or take the header */
#define LOG_EVERY_MS 60000   /* per-source log throttle */

union sockaddr_in46 {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

union cmsg_space {
	struct cmsghdr h;
	uint8_t b[CMSG_SPACE(sizeof(uint32_t))];
};

struct recv_bufs {
	struct mmsghdr mm[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	union sockaddr_in46 from[RECV_BATCH];
	union cmsg_space ctl[RECV_BATCH];
	uint8_t data[RECV_BATCH][DGRAM_MAX];
	uint8_t reply[DGRAM_MAX]; /* Reports: sent at once */
};

int64_t trapd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t trapd_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- listeners ---- */

const char *recv_parse_transport(const char *transport, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256] = "", port[16];
	const char *s = transport;
	int family = AF_INET;
	struct addrinfo hints = {0}, *res = NULL;

	if (strncmp(s, "udp6:", 5) == 0) {
		family = AF_INET6;
		s += 5;
	} else if (strncmp(s, "udp:", 4) == 0) {
		s += 4;
	} else if (strchr(s, ':') && strncmp(s, "[", 1) != 0) {
		/* "tcp:...", "unix:..." and other net-snmp transports have a
		 * word before the colon; a host name does not contain one */
		const char *c = strchr(s, ':');
		if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == (size_t)(c - s) &&
		    strspn(s, "0123456789") != (size_t)(c - s) && strchr(c + 1, ':') != NULL)
			return "only UDP transports (udp:, udp6:) can receive traps";
	}
	if (*s == '[') {
		const char *e = strchr(s, ']');
		if (!e || (size_t)(e - s - 1) >= sizeof host)
			return "unterminated [address]";
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = '\0';
		if (e[1] != ':')
			return "expected :PORT after [address]";
		s = e + 2;
		family = AF_INET6;
	} else {
		const char *c = strrchr(s, ':');
		if (c) {
			if ((size_t)(c - s) >= sizeof host)
				return "host name too long";
			memcpy(host, s, (size_t)(c - s));
			host[c - s] = '\0';
			s = c + 1;
		}
		if (family == AF_INET6 && strchr(host, ':'))
			return "write an IPv6 address in brackets: udp6:[ADDR]:PORT";
	}
	char *end;
	unsigned long p = strtoul(s, &end, 10);
	if (!*s || *end || p == 0 || p > 65535)
		return "bad port (1-65535)";
	snprintf(port, sizeof port, "%lu", p);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc != 0 || !res)
		return family == AF_INET6 ? "not an IPv6 address or host name" : "not an IPv4 address or host name";
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return NULL;
}

/* The receive buffer is what absorbs a burst while a transaction commits:
 * ask for the configured size past net.core.rmem_max when privileged
 * (SO_RCVBUFFORCE), else take what the kernel allows and say so. */
static void set_rcvbuf(int fd, const char *transport, uint32_t want)
{
	int v = want > INT32_MAX / 2 ? INT32_MAX / 2 : (int)want;
	int got = 0;
	socklen_t gl = sizeof got;

	if (v <= 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	/* Linux reports twice what it was asked for (bookkeeping included) */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0 && got / 2 < v)
		log_warn("%s: receive buffer %d bytes of %d asked for (raise net.core.rmem_max, or run with "
			 "CAP_NET_ADMIN)",
			 transport, got / 2, v);
}

static int open_one(const char *transport, uint32_t rcvbuf, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	const char *why = recv_parse_transport(transport, &ss, &sl);
	int one = 1, fd = -1;

	if (why) {
		snprintf(err, errlen, "trapd.listen %s: %s", transport, why);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* an udp6 listener takes IPv6 only; IPv4 has its own udp: listener */
	if (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
		goto fail;
	/* the count of datagrams the kernel dropped comes with each one read */
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) < 0)
		goto fail;
	set_rcvbuf(fd, transport, rcvbuf);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;
		snprintf(err, errlen, "trapd.listen %s: %s%s", transport, strerror(e),
			 e == EACCES ? " (a port below 1024 needs root or CAP_NET_BIND_SERVICE)"
			 : e == EADDRINUSE ? " (another trap receiver, such as snmptrapd, has it?)" : "");
		close(fd);
		return -1;
	}
	return fd;
fail:
	snprintf(err, errlen, "trapd.listen %s: %s", transport, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int recv_open(struct trapd *td, char *err, size_t errlen)
{
	const struct cfg_trapd *tc = &td->cfg->trapd;

	if (!(td->bufs = calloc(1, sizeof *td->bufs)) || !(td->msg = calloc(1, sizeof *td->msg)) ||
	    !(td->ls = calloc(tc->n_listen ? tc->n_listen : 1, sizeof *td->ls))) {
		snprintf(err, errlen, "memory: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < tc->n_listen; i++) {
		struct trapd_listener *l = &td->ls[td->n_ls];
		l->fd = open_one(tc->listen[i], tc->rcvbuf, err, errlen);
		if (l->fd < 0)
			return -1;
		if (!(l->transport = strdup(tc->listen[i]))) {
			close(l->fd);
			snprintf(err, errlen, "memory: %s", strerror(errno));
			return -1;
		}
		td->n_ls++;
	}
	if (td->n_ls == 0) {
		snprintf(err, errlen, "trapd.listen: no address to listen on");
		return -1;
	}
	/* The read vectors point into the buffers once and for all; only the
	 * lengths the kernel overwrites are reset before each read. */
	for (size_t i = 0; i < RECV_BATCH; i++) {
		struct recv_bufs *b = td->bufs;
		b->iov[i].iov_base = b->data[i];
		b->iov[i].iov_len = sizeof b->data[i];
		b->mm[i].msg_hdr.msg_iov = &b->iov[i];
		b->mm[i].msg_hdr.msg_iovlen = 1;
		b->mm[i].msg_hdr.msg_name = &b->from[i];
		b->mm[i].msg_hdr.msg_control = &b->ctl[i];
	}
	return 0;
}

void recv_close(struct trapd *td)
{
	for (size_t i = 0; i < td->n_ls; i++) {
		close(td->ls[i].fd);
		free(td->ls[i].transport);
	}
	free(td->ls);
	td->ls = NULL;
	td->n_ls = 0;
	free(td->bufs);
	td->bufs = NULL;
	free(td->msg);
	td->msg = NULL;
}

/* ---- one datagram ---- */

/* At most one line per source per minute for each kind of trouble: a
 * misconfigured sender must not flood the log it is already failing to
 * reach. The counters tell how many there were. */
static void log_auth(struct src_entry *e, int64_t now, const char *why)
{
	if (e->logged_auth && now - e->last_auth_log_ms < LOG_EVERY_MS)
		return;
	log_warn("%s: refused: %s (counted as auth_failures; logged at most once a minute per source)", e->text,
		 why);
	e->logged_auth = true;
	e->last_auth_log_ms = now;
}

static void log_bad(struct src_entry *e, int64_t now, const char *why)
{
	if (e->logged_bad && now - e->last_bad_log_ms < LOG_EVERY_MS)
		return;
	log_warn("%s: dropped a malformed message: %s (counted as malformed; logged at most once a minute per "
		 "source)",
		 e->text, why);
	e->logged_bad = true;
	e->last_bad_log_ms = now;
}

static bool community_ok(const struct cfg_trapd *tc, const struct trap_msg *m)
{
	for (size_t i = 0; i < tc->n_communities; i++) {
		size_t n = strlen(tc->communities[i]);
		if (n == m->community_len && memcmp(tc->communities[i], m->community, n) == 0)
			return true;
	}
	return false;
}

static const char *usm_words(enum usm_result r)
{
	switch (r) {
	case USM_OK: return "ok";
	case USM_UNKNOWN_ENGINE: return "unknown engine ID";
	case USM_NOT_IN_TIME: return "not in time window";
	case USM_UNKNOWN_USER: return "unknown USM user";
	case USM_WRONG_DIGEST: return "wrong digest (authentication password?)";
	case USM_DECRYPT_ERROR: return "cannot decrypt (privacy password?)";
	case USM_UNSUPPORTED_LEVEL: return "security level is not authPriv";
	case USM_MALFORMED: return "malformed SNMPv3 message";
	}
	return "?";
}

/* Enqueue the storm summary of one source: ONE record for whatever its rate
 * limit turned away during the interval, instead of the flood itself. */
static void storm_record(struct trapd *td, const struct src_entry *e, uint64_t n, int64_t since_mono,
			 int64_t mono_ms, int64_t wall_ms)
{
	struct log_rec *r = writer_slot(td->w);
	char when[40] = "?";
	time_t t = (time_t)((wall_ms - (mono_ms - since_mono)) / 1000);
	struct tm tm;

	log_warn("%s: rate limit: %" PRIu64 " traps dropped in the last %" PRId64 " s", e->text, n,
		 (mono_ms - since_mono + 999) / 1000);
	if (!r) {
		td->c.queue_dropped++;
		return;
	}
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	r->origin = LR_TRAPD;
	r->type = MGR_TRAP_STORM;
	str_copy(r->type_name, mgr_notif_name(MGR_TRAP_STORM), sizeof r->type_name);
	/* snmpTrapOID: shugoMgrTrapStorm (SHUGO-MANAGER-MIB) */
	static const uint32_t storm_oid[] = {OID_MGR_NOTIF_PREFIX, MGR_TRAP_STORM};
	size_t k = 0;
	for (size_t i = 0; i < sizeof storm_oid / sizeof storm_oid[0]; i++)
		k += (size_t)snprintf(r->trap_oid + k, sizeof r->trap_oid - k, ".%" PRIu32, storm_oid[i]);
	/* the source's node when it is a Shugo agent, else trapd's own */
	str_copy(r->node, e->node[0] ? e->node : td->cfg->node_name, sizeof r->node);
	r->sev = SEV_WARNING;
	snprintf(r->object, sizeof r->object, "source:%s", e->text);
	str_copy(r->state, "rate-limited", sizeof r->state);
	snprintf(r->detail, sizeof r->detail, "%" PRIu64 " traps from %s dropped since %s", n, e->text, when);
	r->occurred_ms = wall_ms;
	r->received_ms = wall_ms;
	str_copy(r->source, e->text, sizeof r->source);
	writer_push(td->w, true, -1, NULL, 0, 0, mono_ms);
}

void recv_handle(struct trapd *td, int fd, const uint8_t *buf, size_t len, const struct sockaddr *from,
		 socklen_t fromlen, int64_t mono_ms, int64_t wall_ms)
{
	struct trap_msg *m = td->msg;
	struct src_key key;
	struct src_entry *e, gone;
	bool had_gone;
	const char *why;
	int64_t now_s = mono_ms / 1000;

	td->c.received++;
	if (src_key_from_sockaddr(from, &key) < 0)
		return;
	e = src_get(td->src, &key, &td->rl, mono_ms, &gone, &had_gone);
	if (had_gone) /* forgotten for room: report what it had dropped now */
		storm_record(td, &gone, gone.rl.suppressed, gone.rl.first_suppressed_ms, mono_ms, wall_ms);

	const char *bad = trap_decode(buf, len, m);
	/* An SNMPv3 engine ID discovery (RFC 3414 4) comes as a reportable
	 * message with an empty PDU, usually a GetRequest: not a trap, but its
	 * header was read (version set), and USM answers it with a Report so
	 * that the INFORM can follow. */
	if (bad && !(m->version == 3 && (m->msg_flags & TRAP_FLAG_REPORTABLE))) {
		td->c.malformed++;
		log_bad(e, mono_ms, bad);
		return;
	}
	if (m->version != 3) {
		if (!community_ok(&td->cfg->trapd, m)) {
			td->c.auth_failures++;
			log_auth(e, mono_ms, td->cfg->trapd.n_communities ? "unknown community"
					     : "SNMPv1/v2c refused (trapd.communities is empty)");
			return;
		}
	} else {
		enum usm_result r = usm_incoming(td->usm, buf, len, m, now_s, &why);
		if (bad && r == USM_OK)
			r = USM_MALFORMED; /* authentic, but still no trap */
		switch (r) {
		case USM_OK:
			break;
		case USM_UNKNOWN_ENGINE:
		case USM_NOT_IN_TIME: {
			/* discovery (RFC 3414 4): answered at once, but within the
			 * source's rate so trapd cannot be made to reflect a flood */
			if (!rl_admit(&e->rl, &td->rl, mono_ms)) {
				td->c.rate_limited++;
				return;
			}
			size_t n = usm_reply(td->usm, m, r, now_s, td->bufs->reply, sizeof td->bufs->reply);
			if (n > 0 && sendto(fd, td->bufs->reply, n, MSG_DONTWAIT, from, fromlen) < 0)
				log_debug("%s: sending a Report: %s", e->text, strerror(errno));
			return;
		}
		case USM_MALFORMED:
			td->c.malformed++;
			log_bad(e, mono_ms, bad ? bad : why ? why : usm_words(r));
			return;
		default:
			td->c.auth_failures++;
			log_auth(e, mono_ms, why ? why : usm_words(r));
			return;
		}
	}
	if (!rl_admit(&e->rl, &td->rl, mono_ms)) {
		/* not stored, and an INFORM is not answered: its sender tries
		 * again later, and a Shugo manager repairs gaps from the agent */
		td->c.rate_limited++;
		return;
	}

	/* Room first: once the duplicate window has seen a notification, it
	 * must be kept (or its re-send would be taken for a duplicate). */
	bool inform = m->pdu_type == PDU_INFORM;
	struct log_rec *rec = writer_slot(td->w);
	uint8_t *ack = NULL;
	size_t ack_cap = len + ACK_SLACK;
	if (!rec || (inform && !(ack = writer_ack_space(td->w, ack_cap)))) {
		td->c.queue_dropped++;
		return;
	}
	if ((why = trap_to_rec(m, e->text, wall_ms, rec)) != NULL) {
		td->c.malformed++;
		log_bad(e, mono_ms, why);
		return;
	}
	if (td->mib_name && rec->origin == LR_FOREIGN && !rec->type_name[0])
		td->mib_name(&m->trap_oid, rec->type_name, sizeof rec->type_name);
	size_t ack_len = 0;
	if (inform) {
		ack_len = m->version == 3 ? usm_reply(td->usm, m, USM_OK, now_s, ack, ack_cap)
			: trap_encode_response(m, ack, ack_cap);
		if (ack_len == 0)
			log_debug("%s: cannot encode the Response to an INFORM", e->text);
	}
	/* Seen before: its sender lost our answer (or has not had it yet).
	 * Answer again, after whatever is queued (the original may still be
	 * among it), and do not store it twice. A Shugo notification is known
	 * by (node, boot, sequence); another INFORM by its request-id from the
	 * same source and port, which a sender keeps when it re-sends. */
	bool dup;
	if (rec->origin == LR_AGENT && rec->seq != 0)
		dup = node_check(td->nodes, rec->node, rec->boot, rec->seq) == SEQWIN_DUP;
	else
		dup = inform && src_inform_seen(e, m->request_id, mono_ms);
	if (dup) {
		td->c.duplicates++;
		writer_push(td->w, false, fd, from, fromlen, ack_len, mono_ms);
		return;
	}
	if (inform && rec->origin != LR_AGENT)
		src_inform_add(e, m->request_id, mono_ms);
	if (rec->origin == LR_AGENT && strcmp(e->node, rec->node) != 0)
		str_copy(e->node, rec->node, sizeof e->node);
	writer_push(td->w, true, fd, from, fromlen, ack_len, mono_ms);
}

/* The kernel's drop count (SO_RXQ_OVFL) rides on each datagram once the
 * socket has dropped any: a running total for the socket. */
static uint32_t drops_of(struct msghdr *h, uint32_t seen)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			uint32_t v;
			memcpy(&v, CMSG_DATA(c), sizeof v);
			if ((int32_t)(v - seen) > 0)
				seen = v;
		}
	}
	return seen;
}

void recv_ready(struct trapd *td, size_t li)
{
	struct trapd_listener *l = &td->ls[li];
	struct recv_bufs *b = td->bufs;

	for (int round = 0; round < RECV_ROUNDS; round++) {
		for (size_t i = 0; i < RECV_BATCH; i++) {
			b->mm[i].msg_hdr.msg_namelen = sizeof b->from[i];
			b->mm[i].msg_hdr.msg_controllen = sizeof b->ctl[i];
			b->mm[i].msg_hdr.msg_flags = 0;
		}
		int n = recvmmsg(l->fd, b->mm, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("%s: receive: %s", l->transport, strerror(errno));
			return;
		}
		int64_t mono = trapd_mono_ms(), wall = trapd_wall_ms();
		uint32_t drops = l->drops;
		for (int i = 0; i < n; i++) {
			struct msghdr *h = &b->mm[i].msg_hdr;
			drops = drops_of(h, drops);
			if (h->msg_flags & MSG_TRUNC) {
				td->c.received++;
				td->c.malformed++;
				continue;
			}
			recv_handle(td, l->fd, b->data[i], b->mm[i].msg_len, (struct sockaddr *)h->msg_name,
				    h->msg_namelen, mono, wall);
		}
		if (drops != l->drops) {
			td->c.kernel_drops += (uint32_t)(drops - l->drops);
			l->drops = drops;
		}
		/* a full batch commits (and acknowledges) without waiting for
		 * the socket to run dry */
		writer_run(td->w, mono);
		if (n < RECV_BATCH)
			return;
	}
}

struct summary_walk {
	struct trapd *td;
	int64_t mono, wall;
};

static void summary_one(struct src_entry *e, void *arg)
{
	struct summary_walk *sw = arg;
	int64_t since;

	if (e->rl.suppressed == 0)
		return;
	uint64_t n = rl_summary_due(&e->rl, sw->mono, sw->td->summary_ms, &since);
	if (n > 0)
		storm_record(sw->td, e, n, since, sw->mono, sw->wall);
}

void recv_summaries(struct trapd *td, int64_t mono_ms, int64_t wall_ms)
{
	struct summary_walk sw = {td, mono_ms, wall_ms};

	src_each(td->src, summary_one, &sw);
}
