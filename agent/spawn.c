/* fork/exec of supervised processes (see spawn.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "spawn.h"
#include "strutil.h"

#define BASE_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct creds {
	bool set_user, set_group;
	uid_t uid;
	gid_t gid;
	char home[256];
	char user[64];
};

static int resolve_creds(const struct cfg_proc *p, struct creds *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	if (p->user) {
		struct passwd *pw = getpwnam(p->user);
		char *end;
		unsigned long n = strtoul(p->user, &end, 10);
		if (pw) {
			c->uid = pw->pw_uid;
			c->gid = pw->pw_gid;
			str_copy(c->home, pw->pw_dir, sizeof c->home);
			str_copy(c->user, pw->pw_name, sizeof c->user);
		} else if (*p->user && !*end) {
			c->uid = (uid_t)n;
			c->gid = (gid_t)n;
		} else {
			snprintf(err, errlen, "unknown user '%s'", p->user);
			return -1;
		}
		c->set_user = c->set_group = true;
	}
	if (p->group) {
		struct group *gr = getgrnam(p->group);
		char *end;
		unsigned long n = strtoul(p->group, &end, 10);
		if (gr)
			c->gid = gr->gr_gid;
		else if (*p->group && !*end)
			c->gid = (gid_t)n;
		else {
			snprintf(err, errlen, "unknown group '%s'", p->group);
			return -1;
		}
		c->set_group = true;
	}
	return 0;
}

/* The environment: a fixed PATH, HOME/USER of the target user, the process name,
 * then the configured variables (which may override the first ones). */
static char **build_env(const struct cfg_proc *p, const struct creds *c)
{
	size_t n = 0, max = p->envc + 5;
	char **env = calloc(max, sizeof *env);

	if (!env)
		return NULL;
	env[n++] = strdup(BASE_PATH);
	if (c->home[0] && asprintf(&env[n], "HOME=%s", c->home) >= 0)
		n++;
	if (c->user[0] && asprintf(&env[n], "USER=%s", c->user) >= 0)
		n++;
	if (asprintf(&env[n], "SHUGO_PROCESS=%s", p->name) >= 0)
		n++;
	for (size_t i = 0; i < p->envc; i++) {
		size_t klen = strcspn(p->env[i], "=");
		for (size_t j = 0; j < n; j++) {
			if (env[j] && !strncmp(env[j], p->env[i], klen + 1)) {
				free(env[j]);
				env[j] = env[--n];
				env[n] = NULL;
				break;
			}
		}
		env[n++] = strdup(p->env[i]);
	}
	env[n] = NULL;
	return env;
}

static void free_env(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* In the child: any failure is written to the pipe as errno plus a step name. */
static void __attribute__((noreturn)) child(const struct cfg_proc *p, const struct creds *c, char **env,
					    const char *log_path, int errfd)
{
	sigset_t none;
	struct { int err; char step[28]; } msg = {0, ""};
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	setsid();
	if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(fd, 0);
		if (fd > 0)
			close(fd);
	}
	fd = log_path ? open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if (chdir(p->cwd ? p->cwd : "/") < 0) {
		str_copy(msg.step, "chdir", sizeof msg.step);
		goto fail;
	}
	if (c->set_group && (setgroups(0, NULL) < 0 || setgid(c->gid) < 0)) {
		str_copy(msg.step, "setgid", sizeof msg.step);
		goto fail;
	}
	if (c->set_user && c->user[0] && initgroups(c->user, c->gid) < 0) {
		str_copy(msg.step, "initgroups", sizeof msg.step);
		goto fail;
	}
	if (c->set_user && setuid(c->uid) < 0) {
		str_copy(msg.step, "setuid", sizeof msg.step);
		goto fail;
	}
	/* Everything but stdio is closed at exec (the agent's sockets, pidfds, ...);
	 * errfd stays open until then to report an exec failure. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (p->shell) {
		char *sh[] = {"/bin/sh", "-c", p->argv[0], NULL};
		execve(sh[0], sh, env);
	} else {
		execve(p->argv[0], p->argv, env);
	}
	str_copy(msg.step, "exec", sizeof msg.step);
fail:
	msg.err = errno;
	if (write(errfd, &msg, sizeof msg) < 0) {
		/* nothing left to tell */
	}
	_exit(127);
}

int spawn_process(const struct cfg_proc *p, const char *log_path, pid_t *child_pid, char *err, size_t errlen)
{
	struct creds c;
	char **env;
	int pfd[2];
	pid_t pid;
	struct { int err; char step[28]; } msg;
	ssize_t n;

	*child_pid = 0;
	if (resolve_creds(p, &c, err, errlen) < 0)
		return -1;
	if (!(env = build_env(p, &c))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free_env(env);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		free_env(env);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		child(p, &c, env, log_path, pfd[1]);
	}
	*child_pid = pid;
	close(pfd[1]);
	free_env(env);
	/* Returns at exec (EOF) or with the child's failure: a short, bounded wait. */
	do
		n = read(pfd[0], &msg, sizeof msg);
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof msg) {
		msg.step[sizeof msg.step - 1] = '\0';
		snprintf(err, errlen, "%s %s: %s", msg.step, p->argv[0], strerror(msg.err));
		return -1; /* the child exits 127 and is reaped by the SIGCHLD path */
	}
	return 0;
}
