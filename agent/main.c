/* shugo-agent: supervises processes, watches resources and NICs, and reports
 * every change as a notification; serves its MIB as an AgentX subagent of the
 * local snmpd or, in master mode, as an SNMP agent of its own. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "access.h"
#include "agent.h"
#include "emit.h"
#include "log.h"
#include "appevents.h"
#include "loop.h"
#include "remote.h"
#include "snmpsess.h"
#include "mon_log.h"
#include "mib/register.h"
#include "notify.h"
#include "procs.h"
#include "resources.h"
#include "statefile.h"
#include "strutil.h"

#ifndef SHUGO_SYSCONFDIR
#define SHUGO_SYSCONFDIR "/etc/shugo"
#endif

/* mode: master in the configuration this run started with; a reload cannot
 * change it (the ports and the role are net-snmp's start-up settings). */
static bool master;

/* The SNMPv3 users of the cluster definition as snmpd.conf lines, so snmpd and
 * every Shugo daemon share one source of credentials. SETs: authPriv only. */
static void print_usm_users(const struct shugo_config *cfg)
{
	static const char *const auth[] = {[AUTH_SHA1] = "SHA", [AUTH_SHA256] = "SHA-256", [AUTH_SHA512] = "SHA-512"};
	static const char *const priv[] = {[PRIV_AES128] = "AES", [PRIV_AES256] = "AES-256"};

	printf("# SNMPv3 users from %s (authPriv only); keep this file mode 0600\n", cfg->file);
	for (size_t i = 0; i < cfg->n_users; i++) {
		const struct cfg_user *u = &cfg->users[i];
		printf("createUser %s %s \"%s\" %s \"%s\"\n", u->name, auth[u->auth], u->auth_pass, priv[u->priv],
		       u->priv_pass);
		printf("rwuser -s usm %s priv\n", u->name);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: shugo-agent [-f] [-n] [-U] [-d] [-c FILE] [-N NODE]\n"
		"  -c FILE  configuration (default " SHUGO_SYSCONFDIR "/shugo.yaml)\n"
		"  -N NODE  node name in the cluster definition (default: host name)\n"
		"  -n       check the configuration and exit: prints file:line: problem\n"
		"  -U       print the snmpd.conf lines for the configured SNMPv3 users and exit\n"
		"  -f       stay in the foreground, log to stderr\n"
		"  -d       debug logging\n"
		"  -V       print the version\n");
}

static bool same_listen(const struct shugo_config *a, const struct shugo_config *b)
{
	if (a->mode != b->mode || a->n_listen != b->n_listen)
		return false;
	for (size_t i = 0; i < a->n_listen; i++)
		if (strcmp(a->listen[i], b->listen[i]))
			return false;
	return true;
}

/* Apply a loaded configuration. Settings that only take effect at start are
 * reported, not silently ignored. */
static void apply(struct agent *a, struct shugo_config *cfg)
{
	struct shugo_config *old = a->cfg;

	if (old) {
		if (strcmp(old->agentx_socket, cfg->agentx_socket) || strcmp(old->state_dir, cfg->state_dir) ||
		    old->nlog_capacity != cfg->nlog_capacity || strcmp(old->node_name, cfg->node_name) ||
		    !same_listen(old, cfg))
			log_warn("reload: mode, listen, agentx_socket, state_dir, notify_log_size and the node name take effect at the next start");
	}
	a->cfg = cfg;
	/* Master mode: who may read and write changes with the file, at once
	 * (read communities, SNMPv3 users and their passphrases). */
	if (master)
		access_configure(cfg);
	/* targets first: what the other modules report on (re)binding goes out */
	notify_configure(cfg);
	procs_configure(a, cfg);
	res_configure(a, cfg);
	if (logs_configure(a, cfg) < 0)
		log_err("log watch: out of memory; the watches are not updated");
	a->config_loads++;
	str_copy(a->config_status, "ok", sizeof a->config_status);
	cfg_free(old);
}

static void reload(struct agent *a)
{
	char err[512];
	struct shugo_config *cfg = cfg_load(a->cfg_path, a->node_override, err, sizeof err);

	if (!cfg) {
		a->config_errors++;
		str_copy(a->config_status, err, sizeof a->config_status);
		log_err("reload rejected, configuration unchanged: %s", err);
		emit_event(NOTIF_CONFIG_REJECTED, SEV_WARNING, "agent", "rejected", "%s", err);
		return;
	}
	apply(a, cfg);
	log_notice("configuration reloaded from %s", a->cfg_path);
	emit_event(NOTIF_CONFIG_RELOADED, SEV_INFO, "agent", "reloaded", "configuration reloaded from %s",
		   a->cfg_path);
}

static int agentx_up(int major, int minor, void *server, void *client)
{
	struct agent *a = agent_get();

	(void)major;
	(void)server;
	(void)client;
	if (minor == SNMPD_CALLBACK_INDEX_START) {
		if (a->config_loads > 0 && !a->agentx_connected)
			log_notice("agentx: connected to snmpd");
		a->agentx_connected = true;
		a->agentx_reconnects++;
		notify_agentx_up();
	} else if (minor == SNMPD_CALLBACK_INDEX_STOP) {
		log_warn("agentx: lost snmpd; monitoring goes on, notifications for snmpd wait");
		a->agentx_connected = false;
		notify_agentx_down();
	}
	return 0;
}

/* The listen addresses as net-snmp's NETSNMP_DS_AGENT_PORTS: one string,
 * comma-separated (the config refuses commas inside an address). */
static char *join_listen(const struct shugo_config *cfg)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < cfg->n_listen; i++)
		len += strlen(cfg->listen[i]) + 1;
	if (!(s = calloc(1, len)))
		return NULL;
	for (size_t i = 0; i < cfg->n_listen; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, cfg->listen[i]);
	}
	return s;
}


static void raise_nofile(void)
{
	struct rlimit rl;

	/* a pidfd per watched instance: thousands of fds */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct agent *a = agent_get();
	const char *path = SHUGO_SYSCONFDIR "/shugo.yaml";
	bool check_only = false, debug = false, users = false;
	char err[512], buf[1024];
	int c;

	while ((c = getopt(argc, argv, "c:N:nUfdVh")) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'N': a->node_override = optarg; break;
		case 'n': check_only = true; break;
		case 'U': users = true; break;
		case 'f': a->foreground = true; break;
		case 'd': debug = true; break;
		case 'V': printf("shugo-agent %s\n", SHUGO_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	a->cfg_path = path;
	struct shugo_config *cfg = cfg_load(path, a->node_override, err, sizeof err);
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (users) {
		print_usm_users(cfg);
		cfg_free(cfg);
		return 0;
	}
	if (check_only) {
		printf("%s: ok (node %s: %zu processes, %zu resources, %zu nics, %zu log watches, %zu notification "
		       "targets)\n",
		       path, cfg->node_name, cfg->n_procs, cfg->n_res, cfg->n_nics, cfg->n_logs, cfg->n_targets);
		cfg_free(cfg);
		return 0;
	}
	log_init("shugo-agent", a->foreground, debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	umask(077);
	raise_nofile();

	/* State: boot count and the notification log. */
	if (state_mkdir(cfg->state_dir) < 0) {
		log_err("state directory %s: %s", cfg->state_dir, strerror(errno));
		return 1;
	}
	if ((a->boot = state_bump_boot(cfg->state_dir)) == 0) {
		log_err("boot count in %s: %s", cfg->state_dir, strerror(errno));
		return 1;
	}
	snprintf(buf, sizeof buf, "%s/notify.log", cfg->state_dir);
	if (!(a->nlog = nlog_open(buf, cfg->nlog_capacity))) {
		log_err("notification log %s: %s", buf, strerror(errno));
		return 1;
	}
	a->start_ms = agent_now_ms();
	a->start_time = agent_wall();
	alarm_table_init(&a->alarms);

	/* net-snmp: an agent that loads no MIB files, reads no configuration
	 * file but its own persistent state (engine ID) in our state dir, and
	 * either reconnects to snmpd by itself (a subagent) or serves SNMP on
	 * the listen addresses (master mode). */
	master = cfg->mode == AGENT_MODE_MASTER;
	char persist[sizeof buf];
	snprintf(persist, sizeof persist, "%s/snmp", cfg->state_dir);
	state_mkdir(persist);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_PERSISTENT_DIR, persist);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 0);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	if (master) {
		char *ports = join_listen(cfg);
		if (!ports) {
			log_err("listen addresses: %s", strerror(errno));
			return 1;
		}
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 0); /* master */
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_PORTS, ports);
		free(ports);
		/* No AgentX here: this agent answers every request itself. */
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_MASTER, 0);
		/* Where net-snmp is built with TCP wrappers, hosts.allow and
		 * hosts.deny are asked about each request: log only refusals. */
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_DONT_LOG_TCPWRAPPERS_CONNECTS, 1);
		access_preinit();
	} else {
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1); /* subagent */
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, cfg->agentx_socket);
	}
	if (a->foreground)
		snmp_enable_stderrlog();
	else
		snmp_enable_syslog_ident("shugo-agent", LOG_DAEMON);
	if (!master) {
		snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, agentx_up, NULL);
		snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP, agentx_up, NULL);
	}
	if (!a->foreground && daemon(0, 0) < 0) {
		log_err("daemon: %s", strerror(errno));
		return 1;
	}
	if (loop_init() < 0) {
		log_err("event loop: %s", strerror(errno));
		return 1;
	}
	init_agent("shugo-agent");
	/* after init_agent, which installs net-snmp's default (15 s); it is both the
	 * ping period and the reconnect period after snmpd went away */
	if (!master)
		netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
				   (int)cfg->agentx_ping_s);
	snmpsess_init_private("shugo-agent", persist);

	if (master) {
		/* The checks go in before a port opens, and the ports open before
		 * any process is started: a port that cannot be had stops the start
		 * with nothing to undo. Requests wait in the sockets until the loop
		 * runs, by when the configuration and the MIB are in place. */
		if (access_init() < 0) {
			log_err("cannot install the access checks of master mode");
			return 1;
		}
		/* the addresses joined above, as net-snmp keeps them */
		const char *ports = netsnmp_ds_get_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_PORTS);
		if (init_master_agent() != 0) {
			log_err("master mode: cannot listen on %s (net-snmp names the address above: in use by "
				"another agent, not an address of this host, or a port below 1024 without the "
				"right to bind it)",
				ports);
			return 1;
		}
		log_notice("master mode: answering SNMP on %s", ports);
	}
	apply(a, cfg);
	/* Registered only now: registering talks to snmpd, which may already send
	 * requests while we wait, and they must find the local data in place.
	 * Registrations made after init_snmp go out at once (and again after
	 * every reconnection). */
	if (mib_register_all() < 0)
		log_warn("some MIB objects could not be registered");
	log_notice("shugo-agent %s started as node %s (boot %u, last sequence %u)", SHUGO_VERSION,
		   cfg->node_name, a->boot, nlog_last_seq(a->nlog));
	emit_event(NOTIF_AGENT_START, SEV_INFO, "agent", "started", "shugo-agent %s started (boot %u)",
		   SHUGO_VERSION, a->boot);
	a->next_sample_ms = agent_now_ms();

	appev_open(a); /* without it the agent still monitors: logged */
	remote_init(a);
	int rc = loop_run(a, reload);

	log_notice("shutting down: stopping supervised processes");
	procs_stop_all(a);
	appev_close(a);
	emit_event(NOTIF_AGENT_STOP, SEV_INFO, "agent", "stopped", "orderly shutdown");
	/* give the last notifications a moment on the wire */
	loop_drain(1000);
	if (master)
		access_shutdown();
	snmp_shutdown("shugo-agent");
	notify_shutdown();
	res_free(a);
	logs_free(a);
	remote_free(a);
	for (size_t i = 0; i < a->n_procs; i++) {
		for (size_t k = 0; k < a->procs[i].n_inst; k++)
			free(a->procs[i].inst[k].cmdline);
		free(a->procs[i].inst);
	}
	free(a->procs);
	alarm_table_free(&a->alarms);
	nlog_close(a->nlog);
	cfg_free(a->cfg);
	return rc < 0 ? 1 : 0;
}
