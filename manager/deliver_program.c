/* Delivery by running a program: no shell unless the destination says so,
 * the record in its environment (SHUGO_*) and as one JSON line on its
 * standard input, its own process group, a clean environment. Exit status 0
 * acknowledges; anything else, or the timeout (the group is killed), fails
 * with the first line the program printed. The exit is seen through a pidfd,
 * so nothing waits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "deliver.h"
#include "event.h"
#include "json.h"
#include "log.h"
#include "watch.h"

#define OUT_KEEP 200   /* bytes of the program's output kept for the result */
#define ENV_MAX 32

struct prog {
	pid_t pid;
	int pidfd;
	int out;           /* its stdout and stderr, -1 once closed */
	char buf[OUT_KEEP + 1];
	size_t n;
	bool expired;
};

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void out_close(struct prog *p)
{
	if (p->out >= 0) {
		watch_del(p->out);
		close(p->out);
		p->out = -1;
	}
}

/* Keep the first OUT_KEEP bytes; read the rest away so the program never
 * blocks on a full pipe. */
static void out_drain(struct prog *p)
{
	char junk[4096];
	ssize_t r;

	while (p->out >= 0) {
		size_t room = OUT_KEEP - p->n;
		r = room ? read(p->out, p->buf + p->n, room) : read(p->out, junk, sizeof junk);
		if (r > 0) {
			if (room)
				p->n += (size_t)r;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		out_close(p); /* EOF or error */
	}
}

static void on_out(int fd, unsigned ready, void *arg)
{
	struct delivery *d = arg;

	(void)fd;
	(void)ready;
	out_drain(d->impl);
}

static void finish(struct delivery *d)
{
	struct prog *p = d->impl;

	watch_del(p->pidfd);
	close(p->pidfd);
	out_close(p);
	free(p);
	d->impl = NULL;
}

static void on_exit_fd(int fd, unsigned ready, void *arg)
{
	struct delivery *d = arg;
	struct prog *p = d->impl;
	char result[DELIVER_RESULT_MAX], line[OUT_KEEP + 1];
	int st;
	pid_t r;
	bool ok = false;

	(void)fd;
	(void)ready;
	do
		r = waitpid(p->pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return; /* not yet */
	out_drain(p);
	p->buf[p->n] = '\0';
	snprintf(line, sizeof line, "%.*s", (int)strcspn(p->buf, "\r\n"), p->buf);
	if (r < 0)
		snprintf(result, sizeof result, "lost track of pid %d: %s", (int)p->pid, strerror(errno));
	else if (p->expired)
		snprintf(result, sizeof result, "timeout after %u ms, killed", d->dest->timeout_ms);
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		ok = true, snprintf(result, sizeof result, "exit 0");
	else if (WIFEXITED(st))
		snprintf(result, sizeof result, "exit %d%s%s", WEXITSTATUS(st), line[0] ? ": " : "", line);
	else
		snprintf(result, sizeof result, "killed by signal %d%s%s", WTERMSIG(st), line[0] ? ": " : "", line);
	finish(d);
	d->done(d, ok, result);
}

/* A "NAME=value" string into env[*n] (NULL-terminated; env_free frees). */
static int env_add(char **env, size_t *n, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int env_add(char **env, size_t *n, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL, *v = NULL;
	int rc;

	if (*n + 1 >= ENV_MAX)
		return -1;
	va_start(ap, fmt);
	rc = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = asprintf(&s, "%s=%s", name, v);
	free(v);
	if (rc < 0)
		return -1;
	env[(*n)++] = s;
	env[*n] = NULL;
	return 0;
}

static int build_env(const struct delivery *d, char **env)
{
	const struct log_rec *r = d->rec;
	char iso[48];
	size_t n = 0;

	env[0] = NULL;
	if (env_add(env, &n, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
	    env_add(env, &n, "SHUGO_ROUTE", "%s", d->route) < 0 ||
	    env_add(env, &n, "SHUGO_DESTINATION", "%s", d->dest->name) < 0 ||
	    env_add(env, &n, "SHUGO_GROUP", "%u", d->group) < 0 ||
	    env_add(env, &n, "SHUGO_SNAPSHOT", "%d", d->snapshot) < 0 ||
	    env_add(env, &n, "SHUGO_HELD", "%u", d->held) < 0 ||
	    env_add(env, &n, "SHUGO_LOG_ID", "%lld", (long long)r->id) < 0 ||
	    env_add(env, &n, "SHUGO_ORIGIN", "%s", lr_origin_name(r->origin)) < 0 ||
	    env_add(env, &n, "SHUGO_NODE", "%s", r->node) < 0 ||
	    env_add(env, &n, "SHUGO_BOOT", "%u", r->boot) < 0 || env_add(env, &n, "SHUGO_SEQ", "%u", r->seq) < 0 ||
	    env_add(env, &n, "SHUGO_TYPE", "%s", r->type_name[0] ? r->type_name : r->trap_oid) < 0 ||
	    env_add(env, &n, "SHUGO_TRAP_OID", "%s", r->trap_oid) < 0 ||
	    env_add(env, &n, "SHUGO_SEVERITY", "%s", r->sev ? ev_sev_name(r->sev) : "") < 0 ||
	    env_add(env, &n, "SHUGO_OBJECT", "%s", r->object) < 0 ||
	    env_add(env, &n, "SHUGO_STATE", "%s", r->state) < 0 ||
	    env_add(env, &n, "SHUGO_DETAIL", "%s", r->detail) < 0 ||
	    env_add(env, &n, "SHUGO_ALARM_ID", "%u", r->alarm_id) < 0 ||
	    env_add(env, &n, "SHUGO_OCCURRED", "%s", json_fmt_iso(iso, sizeof iso, r->occurred_ms)) < 0 ||
	    env_add(env, &n, "SHUGO_OCCURRED_MS", "%lld", (long long)r->occurred_ms) < 0 ||
	    env_add(env, &n, "SHUGO_RECEIVED_MS", "%lld", (long long)r->received_ms) < 0 ||
	    env_add(env, &n, "SHUGO_SOURCE", "%s", r->source) < 0)
		return -1;
	return 0;
}

static void env_free(char **env)
{
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
}

/* In the child, before exec: only async-signal-safe calls. */
static void child(const struct delivery *d, int in, int out, char **env)
{
	static const char sh[] = "/bin/sh";
	char *const *argv = d->dest->argv;
	char *shargv[] = {(char *)sh, "-c", d->dest->argv[0], "shugo-route", NULL};
	sigset_t none;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the manager blocks its signals for signalfd */
	signal(SIGPIPE, SIG_DFL);              /* ignored by the manager; that would be inherited */
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	if (chdir("/") < 0)
		_exit(126);
	if (d->dest->shell)
		argv = shargv;
	execve(argv[0], argv, env);
	{
		const char *e = strerror(errno);
		ssize_t w = write(2, "cannot execute: ", 16);
		w = write(2, e, strlen(e));
		(void)w;
	}
	_exit(127);
}

static int prog_start(struct delivery *d, char *err, size_t errlen)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	char *env[ENV_MAX];
	struct prog *p = NULL;
	pid_t pid;

	if (build_env(d, env) < 0) {
		env_free(env);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0 || !(p = calloc(1, sizeof *p))) {
		snprintf(err, errlen, "cannot set up the program's pipes: %s", strerror(errno));
		goto fail;
	}
	p->out = p->pidfd = -1;
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child(d, in[0], out[1], env);
	env_free(env);
	env[0] = NULL;
	p->pid = pid;
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	p->out = out[0];
	out[0] = -1;
	/* The payload is a few KiB: it fits the pipe, so this write does not
	 * block; a program that does not read its input is not held up. */
	if (fcntl(in[1], F_SETFL, O_NONBLOCK) == 0 && write(in[1], d->payload, d->len) < 0 && errno != EPIPE)
		log_debug("route %s: %s: writing the record to its input: %s", d->route, d->dest->name,
			  strerror(errno));
	close(in[1]);
	in[1] = -1;
	d->impl = p;
	if ((p->pidfd = pidfd_open(pid)) < 0 || watch_add(p->pidfd, WATCH_IN, on_exit_fd, d) < 0 ||
	    watch_add(p->out, WATCH_IN, on_out, d) < 0) {
		snprintf(err, errlen, "cannot watch pid %d: %s", (int)pid, strerror(errno));
		kill(-pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (p->pidfd >= 0) {
			watch_del(p->pidfd);
			close(p->pidfd);
		}
		out_close(p);
		free(p);
		d->impl = NULL;
		return -1;
	}
	return 0;
fail:
	env_free(env);
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	free(p);
	return -1;
}

static void prog_expire(struct delivery *d)
{
	struct prog *p = d->impl;

	if (!p || p->expired)
		return;
	/* the whole group: a script's children go with it; the exit is
	 * reported by the pidfd as usual */
	p->expired = true;
	kill(-p->pid, SIGKILL);
}

static void prog_cancel(struct delivery *d)
{
	struct prog *p = d->impl;

	if (!p)
		return;
	kill(-p->pid, SIGKILL);
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
	finish(d);
}

const struct deliver_method deliver_program = {"program", prog_start, prog_expire, prog_cancel};
