/* Process supervision and watching (see procs.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "emit.h"
#include "log.h"
#include "mon_proc.h"
#include "procs.h"
#include "remote.h"
#include "spawn.h"
#include "strutil.h"

static procs_fd_cb fd_hook;

/* Supervised processes removed from the configuration by a reload and still
 * being stopped: the same SIGTERM, SIGKILL at their stop timeout and exit
 * report as any other stop. Their definitions are gone, so what the stop needs
 * is copied here. */
struct retired {
	char name[CFG_NAME_MAX + 1];
	pid_t pid;
	struct proc_fsm fsm;
	struct proc_policy policy;
};
static struct retired *retired;
static size_t n_retired;

void procs_set_fd_hook(procs_fd_cb cb)
{
	fd_hook = cb;
}

static void object_of(const struct proc_rt *p, char *buf, size_t len)
{
	snprintf(buf, len, "proc:%s", p->name);
}

/* ---- instances ---- */

static void inst_clear(struct proc_inst *in)
{
	if (in->pidfd >= 0) {
		if (fd_hook)
			fd_hook(in->pidfd, false);
		close(in->pidfd);
	}
	free(in->cmdline);
	memset(in, 0, sizeof *in);
	in->pidfd = -1;
}

static void inst_fill(struct proc_inst *in, const struct proc_sample *s, uint64_t now)
{
	if (in->pid == s->pid && in->start_ticks == s->start_ticks && in->sampled_ms)
		in->cpu = mon_proc_cpu(in->cpu_ticks, s->cpu_ticks, now - in->sampled_ms);
	in->pid = s->pid;
	in->ppid = s->ppid;
	in->st = s->state;
	in->start_ticks = s->start_ticks;
	in->start_time = s->start_time;
	in->cpu_ticks = s->cpu_ticks;
	in->sampled_ms = now;
	in->rss_kb = s->rss_kb;
	if (s->cmdline && (!in->cmdline || strcmp(in->cmdline, s->cmdline))) {
		free(in->cmdline);
		in->cmdline = strdup(s->cmdline);
	}
}

static void insts_free(struct proc_rt *p)
{
	for (size_t i = 0; i < p->n_inst; i++)
		inst_clear(&p->inst[i]);
	free(p->inst);
	p->inst = NULL;
	p->n_inst = 0;
}

/* ---- supervised ---- */

static void set_state(struct proc_rt *p, int state)
{
	if (p->state == state)
		return;
	p->state = state;
	p->last_change = agent_wall();
}

static void log_path_of(const struct agent *a, const struct proc_rt *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s/proc-%s.log", a->cfg->state_dir, p->name);
}

static void step(struct agent *a, struct proc_rt *p, const struct proc_input *in, uint64_t now);

static void do_spawn(struct agent *a, struct proc_rt *p, bool restarting, uint64_t now)
{
	char err[256], logp[512], object[EV_OBJECT_MAX + 1];
	pid_t pid;
	struct proc_input in = {.kind = PIN_SPAWNED};

	log_path_of(a, p, logp, sizeof logp);
	object_of(p, object, sizeof object);
	if (restarting)
		p->restarts++;
	if (spawn_process(p->cfg, logp, &pid, err, sizeof err) < 0) {
		p->failed_child = pid; /* reaped quietly: the failure is reported here */
		log_warn("process %s: cannot start: %s", p->name, err);
		p->last_end = END_ABNORMAL;
		p->last_exit_code = 127;
		p->last_exit_signal = 0;
		p->last_exit_time = agent_wall();
		emit_event(NOTIF_PROC_EXITED, SEV_WARNING, object, "startFailed", "cannot start: %s", err);
		in.kind = PIN_SPAWN_FAILED;
		step(a, p, &in, now);
		return;
	}
	p->child = pid;
	insts_free(p);
	if ((p->inst = calloc(1, sizeof *p->inst))) {
		struct proc_sample s = {0};
		p->n_inst = 1;
		p->inst[0].pidfd = -1;
		p->inst[0].pid = pid;
		p->inst[0].restarts = p->restarts;
		if (mon_proc_read(pid, &s) == 0)
			inst_fill(&p->inst[0], &s, now);
		p->inst[0].start_time = p->inst[0].start_time ? p->inst[0].start_time : agent_wall();
		proc_sample_clear(&s);
	}
	log_info("process %s: started pid %d%s", p->name, (int)pid, restarting ? " (restart)" : "");
	emit_event(NOTIF_PROC_STARTED, SEV_INFO, object, "starting", "pid %d started%s (restart %u)",
		   (int)pid, restarting ? " again" : "", p->restarts);
	step(a, p, &in, now);
}

static void do_actions(struct agent *a, struct proc_rt *p, const struct proc_output *out, uint64_t now)
{
	if ((out->actions & PACT_KILL) && p->child > 0)
		kill(-p->child, SIGKILL), kill(p->child, SIGKILL);
	else if ((out->actions & PACT_TERM) && p->child > 0)
		kill(p->child, SIGTERM);
	if (out->actions & PACT_SPAWN)
		do_spawn(a, p, out->restarting, now);
}

static void on_transition(struct proc_rt *p, const struct proc_output *out)
{
	char object[EV_OBJECT_MAX + 1];

	if (out->from == out->to)
		return;
	object_of(p, object, sizeof object);
	log_notice("process %s: %s -> %s", p->name, proc_state_name(out->from), proc_state_name(out->to));
	set_state(p, out->to);
	switch (out->to) {
	case PROC_RUNNING:
		emit_clear(NOTIF_PROC_CLEAR, object, "running", "pid %d running again after %u restarts",
			   (int)p->child, p->restarts);
		break;
	case PROC_FAILED:
		/* the machine gives up by damping, or at once under restart: never */
		if (p->cfg->policy.restart != RESTART_NEVER)
			emit_alarm(NOTIF_PROC_ALARM, SEV_CRITICAL, object, "failed",
				   "gave up: %u restarts within %u s (last end: %s %d)", p->cfg->policy.damp_restarts,
				   p->cfg->policy.damp_window_ms / 1000, p->last_exit_signal ? "signal" : "exit code",
				   p->last_exit_signal ? p->last_exit_signal : p->last_exit_code);
		else
			emit_alarm(NOTIF_PROC_ALARM, SEV_CRITICAL, object, "failed",
				   "ended abnormally and is not restarted (%s %d)", p->last_exit_signal ? "signal" : "exit code",
				   p->last_exit_signal ? p->last_exit_signal : p->last_exit_code);
		break;
	case PROC_STOPPED:
		emit_clear(NOTIF_PROC_CLEAR, object, "stopped", "stopped as asked");
		break;
	default:
		break;
	}
}

static void step(struct agent *a, struct proc_rt *p, const struct proc_input *in, uint64_t now)
{
	struct proc_output out;

	proc_step(&p->fsm, &p->cfg->policy, in, now, &out);
	on_transition(p, &out);
	do_actions(a, p, &out, now);
}

static void child_exited(struct agent *a, struct proc_rt *p, int status, uint64_t now)
{
	char object[EV_OBJECT_MAX + 1];
	struct proc_input in = {.kind = PIN_EXITED};
	bool stopping = p->fsm.state == PROC_STOPPING;
	pid_t pid = p->child;

	object_of(p, object, sizeof object);
	p->child = 0;
	insts_free(p);
	p->last_exit_time = agent_wall();
	if (WIFEXITED(status)) {
		p->last_exit_code = WEXITSTATUS(status);
		p->last_exit_signal = 0;
		in.abnormal = p->last_exit_code != 0;
	} else {
		p->last_exit_code = -1;
		p->last_exit_signal = WTERMSIG(status);
		in.abnormal = true;
	}
	/* An end the agent asked for (stop, restart) is normal whatever the status. */
	if (stopping)
		in.abnormal = false;
	p->last_end = in.abnormal ? END_ABNORMAL : END_NORMAL;
	if (p->last_exit_signal)
		emit_event(NOTIF_PROC_EXITED, in.abnormal ? SEV_WARNING : SEV_INFO, object,
			   in.abnormal ? "abnormal" : "normal", "pid %d killed by signal %d", (int)pid, p->last_exit_signal);
	else
		emit_event(NOTIF_PROC_EXITED, in.abnormal ? SEV_WARNING : SEV_INFO, object,
			   in.abnormal ? "abnormal" : "normal", "pid %d exited with code %d", (int)pid, p->last_exit_code);
	step(a, p, &in, now);
	if (in.abnormal && p->fsm.state == PROC_BACKOFF)
		emit_alarm(NOTIF_PROC_ALARM, SEV_MAJOR, object, "backoff",
			   "pid %d ended abnormally (%s %d); restarting in %u ms", (int)pid,
			   p->last_exit_signal ? "signal" : "exit code",
			   p->last_exit_signal ? p->last_exit_signal : p->last_exit_code, p->fsm.backoff_ms);
	else if (in.abnormal && p->fsm.state == PROC_STOPPED)
		emit_alarm(NOTIF_PROC_ALARM, SEV_MAJOR, object, "stopped", "pid %d ended abnormally and is not restarted",
			   (int)pid);
}

static void retired_step(struct retired *r, const struct proc_input *in, uint64_t now)
{
	struct proc_output out;

	proc_step(&r->fsm, &r->policy, in, now, &out);
	if (out.actions & PACT_KILL)
		kill(r->pid, SIGKILL);
	else if (out.actions & PACT_TERM)
		kill(r->pid, SIGTERM);
}

static void retire(const struct proc_rt *p, uint64_t now)
{
	struct retired *nr = realloc(retired, (n_retired + 1) * sizeof *nr);
	struct proc_input in = {.kind = PIN_WANT_STOP};

	if (!nr) { /* cannot follow it: at least ask it to stop */
		kill(p->child, SIGTERM);
		return;
	}
	retired = nr;
	struct retired *r = &retired[n_retired++];
	str_copy(r->name, p->name, sizeof r->name);
	r->pid = p->child;
	r->fsm = p->fsm;
	r->policy = p->cfg->policy;
	log_notice("process %s: removed from the configuration, stopping pid %d", p->name, (int)p->child);
	retired_step(r, &in, now);
}

/* A retired process ended: report it and forget it. */
static bool retired_exited(pid_t pid, int status)
{
	char object[EV_OBJECT_MAX + 1];

	for (size_t i = 0; i < n_retired; i++) {
		if (retired[i].pid != pid)
			continue;
		snprintf(object, sizeof object, "proc:%s", retired[i].name);
		/* an end the agent asked for: normal, whatever the status */
		if (WIFSIGNALED(status))
			emit_event(NOTIF_PROC_EXITED, SEV_INFO, object, "normal",
				   "pid %d stopped by signal %d: removed from the configuration", (int)pid, WTERMSIG(status));
		else
			emit_event(NOTIF_PROC_EXITED, SEV_INFO, object, "normal",
				   "pid %d exited with code %d: removed from the configuration", (int)pid,
				   WEXITSTATUS(status));
		retired[i] = retired[--n_retired];
		return true;
	}
	return false;
}

void procs_reap(struct agent *a)
{
	uint64_t now = agent_now_ms();
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		bool ours = false;
		if (retired_exited(pid, status))
			continue;
		for (size_t i = 0; i < a->n_procs && !ours; i++) {
			struct proc_rt *p = &a->procs[i];
			if (p->cfg->kind != PK_SUPERVISED)
				continue;
			if (p->child == pid) {
				child_exited(a, p, status, now);
				ours = true;
			} else if (p->failed_child == pid) {
				p->failed_child = 0;
				ours = true;
			}
		}
		/* not a supervised process: a program started for another server */
		if (!ours)
			remote_reaped(a, pid, status);
	}
}

void procs_tick(struct agent *a, uint64_t now_ms)
{
	for (size_t i = 0; i < n_retired; i++) {
		struct proc_input in = {.kind = PIN_TICK};
		uint64_t d = proc_deadline(&retired[i].fsm);
		if (d && d <= now_ms)
			retired_step(&retired[i], &in, now_ms);
	}
	for (size_t i = 0; i < a->n_procs; i++) {
		struct proc_rt *p = &a->procs[i];
		struct proc_input in = {.kind = PIN_TICK};
		uint64_t d = proc_deadline(&p->fsm);
		if (p->cfg->kind != PK_SUPERVISED)
			continue;
		if (d && d <= now_ms)
			step(a, p, &in, now_ms);
	}
}

uint64_t procs_next_deadline(const struct agent *a)
{
	uint64_t next = 0;

	for (size_t i = 0; i < n_retired; i++) {
		uint64_t d = proc_deadline(&retired[i].fsm);
		if (d && (!next || d < next))
			next = d;
	}

	for (size_t i = 0; i < a->n_procs; i++) {
		uint64_t d = a->procs[i].cfg->kind == PK_SUPERVISED ? proc_deadline(&a->procs[i].fsm) : 0;
		if (d && (!next || d < next))
			next = d;
	}
	return next;
}

/* ---- watched ---- */

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void watched_judge(struct proc_rt *p)
{
	char object[EV_OBJECT_MAX + 1];
	uint32_t n = (uint32_t)p->n_inst, min = p->cfg->min_count, max = p->cfg->max_count;

	object_of(p, object, sizeof object);
	if (n < min) {
		set_state(p, PROC_TOOFEW);
		emit_alarm(NOTIF_PROC_ALARM, SEV_MAJOR, object, "tooFew", "%u running, at least %u expected", n, min);
	} else if (max && n > max) {
		set_state(p, PROC_TOOMANY);
		emit_alarm(NOTIF_PROC_ALARM, SEV_WARNING, object, "tooMany", "%u running, at most %u expected", n, max);
	} else {
		set_state(p, n ? PROC_RUNNING : PROC_STOPPED);
		emit_clear(NOTIF_PROC_CLEAR, object, "running", "%u running", n);
	}
}

/* Remember a change for the next procs_flush. */
static void note_pid(uint32_t *n, char *list, size_t size, pid_t pid)
{
	size_t len = strlen(list);

	if (len + 16 < size)
		snprintf(list + len, size - len, "%s%d", len ? " " : "", (int)pid);
	else if (len + 4 < size && strcmp(list + len - 3, "...") != 0)
		snprintf(list + len, size - len, " ...");
	(*n)++;
}

static void inst_gone(struct proc_rt *p, size_t i, bool report)
{
	if (report)
		note_pid(&p->n_ended, p->ended, sizeof p->ended, p->inst[i].pid);
	inst_clear(&p->inst[i]);
	memmove(&p->inst[i], &p->inst[i + 1], (p->n_inst - i - 1) * sizeof *p->inst);
	p->n_inst--;
}

void procs_pidfd_ready(struct agent *a, int fd)
{
	for (size_t i = 0; i < a->n_procs; i++) {
		struct proc_rt *p = &a->procs[i];
		for (size_t k = 0; k < p->n_inst; k++) {
			if (p->inst[k].pidfd != fd)
				continue;
			p->last_exit_time = agent_wall();
			inst_gone(p, k, true);
			return;
		}
	}
}

/* Merge the sorted pids found by a scan into the sorted instance list. */
static void watched_update(struct proc_rt *p, const pid_t *pids, size_t n, bool report, uint64_t now)
{
	struct proc_inst *ni = calloc(n ? n : 1, sizeof *ni);
	size_t i = 0, j = 0, k = 0;

	if (!ni)
		return;
	while (i < p->n_inst || j < n) {
		if (j >= n || (i < p->n_inst && p->inst[i].pid < pids[j])) {
			if (report)
				note_pid(&p->n_ended, p->ended, sizeof p->ended, p->inst[i].pid);
			inst_clear(&p->inst[i++]);
			continue;
		}
		struct proc_sample s = {0};
		bool same = i < p->n_inst && p->inst[i].pid == pids[j];
		if (mon_proc_peek(pids[j], &s) < 0) { /* gone between scan and read */
			if (same)
				inst_clear(&p->inst[i++]);
			j++;
			continue;
		}
		if (same && p->inst[i].start_ticks != s.start_ticks) { /* pid reused */
			inst_clear(&p->inst[i]);
			same = false;
		}
		if (same) {
			ni[k] = p->inst[i++];
		} else {
			memset(&ni[k], 0, sizeof ni[k]);
			ni[k].pidfd = pidfd_open_(pids[j]);
			if (ni[k].pidfd >= 0 && fd_hook)
				fd_hook(ni[k].pidfd, true);
			if (report)
				note_pid(&p->n_appeared, p->appeared, sizeof p->appeared, pids[j]);
		}
		inst_fill(&ni[k], &s, now);
		proc_sample_clear(&s);
		k++;
		j++;
	}
	free(p->inst);
	p->inst = ni;
	p->n_inst = k;
}

void procs_sample(struct agent *a, uint64_t now_ms)
{
	const struct shugo_config *cfg = a->cfg;
	struct proc_match_set *sets;
	size_t nw = 0;

	for (size_t i = 0; i < a->n_procs; i++) {
		struct proc_rt *p = &a->procs[i];
		if (p->cfg->kind == PK_SUPERVISED && p->child > 0 && p->n_inst == 1) {
			struct proc_sample s = {0};
			if (mon_proc_read(p->child, &s) == 0)
				inst_fill(&p->inst[0], &s, now_ms);
			proc_sample_clear(&s);
		} else if (p->cfg->kind == PK_WATCHED) {
			nw++;
		}
	}
	if (nw == 0)
		return;
	/* One /proc scan serves every watched definition; sets[] follows cfg->procs. */
	if (!(sets = calloc(cfg->n_procs, sizeof *sets)))
		return;
	if (mon_proc_match_all(cfg->procs, cfg->n_procs, sets) == 0) {
		for (size_t i = 0; i < a->n_procs; i++) {
			struct proc_rt *p = &a->procs[i];
			size_t k = (size_t)(p->cfg - cfg->procs);
			if (p->cfg->kind != PK_WATCHED)
				continue;
			/* The first scan is the baseline: its instances are not news. */
			bool first = p->state == 0;
			watched_update(p, sets[k].pids, sets[k].n, !first, now_ms);
			p->n_appeared += first; /* forces a first judgement below */
		}
	}
	for (size_t i = 0; i < cfg->n_procs; i++)
		free(sets[i].pids);
	free(sets);
}

void procs_flush(struct agent *a)
{
	char object[EV_OBJECT_MAX + 1];

	for (size_t i = 0; i < a->n_procs; i++) {
		struct proc_rt *p = &a->procs[i];
		if (p->cfg->kind != PK_WATCHED || (p->n_appeared == 0 && p->n_ended == 0))
			continue;
		object_of(p, object, sizeof object);
		if (p->n_ended)
			emit_event(NOTIF_PROC_EXITED, SEV_INFO, object, "ended", "%u instance%s ended: pid %s",
				   p->n_ended, p->n_ended > 1 ? "s" : "", p->ended);
		if (p->appeared[0])
			emit_event(NOTIF_PROC_STARTED, SEV_INFO, object, "running", "%u instance%s appeared: pid %s",
				   p->n_appeared, p->n_appeared > 1 ? "s" : "", p->appeared);
		p->n_appeared = p->n_ended = 0;
		p->appeared[0] = p->ended[0] = '\0';
		watched_judge(p);
	}
}

/* ---- configuration ---- */

static int proc_cmp(const void *x, const void *y)
{
	return agent_name_cmp(((const struct proc_rt *)x)->name, ((const struct proc_rt *)y)->name);
}

int procs_configure(struct agent *a, const struct shugo_config *cfg)
{
	struct proc_rt *np = calloc(cfg->n_procs ? cfg->n_procs : 1, sizeof *np);

	if (!np)
		return -1;
	for (size_t i = 0; i < cfg->n_procs; i++) {
		const struct cfg_proc *c = &cfg->procs[i];
		struct proc_rt *old = procs_find(a, c->name, strlen(c->name));
		struct proc_rt *p = &np[i];
		if (old && old->cfg->kind == c->kind) {
			*p = *old;
			old->inst = NULL; /* moved */
			old->n_inst = 0;
			old->child = 0;
			old->name[0] = '\0';
		} else {
			str_copy(p->name, c->name, sizeof p->name);
			p->last_exit_code = -1;
			p->last_end = END_NONE;
			p->last_change = agent_wall();
			if (c->kind == PK_SUPERVISED) {
				proc_fsm_init(&p->fsm, false);
				p->state = PROC_STOPPED;
				p->fresh = c->autostart;
			}
		}
		p->cfg = c;
	}
	/* What is left in the old list was removed from the config. */
	for (size_t i = 0; i < a->n_procs; i++) {
		struct proc_rt *o = &a->procs[i];
		if (!o->name[0])
			continue;
		if (o->cfg->kind == PK_SUPERVISED && o->child > 0)
			retire(o, agent_now_ms());
		char object[EV_OBJECT_MAX + 1];
		object_of(o, object, sizeof object);
		emit_clear(NOTIF_PROC_CLEAR, object, "removed", "removed from the configuration");
		insts_free(o);
	}
	qsort(np, cfg->n_procs, sizeof *np, proc_cmp);
	free(a->procs);
	a->procs = np;
	a->n_procs = cfg->n_procs;
	for (size_t i = 0; i < a->n_procs; i++) {
		struct proc_input in = {.kind = PIN_WANT_RUN};
		if (a->procs[i].fresh) {
			a->procs[i].fresh = false;
			step(a, &a->procs[i], &in, agent_now_ms());
		}
	}
	return 0;
}

struct proc_rt *procs_find(struct agent *a, const char *name, size_t len)
{
	for (size_t i = 0; i < a->n_procs; i++)
		if (a->procs[i].name[0] && strlen(a->procs[i].name) == len && !memcmp(a->procs[i].name, name, len))
			return &a->procs[i];
	return NULL;
}

void procs_stop_all(struct agent *a)
{
	uint64_t now = agent_now_ms(), until = now;

	for (size_t i = 0; i < a->n_procs; i++) {
		struct proc_rt *p = &a->procs[i];
		struct proc_input in = {.kind = PIN_WANT_STOP};
		if (p->cfg->kind != PK_SUPERVISED || p->child <= 0)
			continue;
		step(a, p, &in, now);
		if (now + p->cfg->policy.stop_timeout_ms + 1000 > until)
			until = now + p->cfg->policy.stop_timeout_ms + 1000;
	}
	for (size_t i = 0; i < n_retired; i++) {
		uint64_t d = proc_deadline(&retired[i].fsm);
		if (d + 1000 > until)
			until = d + 1000;
	}
	/* SIGKILL goes out at each stop deadline through procs_tick. */
	while (procs_managed(a) > 0 && (now = agent_now_ms()) < until) {
		procs_reap(a);
		procs_tick(a, now);
		usleep(5000);
	}
}

/* ---- SETs ---- */

long procs_desired(const struct proc_rt *p)
{
	return (p->cfg->kind == PK_WATCHED || p->fsm.want_run) ? 1 : 2;
}

enum set_check procs_check_desired(const struct proc_rt *p, long value)
{
	if (value < 1 || value > 3)
		return SET_WRONG_VALUE;
	if (p->cfg->kind != PK_SUPERVISED)
		return SET_INCONSISTENT; /* the agent does not own a watched process */
	return SET_OK;
}

void procs_apply_desired(struct agent *a, struct proc_rt *p, long value)
{
	struct proc_input in = {.kind = value == 1 ? PIN_WANT_RUN : value == 2 ? PIN_WANT_STOP : PIN_WANT_RESTART};

	log_notice("process %s: desired state set to %s by SET", p->name,
		   value == 1 ? "running" : value == 2 ? "stopped" : "restart");
	step(a, p, &in, agent_now_ms());
}

enum set_check procs_check_signal(const struct proc_rt *p, long sig)
{
	if (sig < 0 || sig > 64)
		return SET_WRONG_VALUE;
	if (p->n_inst == 0)
		return SET_INCONSISTENT;
	return SET_OK;
}

void procs_apply_signal(struct proc_rt *p, long sig)
{
	for (size_t i = 0; i < p->n_inst; i++)
		if (kill(p->inst[i].pid, (int)sig) < 0)
			log_warn("process %s: signal %ld to pid %d: %s", p->name, sig, (int)p->inst[i].pid,
				 strerror(errno));
	if (sig)
		log_notice("process %s: signal %ld sent to %zu instance(s) by SET", p->name, sig, p->n_inst);
	p->last_signal = (int)sig;
}

uint32_t procs_managed(const struct agent *a)
{
	uint32_t n = (uint32_t)n_retired;

	for (size_t i = 0; i < a->n_procs; i++)
		if (a->procs[i].cfg->kind == PK_SUPERVISED && a->procs[i].child > 0)
			n++;
	return n;
}
