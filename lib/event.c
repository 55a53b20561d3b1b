/* libshugoevent: one message to the agent's event socket per call (the
 * protocol is common/appev.h), the agent's one-line answer back. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "appev.h"
#include "shugo_event.h"

#define TIMEOUT_S 5

static __thread char reason[192];

const char *shugo_event_reason(void)
{
	return reason;
}

static int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

static int copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		return -1;
	memcpy(dst, src ? src : "", n + 1);
	return 0;
}

static int send_msg(const struct appev_msg *m)
{
	const char *path = getenv("SHUGO_EVENT_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = TIMEOUT_S};
	char buf[APPEV_MSG_MAX], answer[192];
	size_t len = appev_format(m, buf, sizeof buf);
	ssize_t n;
	int fd, e;

	if (!len)
		return fail(EINVAL, "%s", "the event does not fit in a message");
	if (!path || !*path)
		path = SHUGO_EVENT_SOCKET_DEFAULT;
	if (strlen(path) >= sizeof sa.sun_path)
		return fail(ENAMETOOLONG, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
		return fail(errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		e = errno;
		close(fd);
		snprintf(reason, sizeof reason, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (send(fd, buf, len, MSG_NOSIGNAL) < 0 || (n = recv(fd, answer, sizeof answer - 1, 0)) < 0) {
		e = errno == EAGAIN ? ETIMEDOUT : errno;
		close(fd);
		snprintf(reason, sizeof reason, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	close(fd);
	answer[n] = '\0';
	answer[strcspn(answer, "\n")] = '\0';
	if (!strncmp(answer, "ok", 2)) {
		snprintf(reason, sizeof reason, "%s", answer);
		return 0;
	}
	return fail(EINVAL, "%s", n ? (strncmp(answer, "error: ", 7) ? answer : answer + 7) : "no answer");
}

int shugo_event_raise(const char *name, const char *severity, const char *state, const char *detail,
		      unsigned flags)
{
	struct appev_msg m = {.action = APPEV_RAISE, .batch = (flags & SHUGO_EVENT_BATCH) != 0};

	if (!name || !severity || copy(m.name, sizeof m.name, name) < 0 ||
	    !(m.sev = ev_sev_parse(severity)) || m.sev == SEV_CLEAR ||
	    copy(m.state, sizeof m.state, state) < 0)
		return fail(EINVAL, "%s", "bad name, severity or state");
	/* a long detail is cut, as the agent would */
	snprintf(m.detail, sizeof m.detail, "%s", detail ? detail : "");
	return send_msg(&m);
}

int shugo_event_clear(const char *name, const char *state, const char *detail)
{
	struct appev_msg m = {.action = APPEV_CLEAR, .sev = SEV_CLEAR};

	if (!name || copy(m.name, sizeof m.name, name) < 0 || copy(m.state, sizeof m.state, state) < 0)
		return fail(EINVAL, "%s", "bad name or state");
	snprintf(m.detail, sizeof m.detail, "%s", detail ? detail : "");
	return send_msg(&m);
}
