/* shugo-trapd: receives SNMP traps and informs from Shugo agents and any other
 * device, acknowledges informs once they are durable, drops duplicates, writes
 * the central log in group commits and wakes the manager. Start-up, reload,
 * the event loop (sockets, one timerfd, one signalfd) and the counters. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "log.h"
#include "recv.h"
#include "statefile.h"
#include "store.h"
#include "strutil.h"

#ifndef SHUGO_SYSCONFDIR
#define SHUGO_SYSCONFDIR "/etc/shugo"
#endif

#define TICK_MS 1000 /* counters to the store, storm summaries */

enum ev_kind { EV_LISTENER = 1, EV_TIMER, EV_SIGNAL };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: shugo-trapd [-f] [-n] [-d] [-c FILE] [-N NODE]\n"
		"  -c FILE  configuration (default " SHUGO_SYSCONFDIR "/shugo.yaml)\n"
		"  -N NODE  node name in the cluster definition (default: host name)\n"
		"  -n       check the configuration and exit: prints file:line: problem\n"
		"  -f       stay in the foreground, log to stderr\n"
		"  -d       debug logging\n"
		"  -V       print the version\n");
}

static void hex(const uint8_t *b, size_t n, char *out, size_t size)
{
	size_t k = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && k + 3 <= size; i++)
		k += (size_t)snprintf(out + k, size - k, "%02x", b[i]);
}

/* What of the configuration trapd checks beyond the parser: the listen
 * transports must be ones it can open. "file:line: problem" into err. */
static int check_trapd(const struct shugo_config *cfg, char *err, size_t errlen)
{
	const struct cfg_trapd *tc = &cfg->trapd;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (tc->n_listen == 0) {
		snprintf(err, errlen, "%s:%d: trapd.listen: no address to listen on", cfg->file, tc->line);
		return -1;
	}
	for (size_t i = 0; i < tc->n_listen; i++) {
		const char *why = recv_parse_transport(tc->listen[i], &ss, &sl);
		if (why) {
			snprintf(err, errlen, "%s:%d: trapd.listen '%s': %s", cfg->file, tc->line, tc->listen[i], why);
			return -1;
		}
	}
	return 0;
}

/* The snmp.users trapd accepts: trapd.users when given, else all of them. */
static int pick_users(const struct shugo_config *cfg, struct cfg_user **out, size_t *n, char *err,
		      size_t errlen)
{
	const struct cfg_trapd *tc = &cfg->trapd;
	struct cfg_user *u = calloc(cfg->n_users ? cfg->n_users : 1, sizeof *u);

	*n = 0;
	if (!u) {
		snprintf(err, errlen, "memory: %s", strerror(errno));
		return -1;
	}
	if (!tc->users_set) {
		if (cfg->n_users > 0)
			memcpy(u, cfg->users, cfg->n_users * sizeof *u);
		*n = cfg->n_users;
	} else {
		for (size_t i = 0; i < tc->n_users; i++) {
			const struct cfg_user *f = cfg_find_user(cfg, tc->users[i]);
			if (!f) {
				snprintf(err, errlen, "%s:%d: trapd.users: '%s' is not defined in snmp.users", cfg->file,
					 tc->line, tc->users[i]);
				free(u);
				return -1;
			}
			u[(*n)++] = *f;
		}
	}
	*out = u;
	return 0;
}

/* ---- trapd.mib_names: foreign traps named from net-snmp's MIB tree ---- */

static bool mib_loaded;

static void mib_name(const struct trap_oid *o, char *buf, size_t size)
{
	oid name[TRAP_OID_MAX];
	char out[512];
	const char *s;

	buf[0] = '\0';
	for (size_t i = 0; i < o->len && i < TRAP_OID_MAX; i++)
		name[i] = o->arc[i];
	if (o->len == 0 || snprint_objid(out, sizeof out, name, o->len) <= 0)
		return;
	s = strstr(out, "::") ? strstr(out, "::") + 2 : out;
	/* a name only when the MIBs know the OID itself, not just a parent
	 * ("enterprises.9.9.41" is no name) */
	if (!isalpha((unsigned char)s[0]) || strchr(s, '.'))
		return;
	str_copy(buf, s, size);
}

/* What net-snmp's MIB parser says (about every broken or incomplete module
 * in the MIB directories: common, and no concern of trapd's) goes to the
 * debug log, not to stderr, which is net-snmp's default. */
static int netsnmp_log_cb(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	size_t n;

	(void)major;
	(void)minor;
	(void)client;
	if (m && m->msg && (n = strlen(m->msg)) > 0)
		log_debug("net-snmp: %.*s", (int)(m->msg[n - 1] == '\n' ? n - 1 : n), m->msg);
	return 0;
}

static void mib_load(void)
{
	if (mib_loaded)
		return;
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, netsnmp_log_cb, NULL);
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
	/* the descriptor alone ("linkDown"), as type_name is meant to hold */
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT, NETSNMP_OID_OUTPUT_SUFFIX);
	/* Every MIB in the search path (MIBDIRS, or net-snmp's default), read
	 * by read_all_mibs; not net-snmp's default module list on top, whose
	 * absent modules would each be complained about. */
	const char *mibs = getenv("MIBS");
	char *saved = mibs ? strdup(mibs) : NULL;
	setenv("MIBS", "", 1);
	netsnmp_init_mib();
	if (saved) {
		setenv("MIBS", saved, 1);
		free(saved);
	} else {
		unsetenv("MIBS");
	}
	read_all_mibs();
	mib_loaded = true;
	log_info("trapd.mib_names: MIBs loaded for naming foreign traps");
}

/* ---- configuration applied at start and on reload ---- */

static void apply_conf(struct trapd *td)
{
	const struct cfg_trapd *tc = &td->cfg->trapd;
	struct writer_conf wc = {.batch = tc->batch ? tc->batch : 1, .delay_ms = tc->batch_delay_ms};

	td->rl.rate = tc->rate;
	td->rl.burst = tc->burst ? tc->burst : tc->rate * 2;
	td->summary_ms = tc->summary_ms ? tc->summary_ms : 10000;
	if (td->w)
		writer_configure(td->w, &wc);
	if (tc->mib_names)
		mib_load();
	td->mib_name = tc->mib_names ? mib_name : NULL;
}

static bool same_strv(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static bool same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* SIGHUP: communities, users, rate limits, batching and mib_names from the
 * file, all or nothing; on any error trapd goes on with what it had. */
static void reload(struct trapd *td, const char *path, const char *node)
{
	char err[512];
	struct shugo_config *cfg = cfg_load(path, node, err, sizeof err);
	struct cfg_user *users = NULL;
	size_t n_users = 0;
	struct usm *usm = NULL;

	if (!cfg)
		goto fail;
	if (check_trapd(cfg, err, sizeof err) < 0 || pick_users(cfg, &users, &n_users, err, sizeof err) < 0)
		goto fail;
	if (!(usm = usm_new(users, n_users, td->engine_id, td->engine_id_len, td->boots, td->start_s))) {
		snprintf(err, sizeof err, "SNMPv3 users: %s", strerror(errno));
		goto fail;
	}
	const struct shugo_config *old = td->cfg;
	if (!same_strv(old->trapd.listen, old->trapd.n_listen, cfg->trapd.listen, cfg->trapd.n_listen) ||
	    old->trapd.rcvbuf != cfg->trapd.rcvbuf || !same_str(old->manager.store, cfg->manager.store) ||
	    !same_str(old->manager.event_socket, cfg->manager.event_socket) ||
	    !same_str(old->state_dir, cfg->state_dir) || old->trapd.engine_id_len != cfg->trapd.engine_id_len ||
	    memcmp(old->trapd.engine_id, cfg->trapd.engine_id, cfg->trapd.engine_id_len) != 0)
		log_warn("reload: trapd.listen, trapd.rcvbuf, trapd.engine_id, manager.store, manager.event_socket "
			 "and state_dir take effect at the next start");
	usm_free(td->usm);
	td->usm = usm;
	free(td->users);
	td->users = users;
	td->n_users = n_users;
	cfg_free(td->cfg);
	td->cfg = cfg;
	apply_conf(td);
	log_notice("configuration reloaded from %s (%zu communities, %zu SNMPv3 users, rate %" PRIu32 "/s burst %" PRIu32
		   ")",
		   path, cfg->trapd.n_communities, n_users, td->rl.rate, td->rl.burst);
	return;
fail:
	log_err("reload rejected, configuration unchanged: %s", err);
	free(users);
	cfg_free(cfg);
}


/* The timerfd fires at the earliest deadline (next commit, next tick);
 * re-armed only when that changes. */
static void arm(int tfd, int64_t at_ms, int64_t *armed)
{
	struct itimerspec its = {0};

	if (at_ms == *armed)
		return;
	if (at_ms <= 0)
		at_ms = 1;
	its.it_value.tv_sec = at_ms / 1000;
	its.it_value.tv_nsec = (at_ms % 1000) * 1000000;
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		*armed = at_ms;
}

static int watch(int ep, int fd, enum ev_kind kind, uint32_t idx)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = ((uint64_t)kind << 32) | idx};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Returns true to stop. */
static bool on_signals(int sfd, struct trapd *td, const char *path, const char *node)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP)
			reload(td, path, node);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			stop = true;
	}
	return stop;
}

static int run(struct trapd *td, int ep, int tfd, int sfd, const char *path, const char *node)
{
	struct epoll_event evs[16];
	int64_t armed = -1, next_tick = trapd_mono_ms() + TICK_MS;

	for (;;) {
		int n = epoll_wait(ep, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			uint32_t idx = (uint32_t)evs[i].data.u64;
			uint64_t ticks;
			switch ((enum ev_kind)(evs[i].data.u64 >> 32)) {
			case EV_LISTENER:
				recv_ready(td, idx);
				break;
			case EV_TIMER:
				if (read(tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
					log_debug("timerfd: %s", strerror(errno));
				armed = -1;
				break;
			case EV_SIGNAL:
				if (on_signals(sfd, td, path, node))
					return 0;
				break;
			}
		}
		int64_t now = trapd_mono_ms();
		if (now >= next_tick) {
			int64_t wall = trapd_wall_ms();
			recv_summaries(td, now, wall);
			writer_put_counters(td->w, &td->c, wall);
			next_tick += TICK_MS;
			if (next_tick <= now) /* fell behind: do not burst */
				next_tick = now + TICK_MS;
		}
		int64_t due = writer_run(td->w, now);
		arm(tfd, due < next_tick ? due : next_tick, &armed);
	}
}

int main(int argc, char **argv)
{
	const char *path = SHUGO_SYSCONFDIR "/shugo.yaml", *node = NULL;
	bool check_only = false, debug = false, foreground = false;
	struct trapd td = {0};
	struct store *st = NULL;
	char err[512], dir[1024], idhex[80];
	int c, ep = -1, tfd = -1, sfd = -1, rc = 1;
	uint64_t seed[2] = {0, 0};

	while ((c = getopt(argc, argv, "c:N:nfdVh")) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'N': node = optarg; break;
		case 'n': check_only = true; break;
		case 'f': foreground = true; break;
		case 'd': debug = true; break;
		case 'V': printf("shugo-trapd %s\n", SHUGO_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!(td.cfg = cfg_load(path, node, err, sizeof err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check_trapd(td.cfg, err, sizeof err) < 0 || pick_users(td.cfg, &td.users, &td.n_users, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	/* the configuration's, or one it derived from the node name */
	memcpy(td.engine_id, td.cfg->trapd.engine_id, td.cfg->trapd.engine_id_len);
	td.engine_id_len = td.cfg->trapd.engine_id_len;
	hex(td.engine_id, td.engine_id_len, idhex, sizeof idhex);
	if (check_only) {
		printf("%s: ok (trapd on node %s: %zu listen addresses, %zu communities, %zu SNMPv3 users, "
		       "engine ID 0x%s)\n",
		       path, td.cfg->node_name, td.cfg->trapd.n_listen, td.cfg->trapd.n_communities, td.n_users,
		       idhex);
		rc = 0;
		goto out;
	}

	/* Start-up problems go to the terminal; syslog takes over once
	 * daemonised. */
	log_init("shugo-trapd", true, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	umask(077);
	signal(SIGPIPE, SIG_IGN);

	/* snmpEngineBoots: a file of its own, apart from an agent's boot count
	 * in the same state directory */
	snprintf(dir, sizeof dir, "%s/trapd", td.cfg->state_dir);
	if (state_mkdir(dir) < 0 || (td.boots = state_bump_boot(dir)) == 0) {
		log_err("state directory %s: %s", dir, strerror(errno));
		goto out;
	}
	td.start_s = trapd_mono_ms() / 1000;

	/* the store's directory (the default lives under the state dir) */
	str_copy(dir, td.cfg->manager.store, sizeof dir);
	if (state_mkdir(dirname(dir)) < 0) {
		log_err("store directory %s: %s", dir, strerror(errno));
		goto out;
	}
	/* Opened (created, migrated) here so that a problem is seen on the
	 * terminal; when daemonising, closed again and reopened by the child:
	 * an SQLite connection must not cross a fork (its file locks do not). */
	if (!(st = store_open(td.cfg->manager.store, STORE_RW, err, sizeof err))) {
		log_err("store: %s", err);
		goto out;
	}
	if (!(td.usm = usm_new(td.users, td.n_users, td.engine_id, td.engine_id_len, td.boots, td.start_s))) {
		log_err("SNMPv3 users: %s", strerror(errno));
		goto out;
	}
	if (getrandom(seed, sizeof seed, 0) != (ssize_t)sizeof seed)
		seed[0] = (uint64_t)trapd_wall_ms() ^ ((uint64_t)getpid() << 32), seed[1] = ~seed[0];
	apply_conf(&td);
	if (!(td.src = src_table_new(0, seed[0])) || !(td.nodes = node_table_new(0, seed[1]))) {
		log_err("start-up: %s", strerror(errno));
		goto out;
	}
	if (recv_open(&td, err, sizeof err) < 0) {
		log_err("%s", err);
		goto out;
	}

	if (!foreground) {
		store_close(st);
		st = NULL;
		if (daemon(0, 0) < 0) {
			log_err("daemon: %s", strerror(errno));
			goto out;
		}
		log_init("shugo-trapd", false, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
		if (!(st = store_open(td.cfg->manager.store, STORE_RW, err, sizeof err))) {
			log_err("store: %s", err);
			goto out;
		}
	}

	/* From here on in the process that stays: a signalfd watched by an
	 * epoll set made before a fork would not wake the child. Blocked
	 * before the writer's thread starts, which inherits the mask: only the
	 * signalfd sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || (sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) < 0 || watch(ep, sfd, EV_SIGNAL, 0) < 0 ||
	    watch(ep, tfd, EV_TIMER, 0) < 0) {
		log_err("event loop: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < td.n_ls; i++) {
		if (watch(ep, td.ls[i].fd, EV_LISTENER, (uint32_t)i) < 0) {
			log_err("event loop: %s", strerror(errno));
			goto out;
		}
	}
	/* a thread does not survive a fork either */
	struct writer_conf wc = {.batch = td.cfg->trapd.batch, .delay_ms = td.cfg->trapd.batch_delay_ms};
	if (!(td.w = writer_new(st, td.cfg->manager.event_socket, &wc))) {
		log_err("store writer: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < td.n_ls; i++)
		log_info("listening on %s", td.ls[i].transport);
	log_notice("shugo-trapd %s started as node %s: store %s, SNMPv3 engine ID 0x%s (boots %" PRIu32 ")",
		   SHUGO_VERSION, td.cfg->node_name, td.cfg->manager.store, idhex, td.boots);

	rc = run(&td, ep, tfd, sfd, path, node) < 0 ? 1 : 0;

	/* Whatever waits is committed (and acknowledged) now; what the store
	 * will not take was never acknowledged, so its senders re-send. */
	size_t lost = writer_close(td.w);
	if (lost > 0)
		log_err("shutting down with %zu records not stored (never acknowledged)", lost);
	struct trapd_counters all;
	uint64_t vals[TRAPD_N_COUNTERS];
	writer_counters(td.w, &td.c, &all);
	trapd_counters_values(&all, vals);
	if (store_counters_put(st, "trapd", trapd_counter_names, vals, TRAPD_N_COUNTERS, trapd_wall_ms()) < 0)
		log_warn("counters: %s", store_errmsg(st));
	log_notice("stopped: %" PRIu64 " received, %" PRIu64 " stored, %" PRIu64 " duplicates, %" PRIu64
		   " rate-limited, %" PRIu64 " malformed, %" PRIu64 " auth failures, %" PRIu64 " kernel drops",
		   all.received, all.stored, all.duplicates, all.rate_limited, all.malformed, all.auth_failures,
		   all.kernel_drops);
out:
	if (ep >= 0)
		close(ep);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	writer_free(td.w); /* before the sockets its acknowledgements go out on */
	recv_close(&td);
	src_table_free(td.src);
	node_table_free(td.nodes);
	usm_free(td.usm);
	store_close(st);
	if (mib_loaded)
		shutdown_mib();
	free(td.users);
	cfg_free(td.cfg);
	return rc;
}
