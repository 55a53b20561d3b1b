/* shugo-manager: polls every agent, judges node liveness, keeps the global
 * store and the central log, and serves the cluster view (SHUGO-MANAGER-MIB)
 * as an AgentX subagent of the local snmpd. One event loop: net-snmp's
 * sessions (the polls and AgentX), trapd's wake-ups and the signals. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>
#include <net-snmp/library/large_fd_set.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "cluster.h"
#include "agentreq.h"
#include "deliver.h"
#include "execd.h"
#include "log.h"
#include "metrics.h"
#include "mib/register.h"
#include "model.h"
#include "poller.h"
#include "router.h"
#include "snmpsess.h"
#include "statefile.h"
#include "store.h"
#include "strutil.h"
#include "watch.h"

#ifndef SHUGO_SYSCONFDIR
#define SHUGO_SYSCONFDIR "/etc/shugo"
#endif

#define TICK_MS 1000

static struct mgr_model the_model;
static struct shugo_config *cfg;
static const char *cfg_path = SHUGO_SYSCONFDIR "/shugo.yaml";
static const char *node_override;
static int sigfd = -1, evfd = -1;
static char ev_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void usage(FILE *f)
{
	fprintf(f,
		"usage: shugo-manager [-f] [-n] [-d] [-c FILE] [-N NODE]\n"
		"  -c FILE  configuration (default " SHUGO_SYSCONFDIR "/shugo.yaml)\n"
		"  -N NODE  node name in the cluster definition (default: host name)\n"
		"  -n       check the configuration and exit: prints file:line: problem\n"
		"  -f       stay in the foreground, log to stderr\n"
		"  -d       debug logging\n"
		"  -V       print the version\n");
}

/* trapd's wake-ups: a unix datagram socket only this user can write to. A
 * socket left by a manager that died is replaced; one that a running manager
 * still reads is not taken over. */
static int event_open(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof a.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(a.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("event socket %s: exists and is not a socket", path);
			close(fd);
			errno = EEXIST;
			return -1;
		}
		if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
			log_err("event socket %s: another manager is reading it", path);
			close(fd);
			errno = EADDRINUSE;
			return -1;
		}
		/* connect on a datagram socket that failed leaves it unconnected */
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || chmod(path, 0600) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	str_copy(ev_path, path, sizeof ev_path);
	return fd;
}

static void event_read(void)
{
	char buf[8192];
	ssize_t n;

	while ((n = recv(evfd, buf, sizeof buf, 0)) > 0)
		cluster_wake(buf, (size_t)n, mgr_mono_ms());
}

static bool same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* SIGHUP: the nodes and every poll setting from the file, all or nothing. */
static void reload(void)
{
	char err[512];
	struct shugo_config *n = cfg_load(cfg_path, node_override, err, sizeof err);

	if (!n) {
		log_err("reload rejected, configuration unchanged: %s", err);
		return;
	}
	if (!same_str(cfg->manager.store, n->manager.store) ||
	    !same_str(cfg->manager.event_socket, n->manager.event_socket) ||
	    !same_str(cfg->manager.agentx_socket, n->manager.agentx_socket) ||
	    cfg->manager.log_ring != n->manager.log_ring || strcmp(cfg->node_name, n->node_name))
		log_warn("reload: manager.store, manager.event_socket, manager.agentx_socket, manager.log_ring and the "
			 "node name take effect at the next start");
	if (cluster_reload(n, mgr_mono_ms()) < 0) {
		log_err("reload failed (%s), configuration unchanged", strerror(errno));
		cfg_free(n);
		return;
	}
	metrics_configure(&n->manager.rrd);
	router_reload(n, mgr_mono_ms());
	execd_reload(n);
	router_release(cfg); /* freed once no delivery uses it */
	cfg = n;
	log_notice("configuration reloaded from %s: %zu nodes, %zu routes", cfg_path, cfg->n_nodes,
		   cfg->routing.n_routes);
}

/* true when the manager should stop */
static bool on_signals(void)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload();
			break;
		case SIGTERM:
		case SIGINT:
			stop = true;
			break;
		}
	}
	return stop;
}

static int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void add_fd(netsnmp_large_fd_set *fds, int fd, int *nfds)
{
	NETSNMP_LARGE_FD_SET(fd, fds);
	if (fd >= *nfds)
		*nfds = fd + 1;
}

/* The loop: polls as they fall due, a tick every second, net-snmp's sockets
 * and timers (the polls' and AgentX's), trapd's wake-ups and the signals. */
static int run(void)
{
	netsnmp_large_fd_set fds, wfds;
	int64_t next_tick = mgr_mono_ms();
	int rc = 0;

	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	netsnmp_large_fd_set_init(&wfds, FD_SETSIZE);
	for (;;) {
		int64_t now = mgr_mono_ms(), due;
		struct timeval tv;
		int nfds = 0, block = 0, count;

		if (now >= next_tick) {
			cluster_tick(now);
			router_tick(now);
			execd_tick(now);
			next_tick += TICK_MS;
			if (next_tick <= now) /* fell behind: no burst */
				next_tick = now + TICK_MS;
		}
		due = poller_run(now);
		if (next_tick < due)
			due = next_tick;
		{
			int64_t a = areq_run(now); /* remote execution's SETs */
			if (a < due)
				due = a;
		}
		due = due > now ? due - now : 0;
		tv.tv_sec = (time_t)(due / 1000);
		tv.tv_usec = (suseconds_t)(due % 1000) * 1000;
		NETSNMP_LARGE_FD_ZERO(&fds);
		NETSNMP_LARGE_FD_ZERO(&wfds);
		/* net-snmp shortens tv for its own timeouts and alarms */
		snmp_select_info2(&nfds, &fds, &tv, &block);
		add_fd(&fds, sigfd, &nfds);
		if (evfd >= 0)
			add_fd(&fds, evfd, &nfds);
		watch_fill(&fds, &wfds, &nfds); /* routing's programs and sockets */
		count = netsnmp_large_fd_set_select(nfds, &fds, &wfds, NULL, &tv);
		if (count < 0 && errno != EINTR) {
			log_err("select: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (count > 0) {
			if (NETSNMP_LARGE_FD_ISSET(sigfd, &fds)) {
				NETSNMP_LARGE_FD_CLR(sigfd, &fds);
				if (on_signals())
					break;
			}
			if (evfd >= 0 && NETSNMP_LARGE_FD_ISSET(evfd, &fds)) {
				NETSNMP_LARGE_FD_CLR(evfd, &fds);
				event_read();
			}
			watch_dispatch(&fds, &wfds);
			snmp_read2(&fds);
		}
		/* timeouts even while other fds keep select busy */
		snmp_timeout();
		run_alarms();
		netsnmp_check_outstanding_agent_requests();
	}
	netsnmp_large_fd_set_cleanup(&fds);
	netsnmp_large_fd_set_cleanup(&wfds);
	return rc;
}

static int agentx_up(int major, int minor, void *server, void *client)
{
	(void)major;
	(void)server;
	(void)client;
	if (minor == SNMPD_CALLBACK_INDEX_START)
		log_notice("agentx: connected to snmpd");
	else if (minor == SNMPD_CALLBACK_INDEX_STOP)
		log_warn("agentx: lost snmpd; polling goes on, SHUGO-MANAGER-MIB waits for it");
	return 0;
}


/* net-snmp's persistent state (engine ID, boots) next to the store. */
static int persist_dir(const char *store, char *out, size_t size)
{
	char *copy = strdup(store);
	int n;

	if (!copy)
		return -1;
	n = snprintf(out, size, "%s/manager-snmp", dirname(copy));
	free(copy);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return state_mkdir(out);
}

int main(int argc, char **argv)
{
	bool check_only = false, debug = false, foreground = false;
	struct store *st = NULL;
	char err[512], persist[4096];
	int c, rc = 1;

	while ((c = getopt(argc, argv, "c:N:nfdVh")) != -1) {
		switch (c) {
		case 'c': cfg_path = optarg; break;
		case 'N': node_override = optarg; break;
		case 'n': check_only = true; break;
		case 'f': foreground = true; break;
		case 'd': debug = true; break;
		case 'V': printf("shugo-manager %s\n", SHUGO_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!(cfg = cfg_load(cfg_path, node_override, err, sizeof err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check_only) {
		printf("%s: ok (node %s: manager of %zu nodes, store %s)\n", cfg_path, cfg->node_name, cfg->n_nodes,
		       cfg->manager.store);
		cfg_free(cfg);
		return 0;
	}
	log_init("shugo-manager", foreground, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	umask(077);

	/* The store is opened once before detaching so that a bad path is told
	 * on the terminal, and again after: SQLite's locks do not survive fork. */
	if (!(st = store_open(cfg->manager.store, STORE_RW, err, sizeof err))) {
		log_err("store: %s", err);
		goto out;
	}
	if (!foreground) {
		store_close(st);
		st = NULL;
		if (daemon(0, 0) < 0) {
			log_err("daemon: %s", strerror(errno));
			goto out;
		}
		if (!(st = store_open(cfg->manager.store, STORE_RW, err, sizeof err))) {
			log_err("store: %s", err);
			goto out;
		}
	}
	if ((sigfd = signals_open()) < 0) {
		log_err("signals: %s", strerror(errno));
		goto out;
	}
	mgr_model = &the_model;
	if (cluster_init(&the_model, st, cfg, mgr_mono_ms()) < 0) {
		log_err("cannot load the cluster state from %s", cfg->manager.store);
		goto out;
	}
	metrics_configure(&cfg->manager.rrd);
	if ((evfd = event_open(cfg->manager.event_socket)) < 0) {
		log_err("event socket %s: %s", cfg->manager.event_socket, strerror(errno));
		goto out;
	}
	if (persist_dir(cfg->manager.store, persist, sizeof persist) < 0) {
		log_err("net-snmp state directory next to %s: %s", cfg->manager.store, strerror(errno));
		goto out;
	}

	/* net-snmp: an AgentX subagent that reconnects by itself, with alarms
	 * run from this loop (no SIGALRM), and the client sessions of the poller
	 * in the same library. */
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, persist);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 0);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, cfg->manager.agentx_socket);
	if (foreground)
		snmp_enable_stderrlog();
	else
		snmp_enable_syslog_ident("shugo-manager", LOG_DAEMON);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, agentx_up, NULL);
	snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, agentx_up, NULL);
	init_agent("shugo-manager");
	/* after init_agent, which installs net-snmp's default (15 s): both the
	 * ping period and the reconnect period while snmpd is away */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)(cfg->agentx_ping_s ? cfg->agentx_ping_s : 5));
	/* the model is in place: the registrations go out with the AgentX
	 * session that init_snmp opens (and again after every reconnection) */
	if (mgr_mib_register() < 0)
		log_warn("some SHUGO-MANAGER-MIB objects could not be registered");
	snmpsess_init_private("shugo-manager", persist);

	if (poller_configure(&the_model, cfg, mgr_mono_ms()) < 0) {
		log_err("poller: %s", strerror(errno));
		goto snmp_out;
	}
	/* after init_snmp: routing's SNMP destinations are net-snmp sessions */
	if (router_init(st, cfg, mgr_mono_ms()) < 0) {
		log_err("routing: %s", strerror(errno));
		goto snmp_out;
	}
	if (execd_init(st, &the_model, cfg, mgr_mono_ms()) < 0) {
		log_err("remote execution: %s", strerror(errno));
		goto snmp_out;
	}
	log_notice("shugo-manager %s started as node %s (epoch %u, %zu nodes, store %s)", SHUGO_VERSION,
		   cfg->node_name, the_model.epoch, the_model.n_nodes, cfg->manager.store);
	rc = run() < 0 ? 1 : 0;
	log_notice("shutting down");
snmp_out:
	execd_free();
	router_free();
	watch_free();
	poller_shutdown();
	snmp_shutdown("shugo-manager");
out:
	cluster_free();
	metrics_free();
	mgr_model = NULL;
	if (evfd >= 0) {
		close(evfd);
		unlink(ev_path);
	}
	if (sigfd >= 0)
		close(sigfd);
	store_close(st);
	cfg_free(cfg);
	return rc;
}
