/* trapgen: the trap source of contrib/bench/trapd-bench.sh. Sends SNMPv2c
 * TRAPs shaped like a Shugo agent's notifications (the varbinds of
 * agent/notify.c build_varbinds) to one UDP address at a fixed, paced rate,
 * COUNT of them, in sendmmsg batches, and says how many it sent in how long.
 * With -i they are InformRequests instead, and it also counts the Responses
 * and how long each took (a receiver that answers only once the notification
 * is stored shows its commit delay here).
 *
 * The message is encoded once; each trap is a copy of it with its own
 * shugoNotifSeq and request-id patched in. Both are written as 4-octet
 * INTEGER contents, which is their shortest BER form (X.690 8.3.2) only for
 * values in [2^24, 2^31): the sequence and request-id start at 2^24 and the
 * count is bounded so that they stay there. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "shugo_oids.h"

#define BATCH_MAX 64
#define MSG_MAX 1024
#define FIXED_BASE 0x01000000u /* smallest value with 4 content octets */
#define COUNT_MAX 10000000u    /* keeps seq and request-id below 2^31 */

/* Placeholders found again after encoding, then overwritten per trap. */
#define SEQ_MARK 0x7e5e9a11u
#define REQID_MARK 0x7d1d2e33u

struct buf {
	uint8_t b[MSG_MAX];
	size_t n;
};

static void die(const char *what)
{
	fprintf(stderr, "trapgen: %s\n", what);
	exit(1);
}

static void put(struct buf *o, const void *p, size_t n)
{
	if (n > sizeof o->b - o->n)
		die("message over 1024 octets");
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

/* Tag, shortest definite length, contents. */
static void put_tlv(struct buf *o, uint8_t tag, const void *v, size_t n)
{
	uint8_t h[4];
	size_t k = 0;

	h[k++] = tag;
	if (n < 0x80) {
		h[k++] = (uint8_t)n;
	} else if (n < 0x100) {
		h[k++] = 0x81;
		h[k++] = (uint8_t)n;
	} else {
		h[k++] = 0x82;
		h[k++] = (uint8_t)(n >> 8);
		h[k++] = (uint8_t)n;
	}
	put(o, h, k);
	put(o, v, n);
}

/* A non-negative integer in its shortest two's complement form (X.690 8.3.2). */
static void put_uint(struct buf *o, uint8_t tag, uint32_t v)
{
	uint8_t c[5] = {0, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	size_t skip = 0;

	while (skip < 4 && c[skip] == 0 && !(c[skip + 1] & 0x80))
		skip++;
	put_tlv(o, tag, c + skip, 5 - skip);
}

/* The first two arcs share one sub-identifier, 40 * X + Y (X.690 8.19.4). */
static void put_oid(struct buf *o, const uint32_t *a, size_t len)
{
	struct buf c = {.n = 0};

	for (size_t i = 1; i < len; i++) {
		uint32_t v = i == 1 ? a[0] * 40 + a[1] : a[i];
		uint8_t s[5];
		size_t k = 0;

		for (int sh = 28; sh > 0; sh -= 7)
			if (v >> sh || k)
				s[k++] = (uint8_t)(0x80 | ((v >> sh) & 0x7f));
		s[k++] = (uint8_t)(v & 0x7f);
		put(&c, s, k);
	}
	put_tlv(o, 0x06, c.b, c.n);
}

/* One VarBind SEQUENCE: name, then the value already encoded in val. */
static void put_vb(struct buf *vbl, const uint32_t *name, size_t len, const struct buf *val)
{
	struct buf vb = {.n = 0};

	put_oid(&vb, name, len);
	put(&vb, val->b, val->n);
	put_tlv(vbl, 0x30, vb.b, vb.n);
}

static void vb_uint(struct buf *vbl, const uint32_t *name, size_t len, uint8_t tag, uint32_t v)
{
	struct buf val = {.n = 0};

	put_uint(&val, tag, v);
	put_vb(vbl, name, len, &val);
}

static void vb_str(struct buf *vbl, const uint32_t *name, size_t len, const void *s, size_t n)
{
	struct buf val = {.n = 0};

	put_tlv(&val, 0x04, s, n);
	put_vb(vbl, name, len, &val);
}

/* DateAndTime (RFC 2579), 11 octets, UTC. */
static void date_now(uint8_t d[11])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	d[0] = (uint8_t)((tm.tm_year + 1900) >> 8);
	d[1] = (uint8_t)(tm.tm_year + 1900);
	d[2] = (uint8_t)(tm.tm_mon + 1);
	d[3] = (uint8_t)tm.tm_mday;
	d[4] = (uint8_t)tm.tm_hour;
	d[5] = (uint8_t)tm.tm_min;
	d[6] = (uint8_t)tm.tm_sec;
	d[7] = 0;
	d[8] = '+';
	d[9] = 0;
	d[10] = 0;
}

/* The whole SNMPv2c message of one shugoProcExited notification, a TRAP or
 * an INFORM. */
static void encode(struct buf *msg, const char *community, const char *node, uint32_t boot, bool inform)
{
	static const uint32_t uptime0[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
	static const uint32_t trapoid0[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
	const uint32_t type[] = {OID_NOTIF_PREFIX, NOTIF_PROC_EXITED};
	uint32_t obj[] = {OID_NOTIF_OBJ, 0, 0};
	const size_t olen = sizeof obj / sizeof obj[0];
	static const char detail[] = "exit status 1 after 2 s; restart in 200 ms (benchmark)";
	struct buf vbl = {.n = 0}, val = {.n = 0}, pdu = {.n = 0}, body = {.n = 0};
	uint8_t date[11];

	vb_uint(&vbl, uptime0, sizeof uptime0 / sizeof uptime0[0], 0x43, 123456);
	put_oid(&val, type, sizeof type / sizeof type[0]);
	put_vb(&vbl, trapoid0, sizeof trapoid0 / sizeof trapoid0[0], &val);
	obj[olen - 2] = NOBJ_NODE;
	vb_str(&vbl, obj, olen, node, strlen(node));
	obj[olen - 2] = NOBJ_BOOT;
	vb_uint(&vbl, obj, olen, 0x42, boot);
	obj[olen - 2] = NOBJ_SEQ;
	vb_uint(&vbl, obj, olen, 0x42, SEQ_MARK);
	obj[olen - 2] = NOBJ_SEVERITY;
	vb_uint(&vbl, obj, olen, 0x02, SEV_MAJOR);
	obj[olen - 2] = NOBJ_OBJECT;
	vb_str(&vbl, obj, olen, "proc:web", 8);
	obj[olen - 2] = NOBJ_STATE;
	vb_str(&vbl, obj, olen, "exited", 6);
	obj[olen - 2] = NOBJ_DETAIL;
	vb_str(&vbl, obj, olen, detail, sizeof detail - 1);
	date_now(date);
	obj[olen - 2] = NOBJ_TIME;
	vb_str(&vbl, obj, olen, date, sizeof date);
	obj[olen - 2] = NOBJ_ALARM_ID;
	vb_uint(&vbl, obj, olen, 0x42, 7);

	put_uint(&pdu, 0x02, REQID_MARK);
	put_uint(&pdu, 0x02, 0); /* error-status */
	put_uint(&pdu, 0x02, 0); /* error-index */
	put_tlv(&pdu, 0x30, vbl.b, vbl.n);

	put_uint(&body, 0x02, 1); /* SNMPv2c */
	put_tlv(&body, 0x04, community, strlen(community));
	put_tlv(&body, inform ? 0xa6 : 0xa7, pdu.b, pdu.n); /* InformRequest-PDU, SNMPv2-Trap-PDU */
	msg->n = 0;
	put_tlv(msg, 0x30, body.b, body.n);
}

/* Where the 4 content octets of a placeholder ended up (after its length octet). */
static size_t find_mark(const struct buf *msg, uint32_t mark)
{
	const uint8_t m[5] = {0x04, (uint8_t)(mark >> 24), (uint8_t)(mark >> 16), (uint8_t)(mark >> 8), (uint8_t)mark};

	for (size_t i = 0; i + sizeof m <= msg->n; i++)
		if (memcmp(msg->b + i, m, sizeof m) == 0)
			return i + 1;
	die("placeholder not found in the encoded message");
	return 0;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static unsigned long num(const char *s, const char *what, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "trapgen: %s must be %lu..%lu\n", what, lo, hi);
		exit(2);
	}
	return v;
}

/* One BER header at *p (tag, definite length); the contents' length, or -1. */
static long ber_hdr(const uint8_t **p, const uint8_t *end, uint8_t tag)
{
	size_t n, k;

	if (end - *p < 2 || **p != tag)
		return -1;
	(*p)++;
	n = *(*p)++;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k < 1 || k > 3 || (size_t)(end - *p) < k)
			return -1;
		for (n = 0; k > 0; k--)
			n = n << 8 | *(*p)++;
	}
	return n <= (size_t)(end - *p) ? (long)n : -1;
}

/* The request-id of an SNMPv2c Response, or -1: message SEQUENCE, version,
 * community, Response-PDU, request-id (RFC 3416 3). */
static int64_t response_id(const uint8_t *b, size_t len)
{
	const uint8_t *p = b, *end = b + len;
	long n;
	int64_t v = 0;

	if (ber_hdr(&p, end, 0x30) < 0 || (n = ber_hdr(&p, end, 0x02)) < 0)
		return -1;
	p += n;
	if ((n = ber_hdr(&p, end, 0x04)) < 0)
		return -1;
	p += n;
	if (ber_hdr(&p, end, 0xa2) < 0 || (n = ber_hdr(&p, end, 0x02)) < 1 || n > 4)
		return -1;
	for (long i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* INFORM bookkeeping: when each was sent, and the delays of those answered. */
struct informs {
	int64_t *sent_ns;
	int64_t *lat_ns;
	unsigned long n_acked, n_stray;
	uint32_t base;
	unsigned long count;
};

/* Take every Response waiting on the socket. */
static void take_responses(int fd, struct informs *in)
{
	static uint8_t rb[BATCH_MAX][MSG_MAX];
	struct mmsghdr rm[BATCH_MAX];
	struct iovec ri[BATCH_MAX];
	int k;

	for (;;) {
		for (size_t i = 0; i < BATCH_MAX; i++) {
			ri[i].iov_base = rb[i];
			ri[i].iov_len = MSG_MAX;
			memset(&rm[i], 0, sizeof rm[i]);
			rm[i].msg_hdr.msg_iov = &ri[i];
			rm[i].msg_hdr.msg_iovlen = 1;
		}
		k = recvmmsg(fd, rm, BATCH_MAX, MSG_DONTWAIT, NULL);
		if (k <= 0)
			return;
		int64_t now = mono_ns();
		for (int i = 0; i < k; i++) {
			int64_t id = response_id(rb[i], rm[i].msg_len);
			uint64_t j = (uint64_t)id - in->base;
			if (id < 0 || j >= in->count || !in->sent_ns[j] || in->sent_ns[j] < 0) {
				in->n_stray++; /* not ours, or a second answer */
				continue;
			}
			in->lat_ns[in->n_acked++] = now - in->sent_ns[j];
			in->sent_ns[j] = -1;
		}
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: trapgen -p PORT -r RATE -n COUNT [-a HOST] [-c COMMUNITY] [-N NODE] [-b BOOT]\n"
		"               [-s FIRST_SEQ_OFFSET] [-B BATCH] [-t MAX_SECONDS] [-i [-w WAIT_SECONDS]]\n"
		"Sends COUNT SNMPv2c shugoProcExited TRAPs (-i: INFORMs, and counts the answers\n"
		"that come within WAIT_SECONDS of the last) to HOST:PORT at RATE per second.\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *port = NULL, *community = "public", *node = "benchgen";
	unsigned long rate = 0, count = 0, boot = 1, first = 0, batch = 0, max_s = 0, wait_s = 5;
	bool inform = false;
	struct informs in = {0};
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *ai;
	static uint8_t bufs[BATCH_MAX][MSG_MAX];
	struct mmsghdr mm[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	struct buf msg;
	size_t seq_off, reqid_off;
	unsigned long sent = 0, errors = 0, late = 0;
	int64_t start, deadline, step_ns, due;
	int fd, c, sndbuf = 4 << 20, rcvbuf = 16 << 20;

	while ((c = getopt(argc, argv, "a:p:c:r:n:N:b:s:B:t:iw:")) != -1) {
		switch (c) {
		case 'a': host = optarg; break;
		case 'p': port = optarg; break;
		case 'c': community = optarg; break;
		case 'r': rate = num(optarg, "RATE", 1, 10000000); break;
		case 'n': count = num(optarg, "COUNT", 1, COUNT_MAX); break;
		case 'N': node = optarg; break;
		case 'b': boot = num(optarg, "BOOT", 0, UINT32_MAX); break;
		case 's': first = num(optarg, "FIRST_SEQ_OFFSET", 0, COUNT_MAX); break;
		case 'B': batch = num(optarg, "BATCH", 1, BATCH_MAX); break;
		case 't': max_s = num(optarg, "MAX_SECONDS", 1, 3600); break;
		case 'i': inform = true; break;
		case 'w': wait_s = num(optarg, "WAIT_SECONDS", 0, 600); break;
		default: usage();
		}
	}
	if (!port || !rate || !count || optind != argc)
		usage();
	if (strlen(node) < 1 || strlen(node) > 64 || strlen(community) > 256)
		die("node must be 1..64 octets, community at most 256");
	/* About one batch every half millisecond: smooth at low rates, and no
	 * more system calls than needed at high ones. */
	if (!batch)
		batch = rate / 2000 < 1 ? 1 : rate / 2000 > BATCH_MAX ? BATCH_MAX : rate / 2000;
	if (!max_s)
		max_s = count / rate * 2 + 5;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		die("cannot resolve the target address");
	if ((fd = socket(ai->ai_family, SOCK_DGRAM, 0)) < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die("cannot open or connect the UDP socket");
	freeaddrinfo(ai);
	/* A send buffer that holds a few batches: on loopback a full buffer
	 * means ENOBUFS, not loss on the wire. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	/* Answers come in bursts (a receiver may answer a whole commit at
	 * once): room for them while a batch is being sent. As root the
	 * buffer may pass net.core.rmem_max. */
	if (inform && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

	encode(&msg, community, node, (uint32_t)boot, inform);
	if (inform) {
		in.base = FIXED_BASE + (uint32_t)first;
		in.count = count;
		in.sent_ns = calloc(count, sizeof *in.sent_ns);
		in.lat_ns = calloc(count, sizeof *in.lat_ns);
		if (!in.sent_ns || !in.lat_ns)
			die("out of memory");
	}
	seq_off = find_mark(&msg, SEQ_MARK);
	reqid_off = find_mark(&msg, REQID_MARK);
	for (size_t i = 0; i < BATCH_MAX; i++) {
		memcpy(bufs[i], msg.b, msg.n);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = msg.n;
		memset(&mm[i], 0, sizeof mm[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}

	step_ns = (int64_t)(1e9 * (double)batch / (double)rate);
	start = mono_ns();
	deadline = start + (int64_t)max_s * 1000000000;
	due = start;
	while (sent < count) {
		unsigned long n = count - sent < batch ? count - sent : batch;
		int64_t now = mono_ns();
		size_t done = 0;

		if (now > deadline)
			break;
		if (now < due) {
			struct timespec ts = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		} else if (now - due > step_ns) {
			late++; /* behind the schedule: sent at once, no catching up in bursts */
			due = now;
		}
		for (unsigned long i = 0; i < n; i++) {
			uint32_t v = FIXED_BASE + (uint32_t)(first + sent + i);
			put_be32(bufs[i] + seq_off, v);
			put_be32(bufs[i] + reqid_off, v);
		}
		if (inform) {
			int64_t t = mono_ns();
			for (unsigned long i = 0; i < n; i++)
				in.sent_ns[sent + i] = t;
		}
		while (done < n) {
			int k = sendmmsg(fd, mm + done, (unsigned)(n - done), 0);
			if (k < 0) {
				if (errno == EINTR)
					continue;
				errors++;
				if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED)
					die("sendmmsg failed");
				if (mono_ns() > deadline)
					break;
				usleep(100);
				continue;
			}
			done += (size_t)k;
		}
		sent += done;
		due += step_ns;
		if (inform)
			take_responses(fd, &in);
	}
	if (inform) {
		/* The answers still on their way, for at most wait_s. */
		int64_t until = mono_ns() + (int64_t)wait_s * 1000000000;
		while (in.n_acked < sent && mono_ns() < until) {
			struct pollfd pf = {.fd = fd, .events = POLLIN};
			if (poll(&pf, 1, 100) > 0)
				take_responses(fd, &in);
		}
	}
	{
		double secs = (double)(mono_ns() - start) / 1e9;
		printf("sent %lu of %lu in %.3f s (%.0f/s, asked %lu/s), %zu octets each, batch %lu, "
		       "late batches %lu, send errors %lu\n",
		       sent, count, secs, secs > 0 ? (double)sent / secs : 0.0, rate, msg.n, batch, late, errors);
	}
	if (inform) {
		double p50 = 0, p99 = 0, max = 0;
		if (in.n_acked) {
			qsort(in.lat_ns, in.n_acked, sizeof *in.lat_ns, cmp_i64);
			p50 = (double)in.lat_ns[(in.n_acked - 1) / 2] / 1e6;
			p99 = (double)in.lat_ns[(in.n_acked * 99 + 99) / 100 - 1] / 1e6;
			max = (double)in.lat_ns[in.n_acked - 1] / 1e6;
		}
		printf("acked %lu of %lu, stray %lu, answer ms p50 %.2f p99 %.2f max %.2f\n", in.n_acked, sent,
		       in.n_stray, p50, p99, max);
		free(in.sent_ns);
		free(in.lat_ns);
	}
	close(fd);
	return sent == count ? 0 : 1;
}
