/* Application events: the SOCK_SEQPACKET socket (one message per event, one
 * answer line per message), the checks (appev.c), the rows of
 * shugoAppEventTable, the alarm each raise holds until its clear, and the
 * batch of low-urgency raises. Who sent a message is told by the kernel
 * (SO_PEERCRED), not by the message. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "appevents.h"
#include "emit.h"
#include "log.h"
#include "loop.h"
#include "strutil.h"

#define CONN_MAX 64
#define APPEV_ROWS_MAX 1024

static int lfd = -1;
static char lpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
static int conns[CONN_MAX];
static size_t n_conns;

static void mkparent(const char *path)
{
	char dir[sizeof lpath];
	char *slash;

	str_copy(dir, path, sizeof dir);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		/* the directory others reach the socket through: searchable by all */
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			log_warn("app events: cannot create %s: %s", dir, strerror(errno));
	}
}

int appev_open(struct agent *a)
{
	const struct shugo_config *cfg = a->cfg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	gid_t gid = (gid_t)-1;
	struct stat st;

	if (cfg->event_group) {
		struct group *g = getgrnam(cfg->event_group);
		if (!g) {
			log_err("app events: no group '%s' (agent.event_group); the event socket is not opened",
				cfg->event_group);
			return -1;
		}
		gid = g->gr_gid;
	}
	str_copy(sa.sun_path, cfg->event_socket, sizeof sa.sun_path);
	mkparent(sa.sun_path);
	/* a socket left by an agent that died is ours to replace; one another
	 * agent still listens on, or anything else, is not */
	if (lstat(sa.sun_path, &st) == 0) {
		int probe;
		if (!S_ISSOCK(st.st_mode)) {
			log_err("app events: %s exists and is not a socket", sa.sun_path);
			return -1;
		}
		if ((probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) >= 0) {
			int live = connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0;
			close(probe);
			if (live) {
				log_err("app events: another agent listens on %s (agent.event_socket)", sa.sun_path);
				return -1;
			}
		}
		unlink(sa.sun_path);
	}
	if ((lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    chmod(sa.sun_path, cfg->event_group ? 0660 : 0600) < 0 ||
	    (cfg->event_group && chown(sa.sun_path, (uid_t)-1, gid) < 0) || listen(lfd, 16) < 0 ||
	    loop_watch(lfd, LOOP_APPEV) < 0) {
		log_err("app events: %s: %s", sa.sun_path, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		lfd = -1;
		return -1;
	}
	str_copy(lpath, sa.sun_path, sizeof lpath);
	log_info("app events: listening on %s (%s)", lpath, cfg->event_group ? cfg->event_group : "root only");
	return 0;
}

static void conn_close(int fd)
{
	loop_unwatch(fd);
	close(fd);
	for (size_t i = 0; i < n_conns; i++)
		if (conns[i] == fd) {
			conns[i] = conns[--n_conns];
			break;
		}
}

void appev_accept(struct agent *a, int fd)
{
	int c;

	(void)a;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (n_conns == CONN_MAX || loop_watch(c, LOOP_APPEV_CONN) < 0) {
			static const char busy[] = "error: too many connections\n";
			if (send(c, busy, sizeof busy - 1, MSG_NOSIGNAL) < 0)
				log_debug("app events: %s", strerror(errno));
			close(c);
			continue;
		}
		conns[n_conns++] = c;
	}
}

static void source_of(int fd, char *buf, size_t size)
{
	struct ucred cr;
	socklen_t len = sizeof cr;
	char path[64], comm[32] = "?";
	int cfd;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		snprintf(buf, size, "unknown");
		return;
	}
	snprintf(path, sizeof path, "/proc/%d/comm", (int)cr.pid);
	if ((cfd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		ssize_t n = read(cfd, comm, sizeof comm - 1);
		comm[n > 0 ? n : 0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		close(cfd);
	}
	snprintf(buf, size, "pid %d uid %u (%s)", (int)cr.pid, (unsigned)cr.uid, comm);
}

static int row_cmp(const void *x, const void *y)
{
	return agent_name_cmp(((const struct appev_rt *)x)->name, ((const struct appev_rt *)y)->name);
}

static struct appev_rt *row_find(struct agent *a, const char *name)
{
	for (size_t i = 0; i < a->n_appevs; i++)
		if (!strcmp(a->appevs[i].name, name))
			return &a->appevs[i];
	return NULL;
}

static struct appev_rt *row_add(struct agent *a, const char *name)
{
	struct appev_rt *n;

	if (a->n_appevs == APPEV_ROWS_MAX || !(n = realloc(a->appevs, (a->n_appevs + 1) * sizeof *n)))
		return NULL;
	a->appevs = n;
	memset(&n[a->n_appevs], 0, sizeof *n);
	str_copy(n[a->n_appevs].name, name, sizeof n->name);
	a->n_appevs++;
	qsort(a->appevs, a->n_appevs, sizeof *n, row_cmp);
	return row_find(a, name);
}

static void send_raise(struct appev_rt *r)
{
	char object[EV_OBJECT_MAX + 1];

	snprintf(object, sizeof object, "app:%s", r->name);
	if (r->pending_n > 1)
		emit_alarm(NOTIF_APP_EVENT_RAISE, (enum shugo_severity)r->sev, object, r->state, "%.200s (%u raises batched)",
			   r->detail, r->pending_n);
	else
		emit_alarm(NOTIF_APP_EVENT_RAISE, (enum shugo_severity)r->sev, object, r->state, "%s", r->detail);
	r->pending = false;
	r->pending_n = 0;
}

/* One checked message: the reply in out. */
static void apply(struct agent *a, const struct appev_msg *m, const char *source, char *out, size_t size)
{
	struct appev_rt *r = row_find(a, m->name);
	char object[EV_OBJECT_MAX + 1];

	if (!r && !(r = row_add(a, m->name))) {
		snprintf(out, size, "error: too many events (at most %d names)\n", APPEV_ROWS_MAX);
		return;
	}
	r->sev = m->sev;
	str_copy(r->state, m->state, sizeof r->state);
	str_copy(r->detail, m->detail, sizeof r->detail);
	r->time = agent_wall();
	r->count++;
	str_copy(r->source, source, sizeof r->source);
	if (m->action == APPEV_CLEAR) {
		snprintf(object, sizeof object, "app:%s", r->name);
		if (r->pending) { /* raised and cleared within one batch: nothing to tell */
			r->pending = false;
			r->pending_n = 0;
		}
		emit_clear(NOTIF_APP_EVENT_CLEAR, object, r->state, "%s", r->detail);
		snprintf(out, size, "ok\n");
		return;
	}
	if (m->batch) {
		if (!r->pending) {
			r->pending = true;
			r->pending_since = agent_now_ms();
		}
		r->pending_n++;
		snprintf(out, size, "ok batched\n");
		return;
	}
	r->pending_n = r->pending ? r->pending_n + 1 : 0;
	send_raise(r);
	snprintf(out, size, "ok\n");
}

void appev_ready(struct agent *a, int fd)
{
	char msg[APPEV_MSG_MAX + 1], reply[160], source[96];
	struct appev_msg m;
	ssize_t n;

	while ((n = recv(fd, msg, sizeof msg, MSG_DONTWAIT)) > 0) {
		const char *why = appev_parse(msg, (size_t)n, &m);
		source_of(fd, source, sizeof source);
		if (why) {
			snprintf(reply, sizeof reply, "error: %s\n", why);
			log_warn("app events: refused a message from %s: %s", source, why);
		} else {
			apply(a, &m, source, reply, sizeof reply);
		}
		if (send(fd, reply, strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			conn_close(fd);
			return;
		}
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR))
		conn_close(fd);
}

void appev_tick(struct agent *a, uint64_t now_ms)
{
	for (size_t i = 0; i < a->n_appevs; i++) {
		struct appev_rt *r = &a->appevs[i];
		if (r->pending && now_ms - r->pending_since >= a->cfg->event_batch_ms)
			send_raise(r);
	}
}

void appev_close(struct agent *a)
{
	for (size_t i = 0; i < a->n_appevs; i++)
		if (a->appevs[i].pending)
			send_raise(&a->appevs[i]);
	while (n_conns)
		conn_close(conns[0]);
	if (lfd >= 0) {
		loop_unwatch(lfd);
		close(lfd);
		unlink(lpath);
		lfd = -1;
	}
	free(a->appevs);
	a->appevs = NULL;
	a->n_appevs = 0;
}
