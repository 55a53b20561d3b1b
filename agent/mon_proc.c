/* Process observation: reads /proc/<pid>/{stat,status,cmdline,exe} into a
 * proc_sample, and finds the instances of watched definitions with a single
 * pass over /proc however many rules there are. Parsing is procfs.c's job. */
#include "mon_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

/* Enough for any stat/status file; command lines can be as long as ARG_MAX,
 * but a regex that needs more than 256 KiB of one to decide is not plausible. */
#define PROC_TEXT_MAX (64 * 1024)
#define CMDLINE_MAX (256 * 1024)
/* /proc/stat carries one line per CPU and an interrupt line per IRQ before
 * "btime": large on big hosts. */
#define PROC_STAT_MAX (4 * 1024 * 1024)

/* Read a whole file (path relative to dirfd, or absolute) into *buf, growing it
 * up to max bytes; the text is NUL-terminated and may hold NULs. Returns its
 * length, or -1 with errno. A file longer than max - 1 is cut there. */
static ssize_t slurp(int dirfd, const char *path, char **buf, size_t *cap, size_t max)
{
	size_t len = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (;;) {
		if (*cap - len < 2) {
			if (*cap >= max)
				break;
			size_t ncap = *cap ? *cap * 2 : 4096;
			if (ncap > max)
				ncap = max;
			char *nb = realloc(*buf, ncap);
			if (!nb)
				goto fail;
			*buf = nb;
			*cap = ncap;
		}
		ssize_t r = read(fd, *buf + len, *cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	(*buf)[len] = '\0';
	return (ssize_t)len;
fail:;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static long clock_ticks(void)
{
	static long tck;

	if (tck <= 0) {
		tck = sysconf(_SC_CLK_TCK);
		if (tck <= 0)
			tck = 100; /* USER_HZ on every Linux architecture */
	}
	return tck;
}

/* Boot time never changes while we run: read it once. 0 until readable. */
static int64_t boot_time(void)
{
	static int64_t btime = -1;

	if (btime < 0) {
		char *buf = NULL;
		size_t cap = 0;
		int64_t v;
		if (slurp(AT_FDCWD, "/proc/stat", &buf, &cap, PROC_STAT_MAX) >= 0 &&
		    pf_parse_btime(buf, &v) == 0)
			btime = v;
		free(buf);
	}
	return btime < 0 ? 0 : btime;
}

void proc_sample_clear(struct proc_sample *s)
{
	if (!s)
		return;
	free(s->cmdline);
	s->cmdline = NULL;
}

int mon_proc_read(pid_t pid, struct proc_sample *s)
{
	char path[64], *buf = NULL, *cmd = NULL;
	size_t cap = 0, cmdcap = 0;
	struct pf_stat st;
	struct pf_status status;
	ssize_t n;

	/* s is overwritten whole: callers pass it uninitialised, so any previous
	 * cmdline must have been released with proc_sample_clear. */
	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (slurp(AT_FDCWD, path, &buf, &cap, PROC_TEXT_MAX) < 0 || pf_parse_stat(buf, &st) < 0)
		goto fail;
	if (st.pid != pid) {
		errno = EINVAL;
		goto fail;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (slurp(AT_FDCWD, path, &buf, &cap, PROC_TEXT_MAX) < 0 || pf_parse_status(buf, &status) < 0)
		goto fail;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = slurp(AT_FDCWD, path, &cmd, &cmdcap, CMDLINE_MAX);
	if (n < 0)
		goto fail;
	n = (ssize_t)pf_cmdline_join(cmd, (size_t)n, cmd, (size_t)n + 1);
	/* Samples may be kept per instance, thousands of them: give back the
	 * slack of the read buffer. */
	char *fit = realloc(cmd, (size_t)n + 1);
	if (fit)
		cmd = fit;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	/* Kernel threads have no executable and other users' links are not ours
	 * to read unless we are root: both read as "". */
	n = readlink(path, s->exe, sizeof(s->exe) - 1);
	s->exe[n > 0 ? n : 0] = '\0';

	s->pid = pid;
	s->ppid = st.ppid;
	s->state = st.state;
	s->start_ticks = st.start_ticks;
	s->start_time = boot_time() + (int64_t)(st.start_ticks / (uint64_t)clock_ticks());
	s->cpu_ticks = st.utime + st.stime;
	uint64_t rss_kb = status.has_rss ? status.rss_kb : st.rss_pages * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	s->rss_kb = rss_kb > UINT32_MAX ? UINT32_MAX : (uint32_t)rss_kb;
	s->uid = status.euid; /* the user ps(1) shows */
	s->cmdline = cmd;
	free(buf);
	return 0;
fail:;
	int saved = errno;
	free(buf);
	free(cmd);
	memset(s, 0, sizeof(*s));
	/* A process that vanished between two reads is simply gone. */
	errno = saved == ENOENT ? ESRCH : saved;
	return -1;
}

uint32_t mon_proc_cpu(uint64_t prev_ticks, uint64_t cur_ticks, uint64_t elapsed_ms)
{
	/* Fewer ticks than before means the pid now names another process. */
	if (cur_ticks <= prev_ticks || elapsed_ms == 0)
		return 0;
	/* ticks/HZ seconds of CPU in elapsed_ms/1000 seconds, x 100 %, x 100. */
	unsigned __int128 den = (unsigned __int128)clock_ticks() * elapsed_ms;
	unsigned __int128 v = ((unsigned __int128)(cur_ticks - prev_ticks) * 10000000u + den / 2) / den;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static int set_add(struct proc_match_set *set, size_t *cap, pid_t pid)
{
	if (set->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		pid_t *np = realloc(set->pids, ncap * sizeof(*np));
		if (!np)
			return -1;
		set->pids = np;
		*cap = ncap;
	}
	set->pids[set->n++] = pid;
	return 0;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* "123" (with surrounding white space) -> 123; 0 if not a pid. */
static pid_t parse_pid(const char *s)
{
	char *end;
	long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || v <= 0 || v > INT32_MAX)
		return 0;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	return *end == '\0' ? (pid_t)v : 0;
}

/* A pidfile names one process; it is an instance if that pid is alive and not
 * us. A missing or garbled file means no instance, not an error. */
static int match_pidfile(const char *file, struct proc_match_set *set)
{
	char *buf = NULL, path[32];
	size_t cap = 0;
	pid_t pid = 0;

	if (slurp(AT_FDCWD, file, &buf, &cap, 64) >= 0)
		pid = parse_pid(buf);
	free(buf);
	if (pid <= 0 || pid == getpid())
		return 0;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (access(path, F_OK) < 0)
		return 0;
	size_t scap = 0;
	return set_add(set, &scap, pid);
}

/* An upgraded package replaces the binary under a running daemon; the kernel
 * then reports "<path> (deleted)", and that daemon is still the instance. */
static bool exe_matches(const char *rule, const char *exe)
{
	size_t n = strlen(rule);

	return strncmp(exe, rule, n) == 0 && (exe[n] == '\0' || strcmp(exe + n, " (deleted)") == 0);
}

static bool applies(const struct cfg_proc *p, bool watched_only)
{
	return !watched_only || p->kind == PK_WATCHED;
}

/* What the last scan saw of every process: identity (pid + start time), the
 * stat fields a sample needs, and the exe and command line the rules match.
 * A process already seen costs one read of its stat file per scan; its exe and
 * command line are read once, when it appears. Sorted by pid. */
struct seen {
	pid_t pid, ppid;
	char state;
	uint64_t start_ticks;
	uint64_t cpu_ticks;
	uint64_t rss_pages;
	char *exe;     /* NULL: not read (no rule needed it) */
	char *cmdline; /* NULL: not read; "" for kernel threads */
};
static struct seen *seen;
static size_t n_seen;

static void seen_free(struct seen *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].exe);
		free(v[i].cmdline);
	}
	free(v);
}

static struct seen *seen_find(struct seen *v, size_t n, pid_t pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].pid == pid ? &v[lo] : NULL;
}

static int seen_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct seen *)a)->pid, y = ((const struct seen *)b)->pid;

	return (x > y) - (x < y);
}

int mon_proc_peek(pid_t pid, struct proc_sample *s)
{
	struct seen *e = seen_find(seen, n_seen, pid);
	uint64_t rss_kb;

	if (!e || !e->cmdline)
		return mon_proc_read(pid, s);
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->ppid = e->ppid;
	s->state = e->state;
	s->start_ticks = e->start_ticks;
	s->start_time = boot_time() + (int64_t)(e->start_ticks / (uint64_t)clock_ticks());
	s->cpu_ticks = e->cpu_ticks;
	/* stat's resident set: the kernel's batched counter, close to VmRSS */
	rss_kb = e->rss_pages * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	s->rss_kb = rss_kb > UINT32_MAX ? UINT32_MAX : (uint32_t)rss_kb;
	if (e->exe)
		snprintf(s->exe, sizeof(s->exe), "%s", e->exe);
	if (!(s->cmdline = strdup(e->cmdline)))
		return -1;
	return 0;
}

/* The common body of mon_proc_match and mon_proc_match_all. */
static int match_defs(const struct cfg_proc *procs, size_t n, bool watched_only, struct proc_match_set *out)
{
	bool need_exe = false, need_cmdline = false;
	size_t *caps = NULL, cmdcap = 0, statcap = 0, nseen = 0, seencap = 0;
	char *cmd = NULL, *statbuf = NULL, exe[PATH_MAX + 16];
	struct seen *ns = NULL;
	DIR *dir = NULL;

	memset(out, 0, n * sizeof(*out));
	caps = calloc(n ? n : 1, sizeof(*caps));
	if (!caps)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const struct cfg_proc *p = &procs[i];
		if (!applies(p, watched_only))
			continue;
		if (!p->match || (p->match_kind == MATCH_CMDLINE && !p->re_compiled)) {
			errno = EINVAL;
			goto fail;
		}
		switch (p->match_kind) {
		case MATCH_PIDFILE:
			if (match_pidfile(p->match, &out[i]) < 0)
				goto fail;
			break;
		case MATCH_EXE:
			need_exe = true;
			break;
		case MATCH_CMDLINE:
			need_cmdline = true;
			break;
		default:
			errno = EINVAL;
			goto fail;
		}
	}
	if (!need_exe && !need_cmdline)
		goto done;

	dir = opendir("/proc");
	if (!dir)
		goto fail;
	int dfd = dirfd(dir);
	pid_t self = getpid();
	for (;;) {
		struct dirent *de;
		char rel[32];

		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno)
				goto fail;
			break;
		}
		pid_t pid = parse_pid(de->d_name);
		if (pid <= 0 || pid == self)
			continue;
		/* Identity first: a process seen before (same pid, same start
		 * time) keeps the exe and command line read when it appeared. */
		struct pf_stat st;
		snprintf(rel, sizeof(rel), "%d/stat", (int)pid);
		if (slurp(dfd, rel, &statbuf, &statcap, PROC_TEXT_MAX) < 0 || pf_parse_stat(statbuf, &st) < 0)
			continue; /* gone meanwhile */
		if (nseen == seencap) {
			size_t ncap = seencap ? seencap * 2 : 256;
			struct seen *nv = realloc(ns, ncap * sizeof(*nv));
			if (!nv)
				goto fail;
			ns = nv;
			seencap = ncap;
		}
		struct seen *e = &ns[nseen++];
		struct seen *old = seen_find(seen, n_seen, pid);
		memset(e, 0, sizeof(*e));
		e->pid = pid;
		e->ppid = st.ppid;
		e->state = st.state;
		e->start_ticks = st.start_ticks;
		e->cpu_ticks = st.utime + st.stime;
		e->rss_pages = st.rss_pages;
		if (old && old->start_ticks == st.start_ticks) { /* take over what was read */
			e->exe = old->exe;
			e->cmdline = old->cmdline;
			old->exe = old->cmdline = NULL;
		}
		if (need_exe && !e->exe) {
			snprintf(rel, sizeof(rel), "%d/exe", (int)pid);
			ssize_t len = readlinkat(dfd, rel, exe, sizeof(exe) - 1);
			exe[len > 0 ? len : 0] = '\0';
			if (!(e->exe = strdup(exe)))
				goto fail;
		}
		if (need_cmdline && !e->cmdline) {
			snprintf(rel, sizeof(rel), "%d/cmdline", (int)pid);
			ssize_t len = slurp(dfd, rel, &cmd, &cmdcap, CMDLINE_MAX);
			size_t clen = len > 0 ? pf_cmdline_join(cmd, (size_t)len, cmd, (size_t)len + 1) : 0;
			if (!(e->cmdline = strndup(len > 0 ? cmd : "", clen)))
				goto fail;
		}
		/* Kernel threads (and zombies) have an empty command line: a regex
		 * such as ".*" must never count them. */
		bool have_exe = e->exe && e->exe[0];
		bool have_cmd = e->cmdline && e->cmdline[0];
		if (!have_exe && !have_cmd)
			continue; /* a kernel thread, or not ours to see */
		for (size_t i = 0; i < n; i++) {
			const struct cfg_proc *p = &procs[i];
			bool hit = false;
			if (!applies(p, watched_only))
				continue;
			if (p->match_kind == MATCH_EXE)
				hit = have_exe && exe_matches(p->match, e->exe);
			else if (p->match_kind == MATCH_CMDLINE)
				hit = have_cmd && regexec(&p->match_re, e->cmdline, 0, NULL, 0) == 0;
			if (hit && set_add(&out[i], &caps[i], pid) < 0)
				goto fail;
		}
	}
	/* The scan is the new picture; what the old one still holds is gone. */
	if (nseen > 1)
		qsort(ns, nseen, sizeof(*ns), seen_cmp);
	seen_free(seen, n_seen);
	seen = ns;
	n_seen = nseen;
	ns = NULL;
done:
	for (size_t i = 0; i < n; i++)
		if (out[i].n > 1)
			qsort(out[i].pids, out[i].n, sizeof(pid_t), pid_cmp);
	if (dir)
		closedir(dir);
	free(cmd);
	free(statbuf);
	free(caps);
	return 0;
fail:;
	int saved = errno;
	if (dir)
		closedir(dir);
	free(cmd);
	free(statbuf);
	free(caps);
	seen_free(ns, nseen);
	for (size_t i = 0; i < n; i++) {
		free(out[i].pids);
		out[i].pids = NULL;
		out[i].n = 0;
	}
	errno = saved;
	return -1;
}

int mon_proc_match(const struct cfg_proc *p, pid_t **pids)
{
	struct proc_match_set set;

	*pids = NULL;
	if (match_defs(p, 1, false, &set) < 0)
		return -1;
	if (set.n > INT_MAX) {
		free(set.pids);
		errno = EOVERFLOW;
		return -1;
	}
	*pids = set.pids;
	return (int)set.n;
}

int mon_proc_match_all(const struct cfg_proc *procs, size_t n, struct proc_match_set *out)
{
	return match_defs(procs, n, true, out);
}
