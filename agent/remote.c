/* Remote execution: rows, admission facts (the used ids, the search path,
 * the programs running), the start through spawn.c (no shell, its own
 * session, output to state_dir/exec/<id>.log), the end seen through the
 * supervisor's reaping or the pidfd, and the notifications. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "emit.h"
#include "exec.h"
#include "log.h"
#include "loop.h"
#include "procs.h"
#include "remote.h"
#include "spawn.h"
#include "statefile.h"
#include "strutil.h"

#define ROWS_MAX 1024
#define IDS_FILE "exec.ids"

static char **used;     /* the ids ever run here, sorted */
static size_t n_used, cap_used;

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool id_used(const char *id)
{
	return n_used && bsearch(&id, used, n_used, sizeof *used, str_cmp);
}

/* Room for one more id; false when out of memory. */
static bool ids_grow(void)
{
	if (n_used == cap_used) {
		size_t cap = cap_used ? 2 * cap_used : 64;
		char **n = realloc(used, cap * sizeof *n);
		if (!n)
			return false;
		used = n;
		cap_used = cap;
	}
	return true;
}

static void id_remember(struct agent *a, const char *id)
{
	char path[4096];
	size_t lo = 0, hi = n_used;
	char *copy;
	FILE *f;

	if (id_used(id) || !ids_grow() || !(copy = strdup(id)))
		return;
	/* kept sorted by inserting in place */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(used[mid], id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(used + lo + 1, used + lo, (n_used - lo) * sizeof *used);
	used[lo] = copy;
	n_used++;
	/* appended and synced before the program starts: a restart of the agent
	 * never runs it again */
	snprintf(path, sizeof path, "%s/" IDS_FILE, a->cfg->state_dir);
	if ((f = fopen(path, "ae"))) {
		fprintf(f, "%s\n", id);
		if (fflush(f) != 0 || fsync(fileno(f)) != 0)
			log_err("exec: cannot save request id %s in %s: %s", id, path, strerror(errno));
		fclose(f);
	} else {
		log_err("exec: cannot save request id %s in %s: %s", id, path, strerror(errno));
	}
}

void remote_init(struct agent *a)
{
	char path[4096], line[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/" IDS_FILE, a->cfg->state_dir);
	if (!(f = fopen(path, "re")))
		return;
	/* every id ever run here: the promise is "never twice", not "rarely" */
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || !ids_grow() || !(used[n_used] = strdup(line)))
			continue;
		n_used++;
	}
	fclose(f);
	/* sorted once, repeats dropped */
	qsort(used, n_used, sizeof *used, str_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n_used; i++) {
		if (k && !strcmp(used[k - 1], used[i]))
			free(used[i]);
		else
			used[k++] = used[i];
	}
	n_used = k;
}

/* ---- rows ---- */

static int row_cmp(const void *x, const void *y)
{
	return agent_name_cmp(((const struct exec_rt *)x)->id, ((const struct exec_rt *)y)->id);
}

struct exec_rt *remote_find(struct agent *a, const char *id)
{
	for (size_t i = 0; i < a->n_execs; i++)
		if (!strcmp(a->execs[i].id, id))
			return &a->execs[i];
	return NULL;
}

struct exec_rt *remote_add(struct agent *a, const char *id)
{
	struct exec_rt *n;

	if (a->n_execs == ROWS_MAX || !(n = realloc(a->execs, (a->n_execs + 1) * sizeof *n)))
		return NULL;
	a->execs = n;
	n += a->n_execs++;
	memset(n, 0, sizeof *n);
	str_copy(n->id, id, sizeof n->id);
	n->wait = EXW_NOWAIT;
	n->row_status = 3; /* RowStatus notReady until a program is given */
	n->state = EXS_PENDING;
	n->pidfd = -1;
	n->exit_code = -1;
	n->end = EXE_NONE;
	n->refusal = EXR_NONE;
	qsort(a->execs, a->n_execs, sizeof *n, row_cmp);
	return remote_find(a, id);
}

void remote_delete(struct agent *a, struct exec_rt *e)
{
	size_t i = (size_t)(e - a->execs);

	if (e->pidfd >= 0) {
		loop_unwatch(e->pidfd);
		close(e->pidfd);
	}
	free(e->args);
	free(e->env);
	memmove(e, e + 1, (a->n_execs - i - 1) * sizeof *e);
	a->n_execs--;
}

uint32_t remote_running(const struct agent *a)
{
	uint32_t n = 0;

	for (size_t i = 0; i < a->n_execs; i++)
		n += a->execs[i].state == EXS_RUNNING;
	return n;
}

/* ---- start ---- */

/* The first executable regular file named program in the search path. */
static bool lookup(const struct cfg_exec *c, const char *program, char *out, size_t size)
{
	struct stat st;

	for (size_t i = 0; i < c->n_path; i++) {
		snprintf(out, size, "%s/%s", c->path[i], program);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return true;
	}
	return false;
}

static void refuse(struct exec_rt *e, enum exec_refusal why_code, const char *why)
{
	char object[EV_OBJECT_MAX + 1];

	e->state = why_code == EXR_START_FAILED ? EXS_START_FAILED : EXS_REFUSED;
	e->refusal = why_code;
	str_copy(e->reason, why, sizeof e->reason);
	e->done_ms = agent_now_ms();
	snprintf(object, sizeof object, "exec:%s", e->id);
	log_notice("exec %s: %s (requested by %s) refused: %s", e->id, e->program, e->requester[0] ? e->requester : "-",
		   why);
	emit_event(NOTIF_EXEC_REFUSED, SEV_WARNING, object, e->state == EXS_START_FAILED ? "startFailed" : "refused",
		   "%s requested by %s: %s", e->program, e->requester[0] ? e->requester : "-", why);
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

void remote_submit(struct agent *a, struct exec_rt *e)
{
	char found[4200], why[200], log_path[4400], dir[4200];
	char **argv = NULL, **env = NULL, **full = NULL;
	size_t argc = 0, envc = 0;
	const char *bad;
	struct exec_facts f = {.program = e->program, .requester = e->requester, .id_used = id_used(e->id),
			       .running = remote_running(a)};
	enum exec_refusal verdict;
	pid_t pid = 0;

	e->row_status = 1;
	if (lookup(&a->cfg->exec, e->program, found, sizeof found))
		f.found = found;
	verdict = exec_admit(&a->cfg->exec, &f, why, sizeof why);
	/* capacity: the node's processes, supervised and remote, against max_processes */
	if (verdict == EXR_NONE && procs_managed(a) + f.running >= a->cfg->max_procs) {
		verdict = EXR_BUSY;
		snprintf(why, sizeof why, "the node runs %u processes, its maximum (agent.max_processes)",
			 procs_managed(a) + f.running);
	}
	if (verdict != EXR_DUPLICATE)
		id_remember(a, e->id);
	if (verdict != EXR_NONE) {
		refuse(e, verdict, why);
		return;
	}
	if ((bad = exec_split_args(e->args ? e->args : "", &argv, &argc)) ||
	    (bad = exec_parse_env(e->env ? e->env : "", &env, &envc))) {
		refuse(e, EXR_START_FAILED, bad);
		goto out;
	}
	if (!(full = calloc(argc + 2, sizeof *full))) {
		refuse(e, EXR_START_FAILED, "out of memory");
		goto out;
	}
	full[0] = found;
	memcpy(full + 1, argv, argc * sizeof *argv);
	struct cfg_proc p = {.kind = PK_SUPERVISED, .argv = full, .argc = argc + 1, .env = env, .envc = envc};
	snprintf(p.name, sizeof p.name, "exec:%.58s", e->id);
	snprintf(dir, sizeof dir, "%s/exec", a->cfg->state_dir);
	state_mkdir(dir);
	snprintf(log_path, sizeof log_path, "%s/%s.log", dir, e->id);
	if (spawn_process(&p, log_path, &pid, why, sizeof why) < 0) {
		if (pid > 0) /* failed before exec: reaped by the supervisor as ours */
			e->pid = pid;
		refuse(e, EXR_START_FAILED, why);
		goto out;
	}
	e->pid = pid;
	e->state = EXS_RUNNING;
	e->start_time = agent_wall();
	if ((e->pidfd = pidfd_open_(pid)) >= 0 && loop_watch(e->pidfd, LOOP_EXEC) < 0) {
		close(e->pidfd);
		e->pidfd = -1;
	}
	log_notice("exec %s: %s started, pid %d (requested by %s)", e->id, found, (int)pid,
		   e->requester[0] ? e->requester : "-");
out:
	free(argv);
	free(env);
	free(full);
}

int remote_signal(struct exec_rt *e, int sig)
{
	if (e->state != EXS_RUNNING || e->pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	e->last_signal = sig;
	return kill(e->pid, sig);
}

/* ---- end ---- */

static void ended(struct agent *a, struct exec_rt *e, int status)
{
	char object[EV_OBJECT_MAX + 1];

	(void)a;
	if (e->pidfd >= 0) {
		loop_unwatch(e->pidfd);
		close(e->pidfd);
		e->pidfd = -1;
	}
	e->end_time = agent_wall();
	e->done_ms = agent_now_ms();
	if (e->state == EXS_START_FAILED)
		return; /* the child that failed before exec */
	if (WIFSIGNALED(status)) {
		e->state = EXS_KILLED;
		e->exit_signal = WTERMSIG(status);
		e->end = EXE_ABNORMAL;
	} else {
		e->state = EXS_EXITED;
		e->exit_code = WEXITSTATUS(status);
		e->end = e->exit_code == 0 ? EXE_NORMAL : EXE_ABNORMAL;
	}
	log_notice("exec %s: %s ended: %s %d (%s)", e->id, e->program, e->state == EXS_KILLED ? "signal" : "exit code",
		   e->state == EXS_KILLED ? e->exit_signal : e->exit_code, e->end == EXE_NORMAL ? "normal" : "abnormal");
	if (e->wait != EXW_WAIT)
		return;
	snprintf(object, sizeof object, "exec:%s", e->id);
	if (e->state == EXS_KILLED)
		emit_event(NOTIF_EXEC_ENDED, SEV_WARNING, object, "killed", "%s requested by %s: killed by signal %d",
			   e->program, e->requester[0] ? e->requester : "-", e->exit_signal);
	else
		emit_event(NOTIF_EXEC_ENDED, e->end == EXE_NORMAL ? SEV_INFO : SEV_WARNING, object,
			   e->end == EXE_NORMAL ? "normal" : "abnormal", "%s requested by %s: exit code %d", e->program,
			   e->requester[0] ? e->requester : "-", e->exit_code);
}

bool remote_reaped(struct agent *a, pid_t pid, int status)
{
	for (size_t i = 0; i < a->n_execs; i++) {
		struct exec_rt *e = &a->execs[i];
		if (e->pid == pid && (e->state == EXS_RUNNING || e->state == EXS_START_FAILED)) {
			ended(a, e, status);
			e->pid = e->state == EXS_START_FAILED ? 0 : e->pid;
			return true;
		}
	}
	return false;
}

bool remote_pidfd_ready(struct agent *a, int fd)
{
	for (size_t i = 0; i < a->n_execs; i++) {
		struct exec_rt *e = &a->execs[i];
		int status;
		if (e->pidfd != fd)
			continue;
		/* the supervisor may have reaped it already (SIGCHLD first) */
		if (e->state == EXS_RUNNING && waitpid(e->pid, &status, WNOHANG) == e->pid)
			ended(a, e, status);
		else if (e->pidfd >= 0) {
			loop_unwatch(e->pidfd);
			close(e->pidfd);
			e->pidfd = -1;
		}
		return true;
	}
	return false;
}

void remote_tick(struct agent *a, uint64_t now_ms)
{
	uint64_t keep = (uint64_t)a->cfg->exec.retention_s * 1000;

	for (size_t i = 0; i < a->n_execs;) {
		struct exec_rt *e = &a->execs[i];
		if (e->done_ms && e->state != EXS_RUNNING && now_ms - e->done_ms >= keep) {
			log_info("exec %s: row deleted after its retention", e->id);
			remote_delete(a, e);
			continue;
		}
		i++;
	}
}

void remote_free(struct agent *a)
{
	while (a->n_execs)
		remote_delete(a, &a->execs[a->n_execs - 1]);
	free(a->execs);
	a->execs = NULL;
	for (size_t i = 0; i < n_used; i++)
		free(used[i]);
	free(used);
	used = NULL;
	n_used = cap_used = 0;
}
