/* The cluster configuration: one YAML file read with libyaml's document API into
 * the plain structs of config.h, then cross-checked, then filtered to one node.
 * The agent's sections are parsed here, the manager's and trapd's in
 * cfg_manager.c, with the value readers of cfg_read.c. Every problem is
 * reported as "file:line: what", with the offending node's line. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "cfg_priv.h"
#include "config.h"
#include "regex_guard.h"

/* <sys/socket.h> (for inet_pton) names the number of protocol families PF_MAX;
 * here PF_MAX is the `max` key of a process definition. */
#undef PF_MAX

/* Limits on the input itself. A config file is written by an operator, but a
 * typo or a hostile file must cost bounded time and memory: libyaml composes
 * documents recursively (deep nesting would exhaust the stack), resolves each
 * alias with a linear search, and an alias can be referenced many times. */
#define CFG_FILE_MAX (4u << 20)     /* bytes */
#define CFG_DEPTH_MAX 16            /* the schema itself needs 5 */
#define CFG_ANCHORS_MAX 1000
#define CFG_ALIASES_MAX 10000
#define CFG_ARGS_MAX 1024           /* command arguments */
#define CFG_ENV_MAX 1024            /* environment variables per process */

#define DEF_AGENTX_SOCKET "/var/agentx/master"
#ifndef SHUGO_RUNDIR
#define SHUGO_RUNDIR "/run/shugo"
#endif
#define DEF_EVENT_SOCKET SHUGO_RUNDIR "/event.sock"

/* ---- cluster ---- */

static int parse_cluster(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	static const char *const keys[] = {"name", "nodes"};
	static const char *const nkeys[] = {"name", "address", "poll"};
	struct fld f[2], nf[3];
	char ctx[CFG_CTX_MAX], pollctx[CFG_CTX_MAX];
	size_t len, n;

	p->cluster_line = lineof(top->key);
	if (!top->val)
		return 0;
	if (cfg_expect(p, "", "cluster", top->val, YAML_MAPPING_NODE) < 0 ||
	    cfg_map_read(p, top->val, "cluster", keys, 2, f) < 0)
		return -1;
	/* The cluster name is for people reading the file; nothing stores it. */
	if (f[0].val && !cfg_check_str(p, "cluster", "name", f[0].val, NC_TEXT, 1, 256, &len))
		return -1;
	if (!f[1].val)
		return 0;
	if (cfg_expect(p, "cluster", "nodes", f[1].val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(f[1].val);
	c->nodes = calloc(n ? n : 1, sizeof *c->nodes);
	p->node_poll = calloc(n ? n : 1, sizeof *p->node_poll);
	if (!c->nodes || !p->node_poll)
		return cfg_oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = cfg_node_get(p, f[1].val->data.sequence.items.start[i]);
		struct cfg_node *e = &c->nodes[c->n_nodes++];

		if (!m)
			return -1;
		cfg_item_ctx_peek(p, ctx, "cluster.nodes", i, m, "name");
		if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, nkeys, 3, nf) < 0)
			return -1;
		e->line = lineof(m);
		if (!nf[0].val)
			return cfg_missing(p, ctx, m, "name");
		if (cfg_get_name(p, ctx, "name", nf[0].val, NC_NODE, CFG_NODE_NAME_MAX, e->name) < 0)
			return -1;
		cfg_item_ctx(ctx, "cluster.nodes", i, e->name);
		if (!nf[1].val)
			return cfg_missing(p, ctx, m, "address");
		if (cfg_get_str(p, ctx, "address", nf[1].val, NC_WORD, 1, 256, &e->address) < 0)
			return -1;
		/* Merged over manager.poll once that is read (cfg_check_manager). */
		if (nf[2].val) {
			cfg_ctx_join(pollctx, sizeof pollctx, ctx, "poll");
			if (cfg_expect(p, ctx, "poll", nf[2].val, YAML_MAPPING_NODE) < 0 ||
			    cfg_read_poll(p, pollctx, nf[2].val, &p->node_poll[i]) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- agent ---- */

/* "default", or an address with an optional prefix length: "127.0.0.1",
 * "10.0.0.0/8", "fd00::/8". Pure: NULL, or what is wrong ("bad", "bits"). */
static const char *parse_source(const char *s, size_t len, struct cfg_community *c)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned maxbits, bits;

	if (bytes_eq(s, len, "default")) {
		c->family = CFG_SRC_ANY;
		c->prefix = 0;
		return NULL;
	}
	if (alen == 0 || alen >= sizeof addr)
		return "bad";
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, c->net) == 1) {
		c->family = CFG_SRC_IPV4;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, addr, c->net) == 1) {
		c->family = CFG_SRC_IPV6;
		maxbits = 128;
	} else {
		return "bad";
	}
	bits = maxbits;
	if (slash) {
		const char *d = slash + 1, *end = s + len;
		if (d == end || end - d > 3)
			return "bad";
		bits = 0;
		for (; d < end; d++) {
			if (*d < '0' || *d > '9')
				return "bad";
			bits = bits * 10 + (unsigned)(*d - '0');
		}
		if (bits > maxbits)
			return "bad";
	}
	c->prefix = bits;
	/* A host part is a typo more often than a wish: 10.0.0.1/8 is refused
	 * rather than silently read as 10.0.0.0/8. */
	for (unsigned i = bits; i < maxbits; i++)
		if (c->net[i / 8] & (0x80u >> (i % 8)))
			return "bits";
	return NULL;
}

static int parse_community(struct pctx *p, struct cfg_community *e, const yaml_node_t *m, size_t i)
{
	enum { C_COMMUNITY, C_SOURCE, C_N };
	static const char *const keys[C_N] = {"community", "source"};
	struct fld f[C_N];
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF], net[INET6_ADDRSTRLEN];
	const char *s, *why;
	size_t len;

	/* Not named by its community: a secret has no place in a log line. */
	cfg_item_ctx(ctx, "agent.read_communities", i, NULL);
	e->line = lineof(m);
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, keys, C_N, f) < 0)
		return -1;
	if (!f[C_COMMUNITY].val)
		return cfg_missing(p, ctx, m, "community");
	if (cfg_get_str(p, ctx, "community", f[C_COMMUNITY].val, NC_TEXT, 1, 256, &e->community) < 0)
		return -1;
	/* No default source: opening a community to every address is written
	 * out as `source: default`, never implied. */
	if (!f[C_SOURCE].val)
		return cfg_missing(p, ctx, m, "source");
	if (!(s = cfg_check_str(p, ctx, "source", f[C_SOURCE].val, NC_WORD, 1, 64, &len)))
		return -1;
	why = parse_source(s, len, e);
	if (why && strcmp(why, "bits") == 0) {
		uint8_t host[16];
		memcpy(host, e->net, sizeof host);
		for (unsigned k = e->prefix; k < (e->family == CFG_SRC_IPV4 ? 32u : 128u); k++)
			host[k / 8] &= (uint8_t)~(0x80u >> (k % 8));
		inet_ntop(e->family == CFG_SRC_IPV4 ? AF_INET : AF_INET6, host, net, sizeof net);
		return cfg_perr(p, lineof(f[C_SOURCE].val),
				"%s: source: '%s' has bits set outside its /%u prefix (the network is %s/%u)", ctx,
				cfg_show(f[C_SOURCE].val, b), e->prefix, net, e->prefix);
	}
	if (why)
		return cfg_perr(p, lineof(f[C_SOURCE].val),
				"%s: source: expected an IPv4 or IPv6 address with an optional /prefix (127.0.0.1/32, "
				"10.0.0.0/8, fd00::/8) or default, got '%s'",
				ctx, cfg_show(f[C_SOURCE].val, b));
	return 0;
}

/* listen: net-snmp transport specifiers, joined with ',' for net-snmp, which
 * also reads an entry starting with "none" as "open no port". */
static int parse_listen(struct pctx *p, struct shugo_config *c, const yaml_node_t *v)
{
	const char *ctx = "agent";
	int lines[CFG_LISTEN_MAX];
	char b[CFG_SHOW_BUF];
	size_t n;

	if (cfg_expect(p, ctx, "listen", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(v);
	if (n == 0)
		return cfg_perr(p, lineof(v), "agent: listen: the list is empty");
	if (n > CFG_LISTEN_MAX)
		return cfg_perr(p, lineof(v), "agent: listen: more than %d addresses", CFG_LISTEN_MAX);
	c->listen = calloc(n + 1, sizeof *c->listen);
	if (!c->listen)
		return cfg_oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = cfg_node_get(p, v->data.sequence.items.start[i]);
		if (!e)
			return -1;
		if (cfg_get_str(p, ctx, "listen", e, NC_WORD, 1, 256, &c->listen[i]) < 0)
			return -1;
		c->n_listen++;
		lines[i] = lineof(e);
		if (strchr(c->listen[i], ','))
			return cfg_perr(p, lines[i],
					"agent: listen: '%s' holds a ',': give each address as its own list entry",
					cfg_show(e, b));
		if (strncasecmp(c->listen[i], "none", 4) == 0)
			return cfg_perr(p, lines[i],
					"agent: listen: '%s' would be read by net-snmp as 'none' (no port at all)",
					cfg_show(e, b));
		/* The second bind of one address would fail at start: say so now. */
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->listen[j], c->listen[i]) == 0)
				return cfg_perr(p, lines[i], "agent: duplicate listen address '%s' (first at line %d)",
						cfg_show(e, b), lines[j]);
	}
	return 0;
}

static int parse_agent(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	enum {
		A_SOCK, A_STATE, A_SAMPLE, A_NLOG, A_QUEUE, A_MAXP, A_PING, A_MODE, A_LISTEN, A_COMM,
		A_EVSOCK, A_EVGROUP, A_EVBATCH, A_N
	};
	static const char *const keys[A_N] = {"agentx_socket", "state_dir",     "sample_interval", "notify_log_size",
					      "queue_limit",   "max_processes", "agentx_ping",     "mode",
					      "listen",        "read_communities", "event_socket", "event_group",
					      "event_batch"};
	static const struct word modes[] = {{"agentx", AGENT_MODE_AGENTX}, {"master", AGENT_MODE_MASTER}};
	struct fld f[A_N];
	char b[CFG_SHOW_BUF];
	const char *ctx = "agent";
	int v;

	if (!top->val)
		return 0;
	if (cfg_expect(p, "", "agent", top->val, YAML_MAPPING_NODE) < 0 ||
	    cfg_map_read(p, top->val, ctx, keys, A_N, f) < 0)
		return -1;
	if (f[A_SOCK].val) {
		if (cfg_get_str(p, ctx, keys[A_SOCK], f[A_SOCK].val, NC_WORD, 1, 256, &c->agentx_socket) < 0)
			return -1;
		/* net-snmp takes a unix socket path or a transport specifier. */
		if (c->agentx_socket[0] != '/' && !strchr(c->agentx_socket, ':'))
			return cfg_perr(p, lineof(f[A_SOCK].val),
					"agent: agentx_socket: '%s' is neither a socket path nor a transport such as "
					"tcp:localhost:705",
					cfg_show(f[A_SOCK].val, b));
	}
	if (f[A_STATE].val &&
	    cfg_get_str(p, ctx, keys[A_STATE], f[A_STATE].val, NC_PATH, 1, PATH_MAX - 64, &c->state_dir) < 0)
		return -1;
	if (f[A_SAMPLE].val && cfg_get_duration(p, ctx, keys[A_SAMPLE], f[A_SAMPLE].val, 100, MS_H, &c->sample_ms) < 0)
		return -1;
	if (f[A_NLOG].val && cfg_get_u32(p, ctx, keys[A_NLOG], f[A_NLOG].val, 16, 1000000, &c->nlog_capacity) < 0)
		return -1;
	if (f[A_QUEUE].val && cfg_get_u32(p, ctx, keys[A_QUEUE], f[A_QUEUE].val, 1, 100000, &c->queue_limit) < 0)
		return -1;
	if (f[A_MAXP].val && cfg_get_u32(p, ctx, keys[A_MAXP], f[A_MAXP].val, 1, 100000, &c->max_procs) < 0)
		return -1;
	if (f[A_PING].val && cfg_get_seconds(p, ctx, keys[A_PING], f[A_PING].val, 1, 3600, &c->agentx_ping_s) < 0)
		return -1;
	if (f[A_EVSOCK].val) {
		if (f[A_EVSOCK].val->type == YAML_SCALAR_NODE && slen(f[A_EVSOCK].val) > 107)
			return cfg_perr(p, lineof(f[A_EVSOCK].val),
					"agent: event_socket: longer than 107 characters (the limit of a unix socket path)");
		if (cfg_get_str(p, ctx, keys[A_EVSOCK], f[A_EVSOCK].val, NC_PATH, 1, 107, &c->event_socket) < 0)
			return -1;
	}
	if (f[A_EVGROUP].val && cfg_get_str(p, ctx, keys[A_EVGROUP], f[A_EVGROUP].val, NC_WORD, 1, 64, &c->event_group) < 0)
		return -1;
	if (f[A_EVBATCH].val &&
	    cfg_get_duration(p, ctx, keys[A_EVBATCH], f[A_EVBATCH].val, 100, 10 * MS_M, &c->event_batch_ms) < 0)
		return -1;
	if (f[A_MODE].val) {
		if (cfg_get_enum(p, ctx, "mode", f[A_MODE].val, modes, 2, "agentx or master", &v) < 0)
			return -1;
		c->mode = (enum cfg_agent_mode)v;
	}
	/* The master-mode keys are refused in agentx mode rather than ignored:
	 * there snmpd answers the requests and applies its own access rules. */
	if (c->mode == AGENT_MODE_AGENTX) {
		if (f[A_LISTEN].val)
			return cfg_perr(p, lineof(f[A_LISTEN].key),
					"agent: 'listen' is only used with mode: master (in agentx mode snmpd answers "
					"requests on its own agentaddress)");
		if (f[A_COMM].val)
			return cfg_perr(p, lineof(f[A_COMM].key),
					"agent: 'read_communities' is only used with mode: master (in agentx mode snmpd's "
					"own community lines apply)");
		return 0;
	}
	if (!f[A_LISTEN].val)
		return cfg_perr(p, lineof(f[A_MODE].val),
				"agent: mode master needs 'listen', the addresses to answer on (such as "
				"[udp:127.0.0.1:1161])");
	if (parse_listen(p, c, f[A_LISTEN].val) < 0)
		return -1;
	if (f[A_COMM].val) {
		size_t n;
		if (cfg_expect(p, ctx, "read_communities", f[A_COMM].val, YAML_SEQUENCE_NODE) < 0)
			return -1;
		n = seq_len(f[A_COMM].val);
		c->communities = calloc(n ? n : 1, sizeof *c->communities);
		if (!c->communities)
			return cfg_oom(p);
		for (size_t i = 0; i < n; i++) {
			const yaml_node_t *m = cfg_node_get(p, f[A_COMM].val->data.sequence.items.start[i]);
			if (!m || parse_community(p, &c->communities[c->n_communities++], m, i) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- snmp ---- */

static int parse_user(struct pctx *p, struct cfg_user *u, const yaml_node_t *m, size_t i)
{
	enum { U_NAME, U_AUTH, U_AUTHPW, U_PRIV, U_PRIVPW, U_N };
	static const char *const keys[U_N] = {"name", "auth", "auth_password", "priv", "priv_password"};
	static const struct word auths[] = {
		{"SHA", AUTH_SHA1}, {"SHA-1", AUTH_SHA1}, {"SHA-256", AUTH_SHA256}, {"SHA-512", AUTH_SHA512},
	};
	static const struct word privs[] = {{"AES", PRIV_AES128}, {"AES-128", PRIV_AES128}, {"AES-256", PRIV_AES256}};
	struct fld f[U_N];
	char ctx[CFG_CTX_MAX];
	int v;

	cfg_item_ctx_peek(p, ctx, "snmp.users", i, m, "name");
	u->line = lineof(m);
	u->auth = AUTH_SHA256;
	u->priv = PRIV_AES128;
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, keys, U_N, f) < 0)
		return -1;
	if (!f[U_NAME].val)
		return cfg_missing(p, ctx, m, "name");
	if (cfg_get_name(p, ctx, "name", f[U_NAME].val, NC_WORD, 32, u->name) < 0)
		return -1;
	cfg_item_ctx(ctx, "snmp.users", i, u->name);
	if (f[U_AUTH].val) {
		if (cfg_get_enum(p, ctx, "auth protocol", f[U_AUTH].val, auths, 4, "SHA, SHA-1, SHA-256 or SHA-512",
				 &v) < 0)
			return -1;
		u->auth = (enum cfg_auth)v;
	}
	if (f[U_PRIV].val) {
		if (cfg_get_enum(p, ctx, "priv protocol", f[U_PRIV].val, privs, 3, "AES, AES-128 or AES-256", &v) < 0)
			return -1;
		u->priv = (enum cfg_priv)v;
	}
	/* USM derives keys from passphrases of at least 8 octets (RFC 3414 11.2). */
	if (!f[U_AUTHPW].val)
		return cfg_missing(p, ctx, m, "auth_password");
	if (cfg_get_str(p, ctx, "auth_password", f[U_AUTHPW].val, NC_TEXT, 8, 256, &u->auth_pass) < 0)
		return -1;
	if (!f[U_PRIVPW].val)
		return cfg_missing(p, ctx, m, "priv_password");
	if (cfg_get_str(p, ctx, "priv_password", f[U_PRIVPW].val, NC_TEXT, 8, 256, &u->priv_pass) < 0)
		return -1;
	return 0;
}

static int parse_snmp(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	static const char *const keys[] = {"users"};
	struct fld f[1];
	size_t n;

	if (!top->val)
		return 0;
	if (cfg_expect(p, "", "snmp", top->val, YAML_MAPPING_NODE) < 0 ||
	    cfg_map_read(p, top->val, "snmp", keys, 1, f) < 0)
		return -1;
	if (!f[0].val)
		return 0;
	if (cfg_expect(p, "snmp", "users", f[0].val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(f[0].val);
	c->users = calloc(n ? n : 1, sizeof *c->users);
	if (!c->users)
		return cfg_oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = cfg_node_get(p, f[0].val->data.sequence.items.start[i]);
		if (!m || parse_user(p, &c->users[c->n_users++], m, i) < 0)
			return -1;
	}
	return 0;
}

/* ---- notify ---- */

/* The keys that say how to send to an SNMP receiver, shared by
 * notify.targets and the routing destinations of method snmp; t's defaults
 * (INFORM, version 3, 1 s, 3 retries) are set here. */
int cfg_read_target_opts(struct pctx *p, const char *ctx, const yaml_node_t *m, struct cfg_target *t,
			 const struct cfg_target_flds *f)
{
	static const struct word types[] = {{"inform", 1}, {"trap", 0}};
	static const struct word versions[] = {{"2c", 2}, {"3", 3}};
	uint64_t retries;
	int v;

	t->line = lineof(m);
	t->inform = true;
	t->version = 3;
	t->timeout_ms = 1000;
	t->retries = 3;
	if (!f->address->val)
		return cfg_missing(p, ctx, m, "address");
	if (cfg_get_str(p, ctx, "address", f->address->val, NC_WORD, 1, 256, &t->address) < 0)
		return -1;
	if (f->type->val) {
		if (cfg_get_enum(p, ctx, "notification type", f->type->val, types, 2, "inform or trap", &v) < 0)
			return -1;
		t->inform = v != 0;
	}
	if (f->version->val) {
		if (cfg_get_enum(p, ctx, "SNMP version", f->version->val, versions, 2, "2c or 3", &v) < 0)
			return -1;
		t->version = v;
	}
	if (t->version == 2) {
		if (f->user->val)
			return cfg_perr(p, lineof(f->user->key), "%s: 'user' is only used with version 3", ctx);
		if (!f->community->val)
			return cfg_perr(p, lineof(m), "%s: 'community' is required with version 2c", ctx);
		if (cfg_get_str(p, ctx, "community", f->community->val, NC_TEXT, 1, 256, &t->community) < 0)
			return -1;
	} else {
		if (f->community->val)
			return cfg_perr(p, lineof(f->community->key),
					"%s: 'community' is not allowed with version 3 (name a snmp.users entry in 'user')",
					ctx);
		if (!f->user->val)
			return cfg_perr(p, lineof(m), "%s: 'user' is required with version 3", ctx);
		if (cfg_get_name(p, ctx, "user", f->user->val, NC_WORD, 32, t->user) < 0)
			return -1;
	}
	if (f->engine->val) {
		if (t->version != 3 || !t->inform)
			return cfg_perr(p, lineof(f->engine->key),
					"%s: 'engine_id' is only used with version 3 INFORMs (the receiver's engine ID)",
					ctx);
		if (cfg_get_engine_id(p, ctx, f->engine->val, t->engine_id, sizeof t->engine_id,
				      &t->engine_id_len) < 0)
			return -1;
	}
	if (f->timeout->val &&
	    cfg_get_duration(p, ctx, "timeout", f->timeout->val, 10, 60 * MS_S, &t->timeout_ms) < 0)
		return -1;
	if (f->retries->val) {
		if (cfg_get_uint(p, ctx, "retries", f->retries->val, 0, 20, &retries) < 0)
			return -1;
		t->retries = (unsigned)retries;
	}
	return 0;
}

static int parse_target(struct pctx *p, struct cfg_target *t, const yaml_node_t *m, size_t i)
{
	enum { T_NAME, T_ADDR, T_TYPE, T_VERSION, T_COMMUNITY, T_USER, T_TIMEOUT, T_RETRIES, T_ENGINE, T_N };
	static const char *const keys[T_N] = {"name", "address", "type", "version", "community",
					       "user", "timeout", "retries", "engine_id"};
	struct fld f[T_N];
	char ctx[CFG_CTX_MAX];

	cfg_item_ctx_peek(p, ctx, "notify.targets", i, m, "name");
	t->line = lineof(m);
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, keys, T_N, f) < 0)
		return -1;
	if (!f[T_NAME].val)
		return cfg_missing(p, ctx, m, "name");
	if (cfg_get_name(p, ctx, "name", f[T_NAME].val, NC_PROC, CFG_NAME_MAX, t->name) < 0)
		return -1;
	cfg_item_ctx(ctx, "notify.targets", i, t->name);
	return cfg_read_target_opts(p, ctx, m, t,
				    &(struct cfg_target_flds){&f[T_ADDR], &f[T_TYPE], &f[T_VERSION], &f[T_COMMUNITY],
							      &f[T_USER], &f[T_TIMEOUT], &f[T_RETRIES], &f[T_ENGINE]});
}

static int parse_notify(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	static const char *const keys[] = {"targets"};
	struct fld f[1];
	size_t n;

	if (!top->val)
		return 0;
	if (cfg_expect(p, "", "notify", top->val, YAML_MAPPING_NODE) < 0 ||
	    cfg_map_read(p, top->val, "notify", keys, 1, f) < 0)
		return -1;
	if (!f[0].val)
		return 0;
	if (cfg_expect(p, "notify", "targets", f[0].val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(f[0].val);
	c->targets = calloc(n ? n : 1, sizeof *c->targets);
	if (!c->targets)
		return cfg_oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = cfg_node_get(p, f[0].val->data.sequence.items.start[i]);
		if (!m || parse_target(p, &c->targets[c->n_targets++], m, i) < 0)
			return -1;
	}
	return 0;
}

/* ---- processes ---- */

enum {
	PF_NAME, PF_NODES, PF_COMMAND, PF_MATCH,
	/* supervised only: */
	PF_SHELL, PF_ENV, PF_USER, PF_GROUP, PF_CWD, PF_START, PF_RESTART, PF_BACKOFF, PF_BACKOFF_MAX,
	PF_DAMPING, PF_STOP_TIMEOUT, PF_START_GRACE,
	/* watched only: */
	PF_MIN, PF_MAX,
	PF_N
};

static const char *const proc_keys[PF_N] = {
	"name", "nodes", "command", "match", "shell", "env", "user", "group", "cwd", "start", "restart",
	"backoff", "backoff_max", "damping", "stop_timeout", "start_grace", "min", "max",
};

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* A command as a list, or as one string split on whitespace (with shell: the
 * whole string is the script). What is read goes into *argvp / *argcp at
 * once, so that the owner's free releases it after an error too. */
int cfg_read_command(struct pctx *p, const char *ctx, const yaml_node_t *v, bool shell, char ***argvp, size_t *argcp)
{
	char b[CFG_SHOW_BUF];
	size_t n, len;
	const char *s;
	char **argv;

	if (v->type == YAML_SEQUENCE_NODE) {
		if (shell)
			return cfg_perr(p, lineof(v), "%s: command: with shell: true, give the command as one string",
					ctx);
		n = seq_len(v);
		if (n == 0)
			return cfg_perr(p, lineof(v), "%s: command: the list is empty", ctx);
		if (n > CFG_ARGS_MAX)
			return cfg_perr(p, lineof(v), "%s: command: more than %d arguments", ctx, CFG_ARGS_MAX);
		if (!(argv = *argvp = calloc(n + 1, sizeof *argv)))
			return cfg_oom(p);
		for (size_t i = 0; i < n; i++) {
			const yaml_node_t *a = cfg_node_get(p, v->data.sequence.items.start[i]);
			if (!a || !(s = cfg_get_scalar(p, ctx, "command", a, &len)))
				return -1;
			if (!(argv[i] = cfg_dup_bytes(p, s, len)))
				return -1;
			(*argcp)++;
		}
	} else {
		if (!(s = cfg_get_scalar(p, ctx, "command", v, &len)))
			return -1;
		if (shell) {
			/* The whole string is the script for /bin/sh -c. */
			n = 1;
		} else {
			/* Split on whitespace, no quoting: anything subtler belongs in a list. */
			n = 0;
			for (size_t i = 0; i < len; i++)
				if (!is_space(s[i]) && (i == 0 || is_space(s[i - 1])))
					n++;
		}
		if (n == 0 || (shell && strspn(s, " \t\n\r\f\v") == len))
			return cfg_perr(p, lineof(v), "%s: command: must not be empty", ctx);
		if (n > CFG_ARGS_MAX)
			return cfg_perr(p, lineof(v), "%s: command: more than %d arguments", ctx, CFG_ARGS_MAX);
		if (!(argv = *argvp = calloc(n + 1, sizeof *argv)))
			return cfg_oom(p);
		if (shell) {
			if (!(argv[0] = cfg_dup_bytes(p, s, len)))
				return -1;
			*argcp = 1;
		} else {
			for (size_t i = 0; i < len;) {
				size_t j;
				while (i < len && is_space(s[i]))
					i++;
				if (i == len)
					break;
				for (j = i; j < len && !is_space(s[j]); j++)
					;
				if (!(argv[*argcp] = cfg_dup_bytes(p, s + i, j - i)))
					return -1;
				(*argcp)++;
				i = j;
			}
		}
	}
	/* Without a shell nothing searches PATH: exactly this file is executed. */
	if (!shell && argv[0][0] != '/')
		return cfg_perr(p, lineof(v), "%s: command: '%s' must be an absolute path (or set shell: true)", ctx,
				cfg_show_str(argv[0], strlen(argv[0]), b));
	return 0;
}

static int parse_env(struct pctx *p, struct cfg_proc *e, const char *ctx, const yaml_node_t *v)
{
	struct uniq *u = NULL;
	char ectx[CFG_CTX_MAX];
	size_t n;
	int rc = -1;

	cfg_ctx_join(ectx, sizeof ectx, ctx, "env");
	if (cfg_expect(p, ctx, "env", v, YAML_MAPPING_NODE) < 0)
		return -1;
	n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	if (n > CFG_ENV_MAX)
		return cfg_perr(p, lineof(v), "%s: env: more than %d variables", ctx, CFG_ENV_MAX);
	e->env = calloc(n + 1, sizeof *e->env);
	u = calloc(n ? n : 1, sizeof *u);
	if (!e->env || !u) {
		cfg_oom(p);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_pair_t *pr = &v->data.mapping.pairs.start[i];
		const yaml_node_t *k = cfg_node_get(p, pr->key), *val;
		size_t klen, vlen = 0;
		const char *ks, *vs = "";
		char *kv;

		if (!k || !(ks = cfg_check_str(p, ctx, "env", k, NC_ENV, 1, 256, &klen)))
			goto fail;
		if (!(val = cfg_node_get(p, pr->value)))
			goto fail;
		if (!cfg_is_null(val) && !(vs = cfg_get_scalar(p, ectx, ks, val, &vlen)))
			goto fail;
		if (!(kv = cfg_text_alloc(p, klen + 1 + vlen + 1)))
			goto fail;
		memcpy(kv, ks, klen);
		kv[klen] = '=';
		memcpy(kv + klen + 1, vs, vlen);
		kv[klen + 1 + vlen] = '\0';
		e->env[e->envc++] = kv;
		u[i] = (struct uniq){.name = ks, .line = lineof(k), .idx = i};
	}
	rc = cfg_check_unique(p, u, n, ctx, "environment variable");
fail:
	free(u);
	return rc;
}

static int parse_match(struct pctx *p, struct cfg_proc *e, const char *ctx, const yaml_node_t *v)
{
	static const char *const keys[] = {"pidfile", "exe", "cmdline"};
	static const enum cfg_match_kind kinds[] = {MATCH_PIDFILE, MATCH_EXE, MATCH_CMDLINE};
	struct fld f[3];
	char mctx[CFG_CTX_MAX], b[CFG_SHOW_BUF], why[128];
	const char *why_big;
	size_t given = 0, which = 0;
	int rc;

	if (cfg_expect(p, ctx, "match", v, YAML_MAPPING_NODE) < 0)
		return -1;
	cfg_ctx_join(mctx, sizeof mctx, ctx, "match");
	if (cfg_map_read(p, v, mctx, keys, 3, f) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (f[i].val) {
			given++;
			which = i;
		}
	}
	if (given != 1)
		return cfg_perr(p, lineof(v), "%s: match: give exactly one of pidfile, exe or cmdline", ctx);
	e->match_kind = kinds[which];
	if (e->match_kind != MATCH_CMDLINE)
		return cfg_get_str(p, mctx, keys[which], f[which].val, NC_PATH, 1, PATH_MAX - 1, &e->match);
	if (cfg_get_str(p, mctx, "cmdline", f[which].val, NC_TEXT, 1, CFG_REGEX_MAX, &e->match) < 0)
		return -1;
	if ((why_big = rxg_check(e->match)))
		return cfg_perr(p, lineof(f[which].val), "%s: cmdline: '%s' %s", mctx, cfg_show(f[which].val, b),
				why_big);
	rc = regcomp(&e->match_re, e->match, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &e->match_re, why, sizeof why);
		return cfg_perr(p, lineof(f[which].val), "%s: cmdline: bad regular expression '%s': %s", mctx,
				cfg_show(f[which].val, b), why);
	}
	e->re_compiled = true;
	return 0;
}

static int parse_damping(struct pctx *p, struct cfg_proc *e, const char *ctx, const yaml_node_t *v)
{
	static const char *const keys[] = {"restarts", "window"};
	struct fld f[2];
	char dctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	uint64_t n;
	bool on;

	if (v->type == YAML_SCALAR_NODE && cfg_word_bool(v, &on) && !on) {
		e->policy.damp_restarts = 0;
		return 0;
	}
	if (v->type != YAML_MAPPING_NODE)
		return cfg_perr(p, lineof(v), "%s: damping: expected {restarts: N, window: W} or off, got '%s'", ctx,
				cfg_show(v, b));
	cfg_ctx_join(dctx, sizeof dctx, ctx, "damping");
	if (cfg_map_read(p, v, dctx, keys, 2, f) < 0)
		return -1;
	if (f[0].val) {
		if (cfg_get_uint(p, dctx, "restarts", f[0].val, 0, DAMP_MAX, &n) < 0)
			return -1;
		e->policy.damp_restarts = (unsigned)n;
	}
	if (f[1].val && cfg_get_duration(p, dctx, "window", f[1].val, MS_S, 24 * MS_H, &e->policy.damp_window_ms) < 0)
		return -1;
	return 0;
}

static int parse_proc(struct pctx *p, struct cfg_proc *e, const yaml_node_t *m, size_t i, const yaml_node_t **sel)
{
	static const struct word policies[] = {
		{"always", RESTART_ALWAYS}, {"on-failure", RESTART_ON_FAILURE}, {"never", RESTART_NEVER},
	};
	struct fld f[PF_N];
	char ctx[CFG_CTX_MAX];
	int v;

	cfg_item_ctx_peek(p, ctx, "processes", i, m, "name");
	e->line = lineof(m);
	e->autostart = true;
	e->policy = (struct proc_policy){
		.restart = RESTART_ON_FAILURE,
		.backoff_initial_ms = 1000,
		.backoff_max_ms = 30000,
		.damp_restarts = 5,
		.damp_window_ms = 60000,
		.stop_timeout_ms = 5000,
		.start_grace_ms = 2000,
	};
	e->min_count = 1;
	e->max_count = 0;
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, proc_keys, PF_N, f) < 0)
		return -1;
	if (!f[PF_NAME].val)
		return cfg_missing(p, ctx, m, "name");
	if (cfg_get_name(p, ctx, "name", f[PF_NAME].val, NC_PROC, CFG_NAME_MAX, e->name) < 0)
		return -1;
	cfg_item_ctx(ctx, "processes", i, e->name);
	if (f[PF_NODES].val && cfg_get_node_list(p, ctx, f[PF_NODES].val, sel) < 0)
		return -1;
	if (f[PF_COMMAND].val && f[PF_MATCH].val)
		return cfg_perr(p, lineof(f[PF_MATCH].key),
				"%s: give either 'command' (supervised) or 'match' (watched), not both", ctx);
	if (!f[PF_COMMAND].val && !f[PF_MATCH].val)
		return cfg_perr(p, lineof(m), "%s: needs 'command' (supervised) or 'match' (watched)", ctx);

	if (f[PF_MATCH].val) {
		e->kind = PK_WATCHED;
		/* Nobody restarts what the agent did not start; the MIB shows notApplicable. */
		e->policy.restart = RESTART_NEVER;
		for (int k = PF_SHELL; k <= PF_START_GRACE; k++)
			if (f[k].val)
				return cfg_perr(p, lineof(f[k].key),
						"%s: '%s' applies only to supervised processes (with 'command')", ctx,
						proc_keys[k]);
		if (parse_match(p, e, ctx, f[PF_MATCH].val) < 0)
			return -1;
		if (f[PF_MIN].val && cfg_get_u32(p, ctx, "min", f[PF_MIN].val, 0, 100000, &e->min_count) < 0)
			return -1;
		if (f[PF_MAX].val && cfg_get_u32(p, ctx, "max", f[PF_MAX].val, 0, 100000, &e->max_count) < 0)
			return -1;
		return 0;
	}

	e->kind = PK_SUPERVISED;
	e->max_count = 1;
	for (int k = PF_MIN; k <= PF_MAX; k++)
		if (f[k].val)
			return cfg_perr(p, lineof(f[k].key),
					"%s: '%s' applies only to watched processes (with 'match')", ctx,
					proc_keys[k]);
	if (f[PF_SHELL].val && cfg_get_bool(p, ctx, "shell", f[PF_SHELL].val, &e->shell) < 0)
		return -1;
	if (cfg_read_command(p, ctx, f[PF_COMMAND].val, e->shell, &e->argv, &e->argc) < 0)
		return -1;
	if (f[PF_ENV].val) {
		if (parse_env(p, e, ctx, f[PF_ENV].val) < 0)
			return -1;
	} else {
		e->env = calloc(1, sizeof *e->env);
		if (!e->env)
			return cfg_oom(p);
	}
	if (f[PF_USER].val && cfg_get_str(p, ctx, "user", f[PF_USER].val, NC_WORD, 1, CFG_NAME_MAX, &e->user) < 0)
		return -1;
	if (f[PF_GROUP].val && cfg_get_str(p, ctx, "group", f[PF_GROUP].val, NC_WORD, 1, CFG_NAME_MAX, &e->group) < 0)
		return -1;
	if (f[PF_CWD].val && cfg_get_str(p, ctx, "cwd", f[PF_CWD].val, NC_PATH, 1, PATH_MAX - 1, &e->cwd) < 0)
		return -1;
	if (f[PF_START].val && cfg_get_bool(p, ctx, "start", f[PF_START].val, &e->autostart) < 0)
		return -1;
	if (f[PF_RESTART].val) {
		if (cfg_get_enum(p, ctx, "restart policy", f[PF_RESTART].val, policies, 3,
				 "always, on-failure or never", &v) < 0)
			return -1;
		e->policy.restart = (enum proc_restart)v;
	}
	if (f[PF_BACKOFF].val &&
	    cfg_get_duration(p, ctx, "backoff", f[PF_BACKOFF].val, 10, MS_H, &e->policy.backoff_initial_ms) < 0)
		return -1;
	if (f[PF_BACKOFF_MAX].val) {
		if (cfg_get_duration(p, ctx, "backoff_max", f[PF_BACKOFF_MAX].val, 10, 24 * MS_H,
				     &e->policy.backoff_max_ms) < 0)
			return -1;
	} else if (e->policy.backoff_max_ms < e->policy.backoff_initial_ms) {
		/* A long backoff without a cap of its own is its own cap. */
		e->policy.backoff_max_ms = e->policy.backoff_initial_ms;
	}
	if (f[PF_DAMPING].val && parse_damping(p, e, ctx, f[PF_DAMPING].val) < 0)
		return -1;
	if (f[PF_STOP_TIMEOUT].val &&
	    cfg_get_duration(p, ctx, "stop_timeout", f[PF_STOP_TIMEOUT].val, 10, MS_H, &e->policy.stop_timeout_ms) < 0)
		return -1;
	if (f[PF_START_GRACE].val &&
	    cfg_get_duration(p, ctx, "start_grace", f[PF_START_GRACE].val, 0, MS_H, &e->policy.start_grace_ms) < 0)
		return -1;
	return 0;
}

static int parse_processes(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	size_t n;

	if (!top->val)
		return 0;
	if (cfg_expect(p, "", "processes", top->val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(top->val);
	c->procs = calloc(n ? n : 1, sizeof *c->procs);
	p->proc_sel = calloc(n ? n : 1, sizeof *p->proc_sel);
	if (!c->procs || !p->proc_sel)
		return cfg_oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = cfg_node_get(p, top->val->data.sequence.items.start[i]);
		if (!m || parse_proc(p, &c->procs[c->n_procs++], m, i, &p->proc_sel[i]) < 0)
			return -1;
	}
	return 0;
}

/* ---- resources ---- */

#define PCT_MAX 10000u     /* 100.00 % */
#define LOAD_MAX 1000000u  /* a load average of 10000.00 */

static int parse_thr(struct pctx *p, const char *ctx, const yaml_node_t *m, uint32_t max, struct thr *t,
		     struct fld *extra, const char *const *extra_keys, size_t n_extra)
{
	const char *keys[8] = {"warning", "critical", "hysteresis"};
	struct fld f[8];

	for (size_t i = 0; i < n_extra; i++)
		keys[3 + i] = extra_keys[i];
	if (cfg_map_read(p, m, ctx, keys, 3 + n_extra, f) < 0)
		return -1;
	if (f[0].val && cfg_get_hundredths(p, ctx, "warning", f[0].val, max, &t->warning) < 0)
		return -1;
	if (f[1].val && cfg_get_hundredths(p, ctx, "critical", f[1].val, max, &t->critical) < 0)
		return -1;
	if (f[2].val && cfg_get_hundredths(p, ctx, "hysteresis", f[2].val, max, &t->hysteresis) < 0)
		return -1;
	for (size_t i = 0; i < n_extra; i++)
		extra[i] = f[3 + i];
	return 0;
}

static int parse_basic_res(struct pctx *p, struct shugo_config *c, const struct fld *f, const char *name,
			   enum cfg_res_type type, struct thr def)
{
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	struct cfg_res *r;
	bool on;

	if (f->val && f->val->type == YAML_SCALAR_NODE) {
		if (!cfg_word_bool(f->val, &on))
			return cfg_perr(p, lineof(f->val),
					"resources: %s: expected {warning, critical, hysteresis} or off, got '%s'",
					name, cfg_show(f->val, b));
		if (!on)
			return 0;
	}
	r = &c->res[c->n_res++];
	snprintf(r->name, sizeof r->name, "%s", name);
	r->type = type;
	r->thr = def;
	r->line = f->key ? lineof(f->key) : 0;
	if (!f->val || f->val->type == YAML_SCALAR_NODE)
		return 0;
	snprintf(ctx, sizeof ctx, "resources.%s", name);
	if (cfg_expect(p, "resources", name, f->val, YAML_MAPPING_NODE) < 0)
		return -1;
	return parse_thr(p, ctx, f->val, type == RES_LOAD ? LOAD_MAX : PCT_MAX, &r->thr, NULL, NULL, 0);
}

static int parse_fs(struct pctx *p, struct cfg_res *r, const yaml_node_t *m, size_t i, const yaml_node_t **sel)
{
	static const char *const extra_keys[] = {"path", "nodes"};
	struct fld extra[2];
	char ctx[CFG_CTX_MAX];
	const size_t path_max = CFG_NAME_MAX - 3; /* "fs:" + path must fit the name */

	cfg_item_ctx_peek(p, ctx, "resources.filesystems", i, m, "path");
	r->type = RES_FILESYSTEM;
	r->thr = (struct thr){.warning = 8500, .critical = 9500, .hysteresis = 200};
	r->line = lineof(m);
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0)
		return -1;
	if (parse_thr(p, ctx, m, PCT_MAX, &r->thr, extra, extra_keys, 2) < 0)
		return -1;
	if (!extra[0].val)
		return cfg_missing(p, ctx, m, "path");
	if (extra[0].val->type == YAML_SCALAR_NODE && slen(extra[0].val) > path_max)
		return cfg_perr(p, lineof(extra[0].val),
				"%s: path: longer than %zu characters (the resource is named \"fs:<path>\", at most %d)",
				ctx, path_max, CFG_NAME_MAX);
	if (cfg_get_str(p, ctx, "path", extra[0].val, NC_PATH, 1, path_max, &r->path) < 0)
		return -1;
	snprintf(r->name, sizeof r->name, "fs:%s", r->path);
	cfg_item_ctx(ctx, "resources.filesystems", i, r->path);
	if (extra[1].val && cfg_get_node_list(p, ctx, extra[1].val, sel) < 0)
		return -1;
	return 0;
}

static int parse_nic(struct pctx *p, struct cfg_nic *e, const yaml_node_t *m, size_t i, const yaml_node_t **sel)
{
	static const char *const keys[] = {"name", "stall_after", "pcap", "nodes"};
	struct fld f[4];
	char ctx[CFG_CTX_MAX];

	cfg_item_ctx_peek(p, ctx, "resources.nics", i, m, "name");
	e->line = lineof(m);
	e->stall_after_s = 30;
	e->pcap = true;
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, keys, 4, f) < 0)
		return -1;
	if (!f[0].val)
		return cfg_missing(p, ctx, m, "name");
	/* IFNAMSIZ is 16 including the terminator. */
	if (cfg_get_name(p, ctx, "name", f[0].val, NC_IFACE, 15, e->name) < 0)
		return -1;
	cfg_item_ctx(ctx, "resources.nics", i, e->name);
	if (f[1].val && cfg_get_seconds(p, ctx, "stall_after", f[1].val, 1, 86400, &e->stall_after_s) < 0)
		return -1;
	if (f[2].val && cfg_get_bool(p, ctx, "pcap", f[2].val, &e->pcap) < 0)
		return -1;
	if (f[3].val && cfg_get_node_list(p, ctx, f[3].val, sel) < 0)
		return -1;
	return 0;
}

static int parse_resources(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	enum { R_CPU, R_MEM, R_SWAP, R_LOAD, R_FS, R_NICS, R_N };
	static const char *const keys[R_N] = {"cpu", "memory", "swap", "load", "filesystems", "nics"};
	struct fld f[R_N];
	size_t n_fs = 0, n_nics = 0;

	memset(f, 0, sizeof f);
	if (top->val) {
		if (cfg_expect(p, "", "resources", top->val, YAML_MAPPING_NODE) < 0 ||
		    cfg_map_read(p, top->val, "resources", keys, R_N, f) < 0)
			return -1;
		if (f[R_FS].val) {
			if (cfg_expect(p, "resources", "filesystems", f[R_FS].val, YAML_SEQUENCE_NODE) < 0)
				return -1;
			n_fs = seq_len(f[R_FS].val);
		}
		if (f[R_NICS].val) {
			if (cfg_expect(p, "resources", "nics", f[R_NICS].val, YAML_SEQUENCE_NODE) < 0)
				return -1;
			n_nics = seq_len(f[R_NICS].val);
		}
	}
	c->res = calloc(4 + n_fs, sizeof *c->res);
	p->res_sel = calloc(4 + n_fs, sizeof *p->res_sel);
	c->nics = calloc(n_nics ? n_nics : 1, sizeof *c->nics);
	p->nic_sel = calloc(n_nics ? n_nics : 1, sizeof *p->nic_sel);
	if (!c->res || !p->res_sel || !c->nics || !p->nic_sel)
		return cfg_oom(p);
	if (parse_basic_res(p, c, &f[R_CPU], "cpu", RES_CPU, (struct thr){8500, 9500, 500}) < 0 ||
	    parse_basic_res(p, c, &f[R_MEM], "memory", RES_MEMORY, (struct thr){8500, 9500, 500}) < 0 ||
	    parse_basic_res(p, c, &f[R_SWAP], "swap", RES_SWAP, (struct thr){5000, 8000, 500}) < 0 ||
	    parse_basic_res(p, c, &f[R_LOAD], "load", RES_LOAD, (struct thr){400, 800, 50}) < 0)
		return -1;
	p->n_basic_res = c->n_res;
	for (size_t i = 0; i < n_fs; i++) {
		const yaml_node_t *m = cfg_node_get(p, f[R_FS].val->data.sequence.items.start[i]);
		size_t k = c->n_res++;
		if (!m || parse_fs(p, &c->res[k], m, i, &p->res_sel[k]) < 0)
			return -1;
	}
	for (size_t i = 0; i < n_nics; i++) {
		const yaml_node_t *m = cfg_node_get(p, f[R_NICS].val->data.sequence.items.start[i]);
		size_t k = c->n_nics++;
		if (!m || parse_nic(p, &c->nics[k], m, i, &p->nic_sel[k]) < 0)
			return -1;
	}
	return 0;
}

/* ---- cross-checks, once everything is read ---- */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every name in an entry's `nodes:` list must be a cluster node, when the
 * cluster is defined at all. */
int cfg_check_node_list(struct pctx *p, const char *ctx, const yaml_node_t *sel, const char **names,
			size_t n_names)
{
	char b[CFG_SHOW_BUF];

	if (!sel || n_names == 0)
		return 0;
	for (const yaml_node_item_t *it = sel->data.sequence.items.start; it < sel->data.sequence.items.top; it++) {
		const yaml_node_t *n = cfg_node_get(p, *it);
		const char *key;
		if (!n)
			return -1;
		key = sval(n);
		if (!bsearch(&key, names, n_names, sizeof *names, cmp_strp))
			return cfg_perr(p, lineof(n), "%s: node '%s' is not in cluster.nodes", ctx, cfg_show(n, b));
	}
	return 0;
}

/* thr_check is the rule, shared with SNMP SETs of the thresholds; the two
 * common cases get the values in the message. */
static int check_thr(struct pctx *p, const char *ctx, const struct thr *t, int line)
{
	char a[32], b[32];
	const char *why = thr_check(t);

	if (!why)
		return 0;
	if (t->warning > t->critical)
		return cfg_perr(p, line, "%s: warning (%s) is above critical (%s)", ctx,
				cfg_fmt_hund(t->warning, a, sizeof a), cfg_fmt_hund(t->critical, b, sizeof b));
	if (t->warning > 0 && t->hysteresis >= t->warning)
		return cfg_perr(p, line, "%s: hysteresis (%s) must be below warning (%s)", ctx,
				cfg_fmt_hund(t->hysteresis, a, sizeof a), cfg_fmt_hund(t->warning, b, sizeof b));
	return cfg_perr(p, line, "%s: %s", ctx, why);
}

static int validate(struct pctx *p, struct shugo_config *c)
{
	const char **names = NULL, *key;
	struct uniq *u = NULL;
	size_t max = c->n_nodes, k;
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	int rc = -1;

	max = c->n_users > max ? c->n_users : max;
	max = c->n_targets > max ? c->n_targets : max;
	max = c->n_procs > max ? c->n_procs : max;
	max = c->n_res > max ? c->n_res : max;
	max = c->n_nics > max ? c->n_nics : max;
	u = calloc(max ? max : 1, sizeof *u);
	names = calloc(c->n_nodes ? c->n_nodes : 1, sizeof *names);
	if (!u || !names) {
		cfg_oom(p);
		goto fail;
	}

	for (size_t i = 0; i < c->n_nodes; i++) {
		u[i] = (struct uniq){c->nodes[i].name, c->nodes[i].line, i};
		names[i] = c->nodes[i].name;
	}
	if (cfg_check_unique(p, u, c->n_nodes, NULL, "node name") < 0)
		goto fail;
	qsort(names, c->n_nodes, sizeof *names, cmp_strp);
	key = c->node_name;
	if (c->n_nodes > 0 && !bsearch(&key, names, c->n_nodes, sizeof *names, cmp_strp)) {
		cfg_perr(p, p->cluster_line, "node '%s' is not in cluster.nodes",
			 cfg_show_str(c->node_name, strlen(c->node_name), b));
		goto fail;
	}

	for (size_t i = 0; i < c->n_users; i++)
		u[i] = (struct uniq){c->users[i].name, c->users[i].line, i};
	if (cfg_check_unique(p, u, c->n_users, NULL, "SNMP user") < 0)
		goto fail;

	for (size_t i = 0; i < c->n_targets; i++)
		u[i] = (struct uniq){c->targets[i].name, c->targets[i].line, i};
	if (cfg_check_unique(p, u, c->n_targets, NULL, "notification target") < 0)
		goto fail;
	for (size_t i = 0; i < c->n_targets; i++) {
		const struct cfg_target *t = &c->targets[i];
		if (t->version == 3 && !cfg_find_user(c, t->user)) {
			cfg_item_ctx(ctx, "notify.targets", i, t->name);
			cfg_perr(p, t->line, "%s: user '%s' is not defined in snmp.users", ctx,
				 cfg_show_str(t->user, strlen(t->user), b));
			goto fail;
		}
	}

	for (size_t i = 0; i < c->n_procs; i++)
		u[i] = (struct uniq){c->procs[i].name, c->procs[i].line, i};
	if (cfg_check_unique(p, u, c->n_procs, NULL, "process name") < 0)
		goto fail;
	for (size_t i = 0; i < c->n_procs; i++) {
		const struct cfg_proc *e = &c->procs[i];
		char x[32], y[32];
		cfg_item_ctx(ctx, "processes", i, e->name);
		if (e->policy.backoff_max_ms < e->policy.backoff_initial_ms) {
			cfg_perr(p, e->line, "%s: backoff_max (%s) is below backoff (%s)", ctx,
				 cfg_fmt_dur(e->policy.backoff_max_ms, x, sizeof x),
				 cfg_fmt_dur(e->policy.backoff_initial_ms, y, sizeof y));
			goto fail;
		}
		if (e->max_count != 0 && e->max_count < e->min_count) {
			cfg_perr(p, e->line, "%s: max (%u) is below min (%u); use max: 0 for no upper limit", ctx,
				 e->max_count, e->min_count);
			goto fail;
		}
		if (cfg_check_node_list(p, ctx, p->proc_sel[i], names, c->n_nodes) < 0)
			goto fail;
	}

	k = 0;
	for (size_t i = 0; i < c->n_res; i++) {
		const struct cfg_res *r = &c->res[i];
		if (i < p->n_basic_res)
			snprintf(ctx, sizeof ctx, "resources.%s", r->name);
		else
			cfg_item_ctx(ctx, "resources.filesystems", i - p->n_basic_res, r->path);
		if (check_thr(p, ctx, &r->thr, r->line) < 0)
			goto fail;
		if (i >= p->n_basic_res) {
			if (cfg_check_node_list(p, ctx, p->res_sel[i], names, c->n_nodes) < 0)
				goto fail;
			u[k] = (struct uniq){r->path, r->line, k};
			k++;
		}
	}
	if (cfg_check_unique(p, u, k, NULL, "filesystem") < 0)
		goto fail;

	for (size_t i = 0; i < c->n_nics; i++) {
		cfg_item_ctx(ctx, "resources.nics", i, c->nics[i].name);
		if (cfg_check_node_list(p, ctx, p->nic_sel[i], names, c->n_nodes) < 0)
			goto fail;
		u[i] = (struct uniq){c->nics[i].name, c->nics[i].line, i};
	}
	if (cfg_check_unique(p, u, c->n_nics, NULL, "network interface") < 0)
		goto fail;
	rc = 0;
fail:
	free(u);
	free(names);
	return rc;
}

/* ---- per-node filter ---- */

const char **cfg_node_names(struct pctx *p, const struct shugo_config *c)
{
	const char **names = calloc(c->n_nodes ? c->n_nodes : 1, sizeof *names);

	if (!names) {
		cfg_oom(p);
		return NULL;
	}
	for (size_t i = 0; i < c->n_nodes; i++)
		names[i] = c->nodes[i].name;
	qsort(names, c->n_nodes, sizeof *names, cmp_strp);
	return names;
}

int cfg_selected(struct pctx *p, const yaml_node_t *sel, const char *node, bool *out)
{
	*out = sel == NULL;
	if (!sel)
		return 0;
	for (const yaml_node_item_t *it = sel->data.sequence.items.start; it < sel->data.sequence.items.top; it++) {
		const yaml_node_t *n = cfg_node_get(p, *it);
		if (!n)
			return -1;
		if (strcmp(sval(n), node) == 0) {
			*out = true;
			break;
		}
	}
	return 0;
}

static void proc_clear(struct cfg_proc *e)
{
	if (e->argv)
		for (char **a = e->argv; *a; a++)
			free(*a);
	free(e->argv);
	if (e->env)
		for (char **a = e->env; *a; a++)
			free(*a);
	free(e->env);
	free(e->user);
	free(e->group);
	free(e->cwd);
	free(e->match);
	if (e->re_compiled)
		regfree(&e->match_re);
}

static int filter(struct pctx *p, struct shugo_config *c)
{
	size_t k = 0;
	bool keep;

	for (size_t i = 0; i < c->n_procs; i++) {
		if (cfg_selected(p, p->proc_sel[i], c->node_name, &keep) < 0)
			return -1;
		if (!keep) {
			proc_clear(&c->procs[i]);
			continue;
		}
		/* regex_t may be moved: glibc keeps no pointer into it. */
		if (k != i)
			c->procs[k] = c->procs[i];
		k++;
	}
	c->n_procs = k;
	k = 0;
	for (size_t i = 0; i < c->n_res; i++) {
		if (cfg_selected(p, p->res_sel[i], c->node_name, &keep) < 0)
			return -1;
		if (!keep) {
			free(c->res[i].path);
			continue;
		}
		if (k != i)
			c->res[k] = c->res[i];
		k++;
	}
	c->n_res = k;
	k = 0;
	for (size_t i = 0; i < c->n_nics; i++) {
		if (cfg_selected(p, p->nic_sel[i], c->node_name, &keep) < 0)
			return -1;
		if (!keep)
			continue;
		if (k != i)
			c->nics[k] = c->nics[i];
		k++;
	}
	c->n_nics = k;
	return 0;
}

/* ---- reading the YAML ---- */

static int yaml_fail(struct pctx *p, const yaml_parser_t *ps, const char *text, size_t len)
{
	const char *problem = ps->problem ? ps->problem : "unknown problem";
	const char *kind = ps->error == YAML_COMPOSER_ERROR ? "YAML error" : "YAML syntax error";
	int line = 1;

	switch (ps->error) {
	case YAML_MEMORY_ERROR:
		return cfg_oom(p);
	case YAML_READER_ERROR:
		/* The reader reports a byte offset, not a mark. */
		for (size_t i = 0; i < ps->problem_offset && i < len; i++)
			if (text[i] == '\n' && line < INT_MAX)
				line++;
		return cfg_perr(p, line, "%s: %s", kind, problem);
	default:
		line = ps->problem_mark.line < (size_t)INT_MAX ? (int)ps->problem_mark.line + 1 : INT_MAX;
		if (ps->context)
			return cfg_perr(p, line, "%s: %s at line %zu: %s", kind, ps->context, ps->context_mark.line + 1,
					problem);
		return cfg_perr(p, line, "%s: %s", kind, problem);
	}
}

/* An event pass before composing: libyaml's composer recurses once per level and
 * would follow an alias into its own anchor, so nesting, anchors, aliases and
 * self-references are bounded here, where the parser uses no recursion. */
static int prescan(struct pctx *p, const char *text, size_t len)
{
	yaml_parser_t ps;
	yaml_event_t ev;
	char *open[CFG_DEPTH_MAX] = {0};
	size_t depth = 0, anchors = 0, aliases = 0, docs = 0;
	int rc = -1;
	bool done = false;

	if (!yaml_parser_initialize(&ps))
		return cfg_oom(p);
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	while (!done) {
		const unsigned char *anchor = NULL;
		int line;

		if (!yaml_parser_parse(&ps, &ev)) {
			yaml_fail(p, &ps, text, len);
			goto fail;
		}
		line = ev.start_mark.line < (size_t)INT_MAX ? (int)ev.start_mark.line + 1 : INT_MAX;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				cfg_perr(p, line, "only one YAML document is allowed in the file");
				goto fail_ev;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			anchor = ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
								      : ev.data.mapping_start.anchor;
			if (depth == CFG_DEPTH_MAX) {
				cfg_perr(p, line, "nested deeper than %d levels", CFG_DEPTH_MAX);
				goto fail_ev;
			}
			if (anchor && ++anchors > CFG_ANCHORS_MAX) {
				cfg_perr(p, line, "more than %d anchors", CFG_ANCHORS_MAX);
				goto fail_ev;
			}
			if (anchor && !(open[depth] = strdup((const char *)anchor))) {
				cfg_oom(p);
				goto fail_ev;
			}
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0) {
				depth--;
				free(open[depth]);
				open[depth] = NULL;
			}
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.anchor && ++anchors > CFG_ANCHORS_MAX) {
				cfg_perr(p, line, "more than %d anchors", CFG_ANCHORS_MAX);
				goto fail_ev;
			}
			break;
		case YAML_ALIAS_EVENT:
			if (++aliases > CFG_ALIASES_MAX) {
				cfg_perr(p, line, "more than %d aliases", CFG_ALIASES_MAX);
				goto fail_ev;
			}
			for (size_t i = 0; i < depth; i++) {
				if (open[i] && strcmp(open[i], (const char *)ev.data.alias.anchor) == 0) {
					char b[CFG_SHOW_BUF];
					const char *a = (const char *)ev.data.alias.anchor;
					cfg_perr(p, line, "alias '*%s' refers to a node that contains it",
						 cfg_show_str(a, strlen(a), b));
					goto fail_ev;
				}
			}
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
	goto fail;
fail_ev:
	yaml_event_delete(&ev);
fail:
	for (size_t i = 0; i < CFG_DEPTH_MAX; i++)
		free(open[i]);
	yaml_parser_delete(&ps);
	return rc;
}

static int load_doc(struct pctx *p, const char *text, size_t len)
{
	yaml_parser_t ps;
	int rc = -1;

	if (prescan(p, text, len) < 0)
		return -1;
	if (!yaml_parser_initialize(&ps))
		return cfg_oom(p);
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	if (!yaml_parser_load(&ps, &p->doc)) {
		yaml_fail(p, &ps, text, len);
		goto fail;
	}
	p->have_doc = true;
	rc = 0;
fail:
	yaml_parser_delete(&ps);
	return rc;
}

static int set_node_name(struct pctx *p, struct shugo_config *c, const char *node_name)
{
	char host[256], b[CFG_SHOW_BUF];
	size_t len;

	if (!node_name) {
		if (gethostname(host, sizeof host) < 0)
			return cfg_perr(p, 0, "cannot find this node's name: gethostname: %s", strerror(errno));
		host[sizeof host - 1] = '\0';
		/* Node names are short names: "alpha", not "alpha.example.net". */
		host[strcspn(host, ".")] = '\0';
		node_name = host;
	}
	len = strlen(node_name);
	if (len == 0)
		return cfg_perr(p, 0, "this node's name is empty");
	if (len > CFG_NAME_MAX)
		return cfg_perr(p, 0, "this node's name '%s' is longer than %d characters",
				cfg_show_str(node_name, len, b), CFG_NAME_MAX);
	memcpy(c->node_name, node_name, len + 1);
	return 0;
}

static void pctx_clear(struct pctx *p)
{
	free(p->proc_sel);
	free(p->res_sel);
	free(p->nic_sel);
	free(p->node_poll);
	free(p->trapd_user_lines);
	free(p->log_sel);
	if (p->have_doc)
		yaml_document_delete(&p->doc);
}

struct shugo_config *cfg_parse(const char *name, const char *text, size_t len, const char *node_name, char *err,
			       size_t errlen)
{
	enum {
		K_CLUSTER, K_AGENT, K_SNMP, K_NOTIFY, K_PROCS, K_RES, K_LOGS, K_EXEC, K_MANAGER, K_TRAPD, K_ROUTING, K_N
	};
	static const char *const keys[K_N] = {"cluster", "agent", "snmp",    "notify", "processes", "resources",
					      "logs",    "exec",  "manager", "trapd",  "routing"};
	struct pctx p = {.file = name ? name : "config", .err = err, .errlen = errlen};
	struct shugo_config *c;
	struct fld f[K_N];
	const yaml_node_t *root;

	if (err && errlen)
		err[0] = '\0';
	c = calloc(1, sizeof *c);
	if (!c) {
		cfg_oom(&p);
		return NULL;
	}
	c->file = strdup(p.file);
	c->agentx_socket = strdup(DEF_AGENTX_SOCKET);
	c->state_dir = strdup(SHUGO_STATEDIR);
	c->sample_ms = 1000;
	c->nlog_capacity = 10000;
	c->queue_limit = 1000;
	c->max_procs = 128;
	c->agentx_ping_s = 5;
	c->mode = AGENT_MODE_AGENTX;
	c->event_socket = strdup(DEF_EVENT_SOCKET);
	c->event_batch_ms = 10000;
	if (!c->file || !c->agentx_socket || !c->state_dir || !c->event_socket) {
		cfg_oom(&p);
		goto fail;
	}
	if (set_node_name(&p, c, node_name) < 0)
		goto fail;
	if (len > CFG_FILE_MAX) {
		cfg_perr(&p, 0, "the file is larger than %u bytes", CFG_FILE_MAX);
		goto fail;
	}
	if (load_doc(&p, text ? text : "", text ? len : 0) < 0)
		goto fail;
	p.visits_left = 4 * (size_t)(p.doc.nodes.top - p.doc.nodes.start) + 10000;
	p.bytes_left = 8 * len + (1u << 20);

	memset(f, 0, sizeof f);
	root = yaml_document_get_root_node(&p.doc);
	if (root && !cfg_is_null(root)) {
		if (root->type != YAML_MAPPING_NODE) {
			char b[CFG_SHOW_BUF];
			cfg_perr(&p, lineof(root), "expected a mapping at the top level, got %s", cfg_got(root, b));
			goto fail;
		}
		if (cfg_map_read(&p, root, "", keys, K_N, f) < 0)
			goto fail;
	}
	if (parse_cluster(&p, c, &f[K_CLUSTER]) < 0 || parse_agent(&p, c, &f[K_AGENT]) < 0 ||
	    parse_snmp(&p, c, &f[K_SNMP]) < 0 || parse_notify(&p, c, &f[K_NOTIFY]) < 0 ||
	    parse_processes(&p, c, &f[K_PROCS]) < 0 || parse_resources(&p, c, &f[K_RES]) < 0 ||
	    cfg_parse_logs(&p, c, &f[K_LOGS]) < 0 || cfg_parse_exec(&p, c, &f[K_EXEC]) < 0 ||
	    cfg_parse_manager(&p, c, &f[K_MANAGER]) < 0 || cfg_parse_trapd(&p, c, &f[K_TRAPD]) < 0 ||
	    cfg_parse_routing(&p, c, &f[K_ROUTING]) < 0)
		goto fail;
	if (validate(&p, c) < 0 || cfg_check_manager(&p, c) < 0 || cfg_check_routing(&p, c) < 0 ||
	    cfg_check_logs(&p, c) < 0 || filter(&p, c) < 0)
		goto fail;
	pctx_clear(&p);
	return c;
fail:
	pctx_clear(&p);
	cfg_free(c);
	return NULL;
}

struct shugo_config *cfg_load(const char *path, const char *node_name, char *err, size_t errlen)
{
	struct shugo_config *c = NULL;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;
	char dummy[1];

	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail_errno;
	if (fstat(fd, &st) < 0)
		goto fail_errno;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_size > (off_t)CFG_FILE_MAX) {
		snprintf(err, errlen, "%s: the file is larger than %u bytes", path, CFG_FILE_MAX);
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail_errno;
	/* Read to EOF rather than trusting st_size: the file may be replaced while read. */
	for (;;) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail_errno;
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > (size_t)st.st_size) {
			snprintf(err, errlen, "%s: the file changed while it was read", path);
			goto fail;
		}
	}
	c = cfg_parse(path, buf, got, node_name, err, errlen);
	goto fail;
fail_errno:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return c;
}

void cfg_free(struct shugo_config *c)
{
	if (!c)
		return;
	free(c->file);
	for (size_t i = 0; i < c->n_nodes; i++)
		free(c->nodes[i].address);
	free(c->nodes);
	free(c->agentx_socket);
	free(c->state_dir);
	for (size_t i = 0; i < c->n_listen; i++)
		free(c->listen[i]);
	free(c->listen);
	for (size_t i = 0; i < c->n_communities; i++)
		free(c->communities[i].community);
	free(c->communities);
	for (size_t i = 0; i < c->n_users; i++) {
		free(c->users[i].auth_pass);
		free(c->users[i].priv_pass);
	}
	free(c->users);
	for (size_t i = 0; i < c->n_targets; i++) {
		free(c->targets[i].address);
		free(c->targets[i].community);
	}
	free(c->targets);
	for (size_t i = 0; i < c->n_procs; i++)
		proc_clear(&c->procs[i]);
	free(c->procs);
	for (size_t i = 0; i < c->n_res; i++)
		free(c->res[i].path);
	free(c->res);
	free(c->nics);
	free(c->event_socket);
	free(c->event_group);
	cfg_manager_clear(c);
	cfg_routing_clear(c);
	cfg_logs_clear(c);
	cfg_exec_clear(c);
	free(c);
}

const struct cfg_proc *cfg_find_proc(const struct shugo_config *c, const char *name)
{
	if (!c || !name)
		return NULL;
	for (size_t i = 0; i < c->n_procs; i++)
		if (strcmp(c->procs[i].name, name) == 0)
			return &c->procs[i];
	return NULL;
}

const struct cfg_user *cfg_find_user(const struct shugo_config *c, const char *name)
{
	if (!c || !name)
		return NULL;
	for (size_t i = 0; i < c->n_users; i++)
		if (strcmp(c->users[i].name, name) == 0)
			return &c->users[i];
	return NULL;
}

bool cfg_source_match(const struct cfg_community *c, const uint8_t *addr, size_t len)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned full, rest;

	if (!c)
		return false;
	if (c->family == CFG_SRC_ANY)
		return true;
	if (!addr)
		return false;
	/* A dual-stack socket shows an IPv4 client as ::ffff:a.b.c.d. */
	if (len == 16 && memcmp(addr, v4mapped, sizeof v4mapped) == 0) {
		addr += 12;
		len = 4;
	}
	if ((c->family == CFG_SRC_IPV4 && len != 4) || (c->family == CFG_SRC_IPV6 && len != 16))
		return false;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(addr, c->net, full) != 0)
		return false;
	if (rest && ((addr[full] ^ c->net[full]) & (uint8_t)(0xff00u >> rest)))
		return false;
	return true;
}
