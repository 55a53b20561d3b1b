/* Unit tests for the configuration parser (common/config.c): every field and
 * default of a full file, each validation rule with its "file:line:" prefix,
 * node filtering, number formats, alias limits, and cfg_load on real files;
 * the manager's and trapd's sections and the node poll merge (cfg_manager.c). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "cu_main.h"

#define ERRLEN 512

static struct shugo_config *parse(const char *yaml, const char *node, char *err)
{
	return cfg_parse("t.yaml", yaml, strlen(yaml), node, err, ERRLEN);
}

/* The 1-based line of the first line of text that starts with marker. */
static int line_of(const char *text, const char *marker)
{
	int line = 1;
	size_t mlen = strlen(marker);

	for (const char *s = text; *s; line++) {
		if (strncmp(s, marker, mlen) == 0)
			return line;
		s = strchr(s, '\n');
		if (!s)
			break;
		s++;
	}
	return -1;
}

static const char full_yaml[] =
	"# every key, most of them away from their defaults\n"
	"cluster:\n"
	"  name: demo\n"
	"  nodes:\n"
	"    - name: alpha\n"
	"      address: udp:127.0.0.1:1161\n"
	"    - name: beta\n"
	"      address: udp:127.0.0.1:1162\n"
	"agent:\n"
	"  agentx_socket: tcp:localhost:705\n"
	"  state_dir: /srv/shugo\n"
	"  sample_interval: 500ms\n"
	"  notify_log_size: 2000\n"
	"  queue_limit: 50\n"
	"  max_processes: 16\n"
	"  agentx_ping: 2m\n"
	"snmp:\n"
	"  users:\n"
	"    - name: shugo\n"
	"      auth: SHA-512\n"
	"      auth_password: \"authpass1\"\n"
	"      priv: AES-256\n"
	"      priv_password: \"privpass1\"\n"
	"    - name: ops\n"
	"      auth_password: opsauth12\n"
	"      priv_password: opspriv12\n"
	"notify:\n"
	"  targets:\n"
	"    - name: manager\n"
	"      address: udp:127.0.0.1:162\n"
	"      type: trap\n"
	"      version: 3\n"
	"      user: shugo\n"
	"      timeout: 250ms\n"
	"      retries: 0\n"
	"    - name: legacy\n"
	"      address: 10.0.0.9:1162\n"
	"      version: 2c\n"
	"      community: public\n"
	"processes:\n"
	"  - name: web\n"
	"    nodes: &both [alpha, beta]\n"
	"    command: [/usr/bin/python3, -m, http.server, \"8080\"]\n"
	"    shell: false\n"
	"    env: {LANG: C, FOO: \"bar baz\", EMPTY: }\n"
	"    user: www-data\n"
	"    group: \"33\"\n"
	"    cwd: /srv/www\n"
	"    start: false\n"
	"    restart: always\n"
	"    backoff: 200ms\n"
	"    backoff_max: 1m\n"
	"    damping: {restarts: 3, window: 2m}\n"
	"    stop_timeout: 10s\n"
	"    start_grace: 0\n"
	"  - name: sshd\n"
	"    match: {pidfile: /run/sshd.pid}\n"
	"  - name: worker\n"
	"    nodes: *both\n"
	"    match:\n"
	"      cmdline: \"python3 .*worker\"\n"
	"    min: 2\n"
	"    max: 4\n"
	"  - name: beta-only\n"
	"    nodes: [beta]\n"
	"    command: /bin/true\n"
	"  - name: script\n"
	"    shell: true\n"
	"    command: \"exec sleep 1000 >/dev/null\"\n"
	"    backoff: 2m\n"
	"    damping: off\n"
	"  - name: agent-bin\n"
	"    match: {exe: /usr/sbin/agent}\n"
	"    min: 0\n"
	"resources:\n"
	"  cpu: {warning: 80, critical: 92.5, hysteresis: 2.25}\n"
	"  memory: off\n"
	"  swap: {warning: 40}\n"
	"  load: {warning: 4.5, critical: 8, hysteresis: 0.5}\n"
	"  filesystems:\n"
	"    - path: /\n"
	"    - path: /var\n"
	"      warning: 70\n"
	"      critical: 90\n"
	"      hysteresis: 1\n"
	"      nodes: [alpha]\n"
	"    - path: /srv\n"
	"      nodes: [beta]\n"
	"  nics:\n"
	"    - name: eth0\n"
	"      stall_after: 2m\n"
	"      pcap: false\n"
	"      nodes: [alpha]\n"
	"    - name: eth1\n";

static void test_engine_id(void)
{
	static const char text[] = "snmp:\n  users:\n    - {name: u, auth_password: 12345678, priv_password: 12345678}\n"
				   "notify:\n  targets:\n    - {name: m, address: x:1, user: u, engine_id: \"0x80001F8804AbCd\"}\n"
				   "    - {name: n, address: x:2, user: u}\n";
	static const unsigned char want[] = {0x80, 0x00, 0x1f, 0x88, 0x04, 0xab, 0xcd};
	char err[256] = "";
	struct shugo_config *c = cfg_parse("t.yaml", text, strlen(text), "alpha", err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->targets[0].engine_id_len, sizeof want);
	CU_ASSERT_EQUAL(memcmp(c->targets[0].engine_id, want, sizeof want), 0);
	CU_ASSERT_EQUAL(c->targets[1].engine_id_len, 0);
	cfg_free(c);
}

static void test_full_file(void)
{
	char err[ERRLEN] = "";
	struct shugo_config *c = parse(full_yaml, "alpha", err);
	const struct cfg_proc *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_STRING_EQUAL(c->file, "t.yaml");
	CU_ASSERT_STRING_EQUAL(c->node_name, "alpha");

	CU_ASSERT_EQUAL_FATAL(c->n_nodes, 2);
	CU_ASSERT_STRING_EQUAL(c->nodes[0].name, "alpha");
	CU_ASSERT_STRING_EQUAL(c->nodes[0].address, "udp:127.0.0.1:1161");
	CU_ASSERT_EQUAL(c->nodes[0].line, line_of(full_yaml, "    - name: alpha"));
	CU_ASSERT_STRING_EQUAL(c->nodes[1].name, "beta");
	CU_ASSERT_STRING_EQUAL(c->nodes[1].address, "udp:127.0.0.1:1162");

	CU_ASSERT_STRING_EQUAL(c->agentx_socket, "tcp:localhost:705");
	CU_ASSERT_STRING_EQUAL(c->state_dir, "/srv/shugo");
	CU_ASSERT_EQUAL(c->sample_ms, 500);
	CU_ASSERT_EQUAL(c->nlog_capacity, 2000);
	CU_ASSERT_EQUAL(c->queue_limit, 50);
	CU_ASSERT_EQUAL(c->max_procs, 16);
	CU_ASSERT_EQUAL(c->agentx_ping_s, 120);
	CU_ASSERT_EQUAL(c->mode, AGENT_MODE_AGENTX);
	CU_ASSERT_EQUAL(c->n_listen, 0);
	CU_ASSERT_EQUAL(c->n_communities, 0);

	CU_ASSERT_EQUAL_FATAL(c->n_users, 2);
	CU_ASSERT_STRING_EQUAL(c->users[0].name, "shugo");
	CU_ASSERT_EQUAL(c->users[0].auth, AUTH_SHA512);
	CU_ASSERT_STRING_EQUAL(c->users[0].auth_pass, "authpass1");
	CU_ASSERT_EQUAL(c->users[0].priv, PRIV_AES256);
	CU_ASSERT_STRING_EQUAL(c->users[0].priv_pass, "privpass1");
	CU_ASSERT_EQUAL(c->users[0].line, line_of(full_yaml, "    - name: shugo"));
	CU_ASSERT_STRING_EQUAL(c->users[1].name, "ops");
	CU_ASSERT_EQUAL(c->users[1].auth, AUTH_SHA256); /* defaults */
	CU_ASSERT_EQUAL(c->users[1].priv, PRIV_AES128);
	CU_ASSERT_PTR_EQUAL(cfg_find_user(c, "ops"), &c->users[1]);
	CU_ASSERT_PTR_NULL(cfg_find_user(c, "nobody"));
	CU_ASSERT_PTR_NULL(cfg_find_user(c, NULL));

	CU_ASSERT_EQUAL_FATAL(c->n_targets, 2);
	CU_ASSERT_STRING_EQUAL(c->targets[0].name, "manager");
	CU_ASSERT_STRING_EQUAL(c->targets[0].address, "udp:127.0.0.1:162");
	CU_ASSERT_FALSE(c->targets[0].inform);
	CU_ASSERT_EQUAL(c->targets[0].version, 3);
	CU_ASSERT_STRING_EQUAL(c->targets[0].user, "shugo");
	CU_ASSERT_PTR_NULL(c->targets[0].community);
	CU_ASSERT_EQUAL(c->targets[0].timeout_ms, 250);
	CU_ASSERT_EQUAL(c->targets[0].retries, 0);
	CU_ASSERT_STRING_EQUAL(c->targets[1].name, "legacy");
	CU_ASSERT_STRING_EQUAL(c->targets[1].address, "10.0.0.9:1162");
	CU_ASSERT_TRUE(c->targets[1].inform); /* defaults */
	CU_ASSERT_EQUAL(c->targets[1].version, 2);
	CU_ASSERT_STRING_EQUAL(c->targets[1].community, "public");
	CU_ASSERT_STRING_EQUAL(c->targets[1].user, "");
	CU_ASSERT_EQUAL(c->targets[1].timeout_ms, 1000);
	CU_ASSERT_EQUAL(c->targets[1].retries, 3);

	/* beta-only is filtered out for alpha. */
	CU_ASSERT_EQUAL_FATAL(c->n_procs, 5);
	CU_ASSERT_PTR_NULL(cfg_find_proc(c, "beta-only"));
	CU_ASSERT_PTR_NULL(cfg_find_proc(c, NULL));

	e = cfg_find_proc(c, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_PTR_EQUAL(e, &c->procs[0]);
	CU_ASSERT_EQUAL(e->line, line_of(full_yaml, "  - name: web"));
	CU_ASSERT_EQUAL(e->kind, PK_SUPERVISED);
	CU_ASSERT_EQUAL_FATAL(e->argc, 4);
	CU_ASSERT_STRING_EQUAL(e->argv[0], "/usr/bin/python3");
	CU_ASSERT_STRING_EQUAL(e->argv[1], "-m");
	CU_ASSERT_STRING_EQUAL(e->argv[2], "http.server");
	CU_ASSERT_STRING_EQUAL(e->argv[3], "8080");
	CU_ASSERT_PTR_NULL(e->argv[4]);
	CU_ASSERT_EQUAL_FATAL(e->envc, 3);
	CU_ASSERT_STRING_EQUAL(e->env[0], "LANG=C");
	CU_ASSERT_STRING_EQUAL(e->env[1], "FOO=bar baz");
	CU_ASSERT_STRING_EQUAL(e->env[2], "EMPTY=");
	CU_ASSERT_PTR_NULL(e->env[3]);
	CU_ASSERT_STRING_EQUAL(e->user, "www-data");
	CU_ASSERT_STRING_EQUAL(e->group, "33");
	CU_ASSERT_STRING_EQUAL(e->cwd, "/srv/www");
	CU_ASSERT_FALSE(e->shell);
	CU_ASSERT_FALSE(e->autostart);
	CU_ASSERT_EQUAL(e->policy.restart, RESTART_ALWAYS);
	CU_ASSERT_EQUAL(e->policy.backoff_initial_ms, 200);
	CU_ASSERT_EQUAL(e->policy.backoff_max_ms, 60000);
	CU_ASSERT_EQUAL(e->policy.damp_restarts, 3);
	CU_ASSERT_EQUAL(e->policy.damp_window_ms, 120000);
	CU_ASSERT_EQUAL(e->policy.stop_timeout_ms, 10000);
	CU_ASSERT_EQUAL(e->policy.start_grace_ms, 0);
	CU_ASSERT_EQUAL(e->min_count, 1);
	CU_ASSERT_EQUAL(e->max_count, 1);
	CU_ASSERT_PTR_NULL(e->match);
	CU_ASSERT_FALSE(e->re_compiled);

	e = cfg_find_proc(c, "sshd");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->kind, PK_WATCHED);
	CU_ASSERT_EQUAL(e->match_kind, MATCH_PIDFILE);
	CU_ASSERT_STRING_EQUAL(e->match, "/run/sshd.pid");
	CU_ASSERT_EQUAL(e->policy.restart, RESTART_NEVER);
	CU_ASSERT_EQUAL(e->min_count, 1);
	CU_ASSERT_EQUAL(e->max_count, 0);
	CU_ASSERT_PTR_NULL(e->argv);
	CU_ASSERT_EQUAL(e->argc, 0);
	CU_ASSERT_FALSE(e->re_compiled);

	e = cfg_find_proc(c, "worker");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->kind, PK_WATCHED);
	CU_ASSERT_EQUAL(e->match_kind, MATCH_CMDLINE);
	CU_ASSERT_STRING_EQUAL(e->match, "python3 .*worker");
	CU_ASSERT_TRUE_FATAL(e->re_compiled);
	CU_ASSERT_EQUAL(regexec(&e->match_re, "/usr/bin/python3 -m app.worker --n 2", 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(regexec(&e->match_re, "/usr/bin/python3 -m app.web", 0, NULL, 0), REG_NOMATCH);
	CU_ASSERT_EQUAL(e->min_count, 2);
	CU_ASSERT_EQUAL(e->max_count, 4);

	e = cfg_find_proc(c, "script");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_TRUE(e->shell);
	CU_ASSERT_EQUAL_FATAL(e->argc, 1);
	CU_ASSERT_STRING_EQUAL(e->argv[0], "exec sleep 1000 >/dev/null");
	CU_ASSERT_PTR_NULL(e->argv[1]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e->env);
	CU_ASSERT_EQUAL(e->envc, 0);
	CU_ASSERT_PTR_NULL(e->env[0]);
	CU_ASSERT_PTR_NULL(e->user);
	CU_ASSERT_PTR_NULL(e->group);
	CU_ASSERT_PTR_NULL(e->cwd);
	CU_ASSERT_TRUE(e->autostart);
	CU_ASSERT_EQUAL(e->policy.restart, RESTART_ON_FAILURE);
	/* A backoff above the default cap raises the cap with it. */
	CU_ASSERT_EQUAL(e->policy.backoff_initial_ms, 120000);
	CU_ASSERT_EQUAL(e->policy.backoff_max_ms, 120000);
	CU_ASSERT_EQUAL(e->policy.damp_restarts, 0);
	CU_ASSERT_EQUAL(e->policy.stop_timeout_ms, 5000);
	CU_ASSERT_EQUAL(e->policy.start_grace_ms, 2000);

	e = cfg_find_proc(c, "agent-bin");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->match_kind, MATCH_EXE);
	CU_ASSERT_STRING_EQUAL(e->match, "/usr/sbin/agent");
	CU_ASSERT_EQUAL(e->min_count, 0);

	/* cpu, swap, load (memory is off), then fs:/ and fs:/var (/srv is beta's). */
	CU_ASSERT_EQUAL_FATAL(c->n_res, 5);
	CU_ASSERT_STRING_EQUAL(c->res[0].name, "cpu");
	CU_ASSERT_EQUAL(c->res[0].type, RES_CPU);
	CU_ASSERT_EQUAL(c->res[0].thr.warning, 8000);
	CU_ASSERT_EQUAL(c->res[0].thr.critical, 9250);
	CU_ASSERT_EQUAL(c->res[0].thr.hysteresis, 225);
	CU_ASSERT_EQUAL(c->res[0].line, line_of(full_yaml, "  cpu:"));
	CU_ASSERT_PTR_NULL(c->res[0].path);
	CU_ASSERT_STRING_EQUAL(c->res[1].name, "swap");
	CU_ASSERT_EQUAL(c->res[1].type, RES_SWAP);
	CU_ASSERT_EQUAL(c->res[1].thr.warning, 4000);
	CU_ASSERT_EQUAL(c->res[1].thr.critical, 8000); /* the rest defaults */
	CU_ASSERT_EQUAL(c->res[1].thr.hysteresis, 500);
	CU_ASSERT_STRING_EQUAL(c->res[2].name, "load");
	CU_ASSERT_EQUAL(c->res[2].type, RES_LOAD);
	CU_ASSERT_EQUAL(c->res[2].thr.warning, 450);
	CU_ASSERT_EQUAL(c->res[2].thr.critical, 800);
	CU_ASSERT_EQUAL(c->res[2].thr.hysteresis, 50);
	CU_ASSERT_STRING_EQUAL(c->res[3].name, "fs:/");
	CU_ASSERT_EQUAL(c->res[3].type, RES_FILESYSTEM);
	CU_ASSERT_STRING_EQUAL(c->res[3].path, "/");
	CU_ASSERT_EQUAL(c->res[3].thr.warning, 8500);
	CU_ASSERT_EQUAL(c->res[3].thr.critical, 9500);
	CU_ASSERT_EQUAL(c->res[3].thr.hysteresis, 200);
	CU_ASSERT_STRING_EQUAL(c->res[4].name, "fs:/var");
	CU_ASSERT_STRING_EQUAL(c->res[4].path, "/var");
	CU_ASSERT_EQUAL(c->res[4].thr.warning, 7000);
	CU_ASSERT_EQUAL(c->res[4].thr.critical, 9000);
	CU_ASSERT_EQUAL(c->res[4].thr.hysteresis, 100);
	CU_ASSERT_EQUAL(c->res[4].line, line_of(full_yaml, "    - path: /var"));

	CU_ASSERT_EQUAL_FATAL(c->n_nics, 2);
	CU_ASSERT_STRING_EQUAL(c->nics[0].name, "eth0");
	CU_ASSERT_EQUAL(c->nics[0].stall_after_s, 120);
	CU_ASSERT_FALSE(c->nics[0].pcap);
	CU_ASSERT_STRING_EQUAL(c->nics[1].name, "eth1");
	CU_ASSERT_EQUAL(c->nics[1].stall_after_s, 30);
	CU_ASSERT_TRUE(c->nics[1].pcap);
	CU_ASSERT_EQUAL(c->nics[1].line, line_of(full_yaml, "    - name: eth1"));
	cfg_free(c);
}

/* The same file seen from beta: the other half of each nodes: list. */
static void test_node_filter(void)
{
	char err[ERRLEN] = "";
	struct shugo_config *c = parse(full_yaml, "beta", err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->node_name, "beta");
	CU_ASSERT_EQUAL(c->n_procs, 6);
	CU_ASSERT_PTR_NOT_NULL(cfg_find_proc(c, "beta-only"));
	CU_ASSERT_PTR_NOT_NULL(cfg_find_proc(c, "worker"));
	CU_ASSERT_PTR_NOT_NULL(cfg_find_proc(c, "script"));
	CU_ASSERT_EQUAL_FATAL(c->n_res, 5);
	CU_ASSERT_STRING_EQUAL(c->res[3].name, "fs:/");
	CU_ASSERT_STRING_EQUAL(c->res[4].name, "fs:/srv");
	CU_ASSERT_EQUAL_FATAL(c->n_nics, 1);
	CU_ASSERT_STRING_EQUAL(c->nics[0].name, "eth1");
	cfg_free(c);
}

/* Without cluster.nodes any node name goes, and nodes: lists still select. */
static void test_node_filter_no_cluster(void)
{
	static const char yaml[] =
		"processes:\n"
		"  - {name: a, command: /bin/a, nodes: [x, y]}\n"
		"  - {name: b, command: /bin/b, nodes: [y]}\n"
		"  - {name: c, command: /bin/c, nodes: []}\n"
		"  - {name: d, command: /bin/d}\n";
	static const struct {
		const char *node;
		const char *want; /* process names kept, in order */
	} rows[] = {
		{"x", "a d"},
		{"y", "a b d"},
		{"z", "d"},
	};
	char err[ERRLEN], got[64];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct shugo_config *c = parse(yaml, rows[i].node, err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		got[0] = '\0';
		for (size_t k = 0; k < c->n_procs; k++) {
			strcat(got, k ? " " : "");
			strcat(got, c->procs[k].name);
		}
		CU_ASSERT_STRING_EQUAL(got, rows[i].want);
		cfg_free(c);
	}
}

static void test_hostname(void)
{
	char host[256], err[ERRLEN];
	struct shugo_config *c;

	CU_ASSERT_EQUAL_FATAL(gethostname(host, sizeof host), 0);
	host[sizeof host - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	c = parse("agent: {}\n", NULL, err);
	if (strlen(host) > CFG_NAME_MAX || host[0] == '\0') {
		CU_ASSERT_PTR_NULL(c);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_STRING_EQUAL(c->node_name, host);
	}
	cfg_free(c);
}

/* An empty file, a comment-only file, and an empty mapping: all defaults. */
static void test_defaults(void)
{
	static const char *const texts[] = {"", "# nothing yet\n", "{}\n", "---\n...\n", "~\n",
					    "agent:\nsnmp:\nnotify:\nprocesses:\nresources:\n"};
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct shugo_config *c = parse(texts[i], "n1", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_STRING_EQUAL(c->agentx_socket, "/var/agentx/master");
		CU_ASSERT_PTR_NOT_NULL(c->state_dir);
		CU_ASSERT_EQUAL(c->state_dir[0], '/');
		CU_ASSERT_EQUAL(c->sample_ms, 1000);
		CU_ASSERT_EQUAL(c->nlog_capacity, 10000);
		CU_ASSERT_EQUAL(c->queue_limit, 1000);
		CU_ASSERT_EQUAL(c->max_procs, 128);
		CU_ASSERT_EQUAL(c->agentx_ping_s, 5);
		CU_ASSERT_EQUAL(c->mode, AGENT_MODE_AGENTX);
		CU_ASSERT_EQUAL(c->n_listen, 0);
		CU_ASSERT_PTR_NULL(c->listen);
		CU_ASSERT_EQUAL(c->n_communities, 0);
		CU_ASSERT_EQUAL(c->n_nodes, 0);
		CU_ASSERT_EQUAL(c->n_users, 0);
		CU_ASSERT_EQUAL(c->n_targets, 0);
		CU_ASSERT_EQUAL(c->n_procs, 0);
		CU_ASSERT_EQUAL(c->n_nics, 0);
		CU_ASSERT_EQUAL_FATAL(c->n_res, 4);
		CU_ASSERT_STRING_EQUAL(c->res[0].name, "cpu");
		CU_ASSERT_EQUAL(c->res[0].thr.warning, 8500);
		CU_ASSERT_EQUAL(c->res[0].thr.critical, 9500);
		CU_ASSERT_EQUAL(c->res[0].thr.hysteresis, 500);
		CU_ASSERT_STRING_EQUAL(c->res[1].name, "memory");
		CU_ASSERT_EQUAL(c->res[1].type, RES_MEMORY);
		CU_ASSERT_EQUAL(c->res[1].thr.warning, 8500);
		CU_ASSERT_STRING_EQUAL(c->res[2].name, "swap");
		CU_ASSERT_EQUAL(c->res[2].thr.warning, 5000);
		CU_ASSERT_EQUAL(c->res[2].thr.critical, 8000);
		CU_ASSERT_STRING_EQUAL(c->res[3].name, "load");
		CU_ASSERT_EQUAL(c->res[3].thr.warning, 400);
		CU_ASSERT_EQUAL(c->res[3].thr.critical, 800);
		CU_ASSERT_EQUAL(c->res[3].thr.hysteresis, 50);
		cfg_free(c);
	}
}

static void test_process_defaults(void)
{
	char err[ERRLEN];
	struct shugo_config *c = parse("processes:\n  - name: p\n    command: /bin/p  -x   y\n", "n", err);
	const struct cfg_proc *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	e = cfg_find_proc(c, "p");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	/* A single string is split on whitespace. */
	CU_ASSERT_EQUAL_FATAL(e->argc, 3);
	CU_ASSERT_STRING_EQUAL(e->argv[0], "/bin/p");
	CU_ASSERT_STRING_EQUAL(e->argv[1], "-x");
	CU_ASSERT_STRING_EQUAL(e->argv[2], "y");
	CU_ASSERT_PTR_NULL(e->argv[3]);
	CU_ASSERT_TRUE(e->autostart);
	CU_ASSERT_EQUAL(e->policy.restart, RESTART_ON_FAILURE);
	CU_ASSERT_EQUAL(e->policy.backoff_initial_ms, 1000);
	CU_ASSERT_EQUAL(e->policy.backoff_max_ms, 30000);
	CU_ASSERT_EQUAL(e->policy.damp_restarts, 5);
	CU_ASSERT_EQUAL(e->policy.damp_window_ms, 60000);
	CU_ASSERT_EQUAL(e->policy.stop_timeout_ms, 5000);
	CU_ASSERT_EQUAL(e->policy.start_grace_ms, 2000);
	CU_ASSERT_EQUAL(e->min_count, 1);
	CU_ASSERT_EQUAL(e->max_count, 1);
	cfg_free(c);
}

/* Each row: a file that must be rejected, the exact "file:line: " prefix and
 * words the message must contain. */
static const struct bad {
	const char *what;
	const char *yaml;
	const char *node;
	const char *prefix;
	const char *words;
} bad_rows[] = {
	/* structure and types */
	{"unknown top key", "agent: {}\nfoo: 1\n", NULL, "t.yaml:2: ", "unknown key 'foo' at the top level"},
	{"unknown process key", "processes:\n  - name: web\n    command: /bin/true\n    foo: 1\n", NULL,
	 "t.yaml:4: ", "unknown key 'foo' in processes[0] 'web'"},
	{"unknown match key", "processes:\n  - name: w\n    match: {pidfile: /p, foo: 1}\n", NULL, "t.yaml:3: ",
	 "unknown key 'foo' in processes[0] 'w': match"},
	{"agent is a list", "cluster: {}\nagent: [1]\n", NULL, "t.yaml:2: ", "expected a mapping for 'agent'"},
	{"agent is a value", "agent: 5\n", NULL, "t.yaml:1: ", "expected a mapping for 'agent', got '5'"},
	{"processes is a mapping", "processes:\n  web: 1\n", NULL, "t.yaml:2: ", "expected a list for 'processes'"},
	{"process is a value", "processes:\n  - web\n", NULL, "t.yaml:2: ", "processes[0]: expected a mapping"},
	{"top level is a list", "- a\n- b\n", NULL, "t.yaml:1: ", "expected a mapping at the top level"},
	{"number given a list", "agent:\n  queue_limit: [1]\n", NULL, "t.yaml:2: ",
	 "agent: queue_limit: expected a single value, got a list"},
	{"bool not a bool", "processes:\n  - {name: a, command: /a, start: maybe}\n", NULL, "t.yaml:2: ",
	 "start: expected true or false, got 'maybe'"},
	{"key is a list", "agent:\n  [a]: 1\n", NULL, "t.yaml:2: ", "expected a word as key"},
	{"duplicate key", "agent:\n  queue_limit: 5\n  queue_limit: 6\n", NULL, "t.yaml:3: ",
	 "agent: duplicate key 'queue_limit' (first at line 2)"},
	{"duplicate top key", "agent: {}\nsnmp: {}\nagent: {}\n", NULL, "t.yaml:3: ",
	 "duplicate key 'agent' (first at line 1)"},
	{"NUL in a value", "cluster: {name: \"a\\0b\"}\n", NULL, "t.yaml:1: ", "NUL"},
	{"missing process name", "processes:\n  - command: /bin/true\n", NULL, "t.yaml:2: ",
	 "processes[0]: missing required key 'name'"},
	{"bad process name", "processes:\n  - name: \"we b\"\n    command: /bin/true\n", NULL, "t.yaml:2: ",
	 "name: 'we b' is not valid"},
	{"name too long", "processes:\n  - name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	 "    command: /bin/true\n", NULL, "t.yaml:2: ", "longer than 64 characters"},

	/* YAML itself */
	{"syntax error", "agent:\n  queue_limit: 5\n  bad: [1, 2\n", NULL, "t.yaml:4: ",
	 "YAML syntax error: while parsing a flow sequence at line 3: did not find expected ',' or ']'"},
	{"bad indentation", "agent:\n  queue_limit: 5\n   max_processes: 4\n", NULL, "t.yaml:3: ",
	 "YAML syntax error"},
	{"invalid UTF-8", "agent: {}\ncluster: {name: \"\xff\"}\n", NULL, "t.yaml:2: ", "YAML syntax error"},
	{"undefined alias", "agent: {}\nsnmp: *nothing\n", NULL, "t.yaml:2: ", "undefined alias"},
	{"duplicate anchor", "cluster: {name: &a x}\nagent: {agentx_socket: &a /s}\n", NULL, "t.yaml:2: ",
	 "duplicate anchor; first occurrence at line 1"},
	{"recursive alias", "processes: &p\n  - *p\n", NULL, "t.yaml:2: ", "alias '*p' refers to a node that contains it"},
	{"two documents", "agent: {}\n---\nagent: {}\n", NULL, "t.yaml:2: ", "only one YAML document"},
	{"deep nesting", "cluster: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", NULL,
	 "t.yaml:1: ", "nested deeper than 16 levels"},

	/* cluster */
	{"this node not in cluster", "cluster:\n  nodes:\n    - {name: alpha, address: udp:a:161}\n", "gamma",
	 "t.yaml:1: ", "node 'gamma' is not in cluster.nodes"},
	{"duplicate node", "cluster:\n  nodes:\n    - {name: a, address: x:1}\n    - {name: a, address: x:2}\n", "a",
	 "t.yaml:4: ", "duplicate node name 'a' (first at line 3)"},
	{"node without address", "cluster:\n  nodes:\n    - name: a\n", "a", "t.yaml:3: ",
	 "cluster.nodes[0] 'a': missing required key 'address'"},
	{"bad node name", "cluster:\n  nodes:\n    - {name: \"a/b\", address: x:1}\n", "a", "t.yaml:3: ",
	 "'a/b' is not valid"},
	{"node name over 50", "cluster:\n  nodes:\n    - {name: nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn, address: x:1}\n", "a",
	 "t.yaml:3: ", "longer than 50"},
	{"process on unknown node",
	 "cluster:\n  nodes:\n    - {name: a, address: x:1}\nprocesses:\n  - name: web\n    command: /bin/true\n"
	 "    nodes: [a,\n      zeta]\n",
	 "a", "t.yaml:8: ", "processes[0] 'web': node 'zeta' is not in cluster.nodes"},
	{"nodes list holds a mapping", "processes:\n  - {name: w, command: /w, nodes: [{a: 1}]}\n", NULL,
	 "t.yaml:2: ", "nodes: expected node names, got a mapping"},
	{"nic on unknown node",
	 "cluster:\n  nodes:\n    - {name: a, address: x:1}\nresources:\n  nics:\n    - {name: eth0, nodes: [b]}\n", "a",
	 "t.yaml:6: ", "resources.nics[0] 'eth0': node 'b' is not in cluster.nodes"},

	/* agent */
	{"sample too short", "agent:\n  sample_interval: 50ms\n", NULL, "t.yaml:2: ",
	 "agent: sample_interval: '50ms' is out of range (100ms .. 1h)"},
	{"nlog too small", "agent:\n  notify_log_size: 15\n", NULL, "t.yaml:2: ", "out of range (16 .. 1000000)"},
	{"queue zero", "agent:\n  queue_limit: 0\n", NULL, "t.yaml:2: ", "out of range (1 .. 100000)"},
	{"max_processes too big", "agent:\n  max_processes: 100001\n", NULL, "t.yaml:2: ", "out of range"},
	{"ping not whole seconds", "agent:\n  agentx_ping: 1500ms\n", NULL, "t.yaml:2: ", "whole number of seconds"},
	{"ping too long", "agent:\n  agentx_ping: 2h\n", NULL, "t.yaml:2: ", "out of range (1s .. 1h)"},
	{"bad agentx socket", "agent:\n  agentx_socket: master\n", NULL, "t.yaml:2: ", "agentx_socket"},
	{"relative state_dir", "agent:\n  state_dir: var/lib\n", NULL, "t.yaml:2: ", "must be an absolute path"},

	/* agent: master mode */
	{"unknown mode", "agent:\n  mode: proxy\n", NULL, "t.yaml:2: ", "agent: unknown mode 'proxy' (expected agentx or master)"},
	{"listen in agentx mode", "agent:\n  listen: [udp:127.0.0.1:1161]\n", NULL, "t.yaml:2: ",
	 "agent: 'listen' is only used with mode: master"},
	{"listen in explicit agentx mode", "agent:\n  mode: agentx\n  listen: [udp:1161]\n", NULL, "t.yaml:3: ",
	 "'listen' is only used with mode: master"},
	{"communities in agentx mode", "agent:\n  read_communities:\n    - {community: c, source: default}\n", NULL,
	 "t.yaml:2: ", "agent: 'read_communities' is only used with mode: master"},
	{"master without listen", "agent:\n  state_dir: /s\n  mode: master\n", NULL, "t.yaml:3: ",
	 "agent: mode master needs 'listen'"},
	{"master with a null listen", "agent:\n  mode: MASTER\n  listen:\n", NULL, "t.yaml:2: ",
	 "mode master needs 'listen'"},
	{"listen not a list", "agent:\n  mode: master\n  listen: udp:1161\n", NULL, "t.yaml:3: ",
	 "agent: expected a list for 'listen', got 'udp:1161'"},
	{"listen empty", "agent:\n  mode: master\n  listen: []\n", NULL, "t.yaml:3: ", "agent: listen: the list is empty"},
	{"listen entry a list", "agent:\n  mode: master\n  listen:\n    - [udp:1161]\n", NULL, "t.yaml:4: ",
	 "agent: listen: expected a single value, got a list"},
	{"listen with a space", "agent:\n  mode: master\n  listen: [\"udp:1161 x\"]\n", NULL, "t.yaml:3: ",
	 "agent: listen: 'udp:1161 x' is not valid"},
	{"listen with a comma", "agent:\n  mode: master\n  listen:\n    - udp:1161\n    - \"udp:1162,tcp:1162\"\n", NULL,
	 "t.yaml:5: ", "agent: listen: 'udp:1162,tcp:1162' holds a ','"},
	{"listen none", "agent:\n  mode: master\n  listen: [None]\n", NULL, "t.yaml:3: ",
	 "agent: listen: 'None' would be read by net-snmp as 'none'"},
	{"duplicate listen", "agent:\n  mode: master\n  listen:\n    - udp:1161\n    - tcp:1161\n    - udp:1161\n", NULL,
	 "t.yaml:6: ", "agent: duplicate listen address 'udp:1161' (first at line 4)"},
	{"too many listen", "agent:\n  mode: master\n  listen: [a:1, a:2, a:3, a:4, a:5, a:6, a:7, a:8, a:9, a:10, a:11, a:12, "
	 "a:13, a:14, a:15, a:16, a:17]\n", NULL, "t.yaml:3: ", "agent: listen: more than 16 addresses"},
	{"communities not a list", "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities: {community: c}\n",
	 NULL, "t.yaml:4: ", "agent: expected a list for 'read_communities'"},
	{"community a value", "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities: [public]\n", NULL,
	 "t.yaml:4: ", "agent.read_communities[0]: expected a mapping, got 'public'"},
	{"community without source",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: default}\n"
	 "    - community: c\n", NULL, "t.yaml:6: ", "agent.read_communities[1]: missing required key 'source'"},
	{"community without community",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - source: default\n", NULL, "t.yaml:5: ",
	 "agent.read_communities[0]: missing required key 'community'"},
	{"community empty", "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: \"\", source: default}\n",
	 NULL, "t.yaml:5: ", "agent.read_communities[0]: community: must not be empty"},
	{"community unknown key",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: default, view: all}\n",
	 NULL, "t.yaml:5: ", "unknown key 'view' in agent.read_communities[0]"},
	{"source not an address",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - community: c\n      source: localhost\n",
	 NULL, "t.yaml:6: ", "agent.read_communities[0]: source: expected an IPv4 or IPv6 address with an optional /prefix"},
	{"source short address",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: 10.0.0/8}\n",
	 NULL, "t.yaml:5: ", "got '10.0.0/8'"},
	{"source prefix too long",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: 10.0.0.0/33}\n",
	 NULL, "t.yaml:5: ", "got '10.0.0.0/33'"},
	{"source empty prefix",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: 10.0.0.0/}\n",
	 NULL, "t.yaml:5: ", "got '10.0.0.0/'"},
	{"source signed prefix",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: 10.0.0.0/+8}\n",
	 NULL, "t.yaml:5: ", "got '10.0.0.0/+8'"},
	{"source two slashes",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: 10.0.0.0/8/8}\n",
	 NULL, "t.yaml:5: ", "got '10.0.0.0/8/8'"},
	{"source Default", "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: any}\n",
	 NULL, "t.yaml:5: ", "got 'any'"},
	{"source host bits",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: 10.0.0.1/8}\n",
	 NULL, "t.yaml:5: ",
	 "agent.read_communities[0]: source: '10.0.0.1/8' has bits set outside its /8 prefix (the network is 10.0.0.0/8)"},
	{"source v6 host bits",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: \"fd00::1/64\"}\n",
	 NULL, "t.yaml:5: ", "(the network is fd00::/64)"},
	{"source odd prefix host bits",
	 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: c, source: 192.168.3.0/23}\n",
	 NULL, "t.yaml:5: ", "(the network is 192.168.2.0/23)"},

	/* snmp users */
	{"user without auth_password", "snmp:\n  users:\n    - name: u\n      priv_password: 12345678\n", NULL,
	 "t.yaml:3: ", "snmp.users[0] 'u': missing required key 'auth_password'"},
	{"short password", "snmp:\n  users:\n    - name: u\n      auth_password: 1234567\n      priv_password: 12345678\n",
	 NULL, "t.yaml:4: ", "at least 8 characters"},
	{"unknown auth", "snmp:\n  users:\n    - {name: u, auth: MD5, auth_password: 12345678, priv_password: 12345678}\n",
	 NULL, "t.yaml:3: ", "unknown auth protocol 'MD5' (expected SHA, SHA-1, SHA-256 or SHA-512)"},
	{"unknown priv", "snmp:\n  users:\n    - {name: u, priv: DES, auth_password: 12345678, priv_password: 12345678}\n",
	 NULL, "t.yaml:3: ", "unknown priv protocol 'DES'"},
	{"user name too long",
	 "snmp:\n  users:\n    - {name: abcdefghijklmnopqrstuvwxyz0123456, auth_password: 12345678, priv_password: 12345678}\n",
	 NULL, "t.yaml:3: ", "longer than 32 characters"},
	{"duplicate user",
	 "snmp:\n  users:\n    - {name: u, auth_password: 12345678, priv_password: 12345678}\n"
	 "    - {name: u, auth_password: 12345678, priv_password: 12345678}\n",
	 NULL, "t.yaml:4: ", "duplicate SNMP user 'u' (first at line 3)"},

	/* notify targets */
	{"v3 user undefined", "notify:\n  targets:\n    - {name: m, address: x:162, user: bob}\n", NULL, "t.yaml:3: ",
	 "notify.targets[0] 'm': user 'bob' is not defined in snmp.users"},
	{"v3 without user", "notify:\n  targets:\n    - {name: m, address: x:162}\n", NULL, "t.yaml:3: ",
	 "'user' is required with version 3"},
	{"v3 with community", "notify:\n  targets:\n    - name: m\n      address: x:162\n      community: public\n", NULL,
	 "t.yaml:5: ", "'community' is not allowed with version 3"},
	{"v2c without community", "notify:\n  targets:\n    - {name: m, address: x:162, version: 2c}\n", NULL,
	 "t.yaml:3: ", "'community' is required with version 2c"},
	{"v2c with user", "notify:\n  targets:\n    - name: m\n      version: 2c\n      community: c\n      user: u\n"
	 "      address: x:1\n", NULL, "t.yaml:6: ", "'user' is only used with version 3"},
	{"version 1", "notify:\n  targets:\n    - {name: m, address: x:162, version: 1}\n", NULL, "t.yaml:3: ",
	 "unknown SNMP version '1' (expected 2c or 3)"},
	{"bad type", "notify:\n  targets:\n    - {name: m, address: x:162, type: push}\n", NULL, "t.yaml:3: ",
	 "unknown notification type 'push'"},
	{"timeout too short", "notify:\n  targets:\n    - {name: m, address: x:1, version: 2c, community: c, timeout: 5ms}\n",
	 NULL, "t.yaml:3: ", "timeout: '5ms' is out of range (10ms .. 1m)"},
	{"too many retries", "notify:\n  targets:\n    - {name: m, address: x:1, version: 2c, community: c, retries: 21}\n",
	 NULL, "t.yaml:3: ", "retries: '21' is out of range (0 .. 20)"},
	{"target without address", "notify:\n  targets:\n    - {name: m, version: 2c, community: c}\n", NULL,
	 "t.yaml:3: ", "missing required key 'address'"},
	{"engine_id on a trap", "snmp:\n  users:\n    - {name: u, auth_password: 12345678, priv_password: 12345678}\n"
	 "notify:\n  targets:\n    - name: m\n      address: x:1\n      user: u\n      type: trap\n      engine_id: 0x8000000001\n",
	 NULL, "t.yaml:10: ", "'engine_id' is only used with version 3 INFORMs"},
	{"engine_id too short", "snmp:\n  users:\n    - {name: u, auth_password: 12345678, priv_password: 12345678}\n"
	 "notify:\n  targets:\n    - {name: m, address: x:1, user: u, engine_id: 0x80000001}\n",
	 NULL, "t.yaml:6: ", "engine_id: expected 5 to 32 octets in hex"},
	{"engine_id not hex", "snmp:\n  users:\n    - {name: u, auth_password: 12345678, priv_password: 12345678}\n"
	 "notify:\n  targets:\n    - {name: m, address: x:1, user: u, engine_id: 0x80000000zz}\n",
	 NULL, "t.yaml:6: ", "engine_id: 'zz' is not hex"},
	{"duplicate target",
	 "notify:\n  targets:\n    - {name: m, address: x:1, version: 2c, community: c}\n"
	 "    - {name: m, address: x:2, version: 2c, community: c}\n",
	 NULL, "t.yaml:4: ", "duplicate notification target 'm' (first at line 3)"},

	/* processes */
	{"unknown restart policy", "processes:\n  - name: web\n    command: /bin/true\n    restart: sometimes\n", NULL,
	 "t.yaml:4: ", "processes[0] 'web': unknown restart policy 'sometimes' (expected always, on-failure or never)"},
	{"duplicate process",
	 "processes:\n  - name: web\n    command: /bin/a\n  - name: web\n    command: /bin/b\n", NULL, "t.yaml:4: ",
	 "duplicate process name 'web' (first at line 2)"},
	{"command and match", "processes:\n  - name: w\n    command: /bin/a\n    match: {exe: /bin/a}\n", NULL,
	 "t.yaml:4: ", "not both"},
	{"neither command nor match", "processes:\n  - name: w\n    restart: always\n", NULL, "t.yaml:2: ",
	 "needs 'command' (supervised) or 'match' (watched)"},
	{"relative argv0", "processes:\n  - name: w\n    command: python3 -m http.server\n", NULL, "t.yaml:3: ",
	 "'python3' must be an absolute path (or set shell: true)"},
	{"relative argv0 in a list", "processes:\n  - name: w\n    shell: false\n    command: [bin/w, -x]\n", NULL,
	 "t.yaml:4: ", "'bin/w' must be an absolute path"},
	{"shell with a list", "processes:\n  - name: w\n    shell: true\n    command: [/bin/w, -x]\n", NULL,
	 "t.yaml:4: ", "with shell: true, give the command as one string"},
	{"empty command list", "processes:\n  - name: w\n    command: []\n", NULL, "t.yaml:3: ", "the list is empty"},
	{"blank command", "processes:\n  - name: w\n    command: \"   \"\n", NULL, "t.yaml:3: ", "must not be empty"},
	{"command list of lists", "processes:\n  - name: w\n    command: [/bin/a, [b]]\n", NULL, "t.yaml:3: ",
	 "command: expected a single value, got a list"},
	{"bad env name", "processes:\n  - name: w\n    command: /w\n    env: {1X: a}\n", NULL, "t.yaml:4: ",
	 "env: '1X' is not valid"},
	{"duplicate env", "processes:\n  - name: w\n    command: /w\n    env:\n      A: 1\n      B: 2\n      A: 3\n",
	 NULL, "t.yaml:7: ", "processes[0] 'w': duplicate environment variable 'A' (first at line 5)"},
	{"env not a mapping", "processes:\n  - name: w\n    command: /w\n    env: [A=1]\n", NULL, "t.yaml:4: ",
	 "expected a mapping for 'env'"},
	{"env value a list", "processes:\n  - name: w\n    command: /w\n    env: {A: [1]}\n", NULL, "t.yaml:4: ",
	 "processes[0] 'w': env: A: expected a single value"},
	{"relative cwd", "processes:\n  - name: w\n    command: /w\n    cwd: srv\n", NULL, "t.yaml:4: ",
	 "cwd: 'srv' must be an absolute path"},
	{"user with a space", "processes:\n  - name: w\n    command: /w\n    user: \"www data\"\n", NULL, "t.yaml:4: ",
	 "user: 'www data' is not valid"},
	{"backoff too short", "processes:\n  - name: w\n    command: /w\n    backoff: 5ms\n", NULL, "t.yaml:4: ",
	 "backoff: '5ms' is out of range (10ms .. 1h)"},
	{"backoff_max below backoff", "processes:\n  - name: w\n    command: /w\n    backoff: 10s\n    backoff_max: 5s\n",
	 NULL, "t.yaml:2: ", "backoff_max (5s) is below backoff (10s)"},
	{"damping too many", "processes:\n  - name: w\n    command: /w\n    damping: {restarts: 65}\n", NULL,
	 "t.yaml:4: ", "restarts: '65' is out of range (0 .. 64)"},
	{"damping a word", "processes:\n  - name: w\n    command: /w\n    damping: sometimes\n", NULL, "t.yaml:4: ",
	 "damping: expected {restarts: N, window: W} or off"},
	{"damping unknown key", "processes:\n  - name: w\n    command: /w\n    damping: {restarts: 1, windw: 5s}\n", NULL,
	 "t.yaml:4: ", "unknown key 'windw' in processes[0] 'w': damping"},
	{"min on supervised", "processes:\n  - name: w\n    command: /w\n    min: 2\n", NULL, "t.yaml:4: ",
	 "'min' applies only to watched processes"},
	{"restart on watched", "processes:\n  - name: w\n    match: {exe: /w}\n    restart: always\n", NULL, "t.yaml:4: ",
	 "'restart' applies only to supervised processes"},
	{"min above max", "processes:\n  - name: w\n    match: {exe: /w}\n    min: 3\n    max: 2\n", NULL, "t.yaml:2: ",
	 "max (2) is below min (3)"},
	{"match two kinds", "processes:\n  - name: w\n    match: {exe: /w, pidfile: /run/w.pid}\n", NULL, "t.yaml:3: ",
	 "exactly one of pidfile, exe or cmdline"},
	{"match empty", "processes:\n  - name: w\n    match: {}\n", NULL, "t.yaml:3: ",
	 "exactly one of pidfile, exe or cmdline"},
	{"relative pidfile", "processes:\n  - name: w\n    match: {pidfile: w.pid}\n", NULL, "t.yaml:3: ",
	 "pidfile: 'w.pid' must be an absolute path"},
	{"bad regex", "processes:\n  - name: w\n    match:\n      cmdline: \"python(\"\n", NULL, "t.yaml:4: ",
	 "bad regular expression 'python('"},
	{"regex blow-up", "processes:\n  - name: w\n    match: {cmdline: \"((a{100}){100}){100}\"}\n", NULL, "t.yaml:3: ",
	 "'((a{100}){100}){100}' expands too much when compiled"},

	/* resources */
	{"warning above critical", "resources:\n  cpu: {warning: 96}\n", NULL, "t.yaml:2: ",
	 "resources.cpu: warning (96) is above critical (95)"},
	{"hysteresis not below warning", "resources:\n  swap: {warning: 5, critical: 6, hysteresis: 5}\n", NULL,
	 "t.yaml:2: ", "resources.swap: hysteresis (5) must be below warning (5)"},
	{"percent above 100", "resources:\n  memory: {critical: 100.5}\n", NULL, "t.yaml:2: ",
	 "critical: '100.5' is out of range (0 .. 100)"},
	{"load too high", "resources:\n  load: {critical: 10000.01}\n", NULL, "t.yaml:2: ", "out of range (0 .. 10000)"},
	{"warning zero, critical set", "resources:\n  memory: {warning: 0}\n", NULL, "t.yaml:2: ",
	 "resources.memory: warning must be set when critical is"},
	{"cpu a word", "resources:\n  cpu: maybe\n", NULL, "t.yaml:2: ",
	 "resources: cpu: expected {warning, critical, hysteresis} or off"},
	{"cpu unknown key", "resources:\n  cpu: {warn: 5}\n", NULL, "t.yaml:2: ", "unknown key 'warn' in resources.cpu"},
	{"fs relative path", "resources:\n  filesystems:\n    - path: var\n", NULL, "t.yaml:3: ",
	 "path: 'var' must be an absolute path"},
	{"fs without path", "resources:\n  filesystems:\n    - warning: 50\n", NULL, "t.yaml:3: ",
	 "resources.filesystems[0]: missing required key 'path'"},
	{"fs path too long for a name",
	 "resources:\n  filesystems:\n    - path: /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", NULL, "t.yaml:3: ",
	 "path: longer than 61 characters (the resource is named \"fs:<path>\", at most 64)"},
	{"fs thresholds", "resources:\n  filesystems:\n    - path: /\n    - path: /var\n      warning: 99\n", NULL,
	 "t.yaml:4: ", "resources.filesystems[1] '/var': warning (99) is above critical (95)"},
	{"duplicate fs", "resources:\n  filesystems:\n    - path: /\n    - path: /var\n    - path: /\n", NULL,
	 "t.yaml:5: ", "duplicate filesystem '/' (first at line 3)"},
	{"nic name too long", "resources:\n  nics:\n    - name: abcdefghijklmnop\n", NULL, "t.yaml:3: ",
	 "longer than 15 characters"},
	{"nic name with slash", "resources:\n  nics:\n    - name: eth/0\n", NULL, "t.yaml:3: ", "'eth/0' is not valid"},
	{"nic stall fraction", "resources:\n  nics:\n    - {name: eth0, stall_after: 1500ms}\n", NULL, "t.yaml:3: ",
	 "whole number of seconds"},
	{"nic stall too long", "resources:\n  nics:\n    - {name: eth0, stall_after: 86401}\n", NULL, "t.yaml:3: ",
	 "out of range (1s .. 24h)"},
	{"duplicate nic", "resources:\n  nics:\n    - name: eth0\n    - name: eth0\n", NULL, "t.yaml:4: ",
	 "duplicate network interface 'eth0' (first at line 3)"},
};

static void test_rejected(void)
{
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
		const struct bad *r = &bad_rows[i];
		struct shugo_config *c;

		strcpy(err, "(untouched)");
		c = parse(r->yaml, r->node ? r->node : "alpha", err);
		CU_ASSERT_PTR_NULL(c);
		cfg_free(c);
		if (strncmp(err, r->prefix, strlen(r->prefix)) != 0 || !strstr(err, r->words)) {
			fprintf(stderr, "\n  row '%s': got \"%s\"\n  want prefix \"%s\" and \"%s\"\n", r->what, err,
				r->prefix, r->words);
			CU_FAIL("error message");
		}
	}
}

/* Durations through agent.sample_interval (100ms .. 1h). */
static void test_durations(void)
{
	static const struct {
		const char *text;
		uint32_t ms; /* 0: rejected with words */
		const char *words;
	} rows[] = {
		{"500ms", 500, NULL},
		{"100ms", 100, NULL},
		{"5", 5000, NULL}, /* bare integers are seconds */
		{"5s", 5000, NULL},
		{"2m", 120000, NULL},
		{"1h", 3600000, NULL},
		{"\"007s\"", 7000, NULL},
		{"99ms", 0, "out of range (100ms .. 1h)"},
		{"3601s", 0, "out of range"},
		{"61m", 0, "out of range"},
		{"0", 0, "out of range"},
		{"-5s", 0, "expected a duration"},
		{"+5s", 0, "expected a duration"},
		{"' 5s'", 0, "expected a duration"},
		{"5 s", 0, "expected a duration"},
		{"1.5s", 0, "expected a duration"},
		{"5d", 0, "expected a duration"},
		{"5S", 0, "expected a duration"},
		{"0x10s", 0, "expected a duration"},
		{"\"\"", 0, "expected a duration"},
		{"18446744073709551615ms", 0, "out of range"},
		{"18446744073709551616", 0, "out of range"},   /* strtoull overflow */
		{"5124095576030432h", 0, "out of range"},      /* overflow when scaled to ms */
		{"99999999999999999999999999999h", 0, "out of range"},
	};
	char yaml[128], err[ERRLEN];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct shugo_config *c;
		snprintf(yaml, sizeof yaml, "agent:\n  sample_interval: %s\n", rows[i].text);
		c = parse(yaml, "n", err);
		if (rows[i].ms) {
			CU_ASSERT_PTR_NOT_NULL(c);
			if (c)
				CU_ASSERT_EQUAL(c->sample_ms, rows[i].ms);
			if (!c)
				fprintf(stderr, "\n  duration %s: %s\n", rows[i].text, err);
		} else {
			CU_ASSERT_PTR_NULL(c);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, rows[i].words));
			CU_ASSERT_EQUAL(strncmp(err, "t.yaml:2: agent: sample_interval: ", 34), 0);
			if (!c && !strstr(err, rows[i].words))
				fprintf(stderr, "\n  duration %s: %s\n", rows[i].text, err);
		}
		cfg_free(c);
	}
}

/* Percentages through resources.cpu.warning: stored in hundredths; more than
 * two decimals is rejected rather than rounded. */
static void test_percentages(void)
{
	static const struct {
		const char *text;
		bool ok;
		uint32_t hundredths;
		const char *words;
	} rows[] = {
		{"80", true, 8000, NULL},
		{"92.5", true, 9250, NULL},
		{"92.05", true, 9205, NULL},
		{"92.50", true, 9250, NULL},
		{"0.01", true, 1, NULL},
		{"100", true, 10000, NULL},
		{"100.00", true, 10000, NULL},
		{"\"42\"", true, 4200, NULL},
		{"1.234", false, 0, "more than two decimals"},
		{"100.01", false, 0, "out of range (0 .. 100)"},
		{"101", false, 0, "out of range"},
		{"-1", false, 0, "expected a number"},
		{".5", false, 0, "expected a number"},
		{"5.", false, 0, "expected a number"},
		{"1e2", false, 0, "expected a number"},
		{"5%", false, 0, "expected a number"},
		{"1,5", false, 0, "expected a number"},
		{"99999999999999999999999", false, 0, "out of range"},
		{"184467440737095516.15", false, 0, "out of range"},
	};
	char yaml[160], err[ERRLEN];
	struct shugo_config *c0;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct shugo_config *c;
		snprintf(yaml, sizeof yaml, "resources:\n  cpu:\n    warning: %s\n    critical: 100\n    hysteresis: 0\n",
			 rows[i].text);
		c = parse(yaml, "n", err);
		if (rows[i].ok) {
			CU_ASSERT_PTR_NOT_NULL(c);
			if (c)
				CU_ASSERT_EQUAL(c->res[0].thr.warning, rows[i].hundredths);
			if (!c)
				fprintf(stderr, "\n  percent %s: %s\n", rows[i].text, err);
		} else {
			CU_ASSERT_PTR_NULL(c);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, rows[i].words));
			CU_ASSERT_EQUAL(strncmp(err, "t.yaml:3: resources.cpu: warning: ", 34), 0);
			if (!c && !strstr(err, rows[i].words))
				fprintf(stderr, "\n  percent %s: %s\n", rows[i].text, err);
		}
		cfg_free(c);
	}

	/* Both thresholds 0: measured and shown, never alarmed. */
	c0 = parse("resources:\n  cpu: {warning: 0, critical: 0, hysteresis: 0}\n", "n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c0);
	CU_ASSERT_EQUAL(c0->res[0].thr.warning, 0);
	CU_ASSERT_EQUAL(c0->res[0].thr.critical, 0);
	cfg_free(c0);
}

static void test_booleans(void)
{
	static const struct {
		const char *text;
		bool val;
	} rows[] = {
		{"true", true}, {"True", true}, {"yes", true}, {"on", true},
		{"false", false}, {"FALSE", false}, {"no", false}, {"off", false},
	};
	char yaml[128], err[ERRLEN];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct shugo_config *c;
		snprintf(yaml, sizeof yaml, "resources:\n  nics:\n    - {name: e, pcap: %s}\n", rows[i].text);
		c = parse(yaml, "n", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(c->nics[0].pcap, rows[i].val);
		cfg_free(c);
	}
}

/* glibc's regcomp copies X for X+ and X{m,n}; nested repetition multiplies.
 * What is refused must be what would blow up, not ordinary patterns. */
static void test_regex_size(void)
{
	static const struct {
		const char *re;
		bool ok;
	} rows[] = {
		{"python3 .*worker", true},
		{"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", true},
		{"a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u+v+w+x+y+z+", true}, /* in a row: they add */
		{"(a{40}){60}", true},
		{"(a*){1000}", true},
		{"^/usr/(s?bin)/[a-z]+d( -[a-zA-Z]+)*$", true},
		{"[+]+[{]{3}[[:digit:]]+", true}, /* operators inside brackets are characters */
		{"a{}", false},                    /* not an interval: left to regcomp */
		{"(a{40}){70}", false},
		{"(a?){5000}", false},
		{"((((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)", false},          /* 2^15 */
		{"x++", false},                    /* operators in a row */
		{"x*+", false},
		{"x{2}{3}", false},
		{"(ab|cd){30000}", false},
		{"a{32767}", false},
		{"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))", false},
	};
	char yaml[512], err[ERRLEN];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct shugo_config *c;
		snprintf(yaml, sizeof yaml, "processes:\n  - name: w\n    match:\n      cmdline: '%s'\n", rows[i].re);
		c = parse(yaml, "n", err);
		CU_ASSERT_EQUAL(c != NULL, rows[i].ok);
		if ((c != NULL) != rows[i].ok)
			fprintf(stderr, "\n  regex %s: %s\n", rows[i].re, c ? "accepted" : err);
		if (!rows[i].ok) {
			CU_ASSERT_EQUAL(strncmp(err, "t.yaml:4: processes[0] 'w': match: cmdline: ", 44), 0);
		} else {
			CU_ASSERT_TRUE(c && c->procs[0].re_compiled);
		}
		cfg_free(c);
	}
}

/* Aliases are fine in moderation; a few references to something large must
 * be stopped before they multiply into memory and time. */
static void test_alias_limits(void)
{
	const size_t n_env = 1000, n_procs = 3000;
	size_t size = 64 * n_env + 64 * n_procs + 1024, off = 0;
	char *yaml = malloc(size), err[ERRLEN];
	struct shugo_config *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(yaml);
	off += (size_t)snprintf(yaml + off, size - off, "processes:\n  - name: p0\n    command: /p\n    env: &e\n");
	for (size_t i = 0; i < n_env; i++)
		off += (size_t)snprintf(yaml + off, size - off, "      V%zu: x\n", i);
	for (size_t i = 1; i < n_procs; i++)
		off += (size_t)snprintf(yaml + off, size - off, "  - {name: p%zu, command: /p, env: *e}\n", i);
	c = parse(yaml, "n", err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too many nodes"));
	cfg_free(c);

	/* A long string referenced from many places: charged per copy. */
	off = 0;
	off += (size_t)snprintf(yaml + off, size - off, "processes:\n  - {name: p, command: /p, env: {A: &s \"");
	for (size_t i = 0; i < 4000; i++)
		yaml[off++] = 'x';
	off += (size_t)snprintf(yaml + off, size - off, "\"}}\n");
	for (size_t i = 0; i < 2000; i++)
		off += (size_t)snprintf(yaml + off, size - off, "  - {name: p%zu, command: /p, env: {A: *s}}\n", i);
	c = parse(yaml, "n", err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too much text"));
	cfg_free(c);
	free(yaml);

	/* Shared lists and mappings through aliases are accepted. */
	c = parse("processes:\n"
		  "  - {name: a, command: /a, damping: &d {restarts: 2, window: 10s}}\n"
		  "  - {name: b, command: /b, damping: *d}\n",
		  "n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->procs[1].policy.damp_restarts, 2);
	CU_ASSERT_EQUAL(c->procs[1].policy.damp_window_ms, 10000);
	cfg_free(c);
}

/* A small error buffer is filled and terminated, never overrun; no buffer at
 * all is allowed too. */
static void test_small_err_buffer(void)
{
	char err[12];
	const char *yaml = "agent:\n  queue_limit: 0\n";

	memset(err, 'z', sizeof err);
	CU_ASSERT_PTR_NULL(cfg_parse("t.yaml", yaml, strlen(yaml), "n", err, 10));
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:2:");
	CU_ASSERT_EQUAL(err[10], 'z');
	CU_ASSERT_PTR_NULL(cfg_parse("t.yaml", yaml, strlen(yaml), "n", NULL, 0));
	/* A buffer that is not NUL-terminated is read no further than len. */
	{
		char raw[] = {'a', 'g', 'e', 'n', 't', ':', ' ', '{', '}', '#'};
		struct shugo_config *c = cfg_parse("t.yaml", raw, 9, "n", err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL(c);
		cfg_free(c);
	}
	cfg_free(NULL);
}

static void test_node_name_arg(void)
{
	char err[ERRLEN];
	char longname[CFG_NAME_MAX + 2];

	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CU_ASSERT_PTR_NULL(parse("agent: {}\n", longname, err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than 64"));
	CU_ASSERT_PTR_NULL(parse("agent: {}\n", "", err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "empty"));
}

static const char master_yaml[] =
	"agent:\n"
	"  mode: master\n"
	"  agentx_socket: /ignored/in/master/mode\n"
	"  agentx_ping: 7s\n"
	"  listen:\n"
	"    - udp:127.0.0.1:1161\n"
	"    - \"udp6:[::1]:1161\"\n"
	"    - tcp:0.0.0.0:1161\n"
	"  read_communities:\n"
	"    - {community: monitor, source: 127.0.0.1}\n"
	"    - community: \"two words\"\n"
	"      source: 10.20.0.0/16\n"
	"    - {community: v6, source: \"fd00:1::/32\"}\n"
	"    - {community: anywhere, source: default}\n"
	"    - {community: monitor, source: 192.168.1.128/25}\n"
	"snmp:\n"
	"  users:\n"
	"    - {name: admin, auth_password: authpass1, priv_password: privpass1}\n";

static void test_master_mode(void)
{
	static const uint8_t v6net[16] = {0xfd, 0x00, 0x00, 0x01};
	char err[ERRLEN] = "";
	struct shugo_config *c = parse(master_yaml, "n1", err);
	const struct cfg_community *k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(c->mode, AGENT_MODE_MASTER);
	/* kept, though master mode does not use them */
	CU_ASSERT_STRING_EQUAL(c->agentx_socket, "/ignored/in/master/mode");
	CU_ASSERT_EQUAL(c->agentx_ping_s, 7);

	CU_ASSERT_EQUAL_FATAL(c->n_listen, 3);
	CU_ASSERT_STRING_EQUAL(c->listen[0], "udp:127.0.0.1:1161");
	CU_ASSERT_STRING_EQUAL(c->listen[1], "udp6:[::1]:1161");
	CU_ASSERT_STRING_EQUAL(c->listen[2], "tcp:0.0.0.0:1161");
	CU_ASSERT_PTR_NULL(c->listen[3]);

	CU_ASSERT_EQUAL_FATAL(c->n_communities, 5);
	k = &c->communities[0];
	CU_ASSERT_STRING_EQUAL(k->community, "monitor");
	CU_ASSERT_EQUAL(k->family, CFG_SRC_IPV4);
	CU_ASSERT_EQUAL(k->prefix, 32); /* a bare address is one host */
	CU_ASSERT_EQUAL(memcmp(k->net, "\x7f\x00\x00\x01", 4), 0);
	CU_ASSERT_EQUAL(k->line, line_of(master_yaml, "    - {community: monitor, source: 127"));
	k = &c->communities[1];
	CU_ASSERT_STRING_EQUAL(k->community, "two words");
	CU_ASSERT_EQUAL(k->family, CFG_SRC_IPV4);
	CU_ASSERT_EQUAL(k->prefix, 16);
	CU_ASSERT_EQUAL(memcmp(k->net, "\x0a\x14\x00\x00", 4), 0);
	CU_ASSERT_EQUAL(k->line, line_of(master_yaml, "    - community: \"two words\""));
	k = &c->communities[2];
	CU_ASSERT_EQUAL(k->family, CFG_SRC_IPV6);
	CU_ASSERT_EQUAL(k->prefix, 32);
	CU_ASSERT_EQUAL(memcmp(k->net, v6net, 16), 0);
	k = &c->communities[3];
	CU_ASSERT_STRING_EQUAL(k->community, "anywhere");
	CU_ASSERT_EQUAL(k->family, CFG_SRC_ANY);
	k = &c->communities[4];
	CU_ASSERT_EQUAL(k->family, CFG_SRC_IPV4);
	CU_ASSERT_EQUAL(k->prefix, 25);
	CU_ASSERT_EQUAL(c->n_users, 1);
	cfg_free(c);

	/* Master mode with no read community: valid, SNMPv3 only. */
	c = parse("agent: {mode: master, listen: [udp:1161]}\n", "n1", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->n_communities, 0);
	CU_ASSERT_EQUAL(c->n_listen, 1);
	cfg_free(c);
	/* Null values count as absent: agentx mode needs neither key. */
	c = parse("agent:\n  mode: agentx\n  listen:\n  read_communities: ~\n", "n1", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->mode, AGENT_MODE_AGENTX);
	cfg_free(c);
}

/* A community is a secret: an error about its entry never quotes it. */
static void test_community_not_echoed(void)
{
	static const char *const texts[] = {
		"agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: s3cr3t, source: 1.2.3.4/8}\n",
		"agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: s3cr3t, source: nowhere}\n",
		"agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: s3cr3t, colour: red}\n",
		"agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n    - {community: s3cr3t}\n",
	};
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		CU_ASSERT_PTR_NULL(parse(texts[i], "n1", err));
		CU_ASSERT_EQUAL(strncmp(err, "t.yaml:5: ", 10), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "agent.read_communities[0]"));
		CU_ASSERT_PTR_NULL(strstr(err, "s3cr3t"));
	}
}

/* cfg_source_match: a parsed source against client addresses. */
static void test_source_match(void)
{
	static const struct {
		const char *source;
		const char *addr; /* NULL: a transport without an IP address */
		bool match;
	} rows[] = {
		{"default", "127.0.0.1", true},
		{"default", "::1", true},
		{"default", NULL, true},
		{"127.0.0.1", "127.0.0.1", true},
		{"127.0.0.1", "127.0.0.2", false},
		{"127.0.0.1/32", "127.0.0.1", true},
		{"127.0.0.1", NULL, false},
		{"127.0.0.1", "::1", false},
		{"127.0.0.1", "::ffff:127.0.0.1", true}, /* dual-stack socket */
		{"127.0.0.1", "::ffff:127.0.0.2", false},
		{"10.0.0.0/8", "10.255.255.255", true},
		{"10.0.0.0/8", "11.0.0.0", false},
		{"10.0.0.0/8", "9.255.255.255", false},
		{"192.168.1.128/25", "192.168.1.128", true},
		{"192.168.1.128/25", "192.168.1.255", true},
		{"192.168.1.128/25", "192.168.1.127", false},
		{"192.168.2.0/23", "192.168.3.7", true},
		{"192.168.2.0/23", "192.168.4.7", false},
		{"0.0.0.0/0", "203.0.113.9", true},
		{"0.0.0.0/0", "2001:db8::1", false}, /* an IPv4 rule is not an IPv6 one */
		{"::1", "::1", true},
		{"::1", "::2", false},
		{"fd00:1::/32", "fd00:1:ffff::9", true},
		{"fd00:1::/32", "fd00:2::9", false},
		{"fc00::/7", "fdff::1", true},
		{"fc00::/7", "fe00::1", false},
		{"::/0", "2001:db8::1", true},
		{"::/0", "10.0.0.1", false},
	};
	char err[ERRLEN], yaml[256];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		uint8_t addr[16];
		size_t len = 0;
		struct shugo_config *c;

		snprintf(yaml, sizeof yaml,
			 "agent:\n  mode: master\n  listen: [udp:1161]\n  read_communities:\n"
			 "    - {community: c, source: \"%s\"}\n",
			 rows[i].source);
		c = parse(yaml, "n1", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL_FATAL(c->n_communities, 1);
		if (rows[i].addr && inet_pton(AF_INET, rows[i].addr, addr) == 1)
			len = 4;
		else if (rows[i].addr && inet_pton(AF_INET6, rows[i].addr, addr) == 1)
			len = 16;
		if (cfg_source_match(&c->communities[0], len ? addr : NULL, len) != rows[i].match) {
			fprintf(stderr, "\n  source %s, address %s: expected %s\n", rows[i].source,
				rows[i].addr ? rows[i].addr : "(none)", rows[i].match ? "a match" : "no match");
			CU_FAIL("cfg_source_match");
		}
		cfg_free(c);
	}
	CU_ASSERT_FALSE(cfg_source_match(NULL, NULL, 0));
}

static void test_load_file(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[256], path[300], err[ERRLEN];
	struct shugo_config *c;
	FILE *f;

	snprintf(dir, sizeof dir, "%s/shugo-cfg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/shugo.yaml", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(full_yaml, f);
	fclose(f);

	c = cfg_load(path, "alpha", err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->file, path);
	CU_ASSERT_EQUAL(c->n_procs, 5);
	cfg_free(c);

	/* Messages name the path given. */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("agent:\n  queue_limit: lots\n", f);
	fclose(f);
	CU_ASSERT_PTR_NULL(cfg_load(path, "alpha", err, sizeof err));
	CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2: agent: queue_limit: expected a whole number, got 'lots'"));

	CU_ASSERT_PTR_NULL(cfg_load(dir, "alpha", err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
	unlink(path);
	CU_ASSERT_PTR_NULL(cfg_load(path, "alpha", err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
	rmdir(dir);
}

/* ---- manager and trapd ---- */

/* Files without a manager: or trapd: section (every agent-only file) get
 * every default of both. */
static void test_manager_defaults(void)
{
	static const char *const texts[] = {
		"",
		"manager:\ntrapd:\n",
		"manager: {}\ntrapd: {}\n",
		"cluster:\n  nodes:\n    - {name: n1, address: udp:127.0.0.1:161}\n    - {name: n2, address: x:1}\n",
	};
	static const unsigned char eid[] = {0x80, 0x00, 0x7e, 0xd9, 0x04, 'n', '1'};
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct shugo_config *c = parse(texts[i], "n1", err);
		const struct cfg_manager *m;
		const struct cfg_trapd *t;

		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		m = &c->manager;
		t = &c->trapd;
		CU_ASSERT_EQUAL(m->line, i == 1 || i == 2 ? 1 : 0);
		CU_ASSERT_STRING_EQUAL(m->store, SHUGO_STATEDIR "/store.db");
		CU_ASSERT_STRING_EQUAL(m->agentx_socket, "/var/agentx/master");
		CU_ASSERT_STRING_EQUAL(m->event_socket, SHUGO_STATEDIR "/manager.sock");
		CU_ASSERT_TRUE(m->rrd.enabled);
		CU_ASSERT_STRING_EQUAL(m->rrd.dir, SHUGO_STATEDIR "/rrd");
		CU_ASSERT_PTR_NULL(m->rrd.daemon);
		CU_ASSERT_EQUAL(m->poll.interval_ms, 5000);
		CU_ASSERT_EQUAL(m->poll.timeout_ms, 1000);
		CU_ASSERT_EQUAL(m->poll.retries, 1);
		CU_ASSERT_EQUAL(m->poll.down_after_ms, 15000);
		CU_ASSERT_EQUAL(m->max_in_flight, 64);
		CU_ASSERT_EQUAL(m->reader.version, 2);
		CU_ASSERT_STRING_EQUAL(m->reader.community, "public");
		CU_ASSERT_STRING_EQUAL(m->reader.user, "");
		CU_ASSERT_EQUAL(m->log_ring, 10000);
		CU_ASSERT_EQUAL(m->log_keep, 1000000);
		CU_ASSERT_STRING_EQUAL(m->exec.user, ""); /* remote execution off */
		CU_ASSERT_STRING_EQUAL(m->exec.requester, "n1");
		CU_ASSERT_EQUAL(m->exec.check_ms, 10000);
		CU_ASSERT_EQUAL(m->exec.keep, 10000);
		for (size_t k = 0; k < c->n_nodes; k++)
			CU_ASSERT_EQUAL(memcmp(&c->nodes[k].poll, &m->poll, sizeof m->poll), 0);

		CU_ASSERT_EQUAL(t->line, i == 1 ? 2 : i == 2 ? 2 : 0);
		CU_ASSERT_EQUAL_FATAL(t->n_listen, 1);
		CU_ASSERT_STRING_EQUAL(t->listen[0], "udp:0.0.0.0:162");
		CU_ASSERT_PTR_NULL(t->listen[1]);
		CU_ASSERT_EQUAL(t->n_communities, 0);
		CU_ASSERT_PTR_NULL(t->users);
		CU_ASSERT_EQUAL(t->n_users, 0);
		CU_ASSERT_FALSE(t->users_set);
		CU_ASSERT_EQUAL(t->engine_id_len, sizeof eid);
		CU_ASSERT_EQUAL(memcmp(t->engine_id, eid, sizeof eid), 0);
		CU_ASSERT_EQUAL(t->rate, 1000);
		CU_ASSERT_EQUAL(t->burst, 2000);
		CU_ASSERT_EQUAL(t->summary_ms, 10000);
		CU_ASSERT_EQUAL(t->batch, 512);
		CU_ASSERT_EQUAL(t->batch_delay_ms, 20);
		CU_ASSERT_EQUAL(t->rcvbuf, 8388608);
		CU_ASSERT_FALSE(t->mib_names);
		cfg_free(c);
	}

	/* The manager's AgentX socket follows the agent's when not given. */
	{
		struct shugo_config *c = parse("agent: {agentx_socket: tcp:localhost:705}\n", "n1", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_STRING_EQUAL(c->manager.agentx_socket, "tcp:localhost:705");
		cfg_free(c);
	}
}

static const char mgr_yaml[] =
	"cluster:\n"
	"  nodes:\n"
	"    - {name: alpha, address: udp:127.0.0.1:1161}\n"
	"    - name: beta\n"
	"      address: udp:127.0.0.1:1162\n"
	"      poll: {interval: 2s, retries: 0}\n"
	"    - name: gamma\n"
	"      address: udp:127.0.0.1:1163\n"
	"      poll:\n"
	"        timeout: 200ms\n"
	"        retries: 3\n"
	"        down_after: 1s\n"
	"agent:\n"
	"  agentx_socket: /run/agentx.sock\n"
	"snmp:\n"
	"  users:\n"
	"    - {name: mgr, auth_password: mgrauth1, priv_password: mgrpriv1}\n"
	"    - {name: agt, auth_password: agtauth1, priv_password: agtpriv1}\n"
	"    - {name: ops, auth_password: opsauth1, priv_password: opspriv1}\n"
	"manager:\n"
	"  store: /srv/shugo/store.db\n"
	"  agentx_socket: tcp:127.0.0.1:705\n"
	"  event_socket: /run/shugo/manager.sock\n"
	"  poll:\n"
	"    interval: 1s\n"
	"    timeout: 300ms\n"
	"    retries: 2\n"
	"  max_in_flight: 4096\n"
	"  snmp: {version: 3, user: mgr}\n"
	"  log_ring: 100\n"
	"  log_keep: 5000000000\n"
	"  rrd:\n"
	"    enabled: no\n"
	"    dir: /srv/shugo/rrd/\n"
	"    daemon: unix:/run/rrdcached.sock\n"
	"  exec: {user: mgr, requester: \"ops desk\", check: 2s, keep: 50}\n"
	"trapd:\n"
	"  listen:\n"
	"    - udp:127.0.0.1:1162\n"
	"    - \"udp6:[::1]:1162\"\n"
	"    - localhost:10162\n"
	"  communities: [public, \"two words\"]\n"
	"  users: [agt, ops]\n"
	"  engine_id: 0x80001F8804AbCd\n"
	"  rate: 50\n"
	"  burst: 75\n"
	"  summary_interval: 1m\n"
	"  batch: 65536\n"
	"  batch_delay: 1ms\n"
	"  rcvbuf: 1048576\n"
	"  mib_names: yes\n";

static void test_manager_full(void)
{
	static const unsigned char eid[] = {0x80, 0x00, 0x1f, 0x88, 0x04, 0xab, 0xcd};
	char err[ERRLEN] = "";
	struct shugo_config *c = parse(mgr_yaml, "alpha", err);
	const struct cfg_manager *m;
	const struct cfg_trapd *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(err, "");
	m = &c->manager;
	CU_ASSERT_EQUAL(m->line, line_of(mgr_yaml, "manager:"));
	CU_ASSERT_STRING_EQUAL(m->store, "/srv/shugo/store.db");
	CU_ASSERT_STRING_EQUAL(m->agentx_socket, "tcp:127.0.0.1:705");
	CU_ASSERT_STRING_EQUAL(m->event_socket, "/run/shugo/manager.sock");
	CU_ASSERT_EQUAL(m->poll.interval_ms, 1000);
	CU_ASSERT_EQUAL(m->poll.timeout_ms, 300);
	CU_ASSERT_EQUAL(m->poll.retries, 2);
	CU_ASSERT_EQUAL(m->poll.down_after_ms, 3000); /* 3 intervals */
	CU_ASSERT_EQUAL(m->max_in_flight, 4096);
	CU_ASSERT_EQUAL(m->reader.version, 3);
	CU_ASSERT_PTR_NULL(m->reader.community);
	CU_ASSERT_STRING_EQUAL(m->reader.user, "mgr");
	CU_ASSERT_EQUAL(m->log_ring, 100);
	CU_ASSERT_EQUAL(m->log_keep, 5000000000ull);
	CU_ASSERT_FALSE(m->rrd.enabled);
	CU_ASSERT_STRING_EQUAL(m->rrd.dir, "/srv/shugo/rrd"); /* the trailing slash dropped */
	CU_ASSERT_STRING_EQUAL(m->rrd.daemon, "unix:/run/rrdcached.sock");
	CU_ASSERT_STRING_EQUAL(m->exec.user, "mgr");
	CU_ASSERT_STRING_EQUAL(m->exec.requester, "ops desk");
	CU_ASSERT_EQUAL(m->exec.check_ms, 2000);
	CU_ASSERT_EQUAL(m->exec.keep, 50);

	CU_ASSERT_EQUAL_FATAL(c->n_nodes, 3);
	/* alpha: the manager's; beta: its interval and retries, down_after three
	 * of its own intervals; gamma: its timeout, retries and down_after. */
	CU_ASSERT_EQUAL(c->nodes[0].poll.interval_ms, 1000);
	CU_ASSERT_EQUAL(c->nodes[0].poll.timeout_ms, 300);
	CU_ASSERT_EQUAL(c->nodes[0].poll.retries, 2);
	CU_ASSERT_EQUAL(c->nodes[0].poll.down_after_ms, 3000);
	CU_ASSERT_EQUAL(c->nodes[1].poll.interval_ms, 2000);
	CU_ASSERT_EQUAL(c->nodes[1].poll.timeout_ms, 300);
	CU_ASSERT_EQUAL(c->nodes[1].poll.retries, 0);
	CU_ASSERT_EQUAL(c->nodes[1].poll.down_after_ms, 6000);
	CU_ASSERT_EQUAL(c->nodes[2].poll.interval_ms, 1000);
	CU_ASSERT_EQUAL(c->nodes[2].poll.timeout_ms, 200);
	CU_ASSERT_EQUAL(c->nodes[2].poll.retries, 3);
	CU_ASSERT_EQUAL(c->nodes[2].poll.down_after_ms, 1000);

	t = &c->trapd;
	CU_ASSERT_EQUAL(t->line, line_of(mgr_yaml, "trapd:"));
	CU_ASSERT_EQUAL_FATAL(t->n_listen, 3);
	CU_ASSERT_STRING_EQUAL(t->listen[0], "udp:127.0.0.1:1162");
	CU_ASSERT_STRING_EQUAL(t->listen[1], "udp6:[::1]:1162");
	CU_ASSERT_STRING_EQUAL(t->listen[2], "localhost:10162");
	CU_ASSERT_PTR_NULL(t->listen[3]);
	CU_ASSERT_EQUAL_FATAL(t->n_communities, 2);
	CU_ASSERT_STRING_EQUAL(t->communities[0], "public");
	CU_ASSERT_STRING_EQUAL(t->communities[1], "two words");
	CU_ASSERT_PTR_NULL(t->communities[2]);
	CU_ASSERT_TRUE(t->users_set);
	CU_ASSERT_EQUAL_FATAL(t->n_users, 2);
	CU_ASSERT_STRING_EQUAL(t->users[0], "agt");
	CU_ASSERT_STRING_EQUAL(t->users[1], "ops");
	CU_ASSERT_PTR_NULL(t->users[2]);
	CU_ASSERT_EQUAL(t->engine_id_len, sizeof eid);
	CU_ASSERT_EQUAL(memcmp(t->engine_id, eid, sizeof eid), 0);
	CU_ASSERT_EQUAL(t->rate, 50);
	CU_ASSERT_EQUAL(t->burst, 75);
	CU_ASSERT_EQUAL(t->summary_ms, 60000);
	CU_ASSERT_EQUAL(t->batch, 65536);
	CU_ASSERT_EQUAL(t->batch_delay_ms, 1);
	CU_ASSERT_EQUAL(t->rcvbuf, 1048576);
	CU_ASSERT_TRUE(t->mib_names);
	cfg_free(c);

	/* Smaller variations: burst follows rate; rate 0 turns the limit off;
	 * an empty users list accepts no SNMPv3 user at all. */
	c = parse("trapd:\n  rate: 7\n  users: []\n", "n1", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->trapd.rate, 7);
	CU_ASSERT_EQUAL(c->trapd.burst, 14);
	CU_ASSERT_TRUE(c->trapd.users_set);
	CU_ASSERT_EQUAL(c->trapd.n_users, 0);
	CU_ASSERT_PTR_NOT_NULL(c->trapd.users);
	cfg_free(c);
	c = parse("trapd: {rate: 0}\nmanager:\n  snmp: {version: 2c, community: \"ro ro\"}\n", "n1", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->trapd.rate, 0);
	CU_ASSERT_EQUAL(c->trapd.burst, 0);
	CU_ASSERT_EQUAL(c->manager.reader.version, 2);
	CU_ASSERT_STRING_EQUAL(c->manager.reader.community, "ro ro");
	cfg_free(c);

	/* Without a dir, the metrics go next to the store. */
	c = parse("manager:\n  store: /srv/mgr2/state.db\n  rrd: {enabled: true}\n", "n1", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->manager.rrd.dir, "/srv/mgr2/rrd");
	CU_ASSERT_TRUE(c->manager.rrd.enabled);
	cfg_free(c);
	c = parse("manager:\n  store: /store.db\n", "n1", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->manager.rrd.dir, "/rrd");
	cfg_free(c);
}

/* A node's `poll:` laid over manager.poll. down_after, written by neither,
 * is three of the node's own intervals. */
static void test_node_poll_merge(void)
{
	static const struct {
		const char *mgr;  /* manager.poll, or NULL */
		const char *node; /* beta's poll, or NULL */
		struct cfg_poll want_mgr, want_beta;
	} rows[] = {
		{NULL, NULL, {5000, 1000, 1, 15000}, {5000, 1000, 1, 15000}},
		{NULL, "{interval: 10s}", {5000, 1000, 1, 15000}, {10000, 1000, 1, 30000}},
		{NULL, "{timeout: 3s}", {5000, 1000, 1, 15000}, {5000, 3000, 1, 15000}},
		{NULL, "{retries: 0, down_after: 5s}", {5000, 1000, 1, 15000}, {5000, 1000, 0, 5000}},
		{"{interval: 1s}", NULL, {1000, 1000, 1, 3000}, {1000, 1000, 1, 3000}},
		{"{interval: 1s}", "{interval: 2s}", {1000, 1000, 1, 3000}, {2000, 1000, 1, 6000}},
		{"{down_after: 20s}", "{interval: 2s}", {5000, 1000, 1, 20000}, {2000, 1000, 1, 20000}},
		{"{down_after: 20s}", "{down_after: 8s}", {5000, 1000, 1, 20000}, {5000, 1000, 1, 8000}},
		{"{interval: 500ms, timeout: 100ms, retries: 0}", "{retries: 10}", {500, 100, 0, 1500},
		 {500, 100, 10, 1500}},
		{"{interval: 1h, timeout: 1m, retries: 10, down_after: 24h}", "{interval: 100ms, timeout: 10ms, retries: 0}",
		 {3600000, 60000, 10, 86400000}, {100, 10, 0, 86400000}},
		{NULL, "{interval: , timeout: ~}", {5000, 1000, 1, 15000}, {5000, 1000, 1, 15000}},
	};
	char yaml[512], err[ERRLEN];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct shugo_config *c;
		int n = snprintf(yaml, sizeof yaml,
				 "cluster:\n  nodes:\n    - {name: alpha, address: x:1}\n    - name: beta\n"
				 "      address: x:2\n");
		if (rows[i].node)
			n += snprintf(yaml + n, sizeof yaml - (size_t)n, "      poll: %s\n", rows[i].node);
		if (rows[i].mgr)
			snprintf(yaml + n, sizeof yaml - (size_t)n, "manager:\n  poll: %s\n", rows[i].mgr);
		c = parse(yaml, "alpha", err);
		if (!c) {
			fprintf(stderr, "\n  poll row %zu: %s\n", i, err);
			CU_FAIL("rejected");
			continue;
		}
		CU_ASSERT_EQUAL(memcmp(&c->manager.poll, &rows[i].want_mgr, sizeof(struct cfg_poll)), 0);
		CU_ASSERT_EQUAL(memcmp(&c->nodes[0].poll, &rows[i].want_mgr, sizeof(struct cfg_poll)), 0);
		if (memcmp(&c->nodes[1].poll, &rows[i].want_beta, sizeof(struct cfg_poll)) != 0) {
			const struct cfg_poll *g = &c->nodes[1].poll;
			fprintf(stderr, "\n  poll row %zu: beta %u/%u/%u/%u\n", i, g->interval_ms, g->timeout_ms, g->retries,
				g->down_after_ms);
			CU_FAIL("merged poll");
		}
		CU_ASSERT_PTR_NULL(cfg_poll_check(&c->nodes[1].poll));
		cfg_free(c);
	}
}

/* The rules of manager and trapd, each with its exact message. */
static const struct {
	const char *what;
	const char *yaml;
	const char *err;
} mgr_bad_rows[] = {
	/* manager */
	{"manager a list", "manager: [1]\n", "t.yaml:1: expected a mapping for 'manager', got a list"},
	{"manager unknown key", "manager:\n  stor: /x\n", "t.yaml:2: unknown key 'stor' in manager"},
	{"relative store", "manager:\n  store: store.db\n", "t.yaml:2: manager: store: 'store.db' must be an absolute path"},
	{"bad agentx socket", "manager:\n  agentx_socket: master\n",
	 "t.yaml:2: manager: agentx_socket: 'master' is neither a socket path nor a transport such as tcp:localhost:705"},
	{"relative event socket", "manager:\n  event_socket: run/m.sock\n",
	 "t.yaml:2: manager: event_socket: 'run/m.sock' must be an absolute path"},
	{"event socket too long",
	 "manager:\n  event_socket: /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaaaaaaaaaaaaaaaa\n",
	 "t.yaml:2: manager: event_socket: longer than 107 characters (the limit of a unix socket path)"},
	{"poll not a mapping", "manager:\n  poll: 5s\n", "t.yaml:2: manager: expected a mapping for 'poll', got '5s'"},
	{"poll unknown key", "manager:\n  poll:\n    intervall: 5s\n", "t.yaml:3: unknown key 'intervall' in manager.poll"},
	{"interval too short", "manager:\n  poll: {interval: 99ms}\n",
	 "t.yaml:2: manager.poll: interval: '99ms' is out of range (100ms .. 1h)"},
	{"interval not a duration", "manager:\n  poll:\n    interval: 1.5s\n",
	 "t.yaml:3: manager.poll: interval: expected a duration such as 500ms, 5s, 2m or 1h, got '1.5s'"},
	{"timeout too short", "manager:\n  poll: {timeout: 9ms}\n",
	 "t.yaml:2: manager.poll: timeout: '9ms' is out of range (10ms .. 1m)"},
	{"too many retries", "manager:\n  poll: {retries: 11}\n",
	 "t.yaml:2: manager.poll: retries: '11' is out of range (0 .. 10)"},
	{"down_after too long", "manager:\n  poll: {down_after: 25h}\n",
	 "t.yaml:2: manager.poll: down_after: '25h' is out of range (100ms .. 24h)"},
	{"down_after below interval", "manager:\n  poll:\n    interval: 10s\n    down_after: 9s\n",
	 "t.yaml:2: manager.poll: down_after (9s) is below interval (10s)"},
	{"down_after equal to the tries", "manager:\n  poll:\n    timeout: 2s\n    retries: 3\n    down_after: 8s\n",
	 "t.yaml:2: manager.poll: down_after (8s) must be greater than timeout x (retries + 1) = 2s x 4 = 8s"},
	{"default down_after too short", "manager:\n  poll: {interval: 200ms}\n",
	 "t.yaml:2: manager.poll: down_after (600ms, 3 x interval by default) must be greater than timeout x "
	 "(retries + 1) = 1s x 2 = 2s"},
	{"max_in_flight zero", "manager:\n  max_in_flight: 0\n",
	 "t.yaml:2: manager: max_in_flight: '0' is out of range (1 .. 4096)"},
	{"max_in_flight too many", "manager:\n  max_in_flight: 4097\n",
	 "t.yaml:2: manager: max_in_flight: '4097' is out of range (1 .. 4096)"},
	{"snmp a value", "manager:\n  snmp: v3\n", "t.yaml:2: manager: expected a mapping for 'snmp', got 'v3'"},
	{"snmp version 1", "manager:\n  snmp: {version: 1}\n",
	 "t.yaml:2: manager.snmp: unknown SNMP version '1' (expected 2c or 3)"},
	{"v3 without user", "manager:\n  snmp:\n    version: 3\n", "t.yaml:3: manager.snmp: 'user' is required with version 3"},
	{"v3 with community", "manager:\n  snmp:\n    version: 3\n    user: u\n    community: c\n",
	 "t.yaml:5: manager.snmp: 'community' is not allowed with version 3 (name a snmp.users entry in 'user')"},
	{"v2c with user", "manager:\n  snmp:\n    user: u\n", "t.yaml:3: manager.snmp: 'user' is only used with version 3"},
	{"v2c empty community", "manager:\n  snmp: {community: \"\"}\n",
	 "t.yaml:2: manager.snmp: community: must not be empty"},
	{"v3 user undefined",
	 "snmp:\n  users:\n    - {name: u, auth_password: 12345678, priv_password: 12345678}\nmanager:\n  snmp:\n"
	 "    version: 3\n    user: bob\n",
	 "t.yaml:7: manager.snmp: user 'bob' is not defined in snmp.users"},
	{"exec without user", "manager:\n  exec: {check: 5s}\n",
	 "t.yaml:2: manager.exec: 'user' is required (the snmp.users entry the manager creates exec rows as)"},
	{"exec user undefined", "manager:\n  exec:\n    user: bob\n",
	 "t.yaml:3: manager.exec: user 'bob' is not defined in snmp.users"},
	{"exec check too short", "snmp:\n  users:\n    - {name: u, auth_password: 12345678, priv_password: 12345678}\n"
	 "manager:\n  exec: {user: u, check: 10ms}\n",
	 "t.yaml:5: manager.exec: check: '10ms' is out of range (1s .. 1h)"},
	{"exec unknown key", "manager:\n  exec: {user: u, wait: yes}\n",
	 "t.yaml:2: unknown key 'wait' in manager.exec"},
	{"log_ring too small", "manager:\n  log_ring: 99\n", "t.yaml:2: manager: log_ring: '99' is out of range (100 .. 100000)"},
	{"log_ring too big", "manager:\n  log_ring: 100001\n",
	 "t.yaml:2: manager: log_ring: '100001' is out of range (100 .. 100000)"},
	{"log_keep below log_ring", "manager:\n  log_ring: 20000\n  log_keep: 19999\n",
	 "t.yaml:3: manager: log_keep (19999) is below log_ring (20000)"},
	{"log_keep below the default ring", "manager:\n  log_keep: 500\n",
	 "t.yaml:2: manager: log_keep (500) is below log_ring (10000)"},
	{"rrd a value", "manager:\n  rrd: /var/rrd\n", "t.yaml:2: manager: expected a mapping for 'rrd', got '/var/rrd'"},
	{"rrd unknown key", "manager:\n  rrd:\n    directory: /x\n", "t.yaml:3: unknown key 'directory' in manager.rrd"},
	{"rrd relative dir", "manager:\n  rrd: {dir: rrd}\n", "t.yaml:2: manager.rrd: dir: 'rrd' must be an absolute path"},
	{"rrd enabled not a boolean", "manager:\n  rrd:\n    enabled: maybe\n",
	 "t.yaml:3: manager.rrd: enabled: expected true or false, got 'maybe'"},
	{"rrd daemon over the network", "manager:\n  rrd:\n    daemon: 10.0.0.5:42217\n",
	 "t.yaml:3: manager.rrd: daemon: '10.0.0.5:42217' is not rrdcached's unix socket (unix:/path or /path; the "
	 "manager falls back to writing the files itself, so rrdcached runs on this host)"},
	{"rrd daemon relative socket", "manager:\n  rrd: {daemon: \"unix:rrd.sock\"}\n",
	 "t.yaml:2: manager.rrd: daemon: 'unix:rrd.sock' is not rrdcached's unix socket (unix:/path or /path; the "
	 "manager falls back to writing the files itself, so rrdcached runs on this host)"},
	{"rrd daemon path too long",
	 "manager:\n  rrd: {daemon: unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
	 "t.yaml:2: manager.rrd: daemon: longer than 107 characters (the limit of a unix socket path)"},

	/* cluster.nodes[].poll */
	{"node poll a list", "cluster:\n  nodes:\n    - {name: alpha, address: x:1, poll: [1s]}\n",
	 "t.yaml:3: cluster.nodes[0] 'alpha': expected a mapping for 'poll', got a list"},
	{"node poll unknown key", "cluster:\n  nodes:\n    - name: alpha\n      address: x:1\n      poll: {timout: 1s}\n",
	 "t.yaml:5: unknown key 'timout' in cluster.nodes[0] 'alpha': poll"},
	{"node poll interval too short", "cluster:\n  nodes:\n    - name: alpha\n      address: x:1\n      poll:\n"
	 "        interval: 50ms\n",
	 "t.yaml:6: cluster.nodes[0] 'alpha': poll: interval: '50ms' is out of range (100ms .. 1h)"},
	{"node down_after below its interval",
	 "cluster:\n  nodes:\n    - {name: alpha, address: x:1}\n    - name: beta\n      address: x:2\n"
	 "      poll: {down_after: 1s}\n",
	 "t.yaml:4: cluster.nodes[1] 'beta': poll: down_after (1s) is below interval (5s)"},
	{"node timeout too long for the default window",
	 "cluster:\n  nodes:\n    - {name: alpha, address: x:1}\n    - name: beta\n      address: x:2\n"
	 "      poll: {timeout: 10s}\n",
	 "t.yaml:4: cluster.nodes[1] 'beta': poll: down_after (15s, 3 x interval by default) must be greater than "
	 "timeout x (retries + 1) = 10s x 2 = 20s"},
	{"node interval beyond the manager's window",
	 "manager:\n  poll: {interval: 1s, down_after: 4s}\ncluster:\n  nodes:\n    - {name: alpha, address: x:1}\n"
	 "    - name: beta\n      address: x:2\n      poll: {interval: 5s}\n",
	 "t.yaml:6: cluster.nodes[1] 'beta': poll: down_after (4s, from manager.poll) is below interval (5s)"},
	{"node retries beyond the manager's window",
	 "manager:\n  poll: {down_after: 4s, interval: 1s}\ncluster:\n  nodes:\n    - name: alpha\n      address: x:1\n"
	 "      poll:\n        retries: 3\n",
	 "t.yaml:5: cluster.nodes[0] 'alpha': poll: down_after (4s, from manager.poll) must be greater than timeout x "
	 "(retries + 1) = 1s x 4 = 4s"},

	/* trapd */
	{"trapd a value", "trapd: on\n", "t.yaml:1: expected a mapping for 'trapd', got 'on'"},
	{"trapd unknown key", "trapd:\n  port: 162\n", "t.yaml:2: unknown key 'port' in trapd"},
	{"listen not a list", "trapd:\n  listen: udp:0.0.0.0:162\n",
	 "t.yaml:2: trapd: expected a list for 'listen', got 'udp:0.0.0.0:162'"},
	{"listen empty", "trapd:\n  listen: []\n", "t.yaml:2: trapd: listen: the list is empty"},
	{"listen too many", "trapd:\n  listen: [a:1, a:2, a:3, a:4, a:5, a:6, a:7, a:8, a:9, a:10, a:11, a:12, a:13, a:14, "
	 "a:15, a:16, a:17]\n", "t.yaml:2: trapd: listen: more than 16 addresses"},
	{"listen port 0", "trapd:\n  listen:\n    - udp:0.0.0.0:0\n",
	 "t.yaml:3: trapd: listen: 'udp:0.0.0.0:0': the port must be a number from 1 to 65535"},
	{"listen port too big", "trapd:\n  listen:\n    - 127.0.0.1:65536\n",
	 "t.yaml:3: trapd: listen: '127.0.0.1:65536': the port must be a number from 1 to 65535"},
	{"listen without port", "trapd:\n  listen: [udp:0.0.0.0]\n",
	 "t.yaml:2: trapd: listen: 'udp:0.0.0.0': the port is missing (expected udp:HOST:PORT, udp6:[ADDRESS]:PORT or "
	 "HOST:PORT)"},
	{"listen tcp", "trapd:\n  listen: [tcp:0.0.0.0:162]\n",
	 "t.yaml:2: trapd: listen: 'tcp:0.0.0.0:162': trapd receives over udp or udp6 only"},
	{"listen bare IPv6", "trapd:\n  listen: [\"::1:162\"]\n",
	 "t.yaml:2: trapd: listen: '::1:162': an IPv6 address is written udp6:[ADDRESS]:PORT"},
	{"listen udp6 without brackets", "trapd:\n  listen: [\"udp6:::1:162\"]\n",
	 "t.yaml:2: trapd: listen: 'udp6:::1:162': expected udp6:[ADDRESS]:PORT"},
	{"listen udp6 not IPv6", "trapd:\n  listen: [\"udp6:[10.0.0.1]:162\"]\n",
	 "t.yaml:2: trapd: listen: 'udp6:[10.0.0.1]:162': the address in brackets is not an IPv6 address"},
	{"listen bad IPv4", "trapd:\n  listen: [10.0.0:162]\n",
	 "t.yaml:2: trapd: listen: '10.0.0:162': the host is not a valid IPv4 address"},
	{"listen bad host", "trapd:\n  listen: [\"udp:a/b:162\"]\n",
	 "t.yaml:2: trapd: listen: 'udp:a/b:162': the host is neither a host name nor an IPv4 address"},
	{"listen upper case", "trapd:\n  listen: [UDP:0.0.0.0:162]\n",
	 "t.yaml:2: trapd: listen: 'UDP:0.0.0.0:162': the transport is written in lower case: udp: or udp6:"},
	{"listen duplicate", "trapd:\n  listen:\n    - udp:0.0.0.0:162\n    - udp:0.0.0.0:1162\n    - udp:0.0.0.0:162\n",
	 "t.yaml:5: trapd: duplicate listen address 'udp:0.0.0.0:162' (first at line 3)"},
	{"listen duplicate in another form", "trapd:\n  listen:\n    - udp:0.0.0.0:162\n    - 0.0.0.0:162\n",
	 "t.yaml:4: trapd: duplicate listen address '0.0.0.0:162' (first at line 3)"},
	{"communities a value", "trapd:\n  communities: public\n",
	 "t.yaml:2: trapd: expected a list for 'communities', got 'public'"},
	{"community empty", "trapd:\n  communities: [a, \"\"]\n", "t.yaml:2: trapd.communities[1]: community: must not be empty"},
	{"community duplicate", "trapd:\n  communities:\n    - s3cret\n    - other\n    - s3cret\n",
	 "t.yaml:5: trapd.communities[2]: duplicate community (first at line 3)"},
	{"users a value", "trapd:\n  users: agt\n", "t.yaml:2: trapd: expected a list for 'users', got 'agt'"},
	{"user undefined", "trapd:\n  users: [bob]\n", "t.yaml:2: trapd: users: 'bob' is not defined in snmp.users"},
	{"user duplicate",
	 "snmp:\n  users:\n    - {name: u, auth_password: 12345678, priv_password: 12345678}\ntrapd:\n  users:\n"
	 "    - u\n    - u\n",
	 "t.yaml:7: trapd: duplicate user 'u' (first at line 6)"},
	{"user with a space", "trapd:\n  users: [\"a b\"]\n",
	 "t.yaml:2: trapd: users: 'a b' is not valid (expected 1..32 printable characters without spaces)"},
	{"engine_id too short", "trapd:\n  engine_id: 0x80000001\n",
	 "t.yaml:2: trapd: engine_id: expected 5 to 32 octets in hex (e.g. 0x80001f8804...)"},
	{"engine_id too long", "trapd:\n  engine_id: 0x800000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d\n",
	 "t.yaml:2: trapd: engine_id: expected 5 to 32 octets in hex (e.g. 0x80001f8804...)"},
	{"engine_id not hex", "trapd:\n  engine_id: 0x800000000g\n", "t.yaml:2: trapd: engine_id: '0g' is not hex"},
	{"rate too high", "trapd:\n  rate: 1000001\n", "t.yaml:2: trapd: rate: '1000001' is out of range (0 .. 1000000)"},
	{"burst zero", "trapd:\n  burst: 0\n", "t.yaml:2: trapd: burst: '0' is out of range (1 .. 2000000)"},
	{"burst without rate", "trapd:\n  rate: 0\n  burst: 10\n",
	 "t.yaml:3: trapd: 'burst' is only used with a rate limit (rate: 0 turns it off)"},
	{"summary too short", "trapd:\n  summary_interval: 999ms\n",
	 "t.yaml:2: trapd: summary_interval: '999ms' is out of range (1s .. 1h)"},
	{"batch zero", "trapd:\n  batch: 0\n", "t.yaml:2: trapd: batch: '0' is out of range (1 .. 65536)"},
	{"batch too big", "trapd:\n  batch: 65537\n", "t.yaml:2: trapd: batch: '65537' is out of range (1 .. 65536)"},
	{"batch_delay zero", "trapd:\n  batch_delay: 0ms\n",
	 "t.yaml:2: trapd: batch_delay: '0ms' is out of range (1ms .. 1s)"},
	{"batch_delay too long", "trapd:\n  batch_delay: 1001ms\n",
	 "t.yaml:2: trapd: batch_delay: '1001ms' is out of range (1ms .. 1s)"},
	{"rcvbuf with a unit", "trapd:\n  rcvbuf: 8M\n", "t.yaml:2: trapd: rcvbuf: expected a whole number, got '8M'"},
	{"rcvbuf too small", "trapd:\n  rcvbuf: 4095\n",
	 "t.yaml:2: trapd: rcvbuf: '4095' is out of range (4096 .. 1073741824)"},
	{"mib_names not a bool", "trapd:\n  mib_names: maybe\n",
	 "t.yaml:2: trapd: mib_names: expected true or false, got 'maybe'"},
};

static void test_manager_rejected(void)
{
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof mgr_bad_rows / sizeof mgr_bad_rows[0]; i++) {
		struct shugo_config *c;

		strcpy(err, "(untouched)");
		c = parse(mgr_bad_rows[i].yaml, "alpha", err);
		CU_ASSERT_PTR_NULL(c);
		cfg_free(c);
		if (strcmp(err, mgr_bad_rows[i].err) != 0) {
			fprintf(stderr, "\n  row '%s':\n  got  \"%s\"\n  want \"%s\"\n", mgr_bad_rows[i].what, err,
				mgr_bad_rows[i].err);
			CU_FAIL("error message");
		}
	}
	/* A community is a secret: no message about one quotes it. */
	for (size_t i = 0; i < sizeof mgr_bad_rows / sizeof mgr_bad_rows[0]; i++) {
		if (strstr(mgr_bad_rows[i].yaml, "communities:"))
			CU_ASSERT_PTR_NULL(strstr(mgr_bad_rows[i].err, "s3cret"));
	}
}

/* trapd's default engine ID: RFC 3411 format 4 under enterprise 32473, from
 * the node name, cut at 27 bytes so that the whole ID fits 32 octets. */
static void test_trapd_engine_id(void)
{
	static const struct {
		const char *node;
		const char *hex;
	} rows[] = {
		{"alpha", "80007ed904616c706861"},
		{"a", "80007ed90461"},
		{"node-1.dc2", "80007ed9046e6f64652d312e646332"},
		{"abcdefghijklmnopqrstuvwxyz0", "80007ed904"
		 "6162636465666768696a6b6c6d6e6f707172737475767778797a30"},
		{"abcdefghijklmnopqrstuvwxyz0123456789", "80007ed904"
		 "6162636465666768696a6b6c6d6e6f707172737475767778797a30"},
	};
	char err[ERRLEN], hex[80];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		unsigned char out[32];
		size_t n = cfg_trapd_default_engine_id(rows[i].node, out);
		struct shugo_config *c;

		for (size_t k = 0; k < n; k++)
			snprintf(hex + 2 * k, 3, "%02x", out[k]);
		hex[2 * n] = '\0';
		CU_ASSERT_STRING_EQUAL(hex, rows[i].hex);
		CU_ASSERT_EQUAL(n, strlen(rows[i].hex) / 2);
		CU_ASSERT_TRUE(n >= 5 && n <= 32);

		/* The same through the parser, for the node the file is read as. */
		c = parse("trapd: {}\n", rows[i].node, err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(c->trapd.engine_id_len, n);
		CU_ASSERT_EQUAL(memcmp(c->trapd.engine_id, out, n), 0);
		cfg_free(c);
	}
}

/* cfg_listen_split: the forms trapd accepts, and the parts it binds. */
static void test_listen_split(void)
{
	static const struct {
		const char *spec;
		int family; /* 0: rejected */
		const char *host;
		unsigned port;
	} rows[] = {
		{"udp:0.0.0.0:162", AF_INET, "0.0.0.0", 162},
		{"udp:127.0.0.1:1", AF_INET, "127.0.0.1", 1},
		{"udp:trapd.example.net:65535", AF_INET, "trapd.example.net", 65535},
		{"0.0.0.0:162", AF_INET, "0.0.0.0", 162},
		{"localhost:10162", AF_INET, "localhost", 10162},
		{"udp:host_1:0162", AF_INET, "host_1", 162},
		{"udp6:[::]:162", AF_INET6, "::", 162},
		{"udp6:[::1]:1162", AF_INET6, "::1", 1162},
		{"udp6:[fd00:1::5]:162", AF_INET6, "fd00:1::5", 162},
		{"udp6:[::ffff:10.0.0.1]:162", AF_INET6, "::ffff:10.0.0.1", 162},
		{"udp:0.0.0.0:0", 0, NULL, 0},
		{"udp:0.0.0.0:65536", 0, NULL, 0},
		{"udp:0.0.0.0:99999999999999999999", 0, NULL, 0},
		{"udp:0.0.0.0:-1", 0, NULL, 0},
		{"udp:0.0.0.0:16x", 0, NULL, 0},
		{"udp:0.0.0.0:", 0, NULL, 0},
		{"udp:0.0.0.0", 0, NULL, 0},
		{"udp::162", 0, NULL, 0},
		{":162", 0, NULL, 0},
		{"162", 0, NULL, 0},
		{"udp:256.0.0.1:162", 0, NULL, 0},
		{"udp:1.2.3:162", 0, NULL, 0},
		{"udp:[::1]:162", 0, NULL, 0},
		{"[::1]:162", 0, NULL, 0},
		{"udp6:::1:162", 0, NULL, 0},
		{"udp6:[::1]162", 0, NULL, 0},
		{"udp6:[::1:162", 0, NULL, 0},
		{"udp6:[]:162", 0, NULL, 0},
		{"udp6:[1.2.3.4]:162", 0, NULL, 0},
		{"udp6:[fe80::1%eth0]:162", 0, NULL, 0},
		{"tcp:0.0.0.0:162", 0, NULL, 0},
		{"dtlsudp:0.0.0.0:162", 0, NULL, 0},
		{"UDP:0.0.0.0:162", 0, NULL, 0},
		{"udp:a b:162", 0, NULL, 0},
		{"udp:a/b:162", 0, NULL, 0},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char host[256] = "";
		int family = -1;
		uint16_t port = 0;
		const char *why = cfg_listen_split(rows[i].spec, &family, host, sizeof host, &port);

		if (rows[i].family == 0) {
			if (!why) {
				fprintf(stderr, "\n  listen '%s': accepted\n", rows[i].spec);
				CU_FAIL("accepted");
			}
			continue;
		}
		if (why) {
			fprintf(stderr, "\n  listen '%s': %s\n", rows[i].spec, why);
			CU_FAIL("rejected");
			continue;
		}
		CU_ASSERT_EQUAL(family, rows[i].family);
		CU_ASSERT_STRING_EQUAL(host, rows[i].host);
		CU_ASSERT_EQUAL(port, rows[i].port);
	}
	/* A host longer than the buffer is refused, not cut. */
	{
		char small[8];
		int family;
		uint16_t port;
		CU_ASSERT_PTR_NOT_NULL(cfg_listen_split("udp:abcdefgh:162", &family, small, sizeof small, &port));
		CU_ASSERT_PTR_NULL(cfg_listen_split("udp:abcdefg:162", &family, small, sizeof small, &port));
		CU_ASSERT_STRING_EQUAL(small, "abcdefg");
	}
}

/* cfg_poll_check: the rule shared by the file and any later change. */
static void test_poll_check(void)
{
	static const struct {
		struct cfg_poll p;
		const char *why; /* NULL: fine; else words of the reason */
	} rows[] = {
		{{5000, 1000, 1, 15000}, NULL},
		{{100, 10, 0, 100}, NULL},
		{{3600000, 60000, 10, 86400000}, NULL},
		{{5000, 1000, 1, 2001}, "below interval"},
		{{1000, 1000, 1, 2001}, NULL},
		{{1000, 1000, 1, 2000}, "greater than timeout"},
		{{1000, 1000, 0, 1000}, "greater than timeout"},
		{{1000, 60000, 10, 660000}, "greater than timeout"},
		{{1000, 60000, 10, 660001}, NULL},
		{{99, 10, 0, 1000}, "interval"},
		{{3600001, 10, 0, 86400000}, "interval"},
		{{1000, 9, 0, 1000}, "timeout"},
		{{1000, 60001, 0, 86400000}, "timeout"},
		{{1000, 10, 11, 1000}, "retries"},
		{{1000, 10, 0, 86400001}, "down_after"},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *why = cfg_poll_check(&rows[i].p);
		if (!rows[i].why) {
			CU_ASSERT_PTR_NULL(why);
			if (why)
				fprintf(stderr, "\n  poll row %zu: %s\n", i, why);
		} else {
			CU_ASSERT_PTR_NOT_NULL(why);
			if (why)
				CU_ASSERT_PTR_NOT_NULL(strstr(why, rows[i].why));
		}
	}
}

/* ---- routing ---- */

static const char routing_yaml[] =
	"cluster:\n"
	"  nodes:\n"
	"    - {name: alpha, address: udp:127.0.0.1:1161}\n"
	"    - {name: beta, address: udp:127.0.0.1:1162}\n"
	"snmp:\n"
	"  users:\n"
	"    - {name: shugo, auth: SHA-256, auth_password: authpass1, priv: AES, priv_password: privpass1}\n"
	"routing:\n"
	"  events:\n"
	"    - {name: \"storage.*\", once: 5m}\n"
	"  destinations:\n"
	"    - {name: pager, method: program, command: [/usr/local/bin/page, --team, ops], timeout: 20s}\n"
	"    - {name: script, method: program, command: \"echo $SHUGO_OBJECT >>/tmp/x\", shell: true}\n"
	"    - {name: collector, method: unix, path: /run/collector.sock, node: beta}\n"
	"    - {name: siem, method: tcp, address: \"[::1]:7000\", ack: false, timeout: 2s}\n"
	"    - {name: nms, method: snmp, address: udp:10.0.0.9:162, type: trap, version: 2c, community: public}\n"
	"    - {name: nms3, method: snmp, address: udp:10.0.0.9:162, user: shugo, timeout: 2s, retries: 2}\n"
	"  routes:\n"
	"    - name: ops\n"
	"      match:\n"
	"        type: [shugoProcAlarm, \"shugoMgr*\"]\n"
	"        node: alpha\n"
	"        object: [\"proc:*\"]\n"
	"        state: [failed, down]\n"
	"        severity: major\n"
	"        origin: [agent, manager]\n"
	"      groups: [[pager, nms], collector, [siem]]\n"
	"      require: all\n"
	"      dedup: {window: 1m, per_node: true}\n"
	"      damping: {events: 5, window: 2m}\n"
	"      current_state: false\n"
	"    - name: all\n"
	"      groups: [script]\n";

static void test_routing(void)
{
	char err[ERRLEN];
	struct shugo_config *c = parse(routing_yaml, "alpha", err);
	const struct cfg_routing *r;
	const struct cfg_route *rt;

	if (!c)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	r = &c->routing;
	CU_ASSERT_EQUAL(r->line, line_of(routing_yaml, "routing:"));
	CU_ASSERT_EQUAL_FATAL(r->n_events, 1);
	CU_ASSERT_STRING_EQUAL(r->events[0].name, "storage.*");
	CU_ASSERT_EQUAL(r->events[0].once_ms, 300000);
	CU_ASSERT_EQUAL_FATAL(r->n_dests, 6);
	CU_ASSERT_EQUAL(r->dests[0].method, DEST_PROGRAM);
	CU_ASSERT_EQUAL(r->dests[0].argc, 3);
	CU_ASSERT_STRING_EQUAL(r->dests[0].argv[2], "ops");
	CU_ASSERT_PTR_NULL(r->dests[0].argv[3]);
	CU_ASSERT_EQUAL(r->dests[0].timeout_ms, 20000);
	CU_ASSERT_FALSE(r->dests[0].shell);
	CU_ASSERT_TRUE(r->dests[1].shell);
	CU_ASSERT_EQUAL(r->dests[1].argc, 1);
	CU_ASSERT_EQUAL(r->dests[1].timeout_ms, 10000);
	CU_ASSERT_EQUAL(r->dests[2].method, DEST_UNIX);
	CU_ASSERT_STRING_EQUAL(r->dests[2].path, "/run/collector.sock");
	CU_ASSERT_STRING_EQUAL(r->dests[2].node, "beta");
	CU_ASSERT_TRUE(r->dests[2].ack);
	CU_ASSERT_EQUAL(r->dests[2].timeout_ms, 5000);
	CU_ASSERT_EQUAL(r->dests[3].method, DEST_TCP);
	CU_ASSERT_STRING_EQUAL(r->dests[3].address, "[::1]:7000");
	CU_ASSERT_FALSE(r->dests[3].ack);
	CU_ASSERT_EQUAL(r->dests[3].timeout_ms, 2000);
	CU_ASSERT_EQUAL(r->dests[4].method, DEST_SNMP);
	CU_ASSERT_FALSE(r->dests[4].target.inform);
	CU_ASSERT_EQUAL(r->dests[4].target.version, 2);
	CU_ASSERT_STRING_EQUAL(r->dests[4].target.community, "public");
	CU_ASSERT_EQUAL(r->dests[4].timeout_ms, 4000); /* 1 s, 3 retries */
	CU_ASSERT_TRUE(r->dests[5].target.inform);
	CU_ASSERT_EQUAL(r->dests[5].target.version, 3);
	CU_ASSERT_STRING_EQUAL(r->dests[5].target.user, "shugo");
	CU_ASSERT_EQUAL(r->dests[5].timeout_ms, 6000);

	CU_ASSERT_EQUAL_FATAL(r->n_routes, 2);
	rt = &r->routes[0];
	CU_ASSERT_STRING_EQUAL(rt->name, "ops");
	CU_ASSERT_EQUAL(rt->match.n_types, 2);
	CU_ASSERT_STRING_EQUAL(rt->match.types[1], "shugoMgr*");
	CU_ASSERT_EQUAL(rt->match.n_nodes, 1);
	CU_ASSERT_STRING_EQUAL(rt->match.nodes[0], "alpha");
	CU_ASSERT_EQUAL(rt->match.n_objects, 1);
	CU_ASSERT_EQUAL(rt->match.n_states, 2);
	CU_ASSERT_EQUAL(rt->match.min_sev, 5);
	CU_ASSERT_EQUAL(rt->match.origins, (1u << 1) | (1u << 3));
	CU_ASSERT_EQUAL_FATAL(rt->n_groups, 3);
	CU_ASSERT_EQUAL(rt->groups[0].n, 2);
	CU_ASSERT_EQUAL(rt->groups[0].dest[0], 0);
	CU_ASSERT_EQUAL(rt->groups[0].dest[1], 4);
	CU_ASSERT_EQUAL(rt->groups[1].n, 1);
	CU_ASSERT_EQUAL(rt->groups[1].dest[0], 2);
	CU_ASSERT_EQUAL(rt->groups[2].dest[0], 3);
	CU_ASSERT_TRUE(rt->need_all);
	CU_ASSERT_EQUAL(rt->dedup_ms, 60000);
	CU_ASSERT_TRUE(rt->dedup_per_node);
	CU_ASSERT_EQUAL(rt->damp_events, 5);
	CU_ASSERT_EQUAL(rt->damp_window_ms, 120000);
	CU_ASSERT_FALSE(rt->current_state);
	rt = &r->routes[1];
	CU_ASSERT_EQUAL(rt->match.n_types + rt->match.n_nodes + rt->match.min_sev + rt->match.origins, 0);
	CU_ASSERT_FALSE(rt->need_all);
	CU_ASSERT_EQUAL(rt->dedup_ms, 0);
	CU_ASSERT_EQUAL(rt->damp_events, 0);
	CU_ASSERT_TRUE(rt->current_state);
	cfg_free(c);

	/* no routing: nothing routed */
	c = parse("cluster:\n  nodes: [{name: alpha, address: udp:127.0.0.1:1}]\n", "alpha", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->routing.n_dests + c->routing.n_routes, 0);
	cfg_free(c);
}

#define RT_HEAD                                                                                                \
	"cluster:\n  nodes: [{name: alpha, address: udp:127.0.0.1:1}]\nrouting:\n  destinations:\n"            \
	"    - {name: p, method: program, command: /bin/true}\n"

static const struct {
	const char *what;
	const char *yaml;
	const char *err;
} routing_bad_rows[] = {
	{"routing a list", "routing: [1]\n", "t.yaml:1: expected a mapping for 'routing', got a list"},
	{"unknown key", "routing:\n  route: []\n", "t.yaml:2: unknown key 'route' in routing"},
	{"no method", "routing:\n  destinations:\n    - {name: x}\n",
	 "t.yaml:3: routing.destinations[0] 'x': missing required key 'method'"},
	{"bad method", "routing:\n  destinations:\n    - {name: x, method: mail}\n",
	 "t.yaml:3: routing.destinations[0] 'x': unknown method 'mail' (expected program, unix, tcp or snmp)"},
	{"key of another method", "routing:\n  destinations:\n    - {name: x, method: program, path: /x}\n",
	 "t.yaml:3: routing.destinations[0] 'x': 'path' is not used with method program"},
	{"program without command", "routing:\n  destinations:\n    - {name: x, method: program}\n",
	 "t.yaml:3: routing.destinations[0] 'x': missing required key 'command'"},
	{"relative program", "routing:\n  destinations:\n    - {name: x, method: program, command: page}\n",
	 "t.yaml:3: routing.destinations[0] 'x': command: 'page' must be an absolute path (or set shell: true)"},
	{"relative socket", "routing:\n  destinations:\n    - {name: x, method: unix, path: run/x}\n",
	 "t.yaml:3: routing.destinations[0] 'x': path: 'run/x' must be an absolute path"},
	{"tcp without port", "routing:\n  destinations:\n    - {name: x, method: tcp, address: host}\n",
	 "t.yaml:3: routing.destinations[0] 'x': address 'host': expected host:port"},
	{"tcp bad port", "routing:\n  destinations:\n    - {name: x, method: tcp, address: \"h:70000\"}\n",
	 "t.yaml:3: routing.destinations[0] 'x': address 'h:70000': the port must be 1..65535"},
	{"snmp v2c without community",
	 "routing:\n  destinations:\n    - {name: x, method: snmp, address: udp:h:162, version: 2c}\n",
	 "t.yaml:3: routing.destinations[0] 'x': 'community' is required with version 2c"},
	{"snmp v3 unknown user", "routing:\n  destinations:\n    - {name: x, method: snmp, address: udp:h:162, user: u}\n",
	 "t.yaml:3: routing.destinations[0] 'x': user 'u' is not defined in snmp.users"},
	{"node not in cluster", RT_HEAD "    - {name: x, method: unix, path: /x, node: zz}\n",
	 "t.yaml:6: routing.destinations[1] 'x': node 'zz' is not in cluster.nodes"},
	{"duplicate destination", RT_HEAD "    - {name: p, method: unix, path: /x}\n",
	 "t.yaml:6: routing.destinations: duplicate destination name 'p' (first at line 5)"},
	{"timeout too long", "routing:\n  destinations:\n    - {name: x, method: program, command: /x, timeout: 11m}\n",
	 "t.yaml:3: routing.destinations[0] 'x': timeout: '11m' is out of range (10ms .. 10m)"},
	{"route without groups", RT_HEAD "  routes:\n    - name: r\n",
	 "t.yaml:7: routing.routes[0] 'r': missing required key 'groups'"},
	{"empty groups", RT_HEAD "  routes:\n    - {name: r, groups: []}\n",
	 "t.yaml:7: routing.routes[0] 'r': groups: the list is empty"},
	{"unknown destination", RT_HEAD "  routes:\n    - {name: r, groups: [[p, q]]}\n",
	 "t.yaml:7: routing.routes[0] 'r': groups[0]: 'q' is not in routing.destinations"},
	{"destination twice", RT_HEAD "  routes:\n    - {name: r, groups: [[p, p]]}\n",
	 "t.yaml:7: routing.routes[0] 'r': groups[0]: 'p' is named twice in the group"},
	{"bad severity", RT_HEAD "  routes:\n    - {name: r, match: {severity: high}, groups: [p]}\n",
	 "t.yaml:7: routing.routes[0] 'r': match: severity: 'high' is not one of clear, info, warning, minor, major, "
	 "critical (the lowest severity taken)"},
	{"bad origin", RT_HEAD "  routes:\n    - {name: r, match: {origin: [agent, nms]}, groups: [p]}\n",
	 "t.yaml:7: routing.routes[0] 'r': match: origin: 'nms' is not one of agent, foreign, manager, replay, trapd"},
	{"empty match list", RT_HEAD "  routes:\n    - {name: r, match: {node: []}, groups: [p]}\n",
	 "t.yaml:7: routing.routes[0] 'r': match: node: the list is empty (leave the key out to match any)"},
	{"unknown match key", RT_HEAD "  routes:\n    - {name: r, match: {nodes: [a]}, groups: [p]}\n",
	 "t.yaml:7: unknown key 'nodes' in routing.routes[0] 'r': match"},
	{"bad require", RT_HEAD "  routes:\n    - {name: r, groups: [p], require: most}\n",
	 "t.yaml:7: routing.routes[0] 'r': unknown require 'most' (expected any or all)"},
	{"dedup without window", RT_HEAD "  routes:\n    - {name: r, groups: [p], dedup: {per_node: true}}\n",
	 "t.yaml:7: routing.routes[0] 'r': dedup: missing required key 'window'"},
	{"damping too many", RT_HEAD "  routes:\n    - {name: r, groups: [p], damping: {events: 65, window: 1m}}\n",
	 "t.yaml:7: routing.routes[0] 'r': damping: events: '65' is out of range (1 .. 64)"},
	{"event without once", "routing:\n  events:\n    - {name: x}\n",
	 "t.yaml:3: routing.events[0] 'x': missing required key 'once'"},
	{"event once too long", "routing:\n  events:\n    - {name: x, once: 25h}\n",
	 "t.yaml:3: routing.events[0] 'x': once: '25h' is out of range (0s .. 24h)"},
	{"duplicate route", RT_HEAD "  routes:\n    - {name: r, groups: [p]}\n    - {name: r, groups: [p]}\n",
	 "t.yaml:8: routing.routes: duplicate route name 'r' (first at line 7)"},
};

static void test_routing_rejected(void)
{
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof routing_bad_rows / sizeof routing_bad_rows[0]; i++) {
		struct shugo_config *c;

		strcpy(err, "(untouched)");
		c = parse(routing_bad_rows[i].yaml, "alpha", err);
		CU_ASSERT_PTR_NULL(c);
		cfg_free(c);
		if (strcmp(err, routing_bad_rows[i].err) != 0) {
			fprintf(stderr, "\n  row '%s':\n  got  \"%s\"\n  want \"%s\"\n", routing_bad_rows[i].what, err,
				routing_bad_rows[i].err);
			CU_FAIL("error message");
		}
	}
}

/* ---- logs ---- */

static void test_event_socket(void)
{
	char err[ERRLEN];
	struct shugo_config *c = parse("agent: {event_socket: /run/x/ev.sock, event_group: apps, event_batch: 30s}\n",
				       "a", err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->event_socket, "/run/x/ev.sock");
	CU_ASSERT_STRING_EQUAL(c->event_group, "apps");
	CU_ASSERT_EQUAL(c->event_batch_ms, 30000);
	cfg_free(c);
	c = parse("", "a", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->event_socket, "/run/shugo/event.sock");
	CU_ASSERT_PTR_NULL(c->event_group);
	CU_ASSERT_EQUAL(c->event_batch_ms, 10000);
	cfg_free(c);
	c = parse("agent: {event_socket: ev.sock}\n", "a", err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:1: agent: event_socket: 'ev.sock' must be an absolute path");
	c = parse("agent: {event_batch: 11m}\n", "a", err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:1: agent: event_batch: '11m' is out of range (100ms .. 10m)");
}

static void test_exec(void)
{
	char err[ERRLEN];
	struct shugo_config *c = parse("exec:\n  path: [/usr/lib/shugo/exec, /opt/jobs]\n  allow: [\"backup*\", report]\n"
				       "  requesters: [mgr1]\n  retention: 1h\n",
				       "a", err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(c->exec.enabled);
	CU_ASSERT_EQUAL_FATAL(c->exec.n_path, 2);
	CU_ASSERT_STRING_EQUAL(c->exec.path[1], "/opt/jobs");
	CU_ASSERT_EQUAL(c->exec.n_allow, 2);
	CU_ASSERT_STRING_EQUAL(c->exec.requesters[0], "mgr1");
	CU_ASSERT_EQUAL(c->exec.retention_s, 3600);
	cfg_free(c);
	c = parse("", "a", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->exec.enabled);
	CU_ASSERT_EQUAL(c->exec.retention_s, 600);
	cfg_free(c);
	c = parse("exec: {allow: [x]}\n", "a", err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:1: exec: missing required key 'path'");
	c = parse("exec: {path: [bin]}\n", "a", err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:1: exec: path: 'bin' must be an absolute path");
	c = parse("exec: {path: []}\n", "a", err);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:1: exec: path: the list is empty");
}

static void test_logs(void)
{
	static const char yaml[] =
		"cluster:\n"
		"  nodes: [{name: a, address: \"udp:127.0.0.1:1\"}, {name: b, address: \"udp:127.0.0.1:2\"}]\n"
		"logs:\n"
		"  - {name: app, path: /var/log/app.log, pattern: \"ERROR|FATAL\", severity: major,\n"
		"     from: start, limit: {matches: 3, window: 1m}}\n"
		"  - {preset: kernel, nodes: [a]}\n"
		"  - {preset: kernel, name: k2, path: /var/log/messages, nodes: [b]}\n"
		"  - {name: bonly, path: /x, pattern: x, nodes: [b]}\n";
	char err[ERRLEN];
	struct shugo_config *c = parse(yaml, "a", err);

	if (!c)
		fprintf(stderr, "\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->n_logs, 5); /* app and the four of the kernel preset on a */
	CU_ASSERT_STRING_EQUAL(c->logs[0].name, "app");
	CU_ASSERT_EQUAL(c->logs[0].sev, 5);
	CU_ASSERT_TRUE(c->logs[0].from_start);
	CU_ASSERT_EQUAL(c->logs[0].limit, 3);
	CU_ASSERT_EQUAL(c->logs[0].window_ms, 60000);
	CU_ASSERT_EQUAL(regexec(&c->logs[0].re, "x FATAL y", 0, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(c->logs[1].name, "kernel-memory");
	CU_ASSERT_STRING_EQUAL(c->logs[1].path, "/dev/kmsg");
	CU_ASSERT_EQUAL(c->logs[1].limit, 10);
	CU_ASSERT_FALSE(c->logs[1].from_start);
	CU_ASSERT_EQUAL(regexec(&c->logs[1].re, "kernel: EDAC MC0: 1 CE memory read error on DIMM 0", 0, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(c->logs[2].name, "kernel-disk");
	CU_ASSERT_EQUAL(regexec(&c->logs[2].re, "blk_update_request: I/O error, dev sda, sector 1", 0, NULL, 0), 0);
	CU_ASSERT_NOT_EQUAL(regexec(&c->logs[2].re, "usb 1-1: new high-speed USB device", 0, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(c->logs[3].name, "kernel-link");
	CU_ASSERT_EQUAL(regexec(&c->logs[3].re, "e1000e: eth0 NIC Link is Down", 0, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(c->logs[4].name, "kernel-redundancy");
	CU_ASSERT_EQUAL(c->logs[4].sev, 5);
	CU_ASSERT_EQUAL(regexec(&c->logs[4].re, "md/raid1:md0: Disk failure on sdb1, disabling device.", 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(regexec(&c->logs[4].re, "bond0: now running without any active interface!", 0, NULL, 0), 0);
	cfg_free(c);
	c = parse(yaml, "b", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->n_logs, 6);
	CU_ASSERT_STRING_EQUAL(c->logs[1].name, "k2-memory");
	CU_ASSERT_STRING_EQUAL(c->logs[1].path, "/var/log/messages");
	CU_ASSERT_STRING_EQUAL(c->logs[5].name, "bonly");
	cfg_free(c);
}

static const struct {
	const char *what;
	const char *yaml;
	const char *err;
} logs_bad_rows[] = {
	{"logs a mapping", "logs: {a: 1}\n", "t.yaml:1: expected a list for 'logs', got a mapping"},
	{"no path", "logs:\n  - {name: a, pattern: x}\n", "t.yaml:2: logs[0] 'a': missing required key 'path'"},
	{"no pattern", "logs:\n  - {name: a, path: /x}\n", "t.yaml:2: logs[0] 'a': missing required key 'pattern'"},
	{"relative path", "logs:\n  - {name: a, path: x.log, pattern: x}\n",
	 "t.yaml:2: logs[0] 'a': path: 'x.log' must be an absolute path"},
	{"bad regex", "logs:\n  - {name: a, path: /x, pattern: \"(a\"}\n",
	 "t.yaml:2: logs[0] 'a': pattern: bad regular expression '(a': Unmatched ( or \\("},
	{"severity clear", "logs:\n  - {name: a, path: /x, pattern: x, severity: clear}\n",
	 "t.yaml:2: logs[0] 'a': severity: 'clear' is not one of info, warning, minor, major, critical"},
	{"bad from", "logs:\n  - {name: a, path: /x, pattern: x, from: middle}\n",
	 "t.yaml:2: logs[0] 'a': unknown from 'middle' (expected end or start)"},
	{"limit zero", "logs:\n  - {name: a, path: /x, pattern: x, limit: {matches: 0}}\n",
	 "t.yaml:2: logs[0] 'a': limit: matches: '0' is out of range (1 .. 10000)"},
	{"unknown preset", "logs:\n  - {preset: mail}\n", "t.yaml:2: logs[0]: unknown preset 'mail' (expected kernel)"},
	{"preset with pattern", "logs:\n  - {preset: kernel, pattern: x}\n",
	 "t.yaml:2: logs[0]: a preset brings its own patterns and severities; give a watch of your own for another"},
	{"duplicate", "logs:\n  - {name: kernel-disk, path: /x, pattern: x}\n  - {preset: kernel}\n",
	 "t.yaml:3: logs: duplicate log watch name 'kernel-disk' (first at line 2)"},
	{"unknown node", "cluster:\n  nodes: [{name: a, address: \"udp:h:1\"}]\nlogs:\n  - {name: x, path: /x, pattern: x, nodes: [zz]}\n",
	 "t.yaml:4: logs 'x': node 'zz' is not in cluster.nodes"},
};

static void test_logs_rejected(void)
{
	char err[ERRLEN];

	for (size_t i = 0; i < sizeof logs_bad_rows / sizeof logs_bad_rows[0]; i++) {
		struct shugo_config *c;

		strcpy(err, "(untouched)");
		c = parse(logs_bad_rows[i].yaml, "a", err);
		CU_ASSERT_PTR_NULL(c);
		cfg_free(c);
		if (strcmp(err, logs_bad_rows[i].err) != 0) {
			fprintf(stderr, "\n  row '%s':\n  got  \"%s\"\n  want \"%s\"\n", logs_bad_rows[i].what, err,
				logs_bad_rows[i].err);
			CU_FAIL("error message");
		}
	}
}

static CU_TestInfo tests[] = {
	{"full file: every field and default", test_full_file},
	{"notify target engine_id", test_engine_id},
	{"node filter: the other node", test_node_filter},
	{"node filter without cluster.nodes", test_node_filter_no_cluster},
	{"node name from gethostname", test_hostname},
	{"empty files give every default", test_defaults},
	{"process defaults and command splitting", test_process_defaults},
	{"each rule: file:line: message", test_rejected},
	{"durations", test_durations},
	{"percentages in hundredths", test_percentages},
	{"booleans", test_booleans},
	{"regex size limits", test_regex_size},
	{"alias expansion limits", test_alias_limits},
	{"small error buffer", test_small_err_buffer},
	{"node name argument", test_node_name_arg},
	{"cfg_load from a file", test_load_file},
	{"master mode: listen and read_communities", test_master_mode},
	{"master mode: a community is never quoted in errors", test_community_not_echoed},
	{"master mode: source addresses", test_source_match},
	{"manager and trapd: defaults without the sections", test_manager_defaults},
	{"manager and trapd: every key", test_manager_full},
	{"cluster.nodes[].poll over manager.poll", test_node_poll_merge},
	{"manager and trapd: each rule, exact message", test_manager_rejected},
	{"trapd: default engine ID from the node name", test_trapd_engine_id},
	{"trapd: listen address forms", test_listen_split},
	{"poll rule", test_poll_check},
	{"routing: every key", test_routing},
	{"routing: each rule, exact message", test_routing_rejected},
	{"agent: the event socket", test_event_socket},
	{"exec: search path, allow, requesters, retention", test_exec},
	{"logs: watches, the kernel preset, node filter", test_logs},
	{"logs: each rule, exact message", test_logs_rejected},
	CU_TEST_INFO_NULL,
};

CU_MAIN("config", tests)
