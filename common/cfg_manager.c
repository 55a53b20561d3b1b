/* The manager's and trapd's sections of the cluster configuration, and each
 * cluster node's `poll:` keys: parsed with the readers of cfg_read.c, with
 * every default filled in when a section is absent (an agent-only file loads
 * unchanged), then, once the whole file is read, every node's poll merged over
 * the manager's and checked, and the SNMP users named checked. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cfg_priv.h"
#include "config.h"
#include "strutil.h"

#define DEF_STORE SHUGO_STATEDIR "/store.db"
#define DEF_EVENT_SOCKET SHUGO_STATEDIR "/manager.sock"
#define DEF_COMMUNITY "public"
#define DEF_TRAPD_LISTEN "udp:0.0.0.0:162"

/* poll: the defaults and the bounds of each key (cfg_poll_check). */
#define POLL_INTERVAL_DEF 5000u
#define POLL_INTERVAL_MIN 100u
#define POLL_INTERVAL_MAX ((uint32_t)MS_H)
#define POLL_TIMEOUT_DEF 1000u
#define POLL_TIMEOUT_MIN 10u
#define POLL_TIMEOUT_MAX ((uint32_t)(60 * MS_S))
#define POLL_RETRIES_DEF 1u
#define POLL_RETRIES_MAX 10u
#define POLL_DOWN_INTERVALS 3u /* default down_after, in intervals */
#define POLL_DOWN_MAX ((uint32_t)(24 * MS_H))

#define TRAPD_RATE_MAX 1000000u
#define TRAPD_RCVBUF_MIN 4096u
#define TRAPD_RCVBUF_MAX (1u << 30)

/* A unix socket path must fit sun_path with its terminator. */
#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* ---- pure rules ---- */

const char *cfg_poll_check(const struct cfg_poll *p)
{
	if (p->interval_ms < POLL_INTERVAL_MIN || p->interval_ms > POLL_INTERVAL_MAX)
		return "interval is out of range (100ms .. 1h)";
	if (p->timeout_ms < POLL_TIMEOUT_MIN || p->timeout_ms > POLL_TIMEOUT_MAX)
		return "timeout is out of range (10ms .. 1m)";
	if (p->retries > POLL_RETRIES_MAX)
		return "retries is out of range (0 .. 10)";
	if (p->down_after_ms > POLL_DOWN_MAX)
		return "down_after is longer than 24h";
	if (p->down_after_ms < p->interval_ms)
		return "down_after is below interval";
	/* A node is down only after every try of a poll has timed out: a window
	 * no longer than that would call a node down while a poll still waits. */
	if ((uint64_t)p->down_after_ms <= (uint64_t)p->timeout_ms * (p->retries + 1))
		return "down_after must be greater than timeout * (retries + 1)";
	return NULL;
}

size_t cfg_trapd_default_engine_id(const char *node_name, unsigned char *out)
{
	/* RFC 3411 SnmpEngineID: the enterprise number with the first bit set,
	 * then format 4 (administratively assigned text). 32473 is the
	 * documentation enterprise number (RFC 5612), the arc of SHUGO-MIB. */
	static const unsigned char head[5] = {0x80, 0x00, 0x7e, 0xd9, 0x04};
	size_t n = node_name ? strlen(node_name) : 0;

	if (n > 32 - sizeof head)
		n = 32 - sizeof head;
	memcpy(out, head, sizeof head);
	if (n)
		memcpy(out + sizeof head, node_name, n);
	return sizeof head + n;
}

static bool is_host_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
	       ch == '-' || ch == '_';
}

const char *cfg_listen_split(const char *spec, int *family, char *host, size_t hostlen, uint16_t *port)
{
	const char *s = spec, *h, *he, *ps, *colon;
	unsigned long v = 0;
	size_t hlen, i;
	bool v6 = false, numeric = true;
	unsigned char addr[16];

	if (strncmp(s, "udp6:", 5) == 0) {
		v6 = true;
		s += 5;
	} else if (strncmp(s, "udp:", 4) == 0) {
		s += 4;
	} else if ((colon = strchr(s, ':')) && strchr(colon + 1, ':') && colon > s) {
		/* "tcp:host:port": a transport other than UDP, rather than a host. */
		for (h = s; h < colon && (is_host_char(*h) && *h != '.' && *h != '-' && *h != '_'); h++)
			;
		if (h == colon && (cfg_bytes_ieq(s, (size_t)(colon - s), "udp") ||
				   cfg_bytes_ieq(s, (size_t)(colon - s), "udp6")))
			return "the transport is written in lower case: udp: or udp6:";
		if (h == colon)
			return "trapd receives over udp or udp6 only";
	}
	if (v6) {
		if (*s != '[' || !(he = strchr(s, ']')) || he[1] != ':')
			return "expected udp6:[ADDRESS]:PORT";
		h = s + 1;
		ps = he + 2;
	} else {
		if (*s == '[')
			return "an IPv6 address is written udp6:[ADDRESS]:PORT";
		he = strrchr(s, ':');
		if (!he)
			return "the port is missing (expected udp:HOST:PORT, udp6:[ADDRESS]:PORT or HOST:PORT)";
		h = s;
		ps = he + 1;
		if (memchr(h, ':', (size_t)(he - h)))
			return "an IPv6 address is written udp6:[ADDRESS]:PORT";
	}
	hlen = (size_t)(he - h);
	if (hlen == 0)
		return "the host is missing (0.0.0.0 or [::] for every address)";
	if (hlen >= hostlen || hlen > 253)
		return "the host is too long";
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (v6) {
		if (inet_pton(AF_INET6, host, addr) != 1)
			return "the address in brackets is not an IPv6 address";
	} else {
		for (i = 0; i < hlen; i++) {
			if (!is_host_char(host[i]))
				return "the host is neither a host name nor an IPv4 address";
			if (host[i] != '.' && (host[i] < '0' || host[i] > '9'))
				numeric = false;
		}
		/* All digits and dots is meant as an address: 10.0.0 or 300.1.2.3 is a typo. */
		if (numeric && inet_pton(AF_INET, host, addr) != 1)
			return "the host is not a valid IPv4 address";
	}
	if (*ps == '\0')
		return "the port is missing";
	for (i = 0; ps[i]; i++) {
		if (ps[i] < '0' || ps[i] > '9')
			return "the port must be a number from 1 to 65535";
		v = v * 10 + (unsigned long)(ps[i] - '0');
		if (v > 65535)
			return "the port must be a number from 1 to 65535";
	}
	if (v < 1 || v > 65535)
		return "the port must be a number from 1 to 65535";
	*family = v6 ? AF_INET6 : AF_INET;
	*port = (uint16_t)v;
	return NULL;
}

/* ---- poll ---- */

int cfg_read_poll(struct pctx *p, const char *ctx, const yaml_node_t *v, struct cfg_poll_set *s)
{
	enum { P_INTERVAL, P_TIMEOUT, P_RETRIES, P_DOWN, P_N };
	static const char *const keys[P_N] = {"interval", "timeout", "retries", "down_after"};
	struct fld f[P_N];

	if (cfg_map_read(p, v, ctx, keys, P_N, f) < 0)
		return -1;
	if (f[P_INTERVAL].val) {
		if (cfg_get_duration(p, ctx, "interval", f[P_INTERVAL].val, POLL_INTERVAL_MIN, POLL_INTERVAL_MAX,
				     &s->v.interval_ms) < 0)
			return -1;
		s->given |= POLL_INTERVAL;
	}
	if (f[P_TIMEOUT].val) {
		if (cfg_get_duration(p, ctx, "timeout", f[P_TIMEOUT].val, POLL_TIMEOUT_MIN, POLL_TIMEOUT_MAX,
				     &s->v.timeout_ms) < 0)
			return -1;
		s->given |= POLL_TIMEOUT;
	}
	if (f[P_RETRIES].val) {
		if (cfg_get_u32(p, ctx, "retries", f[P_RETRIES].val, 0, POLL_RETRIES_MAX, &s->v.retries) < 0)
			return -1;
		s->given |= POLL_RETRIES;
	}
	if (f[P_DOWN].val) {
		if (cfg_get_duration(p, ctx, "down_after", f[P_DOWN].val, POLL_INTERVAL_MIN, POLL_DOWN_MAX,
				     &s->v.down_after_ms) < 0)
			return -1;
		s->given |= POLL_DOWN_AFTER;
	}
	return 0;
}

/* A node's poll: its own keys over the manager's. Without a down_after of
 * either, the window stays three of the node's own intervals. */
static void merge_poll(const struct cfg_poll_set *mgr, const struct cfg_poll_set *node, struct cfg_poll *out)
{
	*out = mgr->v;
	if (node->given & POLL_INTERVAL)
		out->interval_ms = node->v.interval_ms;
	if (node->given & POLL_TIMEOUT)
		out->timeout_ms = node->v.timeout_ms;
	if (node->given & POLL_RETRIES)
		out->retries = node->v.retries;
	if (node->given & POLL_DOWN_AFTER)
		out->down_after_ms = node->v.down_after_ms;
	else if (!(mgr->given & POLL_DOWN_AFTER))
		out->down_after_ms = POLL_DOWN_INTERVALS * out->interval_ms;
}

/* cfg_poll_check with the values in the message; from says where down_after
 * came from when it was not written in this mapping. */
static int check_poll(struct pctx *p, const char *ctx, const struct cfg_poll *v, const char *from, int line)
{
	char down[32], b[32], t[32];
	uint64_t tries_ms = (uint64_t)v->timeout_ms * (v->retries + 1);
	const char *why = cfg_poll_check(v);

	if (!why)
		return 0;
	cfg_fmt_dur(v->down_after_ms, down, sizeof down);
	if (v->down_after_ms < v->interval_ms)
		return cfg_perr(p, line, "%s: down_after (%s%s) is below interval (%s)", ctx, down, from,
				cfg_fmt_dur(v->interval_ms, b, sizeof b));
	if (v->down_after_ms <= tries_ms)
		return cfg_perr(p, line,
				"%s: down_after (%s%s) must be greater than timeout x (retries + 1) = %s x %u = %s", ctx,
				down, from, cfg_fmt_dur(v->timeout_ms, b, sizeof b), v->retries + 1,
				cfg_fmt_dur(tries_ms, t, sizeof t));
	return cfg_perr(p, line, "%s: %s", ctx, why);
}

/* ---- manager ---- */

static int parse_reader(struct pctx *p, struct cfg_reader *r, const yaml_node_t *v)
{
	enum { R_VERSION, R_COMMUNITY, R_USER, R_N };
	static const char *const keys[R_N] = {"version", "community", "user"};
	static const struct word versions[] = {{"2", 2}, {"2c", 2}, {"3", 3}};
	const char *ctx = "manager.snmp";
	struct fld f[R_N];
	int x;

	if (cfg_expect(p, "manager", "snmp", v, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, v, ctx, keys, R_N, f) < 0)
		return -1;
	if (f[R_VERSION].val) {
		if (cfg_get_enum(p, ctx, "SNMP version", f[R_VERSION].val, versions, 3, "2c or 3", &x) < 0)
			return -1;
		r->version = x;
	}
	if (r->version == 2) {
		if (f[R_USER].val)
			return cfg_perr(p, lineof(f[R_USER].key), "%s: 'user' is only used with version 3", ctx);
		if (f[R_COMMUNITY].val &&
		    cfg_get_str(p, ctx, "community", f[R_COMMUNITY].val, NC_TEXT, 1, 256, &r->community) < 0)
			return -1;
		return 0;
	}
	if (f[R_COMMUNITY].val)
		return cfg_perr(p, lineof(f[R_COMMUNITY].key),
				"%s: 'community' is not allowed with version 3 (name a snmp.users entry in 'user')",
				ctx);
	if (!f[R_USER].val)
		return cfg_perr(p, lineof(v), "%s: 'user' is required with version 3", ctx);
	if (cfg_get_name(p, ctx, "user", f[R_USER].val, NC_WORD, 32, r->user) < 0)
		return -1;
	p->mgr_user_line = lineof(f[R_USER].val);
	free(r->community);
	r->community = NULL;
	return 0;
}

/* "<directory of file>/<name>": the metrics directory defaults to "rrd" next to
 * the store (SHUGO_STATEDIR "/rrd" with the default store), where the manager
 * keeps its other state; so two managers with their own stores never share
 * files. file is an absolute path. */
static char *beside(const char *file, const char *name)
{
	const char *slash = strrchr(file, '/');
	size_t n = slash && slash != file ? (size_t)(slash - file) : 0;
	char *out = malloc(n + strlen(name) + 2);

	if (out)
		sprintf(out, "%.*s/%s", (int)n, file, name);
	return out;
}

/* manager.rrd: the metrics files. The daemon must be a local rrdcached on its
 * unix socket: when it is away the manager writes the same files itself, and
 * shugoctl graph reads them, so they have to be on this host. */
static int parse_rrd(struct pctx *p, struct cfg_rrd *r, const yaml_node_t *v)
{
	enum { R_ENABLED, R_DIR, R_DAEMON, R_N };
	static const char *const keys[R_N] = {"enabled", "dir", "daemon"};
	const char *ctx = "manager.rrd";
	struct fld f[R_N];
	char b[CFG_SHOW_BUF];
	const char *path;

	if (cfg_expect(p, "manager", "rrd", v, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, v, ctx, keys, R_N, f) < 0)
		return -1;
	if (f[R_ENABLED].val && cfg_get_bool(p, ctx, "enabled", f[R_ENABLED].val, &r->enabled) < 0)
		return -1;
	if (f[R_DIR].val) {
		if (cfg_get_str(p, ctx, "dir", f[R_DIR].val, NC_PATH, 1, PATH_MAX - 256, &r->dir) < 0)
			return -1;
		if (strlen(r->dir) > 1 && r->dir[strlen(r->dir) - 1] == '/')
			r->dir[strlen(r->dir) - 1] = '\0';
	}
	if (f[R_DAEMON].val) {
		if (cfg_get_str(p, ctx, "daemon", f[R_DAEMON].val, NC_WORD, 1, 256, &r->daemon) < 0)
			return -1;
		path = strncmp(r->daemon, "unix:", 5) == 0 ? r->daemon + 5 : r->daemon;
		if (path[0] != '/')
			return cfg_perr(p, lineof(f[R_DAEMON].val),
					"manager.rrd: daemon: '%s' is not rrdcached's unix socket (unix:/path or /path; "
					"the manager falls back to writing the files itself, so rrdcached runs on this "
					"host)",
					cfg_show(f[R_DAEMON].val, b));
		if (strlen(path) > SUN_PATH_MAX)
			return cfg_perr(p, lineof(f[R_DAEMON].val),
					"manager.rrd: daemon: longer than %zu characters (the limit of a unix socket path)",
					SUN_PATH_MAX);
	}
	return 0;
}

/* manager.exec: remote execution requests placed by the manager. */
static int parse_mgr_exec(struct pctx *p, struct cfg_mgr_exec *e, const yaml_node_t *key, const yaml_node_t *v)
{
	enum { E_USER, E_REQUESTER, E_CHECK, E_KEEP, E_N };
	static const char *const keys[E_N] = {"user", "requester", "check", "keep"};
	const char *ctx = "manager.exec";
	struct fld f[E_N];

	e->line = lineof(key);
	if (cfg_expect(p, "manager", "exec", v, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, v, ctx, keys, E_N, f) < 0)
		return -1;
	if (!f[E_USER].val)
		return cfg_perr(p, lineof(key),
				"%s: 'user' is required (the snmp.users entry the manager creates exec rows as)", ctx);
	if (cfg_get_name(p, ctx, "user", f[E_USER].val, NC_WORD, 32, e->user) < 0)
		return -1;
	e->user_line = lineof(f[E_USER].val);
	if (f[E_REQUESTER].val &&
	    cfg_get_name(p, ctx, "requester", f[E_REQUESTER].val, NC_TEXT, 64, e->requester) < 0)
		return -1;
	if (f[E_CHECK].val &&
	    cfg_get_duration(p, ctx, "check", f[E_CHECK].val, 1000, 3600 * 1000, &e->check_ms) < 0)
		return -1;
	if (f[E_KEEP].val && cfg_get_u32(p, ctx, "keep", f[E_KEEP].val, 10, 10000000, &e->keep) < 0)
		return -1;
	return 0;
}

int cfg_parse_manager(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	enum { M_STORE, M_AGENTX, M_EVENT, M_POLL, M_INFLIGHT, M_SNMP, M_RING, M_KEEP, M_RRD, M_EXEC, M_N };
	static const char *const keys[M_N] = {"store", "agentx_socket", "event_socket", "poll",
					      "max_in_flight", "snmp", "log_ring", "log_keep", "rrd", "exec"};
	struct cfg_manager *m = &c->manager;
	struct cfg_poll_set *ps = &p->mgr_poll;
	const char *ctx = "manager";
	struct fld f[M_N];
	char b[CFG_SHOW_BUF];

	m->line = lineof(top->key);
	m->store = strdup(DEF_STORE);
	/* The manager's subagent normally talks to the same snmpd as the agent. */
	m->agentx_socket = strdup(c->agentx_socket);
	m->event_socket = strdup(DEF_EVENT_SOCKET);
	m->reader.version = 2;
	m->reader.community = strdup(DEF_COMMUNITY);
	m->max_in_flight = 64;
	m->log_ring = 10000;
	m->log_keep = 1000000;
	m->rrd.enabled = true;
	m->exec.check_ms = 10000;
	m->exec.keep = 10000;
	if (!m->store || !m->agentx_socket || !m->event_socket || !m->reader.community)
		return cfg_oom(p);
	ps->v = (struct cfg_poll){
		.interval_ms = POLL_INTERVAL_DEF,
		.timeout_ms = POLL_TIMEOUT_DEF,
		.retries = POLL_RETRIES_DEF,
	};
	ps->given = 0;

	memset(f, 0, sizeof f);
	if (top->val && (cfg_expect(p, "", "manager", top->val, YAML_MAPPING_NODE) < 0 ||
			 cfg_map_read(p, top->val, ctx, keys, M_N, f) < 0))
		return -1;
	if (f[M_STORE].val && cfg_get_str(p, ctx, "store", f[M_STORE].val, NC_PATH, 1, PATH_MAX - 1, &m->store) < 0)
		return -1;
	if (f[M_AGENTX].val) {
		if (cfg_get_str(p, ctx, "agentx_socket", f[M_AGENTX].val, NC_WORD, 1, 256, &m->agentx_socket) < 0)
			return -1;
		if (m->agentx_socket[0] != '/' && !strchr(m->agentx_socket, ':'))
			return cfg_perr(p, lineof(f[M_AGENTX].val),
					"manager: agentx_socket: '%s' is neither a socket path nor a transport such as "
					"tcp:localhost:705",
					cfg_show(f[M_AGENTX].val, b));
	}
	if (f[M_EVENT].val) {
		if (f[M_EVENT].val->type == YAML_SCALAR_NODE && slen(f[M_EVENT].val) > SUN_PATH_MAX)
			return cfg_perr(p, lineof(f[M_EVENT].val),
					"manager: event_socket: longer than %zu characters (the limit of a unix socket "
					"path)",
					SUN_PATH_MAX);
		if (cfg_get_str(p, ctx, "event_socket", f[M_EVENT].val, NC_PATH, 1, SUN_PATH_MAX, &m->event_socket) < 0)
			return -1;
	}
	if (f[M_POLL].val) {
		p->mgr_poll_line = lineof(f[M_POLL].key);
		if (cfg_expect(p, ctx, "poll", f[M_POLL].val, YAML_MAPPING_NODE) < 0 ||
		    cfg_read_poll(p, "manager.poll", f[M_POLL].val, ps) < 0)
			return -1;
	}
	if (!(ps->given & POLL_DOWN_AFTER))
		ps->v.down_after_ms = POLL_DOWN_INTERVALS * ps->v.interval_ms;
	m->poll = ps->v;
	if (f[M_INFLIGHT].val &&
	    cfg_get_u32(p, ctx, "max_in_flight", f[M_INFLIGHT].val, 1, 4096, &m->max_in_flight) < 0)
		return -1;
	if (f[M_SNMP].val && parse_reader(p, &m->reader, f[M_SNMP].val) < 0)
		return -1;
	if (f[M_RING].val && cfg_get_u32(p, ctx, "log_ring", f[M_RING].val, 100, 100000, &m->log_ring) < 0)
		return -1;
	if (f[M_KEEP].val) {
		if (cfg_get_uint(p, ctx, "log_keep", f[M_KEEP].val, 100, 1000000000000ull, &m->log_keep) < 0)
			return -1;
		/* The MIB serves the newest log_ring records from the store. */
		if (m->log_keep < m->log_ring)
			return cfg_perr(p, lineof(f[M_KEEP].val), "manager: log_keep (%llu) is below log_ring (%u)",
					(unsigned long long)m->log_keep, m->log_ring);
	}
	if (f[M_RRD].val && parse_rrd(p, &m->rrd, f[M_RRD].val) < 0)
		return -1;
	if (!m->rrd.dir && !(m->rrd.dir = beside(m->store, "rrd")))
		return cfg_oom(p);
	if (f[M_EXEC].val && parse_mgr_exec(p, &m->exec, f[M_EXEC].key, f[M_EXEC].val) < 0)
		return -1;
	return 0;
}

/* ---- trapd ---- */

static int parse_trapd_listen(struct pctx *p, struct cfg_trapd *t, const yaml_node_t *v)
{
	/* Each address split, so that "udp:0.0.0.0:162" and "0.0.0.0:162" are
	 * seen as the one socket they are. */
	struct {
		int line, family;
		uint16_t port;
		char host[256];
	} seen[CFG_LISTEN_MAX];
	char b[CFG_SHOW_BUF];
	const char *why;
	size_t n;

	if (cfg_expect(p, "trapd", "listen", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(v);
	if (n == 0)
		return cfg_perr(p, lineof(v), "trapd: listen: the list is empty");
	if (n > CFG_LISTEN_MAX)
		return cfg_perr(p, lineof(v), "trapd: listen: more than %d addresses", CFG_LISTEN_MAX);
	t->listen = calloc(n + 1, sizeof *t->listen);
	if (!t->listen)
		return cfg_oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = cfg_node_get(p, v->data.sequence.items.start[i]);
		if (!e || cfg_get_str(p, "trapd", "listen", e, NC_WORD, 1, 256, &t->listen[i]) < 0)
			return -1;
		t->n_listen++;
		seen[i].line = lineof(e);
		why = cfg_listen_split(t->listen[i], &seen[i].family, seen[i].host, sizeof seen[i].host, &seen[i].port);
		if (why)
			return cfg_perr(p, seen[i].line, "trapd: listen: '%s': %s", cfg_show(e, b), why);
		for (size_t j = 0; j < i; j++)
			if (seen[j].family == seen[i].family && seen[j].port == seen[i].port &&
			    strcmp(seen[j].host, seen[i].host) == 0)
				return cfg_perr(p, seen[i].line, "trapd: duplicate listen address '%s' (first at line %d)",
						cfg_show(e, b), seen[j].line);
	}
	return 0;
}

/* Communities are secrets: messages name the entry, never the value. */
static int parse_trapd_communities(struct pctx *p, struct cfg_trapd *t, const yaml_node_t *v)
{
	const struct uniq *dup, *first = NULL;
	struct uniq *u;
	char ctx[CFG_CTX_MAX];
	size_t n;
	int rc = -1;

	if (cfg_expect(p, "trapd", "communities", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(v);
	t->communities = calloc(n + 1, sizeof *t->communities);
	u = calloc(n ? n : 1, sizeof *u);
	if (!t->communities || !u) {
		cfg_oom(p);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = cfg_node_get(p, v->data.sequence.items.start[i]);
		cfg_item_ctx(ctx, "trapd.communities", i, NULL);
		if (!e || cfg_get_str(p, ctx, "community", e, NC_TEXT, 1, 256, &t->communities[i]) < 0)
			goto fail;
		t->n_communities++;
		u[i] = (struct uniq){t->communities[i], lineof(e), i};
	}
	if ((dup = cfg_find_dup(u, n, &first))) {
		cfg_item_ctx(ctx, "trapd.communities", dup->idx, NULL);
		cfg_perr(p, dup->line, "%s: duplicate community (first at line %d)", ctx, first->line);
		goto fail;
	}
	rc = 0;
fail:
	free(u);
	return rc;
}

static int parse_trapd_users(struct pctx *p, struct cfg_trapd *t, const yaml_node_t *v)
{
	struct uniq *u;
	size_t n;
	int rc = -1;

	if (cfg_expect(p, "trapd", "users", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(v);
	t->users_set = true;
	t->users = calloc(n + 1, sizeof *t->users);
	p->trapd_user_lines = calloc(n ? n : 1, sizeof *p->trapd_user_lines);
	u = calloc(n ? n : 1, sizeof *u);
	if (!t->users || !p->trapd_user_lines || !u) {
		cfg_oom(p);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *e = cfg_node_get(p, v->data.sequence.items.start[i]);
		if (!e || cfg_get_str(p, "trapd", "users", e, NC_WORD, 1, 32, &t->users[i]) < 0)
			goto fail;
		t->n_users++;
		p->trapd_user_lines[i] = lineof(e);
		u[i] = (struct uniq){t->users[i], lineof(e), i};
	}
	rc = cfg_check_unique(p, u, n, "trapd", "user");
fail:
	free(u);
	return rc;
}

int cfg_parse_trapd(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	enum {
		T_LISTEN, T_COMM, T_USERS, T_ENGINE, T_RATE, T_BURST, T_SUMMARY, T_BATCH, T_DELAY, T_RCVBUF, T_MIB,
		T_N
	};
	static const char *const keys[T_N] = {"listen",      "communities", "users", "engine_id",
					      "rate",        "burst",       "summary_interval", "batch",
					      "batch_delay", "rcvbuf",      "mib_names"};
	struct cfg_trapd *t = &c->trapd;
	const char *ctx = "trapd";
	struct fld f[T_N];

	t->line = lineof(top->key);
	t->engine_id_len = cfg_trapd_default_engine_id(c->node_name, t->engine_id);
	t->rate = 1000;
	t->summary_ms = 10000;
	t->batch = 512;
	t->batch_delay_ms = 20;
	t->rcvbuf = 8u << 20;
	t->mib_names = false;

	memset(f, 0, sizeof f);
	if (top->val && (cfg_expect(p, "", "trapd", top->val, YAML_MAPPING_NODE) < 0 ||
			 cfg_map_read(p, top->val, ctx, keys, T_N, f) < 0))
		return -1;
	if (f[T_LISTEN].val) {
		if (parse_trapd_listen(p, t, f[T_LISTEN].val) < 0)
			return -1;
	} else {
		t->listen = calloc(2, sizeof *t->listen);
		if (!t->listen || !(t->listen[0] = strdup(DEF_TRAPD_LISTEN)))
			return cfg_oom(p);
		t->n_listen = 1;
	}
	if (f[T_COMM].val && parse_trapd_communities(p, t, f[T_COMM].val) < 0)
		return -1;
	if (f[T_USERS].val && parse_trapd_users(p, t, f[T_USERS].val) < 0)
		return -1;
	if (f[T_ENGINE].val &&
	    cfg_get_engine_id(p, ctx, f[T_ENGINE].val, t->engine_id, sizeof t->engine_id, &t->engine_id_len) < 0)
		return -1;
	if (f[T_RATE].val && cfg_get_u32(p, ctx, "rate", f[T_RATE].val, 0, TRAPD_RATE_MAX, &t->rate) < 0)
		return -1;
	t->burst = 2 * t->rate;
	if (f[T_BURST].val) {
		if (t->rate == 0)
			return cfg_perr(p, lineof(f[T_BURST].key),
					"trapd: 'burst' is only used with a rate limit (rate: 0 turns it off)");
		if (cfg_get_u32(p, ctx, "burst", f[T_BURST].val, 1, 2 * TRAPD_RATE_MAX, &t->burst) < 0)
			return -1;
	}
	if (f[T_SUMMARY].val &&
	    cfg_get_duration(p, ctx, "summary_interval", f[T_SUMMARY].val, MS_S, MS_H, &t->summary_ms) < 0)
		return -1;
	if (f[T_BATCH].val && cfg_get_u32(p, ctx, "batch", f[T_BATCH].val, 1, 65536, &t->batch) < 0)
		return -1;
	if (f[T_DELAY].val && cfg_get_duration(p, ctx, "batch_delay", f[T_DELAY].val, 1, MS_S, &t->batch_delay_ms) < 0)
		return -1;
	if (f[T_RCVBUF].val &&
	    cfg_get_u32(p, ctx, "rcvbuf", f[T_RCVBUF].val, TRAPD_RCVBUF_MIN, TRAPD_RCVBUF_MAX, &t->rcvbuf) < 0)
		return -1;
	if (f[T_MIB].val && cfg_get_bool(p, ctx, "mib_names", f[T_MIB].val, &t->mib_names) < 0)
		return -1;
	return 0;
}

/* ---- once the whole file is read ---- */

static int cmp_user(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int cfg_check_manager(struct pctx *p, struct shugo_config *c)
{
	const struct cfg_poll_set none = {.given = 0};
	const char **names = NULL;
	char ctx[CFG_CTX_MAX], nctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	const char *mgr_from = (p->mgr_poll.given & POLL_DOWN_AFTER) ? "" : ", 3 x interval by default";
	int rc = -1;

	if (check_poll(p, "manager.poll", &c->manager.poll, mgr_from, p->mgr_poll_line) < 0)
		return -1;
	for (size_t i = 0; i < c->n_nodes; i++) {
		const struct cfg_poll_set *o = p->node_poll ? &p->node_poll[i] : &none;
		const char *from = "";

		merge_poll(&p->mgr_poll, o, &c->nodes[i].poll);
		if (!o->given)
			continue; /* the manager's values, checked above */
		if (!(o->given & POLL_DOWN_AFTER))
			from = (p->mgr_poll.given & POLL_DOWN_AFTER) ? ", from manager.poll" : mgr_from;
		cfg_item_ctx(nctx, "cluster.nodes", i, c->nodes[i].name);
		cfg_ctx_join(ctx, sizeof ctx, nctx, "poll");
		if (check_poll(p, ctx, &c->nodes[i].poll, from, c->nodes[i].line) < 0)
			return -1;
	}

	if (c->manager.reader.version == 3 && !cfg_find_user(c, c->manager.reader.user))
		return cfg_perr(p, p->mgr_user_line, "manager.snmp: user '%s' is not defined in snmp.users",
				cfg_show_str(c->manager.reader.user, strlen(c->manager.reader.user), b));

	if (c->manager.exec.user[0] && !cfg_find_user(c, c->manager.exec.user))
		return cfg_perr(p, c->manager.exec.user_line, "manager.exec: user '%s' is not defined in snmp.users",
				cfg_show_str(c->manager.exec.user, strlen(c->manager.exec.user), b));
	if (!c->manager.exec.requester[0])
		str_copy(c->manager.exec.requester, c->node_name, sizeof c->manager.exec.requester);

	/* By name through a sorted copy: both lists may be long. */
	if (c->trapd.n_users == 0)
		return 0;
	names = calloc(c->n_users ? c->n_users : 1, sizeof *names);
	if (!names)
		return cfg_oom(p);
	for (size_t i = 0; i < c->n_users; i++)
		names[i] = c->users[i].name;
	qsort(names, c->n_users, sizeof *names, cmp_user);
	for (size_t i = 0; i < c->trapd.n_users; i++) {
		const char *key = c->trapd.users[i];
		if (!c->n_users || !bsearch(&key, names, c->n_users, sizeof *names, cmp_user)) {
			cfg_perr(p, p->trapd_user_lines[i], "trapd: users: '%s' is not defined in snmp.users",
				 cfg_show_str(key, strlen(key), b));
			goto fail;
		}
	}
	rc = 0;
fail:
	free(names);
	return rc;
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void cfg_manager_clear(struct shugo_config *c)
{
	free(c->manager.store);
	free(c->manager.agentx_socket);
	free(c->manager.event_socket);
	free(c->manager.reader.community);
	free(c->manager.rrd.dir);
	free(c->manager.rrd.daemon);
	free_list(c->trapd.listen, c->trapd.n_listen);
	free_list(c->trapd.communities, c->trapd.n_communities);
	free_list(c->trapd.users, c->trapd.n_users);
}
