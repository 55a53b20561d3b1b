/* Metrics to RRD files (see metrics.h): the files a poll touches, created on
 * first use with the layout rrd_plan.c gives, updated through rrdcached while
 * it answers and with librrd directly while it does not (or none is
 * configured). One warning per rrdcached outage, one notice when it is back. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <rrd.h>
#include <rrd_client.h>
#include "cluster.h"
#include "log.h"
#include "metrics.h"
#include "rrd_plan.h"
#include "statefile.h"
#include "strutil.h"

/* How long one exchange with rrdcached may hold the event loop. Creating a
 * file makes the daemon write all of it, hence the longer limit. */
#define DAEMON_UPDATE_MS 1000
#define DAEMON_CREATE_MS 5000
/* An unreachable rrdcached is tried again after 5 s, then 10, 20, 40, 60 s
 * between tries: a hung one costs a deadline per try. */
#define DAEMON_RETRY_MS 5000
#define DAEMON_RETRY_MAX_MS 60000
#define GUARD_REPEAT_US 100000 /* then the alarm repeats until the call gives up */
#define FILE_BUCKETS 1024
/* Creating a file writes all of it (1.7 MB for a resource polled every
 * second): a new node's files are created a few per poll, the first within
 * each poll and more only while this much time has not been spent. A file
 * not created yet misses that update. */
#define CREATE_BUDGET_MS 50

/* What is known of one file. */
struct mfile {
	struct mfile *next;
	int64_t last_t;  /* seconds of the last update sent; 0 = none yet */
	bool exists;     /* created, or found on disk */
	bool failing;    /* its last write failed (logged once) */
	char path[];
};

enum dstate { D_NONE = 0, D_UP, D_DOWN };

static struct {
	bool enabled;
	char *dir;
	char *daemon;            /* as configured; NULL = none */
	bool connected;          /* librrd's one rrdcached connection is ours */
	enum dstate state;
	int64_t retry_ms;        /* monotonic: next connection attempt while down */
	int64_t retry_wait_ms;   /* the wait before that one */
	int64_t down_since_ms;   /* monotonic */
	int64_t create_until_ms; /* monotonic: the end of this poll's creation budget; 0 = none spent */
	struct mfile *files[FILE_BUCKETS];
} M;

static volatile sig_atomic_t guard_fired;
static struct sigaction guard_saved;

static void on_alarm(int sig)
{
	(void)sig;
	guard_fired = 1;
}

/* librrd's client (one connection per process, rrdc_*) reads and writes a
 * blocking socket without a time limit. SIGALRM, handled without SA_RESTART
 * for the length of the call, cuts a call that takes too long short: the
 * system call fails with EINTR and the daemon counts as unreachable. The
 * alarm repeats so that a retry inside the library is cut short too. A call
 * the alarm cut short is a failure whatever it returned: librrd 1.7.2's
 * client can take a recv() error for the rest of an old answer, so the
 * connection is dropped (daemon_lost) before it is used again. The handler is ours only meanwhile: net-snmp
 * installs one of its own at start (its alarms run from the loop, not from
 * the signal, so it never arms the timer itself). */
static void guard_arm(unsigned ms)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct itimerval it = {
		.it_value = {.tv_sec = ms / 1000, .tv_usec = (suseconds_t)(ms % 1000) * 1000},
		.it_interval = {.tv_sec = 0, .tv_usec = GUARD_REPEAT_US},
	};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &guard_saved);
	guard_fired = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void guard_disarm(void)
{
	struct itimerval z = {{0, 0}, {0, 0}};

	setitimer(ITIMER_REAL, &z, NULL);
	sigaction(SIGALRM, &guard_saved, NULL);
}

static const char *rrd_err(void)
{
	const char *e = rrd_test_error() ? rrd_get_error() : NULL;

	return e && *e ? e : "unknown error";
}

/* ---- the files ---- */

static size_t bucket(const char *path)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % FILE_BUCKETS;
}

static struct mfile *file_get(const char *path)
{
	size_t b = bucket(path), len = strlen(path);
	struct mfile *f;

	for (f = M.files[b]; f; f = f->next)
		if (strcmp(f->path, path) == 0)
			return f;
	if (!(f = calloc(1, sizeof *f + len + 1)))
		return NULL;
	memcpy(f->path, path, len + 1);
	f->next = M.files[b];
	M.files[b] = f;
	return f;
}

static void files_free(void)
{
	for (size_t b = 0; b < FILE_BUCKETS; b++) {
		struct mfile *f = M.files[b], *n;
		for (; f; f = n) {
			n = f->next;
			free(f);
		}
		M.files[b] = NULL;
	}
}

/* ---- rrdcached ---- */

static void daemon_close(void)
{
	if (M.connected)
		rrdc_disconnect();
	M.connected = false;
}

static void daemon_lost(const char *why, int64_t now_ms)
{
	daemon_close();
	if (M.state != D_DOWN) {
		log_warn("metrics: rrdcached at %s unreachable (%s); writing the RRD files directly until it is back",
			 M.daemon, why);
		M.down_since_ms = now_ms;
		M.retry_wait_ms = DAEMON_RETRY_MS;
	} else if ((M.retry_wait_ms *= 2) > DAEMON_RETRY_MAX_MS) {
		M.retry_wait_ms = DAEMON_RETRY_MAX_MS;
	}
	M.state = D_DOWN;
	M.retry_ms = now_ms + M.retry_wait_ms;
}

/* Connected to rrdcached (connecting when due), or not: none configured, or
 * down and not to be tried again before retry_ms. */
static bool daemon_ready(int64_t now_ms)
{
	rrdc_stats_t *stats = NULL;
	char why[256];
	bool ok;

	if (!M.daemon)
		return false;
	if (M.connected && rrdc_is_connected(M.daemon))
		return true;
	if (M.state == D_DOWN && now_ms < M.retry_ms)
		return false;
	daemon_close();
	rrd_clear_error();
	/* A hung daemon still accepts connections (the kernel queues them):
	 * only an answer shows it is there. librrd exports no PING; STATS is
	 * the smallest request with an answer. */
	guard_arm(DAEMON_UPDATE_MS);
	ok = rrdc_connect(M.daemon) == 0 && rrdc_is_connected(M.daemon) && rrdc_stats_get(&stats) == 0;
	guard_disarm();
	ok = ok && !guard_fired;
	rrdc_stats_free(stats);
	if (!ok)
		rrdc_disconnect();
	if (!ok) {
		str_copy(why, guard_fired ? "no answer within 1 s" : rrd_err(), sizeof why);
		daemon_lost(why, now_ms);
		return false;
	}
	if (M.state == D_DOWN)
		log_notice("metrics: rrdcached at %s reachable again after %lld s; updates go through it", M.daemon,
			   (long long)((now_ms - M.down_since_ms + 500) / 1000));
	else
		log_notice("metrics: updates go through rrdcached at %s", M.daemon);
	M.state = D_UP;
	M.connected = true;
	return true;
}

/* After a failed call: the daemon is gone (the client closed the connection,
 * or the call was cut short), or it answered an error about this file. */
static bool daemon_failed(int64_t now_ms)
{
	if (M.connected && rrdc_is_connected(M.daemon) && !guard_fired)
		return false;
	daemon_lost(guard_fired ? "no answer in time" : rrd_err(), now_ms);
	return true;
}

/* ---- one file ---- */

static void file_error(struct mfile *f, const char *what, const char *why)
{
	if (!f->failing)
		log_err("metrics: %s: cannot %s: %s", f->path, what, why);
	f->failing = true;
}

static void file_ok(struct mfile *f)
{
	if (f->failing)
		log_notice("metrics: %s: written again", f->path);
	f->failing = false;
}

/* A file removed behind the manager's back is created again at the next poll. */
static void file_gone(struct mfile *f)
{
	struct stat st;

	if (stat(f->path, &st) != 0)
		f->exists = false;
}

/* Create f (and its node's directory) unless it is there. 0, or -1 (failed,
 * or left to the next poll: this one's creation budget is spent). */
static int file_create(struct mfile *f, const char *node, enum rrdp_kind kind, uint32_t interval_ms, int64_t t,
		       int64_t now_ms)
{
	char dir[4096];
	struct rrdp_plan plan;
	const char *argv[RRDP_ARGS_MAX];
	struct stat st;
	int rc;

	if (stat(f->path, &st) == 0) {
		f->exists = true;
		return 0;
	}
	if (M.create_until_ms && mgr_mono_ms() >= M.create_until_ms)
		return -1;
	if (!M.create_until_ms)
		M.create_until_ms = mgr_mono_ms() + CREATE_BUDGET_MS;
	if (rrdp_node_dir(dir, sizeof dir, M.dir, node) < 0 || state_mkdir(dir) < 0) {
		file_error(f, "create its directory", strerror(errno));
		return -1;
	}
	rrdp_plan(interval_ms, kind, &plan);
	for (size_t i = 0; i < plan.n_args; i++)
		argv[i] = plan.args[i];
	rrd_clear_error();
	if (daemon_ready(now_ms)) {
		/* through the daemon, which then knows the file from the start */
		guard_arm(DAEMON_CREATE_MS);
		rc = rrdc_create(f->path, plan.step, (time_t)(t - 1), 1, (int)plan.n_args, argv);
		guard_disarm();
		if (rc == 0 && !guard_fired) {
			chmod(f->path, 0600); /* the daemon's umask is not ours */
			f->exists = true;
			return 0;
		}
		if (!daemon_failed(now_ms)) {
			file_error(f, "create it through rrdcached", rrd_err());
			return -1;
		}
		rrd_clear_error();
	}
	/* no_overwrite: a file that appeared meanwhile is kept */
	if (rrd_create_r2(f->path, plan.step, (time_t)(t - 1), 1, NULL, NULL, (int)plan.n_args, argv) != 0 &&
	    stat(f->path, &st) != 0) {
		file_error(f, "create it", rrd_err());
		return -1;
	}
	/* librrd makes its files 0644 whatever the umask says */
	chmod(f->path, 0600);
	f->exists = true;
	return 0;
}

static void file_update(const char *node, enum rrdp_kind kind, const char *name, uint32_t interval_ms, int64_t t,
			const char *value, int64_t now_ms)
{
	char path[4096];
	const char *argv[1] = {value};
	struct mfile *f;
	int rc;

	if (rrdp_path(path, sizeof path, M.dir, node, kind, name) < 0) {
		log_debug("metrics: node %s, %s: no file name (%s)", node, name, strerror(errno));
		return;
	}
	if (!(f = file_get(path)))
		return;
	/* RRD takes one update per second and file; a faster poll waits */
	if (f->last_t >= t)
		return;
	if (!f->exists && file_create(f, node, kind, interval_ms, t, now_ms) < 0)
		return;
	f->last_t = t;
	rrd_clear_error();
	if (daemon_ready(now_ms)) {
		guard_arm(DAEMON_UPDATE_MS);
		rc = rrdc_update(f->path, 1, argv);
		guard_disarm();
		if (rc == 0 && !guard_fired) {
			file_ok(f);
			return;
		}
		if (!daemon_failed(now_ms)) {
			file_error(f, "update it through rrdcached", rrd_err());
			file_gone(f);
			return;
		}
		rrd_clear_error();
	}
	if (rrd_update_r(f->path, NULL, 1, argv) != 0) {
		file_error(f, "update it", rrd_err());
		file_gone(f);
		return;
	}
	file_ok(f);
}

/* ---- the interface ---- */

void metrics_poll(const char *node, uint32_t interval_ms, int64_t wall_ms, const struct store_proc *procs,
		  size_t n_procs, const struct store_res *res, size_t n_res)
{
	int64_t t = wall_ms / 1000, now = mgr_mono_ms();
	char v[128];

	if (!M.enabled)
		return;
	M.create_until_ms = 0;
	for (size_t i = 0; i < n_res; i++) {
		if (res[i].type == 0) { /* an interface: its traffic */
			if (rrdp_update_nic(v, sizeof v, t, res[i].rx_bytes, res[i].tx_bytes) == 0)
				file_update(node, RRDP_NIC, res[i].name, interval_ms, t, v, now);
		} else if (rrdp_update_res(v, sizeof v, t, res[i].value) == 0) {
			file_update(node, RRDP_RES, res[i].name, interval_ms, t, v, now);
		}
	}
	for (size_t i = 0; i < n_procs; i++)
		if (rrdp_update_proc(v, sizeof v, t, procs[i].cpu, procs[i].rss_kb) == 0)
			file_update(node, RRDP_PROC, procs[i].name, interval_ms, t, v, now);
}

static bool same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

int metrics_configure(const struct cfg_rrd *rrd)
{
	char *dir = NULL, *daemon = NULL;

	if (M.dir && rrd->enabled == M.enabled && same(rrd->dir, M.dir) && same(rrd->daemon, M.daemon))
		return 0;
	if (!(dir = strdup(rrd->dir)) || (rrd->daemon && !(daemon = strdup(rrd->daemon)))) {
		free(dir);
		metrics_free();
		log_err("metrics: off: %s", strerror(ENOMEM));
		return -1;
	}
	metrics_free();
	M.enabled = rrd->enabled;
	M.dir = dir;
	M.daemon = daemon;
	if (!M.enabled) {
		log_notice("metrics: off (manager.rrd.enabled is false)");
		return 0;
	}
	if (M.daemon) {
		log_notice("metrics: RRD files in %s, through rrdcached at %s", M.dir, M.daemon);
	} else {
		log_notice("metrics: RRD files in %s, written directly (no rrdcached configured)", M.dir);
	}
	return 0;
}

void metrics_free(void)
{
	daemon_close();
	files_free();
	free(M.dir);
	free(M.daemon);
	memset(&M, 0, sizeof M);
}
