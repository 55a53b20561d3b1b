/* Delivery to a stream socket, unix or TCP: connect without blocking, write
 * the record as one JSON line, and (with ack, the default) wait for the
 * receiver's one-line answer: a line starting with "ok" acknowledges it,
 * anything else is a failure quoting that line. Without ack, the whole line
 * written is the delivery. One connection per record: a receiver needs no
 * framing beyond the newline. */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "deliver.h"
#include "watch.h"

#define REPLY_MAX 200

enum phase { PH_CONNECT, PH_WRITE, PH_ANSWER };

struct sock {
	int fd;
	enum phase phase;
	size_t off;   /* bytes of the payload written */
	char reply[REPLY_MAX + 1];
	size_t rlen;
};

static const char *const phase_name[] = {"connecting", "writing", "waiting for the answer"};

static void end(struct delivery *d, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void end(struct delivery *d, bool ok, const char *fmt, ...)
{
	struct sock *s = d->impl;
	char result[DELIVER_RESULT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(result, sizeof result, fmt, ap);
	va_end(ap);
	watch_del(s->fd);
	close(s->fd);
	free(s);
	d->impl = NULL;
	d->done(d, ok, result);
}

static void on_ready(int fd, unsigned ready, void *arg);

/* Write what is left of the payload; then the answer, or the end. */
static void pump(struct delivery *d)
{
	struct sock *s = d->impl;

	while (s->off < d->len) {
		ssize_t w = send(s->fd, d->payload + s->off, d->len - s->off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			watch_add(s->fd, WATCH_OUT, on_ready, d);
			return;
		}
		if (w < 0) {
			end(d, false, "write: %s", strerror(errno));
			return;
		}
		s->off += (size_t)w;
	}
	if (!d->dest->ack) {
		end(d, true, "written");
		return;
	}
	s->phase = PH_ANSWER;
	watch_add(s->fd, WATCH_IN, on_ready, d);
}

/* The answer line, once complete (or the connection closed). */
static void judge(struct delivery *d, bool eof)
{
	struct sock *s = d->impl;
	size_t len = strcspn(s->reply, "\r\n");

	if (len == s->rlen && !eof && s->rlen < REPLY_MAX)
		return; /* not a whole line yet */
	s->reply[len] = '\0';
	if (len == 0 && eof)
		end(d, false, "closed without an answer");
	else if (strncasecmp(s->reply, "ok", 2) == 0)
		end(d, true, "%s", s->reply);
	else
		end(d, false, "answered: %s", s->reply);
}

static void on_ready(int fd, unsigned ready, void *arg)
{
	struct delivery *d = arg;
	struct sock *s = d->impl;
	int err = 0;
	socklen_t elen = sizeof err;
	ssize_t r;

	(void)ready;
	switch (s->phase) {
	case PH_CONNECT:
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			err = errno;
		if (err) {
			end(d, false, "connect: %s", strerror(err));
			return;
		}
		s->phase = PH_WRITE;
		/* fall through */
	case PH_WRITE:
		pump(d);
		return;
	case PH_ANSWER:
		r = recv(fd, s->reply + s->rlen, REPLY_MAX - s->rlen, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r < 0) {
			end(d, false, "read: %s", strerror(errno));
			return;
		}
		s->rlen += (size_t)r;
		s->reply[s->rlen] = '\0';
		judge(d, r == 0);
		return;
	}
}

/* "host:port" or "[v6]:port" into one resolved address. Names are looked up
 * here (getaddrinfo blocks for as long as the resolver takes: give numeric
 * addresses or names from /etc/hosts). */
static int resolve(const char *spec, struct sockaddr_storage *sa, socklen_t *salen, char *err, size_t errlen)
{
	char host[256], *colon;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
	int rc;

	snprintf(host, sizeof host, "%s", spec);
	colon = strrchr(host, ':');
	if (!colon) {
		snprintf(err, errlen, "bad address %s", spec);
		return -1;
	}
	*colon = '\0';
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int sock_start(struct delivery *d, char *err, size_t errlen)
{
	struct sockaddr_storage sa = {0};
	socklen_t salen;
	struct sock *s;
	int fd;

	if (d->dest->method == DEST_UNIX) {
		struct sockaddr_un *un = (struct sockaddr_un *)&sa;
		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof un->sun_path, "%s", d->dest->path);
		salen = sizeof *un;
	} else if (resolve(d->dest->address, &sa, &salen, err, errlen) < 0) {
		return -1;
	}
	if ((fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (!(s = calloc(1, sizeof *s))) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->fd = fd;
	d->impl = s;
	if (connect(fd, (struct sockaddr *)&sa, salen) < 0 && errno != EINPROGRESS && errno != EAGAIN) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		close(fd);
		free(s);
		d->impl = NULL;
		return -1;
	}
	/* connected or not, writable is the next thing to wait for */
	s->phase = PH_CONNECT;
	if (watch_add(fd, WATCH_OUT, on_ready, d) < 0) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		free(s);
		d->impl = NULL;
		return -1;
	}
	return 0;
}

static void sock_expire(struct delivery *d)
{
	struct sock *s = d->impl;

	if (s)
		end(d, false, "timeout after %u ms %s", d->dest->timeout_ms, phase_name[s->phase]);
}

static void sock_cancel(struct delivery *d)
{
	struct sock *s = d->impl;

	if (!s)
		return;
	watch_del(s->fd);
	close(s->fd);
	free(s);
	d->impl = NULL;
}

const struct deliver_method deliver_socket = {"socket", sock_start, sock_expire, sock_cancel};
