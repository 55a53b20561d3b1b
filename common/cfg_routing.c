/* The `routing:` section: the destinations central log records can be handed
 * to (a program, a unix or TCP socket, another NMS by SNMP) and the routes that
 * select records and list destination groups in priority order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfg_priv.h"
#include "event.h"
#include "logrec.h"

#define ROUTE_GROUPS_MAX 16
#define GROUP_DESTS_MAX 64
#define MATCH_ITEMS_MAX 256
#define SUN_PATH_LIMIT 107

enum {
	D_NAME, D_METHOD, D_NODE, D_TIMEOUT, D_COMMAND, D_SHELL, D_PATH, D_ADDR, D_ACK,
	D_TYPE, D_VERSION, D_COMMUNITY, D_USER, D_RETRIES, D_ENGINE, D_N
};
static const char *const dest_keys[D_N] = {
	"name", "method", "node", "timeout", "command", "shell", "path", "address", "ack",
	"type", "version", "community", "user", "retries", "engine_id"};

/* Which keys each method takes besides name, method, node and timeout. */
static const unsigned method_keys[] = {
	[DEST_PROGRAM] = 1u << D_COMMAND | 1u << D_SHELL,
	[DEST_UNIX] = 1u << D_PATH | 1u << D_ACK,
	[DEST_TCP] = 1u << D_ADDR | 1u << D_ACK,
	[DEST_SNMP] = 1u << D_ADDR | 1u << D_TYPE | 1u << D_VERSION | 1u << D_COMMUNITY | 1u << D_USER |
		      1u << D_RETRIES | 1u << D_ENGINE,
};

static const struct word methods[] = {
	{"program", DEST_PROGRAM}, {"unix", DEST_UNIX}, {"tcp", DEST_TCP}, {"snmp", DEST_SNMP}};

/* "host:port" or "[v6]:port", port 1..65535. NULL = fine. */
static const char *check_hostport(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || colon == s)
		return "expected host:port";
	if (s[0] == '[' && colon[-1] != ']')
		return "an IPv6 address goes in brackets: [::1]:7000";
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port == 0 || port > 65535)
		return "the port must be 1..65535";
	return NULL;
}

static int parse_dest(struct pctx *p, struct cfg_dest *d, const yaml_node_t *m, size_t i)
{
	struct fld f[D_N];
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	const char *why;
	int v;

	cfg_item_ctx_peek(p, ctx, "routing.destinations", i, m, "name");
	d->line = lineof(m);
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, dest_keys, D_N, f) < 0)
		return -1;
	if (!f[D_NAME].val)
		return cfg_missing(p, ctx, m, "name");
	if (cfg_get_name(p, ctx, "name", f[D_NAME].val, NC_PROC, CFG_NAME_MAX, d->name) < 0)
		return -1;
	cfg_item_ctx(ctx, "routing.destinations", i, d->name);
	if (!f[D_METHOD].val)
		return cfg_missing(p, ctx, m, "method");
	if (cfg_get_enum(p, ctx, "method", f[D_METHOD].val, methods, sizeof methods / sizeof methods[0],
			 "program, unix, tcp or snmp", &v) < 0)
		return -1;
	d->method = (enum cfg_dest_method)v;
	for (int k = D_COMMAND; k < D_N; k++)
		if (f[k].key && !(method_keys[d->method] & 1u << k))
			return cfg_perr(p, lineof(f[k].key), "%s: '%s' is not used with method %s", ctx, dest_keys[k],
					methods[d->method - 1].word);
	if (f[D_NODE].val && cfg_get_name(p, ctx, "node", f[D_NODE].val, NC_NODE, CFG_NAME_MAX, d->node) < 0)
		return -1;

	switch (d->method) {
	case DEST_PROGRAM:
		d->timeout_ms = 10 * MS_S;
		if (f[D_SHELL].val && cfg_get_bool(p, ctx, "shell", f[D_SHELL].val, &d->shell) < 0)
			return -1;
		if (!f[D_COMMAND].val)
			return cfg_missing(p, ctx, m, "command");
		if (cfg_read_command(p, ctx, f[D_COMMAND].val, d->shell, &d->argv, &d->argc) < 0)
			return -1;
		break;
	case DEST_UNIX:
	case DEST_TCP:
		d->timeout_ms = 5 * MS_S;
		d->ack = true;
		if (f[D_ACK].val && cfg_get_bool(p, ctx, "ack", f[D_ACK].val, &d->ack) < 0)
			return -1;
		if (d->method == DEST_UNIX) {
			if (!f[D_PATH].val)
				return cfg_missing(p, ctx, m, "path");
			if (f[D_PATH].val->type == YAML_SCALAR_NODE && slen(f[D_PATH].val) > SUN_PATH_LIMIT)
				return cfg_perr(p, lineof(f[D_PATH].val),
						"%s: path: longer than %d characters (the limit of a unix socket path)",
						ctx, SUN_PATH_LIMIT);
			if (cfg_get_str(p, ctx, "path", f[D_PATH].val, NC_PATH, 1, SUN_PATH_LIMIT, &d->path) < 0)
				return -1;
		} else {
			if (!f[D_ADDR].val)
				return cfg_missing(p, ctx, m, "address");
			if (cfg_get_str(p, ctx, "address", f[D_ADDR].val, NC_WORD, 3, 256, &d->address) < 0)
				return -1;
			if ((why = check_hostport(d->address)))
				return cfg_perr(p, lineof(f[D_ADDR].val), "%s: address '%s': %s", ctx,
						cfg_show(f[D_ADDR].val, b), why);
		}
		break;
	case DEST_SNMP:
		snprintf(d->target.name, sizeof d->target.name, "%s", d->name);
		if (cfg_read_target_opts(p, ctx, m, &d->target,
					 &(struct cfg_target_flds){&f[D_ADDR], &f[D_TYPE], &f[D_VERSION],
								   &f[D_COMMUNITY], &f[D_USER], &f[D_TIMEOUT],
								   &f[D_RETRIES], &f[D_ENGINE]}) < 0)
			return -1;
		/* The acknowledgement of an INFORM may take every re-send. */
		d->timeout_ms = d->target.timeout_ms * (d->target.retries + 1);
		return 0;
	}
	if (f[D_TIMEOUT].val &&
	    cfg_get_duration(p, ctx, "timeout", f[D_TIMEOUT].val, 10, 10 * MS_M, &d->timeout_ms) < 0)
		return -1;
	return 0;
}

static int parse_dests(struct pctx *p, struct cfg_routing *r, const yaml_node_t *v)
{
	struct uniq *u;
	size_t n;
	int rc = -1;

	if (cfg_expect(p, "routing", "destinations", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(v);
	r->dests = calloc(n ? n : 1, sizeof *r->dests);
	u = calloc(n ? n : 1, sizeof *u);
	if (!r->dests || !u) {
		cfg_oom(p);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = cfg_node_get(p, v->data.sequence.items.start[i]);
		if (!m || parse_dest(p, &r->dests[r->n_dests++], m, i) < 0)
			goto fail;
		u[i] = (struct uniq){r->dests[i].name, r->dests[i].line, i};
	}
	rc = cfg_check_unique(p, u, n, "routing.destinations", "destination name");
fail:
	free(u);
	return rc;
}

/* A scalar or a list of scalars, each 1..max bytes of class cls, into a
 * NULL-terminated list. */
static int parse_words(struct pctx *p, const char *ctx, const char *key, const yaml_node_t *v, enum name_cls cls,
		       size_t max, char ***out, size_t *n)
{
	size_t cnt = v->type == YAML_SEQUENCE_NODE ? seq_len(v) : 1;

	if (v->type != YAML_SEQUENCE_NODE && v->type != YAML_SCALAR_NODE) {
		char b[CFG_SHOW_BUF];
		return cfg_perr(p, lineof(v), "%s: %s: expected a name or a list of names, got %s", ctx, key,
				cfg_got(v, b));
	}
	if (cnt == 0)
		return cfg_perr(p, lineof(v), "%s: %s: the list is empty (leave the key out to match any)", ctx, key);
	if (cnt > MATCH_ITEMS_MAX)
		return cfg_perr(p, lineof(v), "%s: %s: more than %d entries", ctx, key, MATCH_ITEMS_MAX);
	if (!(*out = calloc(cnt + 1, sizeof **out)))
		return cfg_oom(p);
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *e = v->type == YAML_SEQUENCE_NODE ? cfg_node_get(p, v->data.sequence.items.start[i]) : v;
		if (!e || cfg_get_str(p, ctx, key, e, cls, 1, max, &(*out)[i]) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

static int parse_match(struct pctx *p, const char *rctx, struct cfg_route_match *mt, const yaml_node_t *v)
{
	enum { M_TYPE, M_NODE, M_OBJECT, M_STATE, M_SEV, M_ORIGIN, M_N };
	static const char *const keys[M_N] = {"type", "node", "object", "state", "severity", "origin"};
	static const struct word origins[] = {{"agent", LR_AGENT},   {"foreign", LR_FOREIGN}, {"manager", LR_MANAGER},
					      {"replay", LR_REPLAY}, {"trapd", LR_TRAPD}};
	struct fld f[M_N];
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];
	char **words = NULL;
	size_t n = 0;
	int rc = -1;

	cfg_ctx_join(ctx, sizeof ctx, rctx, "match");
	if (cfg_expect(p, rctx, "match", v, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, v, ctx, keys, M_N, f) < 0)
		return -1;
	if ((f[M_TYPE].val && parse_words(p, ctx, "type", f[M_TYPE].val, NC_WORD, LR_OID_MAX, &mt->types,
					  &mt->n_types) < 0) ||
	    (f[M_NODE].val && parse_words(p, ctx, "node", f[M_NODE].val, NC_WORD, CFG_NAME_MAX, &mt->nodes,
					  &mt->n_nodes) < 0) ||
	    (f[M_OBJECT].val && parse_words(p, ctx, "object", f[M_OBJECT].val, NC_TEXT, EV_OBJECT_MAX,
					    &mt->objects, &mt->n_objects) < 0) ||
	    (f[M_STATE].val && parse_words(p, ctx, "state", f[M_STATE].val, NC_TEXT, EV_STATE_MAX, &mt->states,
					   &mt->n_states) < 0))
		return -1;
	if (f[M_SEV].val) {
		const char *s;
		size_t len;
		char w[16];
		if (!(s = cfg_get_scalar(p, ctx, "severity", f[M_SEV].val, &len)))
			return -1;
		snprintf(w, sizeof w, "%.*s", (int)(len < sizeof w ? len : sizeof w - 1), s);
		if (len >= sizeof w || !(mt->min_sev = (int)ev_sev_parse(w)))
			return cfg_perr(p, lineof(f[M_SEV].val),
					"%s: severity: '%s' is not one of clear, info, warning, minor, major, critical "
					"(the lowest severity taken)",
					ctx, cfg_show(f[M_SEV].val, b));
	}
	if (f[M_ORIGIN].val) {
		if (parse_words(p, ctx, "origin", f[M_ORIGIN].val, NC_WORD, 16, &words, &n) < 0)
			goto fail;
		for (size_t i = 0; i < n; i++) {
			size_t k;
			for (k = 0; k < sizeof origins / sizeof origins[0]; k++)
				if (!strcmp(words[i], origins[k].word))
					break;
			if (k == sizeof origins / sizeof origins[0]) {
				cfg_perr(p, lineof(f[M_ORIGIN].val),
					 "%s: origin: '%s' is not one of agent, foreign, manager, replay, trapd", ctx,
					 cfg_show_str(words[i], strlen(words[i]), b));
				goto fail;
			}
			mt->origins |= 1u << origins[k].val;
		}
	}
	rc = 0;
fail:
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return rc;
}

static int find_dest(const struct cfg_routing *r, const char *name, size_t len, size_t *idx)
{
	for (size_t i = 0; i < r->n_dests; i++)
		if (strlen(r->dests[i].name) == len && !memcmp(r->dests[i].name, name, len)) {
			*idx = i;
			return 0;
		}
	return -1;
}

/* One group: a destination name, or a list of them. */
static int parse_group(struct pctx *p, const struct cfg_routing *r, const char *ctx, const yaml_node_t *v,
		       struct cfg_route_group *g)
{
	size_t cnt = v->type == YAML_SEQUENCE_NODE ? seq_len(v) : 1;
	char b[CFG_SHOW_BUF];

	if (v->type != YAML_SEQUENCE_NODE && v->type != YAML_SCALAR_NODE)
		return cfg_perr(p, lineof(v), "%s: expected a destination name or a list of them, got %s", ctx,
				cfg_got(v, b));
	if (cnt == 0)
		return cfg_perr(p, lineof(v), "%s: the group is empty", ctx);
	if (cnt > GROUP_DESTS_MAX)
		return cfg_perr(p, lineof(v), "%s: more than %d destinations in one group", ctx, GROUP_DESTS_MAX);
	if (!(g->dest = calloc(cnt, sizeof *g->dest)))
		return cfg_oom(p);
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *e = v->type == YAML_SEQUENCE_NODE ? cfg_node_get(p, v->data.sequence.items.start[i]) : v;
		const char *s;
		size_t len, idx;
		if (!e || !(s = cfg_get_scalar(p, ctx, "destination", e, &len)))
			return -1;
		if (find_dest(r, s, len, &idx) < 0)
			return cfg_perr(p, lineof(e), "%s: '%s' is not in routing.destinations", ctx, cfg_show(e, b));
		for (size_t k = 0; k < g->n; k++)
			if (g->dest[k] == idx)
				return cfg_perr(p, lineof(e), "%s: '%s' is named twice in the group", ctx, cfg_show(e, b));
		g->dest[g->n++] = idx;
	}
	return 0;
}

static int parse_route(struct pctx *p, struct cfg_routing *r, struct cfg_route *rt, const yaml_node_t *m, size_t i)
{
	enum { R_NAME, R_MATCH, R_GROUPS, R_REQUIRE, R_DEDUP, R_DAMPING, R_CURRENT, R_N };
	static const char *const keys[R_N] = {"name",  "match",   "groups",       "require",
					      "dedup", "damping", "current_state"};
	static const struct word requires[] = {{"any", 0}, {"all", 1}};
	struct fld f[R_N];
	char ctx[CFG_CTX_MAX], gctx[CFG_CTX_MAX + 32];
	const yaml_node_t *gv;
	int v;

	cfg_item_ctx_peek(p, ctx, "routing.routes", i, m, "name");
	rt->line = lineof(m);
	rt->current_state = true;
	if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, keys, R_N, f) < 0)
		return -1;
	if (!f[R_NAME].val)
		return cfg_missing(p, ctx, m, "name");
	if (cfg_get_name(p, ctx, "name", f[R_NAME].val, NC_PROC, CFG_NAME_MAX, rt->name) < 0)
		return -1;
	cfg_item_ctx(ctx, "routing.routes", i, rt->name);
	if (f[R_MATCH].val && parse_match(p, ctx, &rt->match, f[R_MATCH].val) < 0)
		return -1;
	if (!(gv = f[R_GROUPS].val))
		return cfg_missing(p, ctx, m, "groups");
	if (cfg_expect(p, ctx, "groups", gv, YAML_SEQUENCE_NODE) < 0)
		return -1;
	if (seq_len(gv) == 0)
		return cfg_perr(p, lineof(gv), "%s: groups: the list is empty", ctx);
	if (seq_len(gv) > ROUTE_GROUPS_MAX)
		return cfg_perr(p, lineof(gv), "%s: groups: more than %d groups", ctx, ROUTE_GROUPS_MAX);
	if (!(rt->groups = calloc(seq_len(gv), sizeof *rt->groups)))
		return cfg_oom(p);
	for (size_t k = 0; k < seq_len(gv); k++) {
		const yaml_node_t *e = cfg_node_get(p, gv->data.sequence.items.start[k]);
		snprintf(gctx, sizeof gctx, "%s: groups[%zu]", ctx, k);
		rt->n_groups++;
		if (!e || parse_group(p, r, gctx, e, &rt->groups[k]) < 0)
			return -1;
	}
	if (f[R_REQUIRE].val) {
		if (cfg_get_enum(p, ctx, "require", f[R_REQUIRE].val, requires, 2, "any or all", &v) < 0)
			return -1;
		rt->need_all = v != 0;
	}
	if (f[R_DEDUP].val) {
		static const char *const dkeys[] = {"window", "per_node"};
		struct fld d[2];
		char dctx[CFG_CTX_MAX];
		cfg_ctx_join(dctx, sizeof dctx, ctx, "dedup");
		if (cfg_expect(p, ctx, "dedup", f[R_DEDUP].val, YAML_MAPPING_NODE) < 0 ||
		    cfg_map_read(p, f[R_DEDUP].val, dctx, dkeys, 2, d) < 0)
			return -1;
		if (!d[0].val)
			return cfg_missing(p, dctx, f[R_DEDUP].val, "window");
		if (cfg_get_duration(p, dctx, "window", d[0].val, 0, 24 * MS_H, &rt->dedup_ms) < 0 ||
		    (d[1].val && cfg_get_bool(p, dctx, "per_node", d[1].val, &rt->dedup_per_node) < 0))
			return -1;
	}
	if (f[R_DAMPING].val) {
		static const char *const dkeys[] = {"events", "window"};
		struct fld d[2];
		char dctx[CFG_CTX_MAX];
		cfg_ctx_join(dctx, sizeof dctx, ctx, "damping");
		if (cfg_expect(p, ctx, "damping", f[R_DAMPING].val, YAML_MAPPING_NODE) < 0 ||
		    cfg_map_read(p, f[R_DAMPING].val, dctx, dkeys, 2, d) < 0)
			return -1;
		if (!d[0].val)
			return cfg_missing(p, dctx, f[R_DAMPING].val, "events");
		if (!d[1].val)
			return cfg_missing(p, dctx, f[R_DAMPING].val, "window");
		if (cfg_get_u32(p, dctx, "events", d[0].val, 1, 64, &rt->damp_events) < 0 ||
		    cfg_get_duration(p, dctx, "window", d[1].val, MS_S, 24 * MS_H, &rt->damp_window_ms) < 0)
			return -1;
	}
	if (f[R_CURRENT].val && cfg_get_bool(p, ctx, "current_state", f[R_CURRENT].val, &rt->current_state) < 0)
		return -1;
	return 0;
}

static int parse_events(struct pctx *p, struct cfg_routing *r, const yaml_node_t *v)
{
	static const char *const keys[] = {"name", "once"};
	size_t n;

	if (cfg_expect(p, "routing", "events", v, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(v);
	if (!(r->events = calloc(n ? n : 1, sizeof *r->events)))
		return cfg_oom(p);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = cfg_node_get(p, v->data.sequence.items.start[i]);
		struct cfg_event_def *e = &r->events[r->n_events++];
		struct fld f[2];
		char ctx[CFG_CTX_MAX];
		if (!m)
			return -1;
		cfg_item_ctx_peek(p, ctx, "routing.events", i, m, "name");
		e->line = lineof(m);
		if (cfg_expect(p, ctx, NULL, m, YAML_MAPPING_NODE) < 0 || cfg_map_read(p, m, ctx, keys, 2, f) < 0)
			return -1;
		if (!f[0].val)
			return cfg_missing(p, ctx, m, "name");
		if (cfg_get_name(p, ctx, "name", f[0].val, NC_WORD, CFG_NAME_MAX, e->name) < 0)
			return -1;
		if (!f[1].val)
			return cfg_missing(p, ctx, m, "once");
		if (cfg_get_duration(p, ctx, "once", f[1].val, 0, 24 * MS_H, &e->once_ms) < 0)
			return -1;
	}
	return 0;
}

int cfg_parse_routing(struct pctx *p, struct shugo_config *c, const struct fld *top)
{
	static const char *const keys[] = {"destinations", "routes", "events"};
	struct cfg_routing *r = &c->routing;
	struct fld f[3];
	struct uniq *u = NULL;
	size_t n;
	int rc = -1;

	if (!top->val)
		return 0;
	r->line = lineof(top->key);
	if (cfg_expect(p, "", "routing", top->val, YAML_MAPPING_NODE) < 0 ||
	    cfg_map_read(p, top->val, "routing", keys, 3, f) < 0)
		return -1;
	if (f[2].val && parse_events(p, r, f[2].val) < 0)
		return -1;
	if (f[0].val && parse_dests(p, r, f[0].val) < 0)
		return -1;
	if (!f[1].val)
		return 0;
	if (cfg_expect(p, "routing", "routes", f[1].val, YAML_SEQUENCE_NODE) < 0)
		return -1;
	n = seq_len(f[1].val);
	r->routes = calloc(n ? n : 1, sizeof *r->routes);
	u = calloc(n ? n : 1, sizeof *u);
	if (!r->routes || !u) {
		cfg_oom(p);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = cfg_node_get(p, f[1].val->data.sequence.items.start[i]);
		if (!m || parse_route(p, r, &r->routes[r->n_routes++], m, i) < 0)
			goto fail;
		u[i] = (struct uniq){r->routes[i].name, r->routes[i].line, i};
	}
	rc = cfg_check_unique(p, u, n, "routing.routes", "route name");
fail:
	free(u);
	return rc;
}

int cfg_check_routing(struct pctx *p, struct shugo_config *c)
{
	char ctx[CFG_CTX_MAX], b[CFG_SHOW_BUF];

	for (size_t i = 0; i < c->routing.n_dests; i++) {
		const struct cfg_dest *d = &c->routing.dests[i];
		bool found = !d->node[0];
		for (size_t k = 0; !found && k < c->n_nodes; k++)
			found = !strcmp(c->nodes[k].name, d->node);
		cfg_item_ctx(ctx, "routing.destinations", i, d->name);
		if (!found)
			return cfg_perr(p, d->line, "%s: node '%s' is not in cluster.nodes", ctx,
					cfg_show_str(d->node, strlen(d->node), b));
		if (d->method == DEST_SNMP && d->target.version == 3 && !cfg_find_user(c, d->target.user))
			return cfg_perr(p, d->line, "%s: user '%s' is not defined in snmp.users", ctx,
					cfg_show_str(d->target.user, strlen(d->target.user), b));
	}
	return 0;
}

static void free_words(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

void cfg_routing_clear(struct shugo_config *c)
{
	struct cfg_routing *r = &c->routing;

	for (size_t i = 0; i < r->n_dests; i++) {
		struct cfg_dest *d = &r->dests[i];
		free_words(d->argv, d->argc);
		free(d->path);
		free(d->address);
		free(d->target.address);
		free(d->target.community);
	}
	free(r->dests);
	free(r->events);
	for (size_t i = 0; i < r->n_routes; i++) {
		struct cfg_route *rt = &r->routes[i];
		free_words(rt->match.types, rt->match.n_types);
		free_words(rt->match.nodes, rt->match.n_nodes);
		free_words(rt->match.objects, rt->match.n_objects);
		free_words(rt->match.states, rt->match.n_states);
		for (size_t k = 0; k < rt->n_groups; k++)
			free(rt->groups[k].dest);
		free(rt->groups);
	}
	free(r->routes);
	memset(r, 0, sizeof *r);
}
